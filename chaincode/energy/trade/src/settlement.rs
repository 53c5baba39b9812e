//! Settlement arithmetic, pure: traded vs metered energy, and the postings that pay for it.
//!
//! Postings, each moving one amount (minor units, rounded down, zero amounts left out) from `debit` to `credit`:
//! - `energy`: buyer -> seller, `wh * price / 1000`, per matched (bid, ask) pair, pairing bid fills with ask fills
//!   in priority order exactly as the auction matched them;
//! - `grid-fee`: buyer -> `GRID`, `wh * gridFeePerKwh / 1000`, per bid fill;
//! - `imbalance-short`: party -> `GRID`, `imbalance * imbalanceShortPerKwh / 1000` when `metered - traded > 0`;
//! - `imbalance-long`: `GRID` -> party, `|imbalance| * imbalanceLongPerKwh / 1000` when it is below 0.

use std::collections::BTreeMap;

use gridledger_contract::ContractError;
use gridledger_energy_common::amount::price_of;
use gridledger_energy_common::caller::Party;

use crate::error::{Result, TradeError};
use crate::model::{ClearingRecord, Fill, MarketConfig, Metered, PartyPosition, Posting, Settlement, Side};
use gridledger_energy_common::error::{EnergyError, checked};

/// The grid operator's balance account.
pub const GRID_ACCOUNT: &str = "GRID";

/// Settles a clearing: `metered` must hold every party with fills (see [`parties`]).
pub fn settle(
    clearing: &ClearingRecord,
    metered: &BTreeMap<Party, Metered>,
    config: &MarketConfig,
) -> Result<Settlement> {
    let mut postings = Vec::new();
    let mut post = |debit: String, credit: String, amount: i64, reason: &str| {
        if amount != 0 {
            postings.push(Posting { debit, credit, amount, reason: reason.to_string() });
        }
    };
    let bids: Vec<&Fill> = clearing.fills.iter().filter(|f| f.side == Side::Buy).collect();
    let asks: Vec<&Fill> = clearing.fills.iter().filter(|f| f.side == Side::Sell).collect();
    if let Some(price) = clearing.price_per_kwh {
        for (bid, ask, wh) in pairs(&bids, &asks)? {
            post(bid.party.account(), ask.party.account(), price_of(wh, price)?, "energy");
        }
    } else if !clearing.fills.is_empty() {
        return Err(corrupt("fills without a price"));
    }
    for bid in &bids {
        post(bid.party.account(), GRID_ACCOUNT.to_string(), price_of(bid.wh, config.grid_fee_per_kwh)?, "grid-fee");
    }

    let mut positions = Vec::new();
    for (party, traded) in traded(&clearing.fills)? {
        let m = metered
            .get(&party)
            .ok_or_else(|| ContractError::Internal(format!("no metered energy for {} was fetched", party.account())))?;
        let metered_wh = checked(m.import_wh.checked_sub(m.export_wh), "import - export")?;
        let imbalance = checked(metered_wh.checked_sub(traded), "metered - traded")?;
        if imbalance > 0 {
            let amount = price_of(imbalance, config.imbalance_short_per_kwh)?;
            post(party.account(), GRID_ACCOUNT.to_string(), amount, "imbalance-short");
        } else if imbalance < 0 {
            let amount = price_of(checked(imbalance.checked_neg(), "|imbalance|")?, config.imbalance_long_per_kwh)?;
            post(GRID_ACCOUNT.to_string(), party.account(), amount, "imbalance-long");
        }
        positions.push(PartyPosition { party, traded_wh: traded, metered_wh, imbalance_wh: imbalance });
    }
    Ok(Settlement { interval_start: clearing.interval_start, parties: positions, postings })
}

/// The parties with fills, in party order.
pub fn parties(clearing: &ClearingRecord) -> Vec<Party> {
    let mut parties: Vec<Party> = clearing.fills.iter().map(|f| f.party.clone()).collect();
    parties.sort_unstable();
    parties.dedup();
    parties
}

/// Bought minus sold per party, in party order.
fn traded(fills: &[Fill]) -> Result<BTreeMap<Party, i64>> {
    let mut traded = BTreeMap::new();
    for fill in fills {
        let entry: &mut i64 = traded.entry(fill.party.clone()).or_default();
        let delta = if fill.side == Side::Buy { Some(fill.wh) } else { fill.wh.checked_neg() };
        *entry = checked(delta.and_then(|d| entry.checked_add(d)), "traded energy")?;
    }
    Ok(traded)
}

