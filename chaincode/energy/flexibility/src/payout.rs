//! Settlement arithmetic, pure: delivery per interval, payment, penalty, and the postings that move the money.
//!
//! Per interval, with `A` the awarded Wh, `M` the measured and `B` the baseline (both in the request's direction):
//! - `delivered = max(0, M - B)`; with no baseline (High X of Y without enough days) nothing counts as delivered;
//! - `paid = min(delivered, A)`: over-delivery is not bought;
//! - `tolerance = floor(A * toleranceBps / 10 000)`; `shortfall = max(0, A - tolerance - delivered)`;
//! - `payment = floor(paid * price / 1000)`, `penalty = floor(shortfall * penaltyPerKwh / 1000)`.
//!
//! Postings (minor units, zero amounts left out): `flex-payment` `GRID` -> `VPP/id` (the sum of the payments),
//! `flex-penalty` `VPP/id` -> `GRID`, then `flex-member` `VPP/id` -> each member's account, pro rata to its meters'
//! measured contribution `c` (the positive part of each meter's directional energy, per interval, summed):
//! `floor(payment * c / C)`, but never more than `floor(c * price / 1000)`, so no member is paid for energy its
//! meters did not measure. What is left (rounding, penalties, the baseline's share) stays with the VPP.

use std::collections::BTreeMap;

use gridledger_contract::Object;
use gridledger_energy_common::amount::price_of;
use serde::{Deserialize, Serialize};

use crate::error::{Result, checked};

/// The grid operator's balance account in trade.
pub const GRID_ACCOUNT: &str = "GRID";

/// The balance account of a VPP in trade.
pub fn vpp_account(vpp_id: &str) -> String {
    format!("VPP/{vpp_id}")
}

/// The commercial terms of one award.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Awarded Wh per interval.
    pub awarded_wh: i64,
    /// The offer's price, minor units per kWh.
    pub price_per_kwh: i64,
    /// Tolerated shortfall, basis points of `awarded_wh`.
    pub tolerance_bps: u32,
    /// Shortfall penalty, minor units per kWh.
    pub penalty_per_kwh: i64,
}

/// What one interval delivered and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexIntervalOutcome")]
pub struct IntervalOutcome {
    /// The interval.
    pub interval_start: i64,
    /// Awarded Wh.
    pub awarded_wh: i64,
    /// Measured energy of the offer's meters in the request's direction, Wh.
    pub measured_wh: i64,
    /// The baseline in the request's direction, Wh; `null` when it could not be formed.
    // Always written (`null` when no baseline could be formed), so the metadata lists it as required.
    #[object(required)]
    pub baseline_wh: Option<i64>,
    /// For High X of Y: the day values averaged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    // Left out when empty, so optional although not an `Option`.
    #[object(optional)]
    pub baseline_days: Vec<i64>,
    /// `max(0, measured - baseline)`.
    pub delivered_wh: i64,
    /// `min(delivered, awarded)`.
    pub paid_wh: i64,
    /// Undelivered Wh beyond the tolerance.
    pub shortfall_wh: i64,
    /// Minor units the grid operator pays.
    pub payment: i64,
    /// Minor units the VPP pays.
    pub penalty: i64,
}

/// One member's share of the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexMemberShare")]
pub struct MemberShare {
    /// The member's balance account, `msp/id`.
    pub account: String,
    /// Its meters' measured contribution, Wh.
    pub contribution_wh: i64,
    /// What it is paid, minor units.
    pub amount: i64,
}

/// One balanced money movement, as trade's balances take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexPosting")]
pub struct Posting {
    /// The paying account.
    pub debit: String,
    /// The receiving account.
    pub credit: String,
    /// Minor units, > 0.
    pub amount: i64,
    /// `flex-payment`, `flex-penalty` or `flex-member`.
    pub reason: String,
}

/// Delivery and money of one interval.
pub fn interval_outcome(
    interval_start: i64,
    measured_wh: i64,
    baseline: Option<(i64, Vec<i64>)>,
    terms: &Terms,
) -> Result<IntervalOutcome> {
    let awarded = terms.awarded_wh;
    let (baseline_wh, baseline_days) = match baseline {
        Some((b, days)) => (Some(b), days),
        None => (None, Vec::new()),
    };
    let delivered = match baseline_wh {
        Some(b) => checked(measured_wh.checked_sub(b), "measured - baseline")?.max(0),
        None => 0,
    };
    let paid = delivered.min(awarded);
    let tolerance = i64::try_from(i128::from(awarded) * i128::from(terms.tolerance_bps) / 10_000)
        .map_err(|_| crate::error::FlexError::BadRequest("tolerance overflows".into()))?;
    let shortfall = checked(awarded.checked_sub(tolerance).and_then(|v| v.checked_sub(delivered)), "shortfall")?.max(0);
    Ok(IntervalOutcome {
        interval_start,
        awarded_wh: awarded,
        measured_wh,
        baseline_wh,
        baseline_days,
        delivered_wh: delivered,
        paid_wh: paid,
        shortfall_wh: shortfall,
        payment: price_of(paid, terms.price_per_kwh)?,
        penalty: price_of(shortfall, terms.penalty_per_kwh)?,
    })
}

