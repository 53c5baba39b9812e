//! `MatchingReport(msp, id, dayStart)`: hour by hour, a party's metered consumption against the certificates
//! claimed for it, and the day's 24/7 score as an exact ratio.

use gridledger_contract::{Context, Int, Object};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::bounds::{IntervalStart, Msp, PartyId};
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::index::interval_key;
use gridledger_energy_common::interval::require_aligned;
use serde::{Deserialize, Serialize};

use crate::error::{CertError, Result};
use crate::issue::HOUR;
use crate::model::Claim;
use crate::{calls, store};

/// Hours in a report.
pub const HOURS: i64 = 24;

/// One hour of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct HourMatch {
    /// The hour.
    pub hour_start: i64,
    /// The party's metered import, Wh.
    pub consumption_wh: i64,
    /// Wh claimed for the party in the hour.
    pub claimed_wh: i64,
    /// `min(consumption, claimed)`.
    pub matched_wh: i64,
}

/// An exact fraction in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Ratio {
    /// The numerator.
    pub numerator: i64,
    /// The denominator (> 0).
    pub denominator: i64,
}

/// What `MatchingReport` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct MatchingReport {
    /// The party.
    pub party: Party,
    /// The first hour.
    pub day_start: i64,
    /// The 24 hours.
    pub hours: Vec<HourMatch>,
    /// Sum of consumption, Wh.
    pub consumption_wh: i64,
    /// Sum of claims, Wh.
    pub claimed_wh: i64,
    /// Sum of matched Wh.
    pub matched_wh: i64,
    /// `matched / consumption` in lowest terms; `null` without consumption.
    pub score: Option<Ratio>,
    /// The score in basis points (1/10000), rounded down; `null` without consumption.
    pub score_basis_points: Option<i64>,
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// A day's sums and score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTotals {
    /// Sum of consumption, Wh.
    pub consumption_wh: i64,
    /// Sum of claims, Wh.
    pub claimed_wh: i64,
    /// Sum of matched Wh.
    pub matched_wh: i64,
    /// `matched / consumption` in lowest terms.
    pub score: Option<Ratio>,
    /// The score in basis points, rounded down.
    pub score_basis_points: Option<i64>,
}

/// The day's score from its hours: pure, so it is tested on its own.
pub fn score(hours: &[HourMatch]) -> Result<DayTotals> {
    let (mut consumption, mut claimed, mut matched) = (0i64, 0i64, 0i64);
    for h in hours {
        consumption = add(consumption, h.consumption_wh)?;
        claimed = add(claimed, h.claimed_wh)?;
        matched = add(matched, h.matched_wh)?;
    }
    let mut totals = DayTotals {
        consumption_wh: consumption,
        claimed_wh: claimed,
        matched_wh: matched,
        score: None,
        score_basis_points: None,
    };
    if consumption <= 0 {
        return Ok(totals);
    }
    let g = gcd(matched, consumption).max(1);
    let ratio = Ratio { numerator: matched / g, denominator: consumption / g };
    let bp = i64::try_from(i128::from(matched) * 10_000 / i128::from(consumption))
        .map_err(|_| CertError::BadRequest("the score overflows".into()))?;
    totals.score = Some(ratio);
    totals.score_basis_points = Some(bp);
    Ok(totals)
}

/// `MatchingReport(msp, id, dayStart)`: whoever may read the party's metered energy (the party, a grid operator,
/// its supplier; metering decides); `dayStart` aligned to 3600 (a local day may start at any UTC hour). Per hour:
/// metered import, Wh claimed for the party, matched = the smaller; the score = sum matched / sum consumption.
pub fn matching_report(
    ctx: &Context<'_>,
    (msp, id, Int(day)): (Msp, PartyId, IntervalStart),
) -> Result<MatchingReport> {
    require_aligned(day, HOUR)?;
    let party = Party { msp: msp.into_string(), id: id.into_string() };
    let metered = calls::metered_hours(ctx, &party, day, HOURS)?;
    let mut hours = Vec::with_capacity(metered.len());
    for h in 0..HOURS {
        let hour = day + h * HOUR;
        let consumption = metered.iter().find(|m| m.hour_start == hour).map_or(0, |m| m.import_wh);
        let mut claimed = 0i64;
        let prefix = interval_key(hour);
        for kv in ctx.get_state_by_partial_composite_key(store::CLAIM, &[&party.msp, &party.id, &prefix])? {
            let claim: Claim = store::decode(&kv?.value, "claim")?;
            claimed = add(claimed, claim.wh)?;
        }
        hours.push(HourMatch {
            hour_start: hour,
            consumption_wh: consumption,
            claimed_wh: claimed,
            matched_wh: consumption.min(claimed).max(0),
        });
    }
    let totals = score(&hours)?;
    Ok(MatchingReport {
        party,
        day_start: day,
        hours,
        consumption_wh: totals.consumption_wh,
        claimed_wh: totals.claimed_wh,
        matched_wh: totals.matched_wh,
        score: totals.score,
        score_basis_points: totals.score_basis_points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(c: i64, k: i64) -> HourMatch {
        HourMatch { hour_start: 0, consumption_wh: c, claimed_wh: k, matched_wh: c.min(k) }
    }

    #[test]
    fn score_is_an_exact_ratio() {
        let t = score(&[hour(1000, 400), hour(500, 900), hour(0, 0)]).unwrap();
        assert_eq!((t.consumption_wh, t.claimed_wh, t.matched_wh), (1500, 1300, 900));
        assert_eq!(t.score, Some(Ratio { numerator: 3, denominator: 5 }));
        assert_eq!(t.score_basis_points, Some(6000));
        let t = score(&[hour(3, 1)]).unwrap();
        assert_eq!((t.score, t.score_basis_points), (Some(Ratio { numerator: 1, denominator: 3 }), Some(3333)));
        assert_eq!(score(&[hour(0, 50)]).unwrap().score, None, "no consumption, no score");
        assert_eq!(score(&[hour(7, 0)]).unwrap().score, Some(Ratio { numerator: 0, denominator: 1 }));
    }
}