/// Matches bid fills with ask fills in priority order: `(bid, ask, wh)`. Both sides must sum to the same volume.
fn pairs<'a>(bids: &[&'a Fill], asks: &[&'a Fill]) -> Result<Vec<(&'a Fill, &'a Fill, i64)>> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut bid_left, mut ask_left) = (bids.first().map_or(0, |f| f.wh), asks.first().map_or(0, |f| f.wh));
    while i < bids.len() && j < asks.len() {
        let q = bid_left.min(ask_left);
        if q <= 0 {
            return Err(corrupt("a fill of no energy"));
        }
        out.push((bids[i], asks[j], q));
        bid_left -= q;
        ask_left -= q;
        if bid_left == 0 {
            i += 1;
            bid_left = bids.get(i).map_or(0, |f| f.wh);
        }
        if ask_left == 0 {
            j += 1;
            ask_left = asks.get(j).map_or(0, |f| f.wh);
        }
    }
    if i < bids.len() || j < asks.len() {
        return Err(corrupt("bought and sold volumes differ"));
    }
    Ok(out)
}

/// The balance changes the postings make, per account. They sum to zero.
pub fn balance_changes(postings: &[Posting]) -> Result<BTreeMap<String, i64>> {
    let mut changes: BTreeMap<String, i64> = BTreeMap::new();
    for p in postings {
        let debit = changes.entry(p.debit.clone()).or_default();
        *debit = checked(debit.checked_sub(p.amount), "a balance")?;
        let credit = changes.entry(p.credit.clone()).or_default();
        *credit = checked(credit.checked_add(p.amount), "a balance")?;
    }
    Ok(changes)
}

fn corrupt(detail: &str) -> TradeError {
    EnergyError::Corrupt { what: "clearing".to_string(), detail: detail.to_string() }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(id: &str) -> Party {
        Party { msp: "ProsumerMSP".into(), id: id.into() }
    }

    fn fill(id: &str, who: &str, side: Side, wh: i64) -> Fill {
        Fill { order_id: id.into(), party: party(who), side, wh }
    }

    #[test]
    fn readme_example() {
        let clearing = ClearingRecord {
            interval_start: 900,
            price_per_kwh: Some(22),
            volume_wh: 4500,
            fills: vec![
                fill("b1", "alice", Side::Buy, 3000),
                fill("b2", "bob", Side::Buy, 1500),
                fill("a1", "carol", Side::Sell, 2500),
                fill("a2", "dave", Side::Sell, 2000),
            ],
            interval_seconds: 900,
        };
        let config = MarketConfig {
            gate_closure_seconds: 300,
            grid_fee_per_kwh: 5,
            imbalance_short_per_kwh: 40,
            imbalance_long_per_kwh: 3,
            interval_seconds: 900,
        };
        let metered: BTreeMap<Party, Metered> = [
            (party("alice"), Metered { import_wh: 3200, export_wh: 0, interval_seconds: Some(900) }),
            (party("bob"), Metered { import_wh: 1500, export_wh: 0, interval_seconds: Some(900) }),
            (party("carol"), Metered { import_wh: 0, export_wh: 2000, interval_seconds: Some(900) }),
            (party("dave"), Metered { import_wh: 0, export_wh: 2600, interval_seconds: Some(900) }),
        ]
        .into();
        let s = settle(&clearing, &metered, &config).unwrap();
        let got: Vec<(&str, &str, i64, &str)> =
            s.postings.iter().map(|p| (p.debit.as_str(), p.credit.as_str(), p.amount, p.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                ("ProsumerMSP/alice", "ProsumerMSP/carol", 55, "energy"),
                ("ProsumerMSP/alice", "ProsumerMSP/dave", 11, "energy"),
                ("ProsumerMSP/bob", "ProsumerMSP/dave", 33, "energy"),
                ("ProsumerMSP/alice", "GRID", 15, "grid-fee"),
                ("ProsumerMSP/bob", "GRID", 7, "grid-fee"),
                ("ProsumerMSP/alice", "GRID", 8, "imbalance-short"),
                ("ProsumerMSP/carol", "GRID", 20, "imbalance-short"),
                ("GRID", "ProsumerMSP/dave", 1, "imbalance-long"),
            ]
        );
        let imbalances: Vec<i64> = s.parties.iter().map(|p| p.imbalance_wh).collect();
        assert_eq!(imbalances, [200, 0, 500, -600]);
        assert_eq!(balance_changes(&s.postings).unwrap().values().sum::<i64>(), 0);
    }

    #[test]
    fn inconsistent_clearings_are_refused() {
        let mut clearing = ClearingRecord {
            interval_start: 900,
            price_per_kwh: Some(1),
            volume_wh: 10,
            fills: vec![fill("b", "a", Side::Buy, 10), fill("s", "b", Side::Sell, 9)],
            interval_seconds: 900,
        };
        let metered = parties(&clearing).into_iter().map(|p| (p, Metered::default())).collect();
        assert!(settle(&clearing, &metered, &MarketConfig::default()).is_err());
        clearing.price_per_kwh = None;
        assert!(settle(&clearing, &metered, &MarketConfig::default()).is_err());
        assert!(settle(&clearing, &BTreeMap::new(), &MarketConfig::default()).is_err());
    }
}