/// Member shares and postings for an award's outcomes; `contributions` per member account (Wh, >= 0).
pub fn postings(
    vpp_id: &str,
    outcomes: &[IntervalOutcome],
    contributions: &BTreeMap<String, i64>,
    price_per_kwh: i64,
) -> Result<(Vec<MemberShare>, Vec<Posting>)> {
    let vpp = vpp_account(vpp_id);
    let payment = outcomes.iter().try_fold(0i64, |sum, o| checked(sum.checked_add(o.payment), "payment"))?;
    let penalty = outcomes.iter().try_fold(0i64, |sum, o| checked(sum.checked_add(o.penalty), "penalty"))?;
    let total =
        contributions.values().try_fold(0i64, |sum, c| checked(sum.checked_add((*c).max(0)), "contribution"))?;
    let mut out = Vec::new();
    let mut post = |debit: &str, credit: &str, amount: i64, reason: &str| {
        if amount > 0 {
            out.push(Posting { debit: debit.into(), credit: credit.into(), amount, reason: reason.into() });
        }
    };
    post(GRID_ACCOUNT, &vpp, payment, "flex-payment");
    post(&vpp, GRID_ACCOUNT, penalty, "flex-penalty");
    let mut members = Vec::new();
    for (account, contribution) in contributions {
        let c = (*contribution).max(0);
        let pro_rata = if total == 0 {
            0
        } else {
            i64::try_from(i128::from(payment) * i128::from(c) / i128::from(total)).unwrap_or(i64::MAX)
        };
        let amount = pro_rata.min(price_of(c, price_per_kwh)?);
        post(&vpp, account, amount, "flex-member");
        members.push(MemberShare { account: account.clone(), contribution_wh: c, amount });
    }
    Ok((members, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(awarded_wh: i64, price: i64) -> Terms {
        Terms { awarded_wh, price_per_kwh: price, tolerance_bps: 1000, penalty_per_kwh: 50 }
    }

    #[test]
    fn delivery_within_tolerance_is_not_penalised() {
        // Awarded 10 kWh, 10 % tolerance: 9.5 kWh delivered is paid, not penalised.
        let o = interval_outcome(0, 12_500, Some((3_000, vec![])), &terms(10_000, 100)).unwrap();
        assert_eq!((o.delivered_wh, o.paid_wh, o.shortfall_wh, o.payment, o.penalty), (9_500, 9_500, 0, 950, 0));
        // 6 kWh delivered: 3 kWh beyond the 1 kWh tolerance are penalised at 50 per kWh.
        let o = interval_outcome(0, 9_000, Some((3_000, vec![])), &terms(10_000, 100)).unwrap();
        assert_eq!((o.delivered_wh, o.paid_wh, o.shortfall_wh, o.payment, o.penalty), (6_000, 6_000, 3_000, 600, 150));
        // Over-delivery is not bought; a missing baseline delivers nothing.
        let o = interval_outcome(0, 30_000, Some((0, vec![])), &terms(10_000, 100)).unwrap();
        assert_eq!((o.paid_wh, o.payment), (10_000, 1_000));
        let o = interval_outcome(0, 30_000, None, &terms(10_000, 100)).unwrap();
        assert_eq!((o.delivered_wh, o.shortfall_wh, o.penalty), (0, 9_000, 450));
    }

    #[test]
    fn members_split_pro_rata_capped_by_their_measurement() {
        let o = interval_outcome(0, 9_000, Some((0, vec![])), &terms(9_000, 100)).unwrap();
        let contributions: BTreeMap<String, i64> = [("M/a".to_string(), 6_000), ("M/b".to_string(), 3_000)].into();
        let (members, postings) = postings("v", &[o], &contributions, 100).unwrap();
        assert_eq!(members.iter().map(|m| m.amount).collect::<Vec<_>>(), [600, 300]);
        assert_eq!(
            postings[0],
            Posting { debit: "GRID".into(), credit: "VPP/v".into(), amount: 900, reason: "flex-payment".into() }
        );
        assert_eq!(postings.len(), 3);
    }

    fn net(postings: &[Posting]) -> BTreeMap<String, i64> {
        let mut m = BTreeMap::new();
        for p in postings {
            *m.entry(p.debit.clone()).or_insert(0) -= p.amount;
            *m.entry(p.credit.clone()).or_insert(0) += p.amount;
        }
        m
    }

    proptest! {
        /// Postings sum to zero, and no member receives more than its measured contribution is worth.
        #[test]
        fn postings_balance_and_members_are_paid_only_for_measured_energy(
            awarded in 0i64..1_000_000,
            price in 0i64..100_000,
            bps in 0u32..=10_000,
            penalty in 0i64..100_000,
            intervals in proptest::collection::vec((-1_000_000i64..2_000_000, proptest::option::of(-500_000i64..500_000)), 1..4),
            members in proptest::collection::vec(0i64..1_000_000, 0..6),
        ) {
            let terms = Terms { awarded_wh: awarded, price_per_kwh: price, tolerance_bps: bps, penalty_per_kwh: penalty };
            let outcomes: Vec<IntervalOutcome> = intervals
                .iter()
                .enumerate()
                .map(|(i, (m, b))| interval_outcome(i as i64 * 900, *m, b.map(|b| (b, vec![])), &terms).unwrap())
                .collect();
            for o in &outcomes {
                prop_assert!(o.paid_wh <= awarded && o.paid_wh >= 0 && o.shortfall_wh >= 0);
            }
            let contributions: BTreeMap<String, i64> =
                members.iter().enumerate().map(|(i, c)| (format!("M/{i}"), *c)).collect();
            let (shares, posts) = postings("v", &outcomes, &contributions, price).unwrap();
            prop_assert_eq!(net(&posts).values().sum::<i64>(), 0);
            prop_assert!(posts.iter().all(|p| p.amount > 0 && p.debit != p.credit));
            let paid: i64 = outcomes.iter().map(|o| o.payment).sum();
            prop_assert!(shares.iter().map(|s| s.amount).sum::<i64>() <= paid);
            for s in &shares {
                prop_assert!(s.amount <= price_of(s.contribution_wh, price).unwrap());
                if s.contribution_wh == 0 {
                    prop_assert_eq!(s.amount, 0);
                }
            }
        }
    }
}
