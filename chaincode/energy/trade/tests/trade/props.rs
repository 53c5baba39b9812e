//! Property tests of the pure auction and settlement.

use std::collections::BTreeMap;

use gridledger_energy_common::caller::Party;
use gridledger_trade::auction::clear;
use gridledger_trade::model::{ClearingRecord, MarketConfig, Metered, Order, OrderStatus, Side, Timestamp};
use gridledger_trade::settlement::{balance_changes, parties, settle};
use proptest::prelude::*;

fn orders() -> impl Strategy<Value = Vec<Order>> {
    prop::collection::vec((any::<bool>(), 1i64..5_000, 0i64..60, 0i64..4, 0u8..5, 0i32..3), 0..40).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(n, (buy, wh, limit, seconds, who, nanos))| Order {
                id: format!("o{n:03}"),
                interval_start: 900,
                side: if buy { Side::Buy } else { Side::Sell },
                wh,
                limit_per_kwh: limit,
                party: Party { msp: "ProsumerMSP".into(), id: format!("p{who}") },
                vpp: None,
                placed_at: Timestamp { seconds, nanos },
                status: OrderStatus::Open,
                interval_seconds: 900,
            })
            .collect()
    })
}

fn split(orders: &[Order]) -> (Vec<Order>, Vec<Order>) {
    orders.iter().cloned().partition(|o| o.side == Side::Buy)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fills_respect_limits_volumes_and_balance(orders in orders()) {
        let (bids, asks) = split(&orders);
        let c = clear(&bids, &asks);
        let by_id: BTreeMap<&str, &Order> = orders.iter().map(|o| (o.id.as_str(), o)).collect();
        let (mut bought, mut sold) = (0i64, 0i64);
        let mut seen = std::collections::BTreeSet::new();
        for fill in &c.fills {
            let order = by_id[fill.order_id.as_str()];
            let price = c.price_per_kwh.expect("fills have a price");
            prop_assert!(seen.insert(fill.order_id.clone()), "one fill per order");
            prop_assert!(fill.wh > 0 && fill.wh <= order.wh);
            prop_assert_eq!(fill.side, order.side);
            prop_assert_eq!(&fill.party, &order.party);
            match fill.side {
                Side::Buy => { prop_assert!(price <= order.limit_per_kwh); bought += fill.wh; }
                Side::Sell => { prop_assert!(price >= order.limit_per_kwh); sold += fill.wh; }
            }
        }
        prop_assert_eq!(bought, sold);
        prop_assert_eq!(bought, c.volume_wh);
        prop_assert_eq!(c.price_per_kwh.is_none(), c.volume_wh == 0);
        // Nothing that could still trade is left: the best leftover bid is below the best leftover ask.
        let filled: BTreeMap<&str, i64> = c.fills.iter().map(|f| (f.order_id.as_str(), f.wh)).collect();
        let left = |o: &&Order| o.wh > filled.get(o.id.as_str()).copied().unwrap_or(0);
        let best_bid = bids.iter().filter(left).map(|o| o.limit_per_kwh).max();
        let best_ask = asks.iter().filter(left).map(|o| o.limit_per_kwh).min();
        if let (Some(bid), Some(ask)) = (best_bid, best_ask) {
            prop_assert!(bid < ask, "leftover bid {} crosses leftover ask {}", bid, ask);
        }
    }

    #[test]
    fn submission_order_does_not_matter(
        (orders, shuffled) in orders().prop_flat_map(|o| (Just(o.clone()), Just(o).prop_shuffle()))
    ) {
        let (bids, asks) = split(&orders);
        let (bids2, asks2) = split(&shuffled);
        prop_assert_eq!(clear(&bids, &asks), clear(&bids2, &asks2));
    }

    #[test]
    fn settlement_postings_sum_to_zero(
        orders in orders(),
        metered in prop::collection::vec((0i64..20_000, 0i64..20_000), 5),
        fee in 0i64..50, short in 0i64..200, long in 0i64..50,
    ) {
        let (bids, asks) = split(&orders);
        let c = clear(&bids, &asks);
        let record = ClearingRecord { interval_start: 900, price_per_kwh: c.price_per_kwh, volume_wh: c.volume_wh, fills: c.fills, interval_seconds: 900 };
        let metered: BTreeMap<Party, Metered> = parties(&record)
            .into_iter()
            .map(|p| {
                let n: usize = p.id[1..].parse().unwrap();
                (p, Metered { import_wh: metered[n].0, export_wh: metered[n].1, interval_seconds: Some(900) })
            })
            .collect();
        let config = MarketConfig { gate_closure_seconds: 300, grid_fee_per_kwh: fee, imbalance_short_per_kwh: short, imbalance_long_per_kwh: long, interval_seconds: 900 };
        let s = settle(&record, &metered, &config).unwrap();
        prop_assert!(s.postings.iter().all(|p| p.amount > 0));
        let changes = balance_changes(&s.postings).unwrap();
        prop_assert_eq!(changes.values().sum::<i64>(), 0);
        // Energy paid is the volume at the price, less at most one unit of rounding per pair.
        let energy: i64 = s.postings.iter().filter(|p| p.reason == "energy").map(|p| p.amount).sum();
        let exact = record.volume_wh * record.price_per_kwh.unwrap_or(0) / 1000;
        prop_assert!(energy <= exact && energy + (record.fills.len() as i64) >= exact);
        for p in &s.parties {
            prop_assert_eq!(p.imbalance_wh, p.metered_wh - p.traded_wh);
        }
        prop_assert_eq!(s.parties.iter().map(|p| p.traded_wh).sum::<i64>(), 0);
    }
}
