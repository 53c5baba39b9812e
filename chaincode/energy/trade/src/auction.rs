//! The uniform-price double auction, pure: no ledger access, so it can be property-tested and benchmarked.
//!
//! 1. Bids are sorted by limit descending, asks by limit ascending; ties by `placedAt`, then order id.
//! 2. Both lists are walked, matching volume while the bid's limit is at least the ask's. The last pair that trades
//!    is the marginal pair.
//! 3. The price is `floor((marginal bid + marginal ask) / 2)`; every filled bid pays it, every filled ask gets it.
//!    Fills are partial where volume runs out.
//! 4. Nothing trades when the best bid is below the best ask.

use std::cmp::Ordering;

use crate::model::{Fill, Order, Side};

/// What the auction decided (the stored [`ClearingRecord`](crate::model::ClearingRecord) adds the interval).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearing {
    /// The uniform price, `None` when nothing trades.
    pub price_per_kwh: Option<i64>,
    /// Energy traded, Wh; bought == sold == this.
    pub volume_wh: i64,
    /// Bid fills in priority order, then ask fills in priority order; orders that trade nothing are left out.
    pub fills: Vec<Fill>,
}

/// Priority of bids: higher limit first, then earlier, then smaller id.
pub fn bid_priority(a: &Order, b: &Order) -> Ordering {
    b.limit_per_kwh.cmp(&a.limit_per_kwh).then_with(|| time_then_id(a, b))
}

/// Priority of asks: lower limit first, then earlier, then smaller id.
pub fn ask_priority(a: &Order, b: &Order) -> Ordering {
    a.limit_per_kwh.cmp(&b.limit_per_kwh).then_with(|| time_then_id(a, b))
}

fn time_then_id(a: &Order, b: &Order) -> Ordering {
    a.placed_at.cmp(&b.placed_at).then_with(|| a.id.cmp(&b.id))
}

/// Clears one interval. `bids` and `asks` may come in any order; the result depends only on their contents
/// (order ids are unique). Orders with no volume are ignored; the caller passes open orders only.
pub fn clear(bids: &[Order], asks: &[Order]) -> Clearing {
    let mut bids: Vec<&Order> = bids.iter().filter(|o| o.wh > 0).collect();
    let mut asks: Vec<&Order> = asks.iter().filter(|o| o.wh > 0).collect();
    bids.sort_unstable_by(|a, b| bid_priority(a, b));
    asks.sort_unstable_by(|a, b| ask_priority(a, b));

    // filled[i] is the volume of bids[i] / asks[j] traded so far.
    let mut bid_filled = vec![0i64; bids.len()];
    let mut ask_filled = vec![0i64; asks.len()];
    let (mut i, mut j) = (0, 0);
    let mut marginal = None;
    let mut volume: i64 = 0;
    while i < bids.len() && j < asks.len() && bids[i].limit_per_kwh >= asks[j].limit_per_kwh {
        let q = (bids[i].wh - bid_filled[i]).min(asks[j].wh - ask_filled[j]);
        bid_filled[i] += q;
        ask_filled[j] += q;
        volume = volume.saturating_add(q);
        marginal = Some((bids[i].limit_per_kwh, asks[j].limit_per_kwh));
        if bid_filled[i] == bids[i].wh {
            i += 1;
        }
        if ask_filled[j] == asks[j].wh {
            j += 1;
        }
    }
    // Both limits are non-negative and bid >= ask, so the midpoint lies between them; i128 avoids overflow.
    let price = marginal.map(|(bid, ask)| {
        let mid = (i128::from(bid) + i128::from(ask)).div_euclid(2);
        i64::try_from(mid).unwrap_or(bid)
    });
    let fill =
        |order: &Order, wh: i64, side: Side| Fill { order_id: order.id.clone(), party: order.party.clone(), side, wh };
    let fills = bids
        .iter()
        .zip(&bid_filled)
        .filter(|(_, wh)| **wh > 0)
        .map(|(o, wh)| fill(o, *wh, Side::Buy))
        .chain(asks.iter().zip(&ask_filled).filter(|(_, wh)| **wh > 0).map(|(o, wh)| fill(o, *wh, Side::Sell)))
        .collect();
    Clearing { price_per_kwh: price, volume_wh: volume, fills }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrderStatus, Timestamp};
    use gridledger_energy_common::caller::Party;

    fn order(id: &str, side: Side, wh: i64, limit: i64, at: i64) -> Order {
        Order {
            id: id.into(),
            interval_start: 900,
            side,
            wh,
            limit_per_kwh: limit,
            party: Party { msp: "P".into(), id: id.into() },
            vpp: None,
            placed_at: Timestamp { seconds: at, nanos: 0 },
            status: OrderStatus::Open,
            interval_seconds: 900,
        }
    }

    fn fills(c: &Clearing) -> Vec<(&str, i64)> {
        c.fills.iter().map(|f| (f.order_id.as_str(), f.wh)).collect()
    }

    #[test]
    fn readme_example() {
        let bids = [
            order("b1", Side::Buy, 3000, 30, 1),
            order("b2", Side::Buy, 2000, 25, 2),
            order("b3", Side::Buy, 1000, 10, 3),
        ];
        let asks = [
            order("a1", Side::Sell, 2500, 12, 1),
            order("a2", Side::Sell, 2000, 20, 2),
            order("a3", Side::Sell, 4000, 28, 3),
        ];
        let c = clear(&bids, &asks);
        // b1 x a1 2500, b1 x a2 500, b2 x a2 1500; b2 (25) vs a3 (28) does not cross. Marginal pair b2/a2.
        assert_eq!(c.volume_wh, 4500);
        assert_eq!(c.price_per_kwh, Some(22));
        assert_eq!(fills(&c), [("b1", 3000), ("b2", 1500), ("a1", 2500), ("a2", 2000)]);
    }

    #[test]
    fn no_cross_and_empty() {
        let c = clear(&[order("b", Side::Buy, 10, 5, 1)], &[order("a", Side::Sell, 10, 6, 1)]);
        assert_eq!((c.price_per_kwh, c.volume_wh, c.fills.len()), (None, 0, 0));
        assert_eq!(clear(&[], &[]).price_per_kwh, None);
        assert_eq!(clear(&[order("b", Side::Buy, 10, 5, 1)], &[]).volume_wh, 0);
    }

    #[test]
    fn ties_break_by_time_then_id() {
        let bids = [
            order("b2", Side::Buy, 100, 10, 5),
            order("b1", Side::Buy, 100, 10, 5),
            order("b0", Side::Buy, 100, 10, 6),
        ];
        let asks = [order("a", Side::Sell, 150, 10, 1)];
        let c = clear(&bids, &asks);
        assert_eq!(fills(&c), [("b1", 100), ("b2", 50), ("a", 150)]);
        assert_eq!(c.price_per_kwh, Some(10));
    }

    #[test]
    fn midpoint_rounds_down() {
        let c = clear(&[order("b", Side::Buy, 10, 7, 1)], &[order("a", Side::Sell, 10, 4, 1)]);
        assert_eq!(c.price_per_kwh, Some(5));
    }
}
