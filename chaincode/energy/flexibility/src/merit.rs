//! The award, pure: merit order, pay-as-bid.
//!
//! Offers are ranked by price ascending; equal prices by the time the offer was (last) made, earlier first; then by
//! VPP id, so the order is total and every peer computes the same award. Walking the ranking, each offer gets
//! `min(its Wh, what is still wanted)`; the walk stops when nothing is wanted. Each awarded offer is paid its own
//! price (pay-as-bid): a flexibility request buys a quantity from few providers, and paying each its bid keeps the
//! grid operator's cost at what was offered, where a uniform price would pay every provider the marginal offer's.

use crate::model::Timestamp;

/// What the merit order needs of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The VPP (the offer's id within its request).
    pub vpp_id: String,
    /// Wh per interval offered.
    pub wh: i64,
    /// Minor units per kWh.
    pub price_per_kwh: i64,
    /// When the offer was made.
    pub placed_at: Timestamp,
}

/// Ranks `offers` in merit order and fills `wanted` Wh: `(vpp id, awarded Wh, price)` for every offer, in merit
/// order, with 0 Wh for the ones left out. Offers of no or negative Wh get nothing.
pub fn award(offers: &[Candidate], wanted: i64) -> Vec<(String, i64, i64)> {
    let mut ranked: Vec<&Candidate> = offers.iter().collect();
    ranked.sort_by(|a, b| (a.price_per_kwh, a.placed_at, &a.vpp_id).cmp(&(b.price_per_kwh, b.placed_at, &b.vpp_id)));
    let mut left = wanted.max(0);
    ranked
        .into_iter()
        .map(|o| {
            let wh = o.wh.clamp(0, left);
            left -= wh;
            (o.vpp_id.clone(), wh, o.price_per_kwh)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(id: &str, wh: i64, price: i64, seconds: i64) -> Candidate {
        Candidate { vpp_id: id.into(), wh, price_per_kwh: price, placed_at: Timestamp { seconds, nanos: 0 } }
    }

    #[test]
    fn cheapest_first_then_earliest_then_id() {
        let offers = [c("b", 100, 20, 5), c("a", 100, 20, 5), c("z", 150, 10, 9), c("e", 100, 20, 1)];
        let got = award(&offers, 300);
        assert_eq!(got, [("z".into(), 150, 10), ("e".into(), 100, 20), ("a".into(), 50, 20), ("b".into(), 0, 20)]);
    }

    #[test]
    fn never_more_than_wanted_even_when_offers_are_short() {
        let got = award(&[c("a", 10, 1, 0)], 300);
        assert_eq!(got, [("a".into(), 10, 1)]);
        assert_eq!(award(&[c("a", 10, 1, 0)], 0), [("a".into(), 0, 1)]);
    }

    proptest! {
        /// Never more than requested; a more expensive offer only gets Wh when every cheaper one is full.
        #[test]
        fn award_respects_quantity_and_merit_order(
            offers in proptest::collection::vec((1i64..10_000, 0i64..50, 0i64..5), 0..12),
            wanted in 0i64..60_000,
        ) {
            let candidates: Vec<Candidate> = offers
                .iter()
                .enumerate()
                .map(|(i, (wh, price, t))| c(&format!("v{i:02}"), *wh, *price, *t))
                .collect();
            let got = award(&candidates, wanted);
            let total: i64 = got.iter().map(|(_, wh, _)| wh).sum();
            prop_assert!(total <= wanted);
            let offered: i64 = candidates.iter().map(|o| o.wh).sum();
            prop_assert_eq!(total, wanted.min(offered));
            let by_id = |id: &str| candidates.iter().find(|o| o.vpp_id == id).cloned();
            for (id, wh, price) in &got {
                let offer = by_id(id).unwrap();
                prop_assert!(*wh <= offer.wh);
                prop_assert_eq!(*price, offer.price_per_kwh);
                if *wh > 0 {
                    // Every strictly cheaper offer is filled completely.
                    for (other, other_wh, other_price) in &got {
                        if other_price < price {
                            prop_assert_eq!(*other_wh, by_id(other).unwrap().wh);
                        }
                    }
                }
            }
        }
    }
}
