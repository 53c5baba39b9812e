//! `ClearMarket` and `GetClearing` through the ledger.

use crate::support::*;
use serde_json::json;

/// The README's worked example: returns (b1, b2, b3, a1, a2, a3) order ids.
pub(crate) fn readme_book(env: &Env) -> [String; 6] {
    let c = &env.cast;
    [
        env.place_at(&c.alice, OPEN, "buy", 3000, 30),
        env.place_at(&c.bob, OPEN + 1, "buy", 2000, 25),
        env.place_at(&c.storage, OPEN + 2, "buy", 1000, 10),
        env.place_at(&c.carol, OPEN, "sell", 2500, 12),
        env.place_at(&c.dave, OPEN + 1, "sell", 2000, 20),
        env.place_at(&c.utility_operator, OPEN + 2, "sell", 4000, 28),
    ]
}

#[test]
fn the_worked_example() {
    let env = Env::new();
    let [b1, b2, _, a1, a2, _] = readme_book(&env);
    let summary = env.clear();
    assert_eq!(summary, json!({"intervalStart": I, "pricePerKwh": 22, "volumeWh": 4500}));
    let c = &env.cast;
    let fill =
        |id: &str, who: &Who, side: &str, wh: i64| json!({"orderId": id, "party": who.party, "side": side, "wh": wh});
    assert_eq!(
        env.clearing(),
        json!({"intervalStart": I, "pricePerKwh": 22, "volumeWh": 4500, "intervalSeconds": 900, "fills": [
            fill(&b1, &c.alice, "buy", 3000), fill(&b2, &c.bob, "buy", 1500),
            fill(&a1, &c.carol, "sell", 2500), fill(&a2, &c.dave, "sell", 2000),
        ]})
    );
    let events = env.ledger.events();
    let event = events.last().unwrap();
    assert_eq!(event.event_name, "MarketCleared");
    let payload: serde_json::Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!(payload, summary);
}

#[test]
fn who_may_clear() {
    let c = Cast::new();
    for who in [&c.grid_operator, &c.grid_admin, &c.utility_operator, &c.utility_admin] {
        let env = Env::with_cast(c.clone());
        env.ok(who, CLOSURE, &["ClearMarket", &i()]);
    }
    let env = Env::with_cast(c.clone());
    env.place(&c.alice, "buy", 10, 10);
    for who in [&c.alice, &c.no_role, &c.aggregator, &c.utility_prosumer] {
        env.refused(
            who,
            CLOSURE,
            &["ClearMarket", &i()],
            403,
            "ClearMarket is for operator or admin of a grid operator, or operator or admin of a supplier",
        );
    }
}

#[test]
fn clearing_waits_for_gate_closure_and_runs_once() {
    let env = Env::new();
    env.place(&env.cast.alice, "buy", 10, 10);
    env.place(&env.cast.bob, "sell", 10, 10);
    let op = &env.cast.grid_operator;
    let args = ["ClearMarket", &i()];
    env.refused_at(op, CLOSURE - 1, 999_999_999, &args, 409, &format!("closes at {CLOSURE}"));
    assert_eq!(env.query_status(&["GetClearing", &i()]), (404, format!("interval {I} is not cleared")));
    env.ok(op, CLOSURE, &args);
    env.refused(op, CLOSURE + 5, &args, 409, &format!("interval {I} is already cleared"));
    env.refused(&env.cast.utility_admin, I + 900, &args, 409, "already cleared");
    env.refused(op, CLOSURE, &["ClearMarket", &(I + 450).to_string()], 400, "not aligned");
}

#[test]
fn a_market_that_does_not_cross() {
    let env = Env::new();
    env.place(&env.cast.alice, "buy", 1000, 9);
    env.place(&env.cast.bob, "sell", 1000, 10);
    assert_eq!(env.clear(), json!({"intervalStart": I, "pricePerKwh": null, "volumeWh": 0}));
    assert_eq!(env.clearing()["fills"], json!([]));
    assert_eq!(env.ledger.events().last().unwrap().event_name, "MarketCleared");
}

#[test]
fn an_empty_market_clears_to_nothing() {
    let env = Env::new();
    assert_eq!(env.clear(), json!({"intervalStart": I, "pricePerKwh": null, "volumeWh": 0}));
}

#[test]
fn other_intervals_are_not_mixed_in() {
    let env = Env::new();
    env.place(&env.cast.alice, "buy", 1000, 20);
    let next = (I + 900).to_string();
    env.ok(&env.cast.bob, OPEN, &["PlaceOrder", &next, "sell", "1000", "1"]);
    assert_eq!(env.clear()["volumeWh"], json!(0));
}

#[test]
fn vpp_orders_trade_as_the_vpp() {
    let env = Env::new();
    env.ok(&env.cast.aggregator, OPEN, &["PlaceVppOrder", "vpp-1", &i(), "sell", "500", "5"]);
    env.place(&env.cast.alice, "buy", 500, 7);
    env.clear();
    let fills = env.clearing()["fills"].clone();
    assert_eq!(fills[1]["party"], json!({"msp": "VPP", "id": "vpp-1"}));
    assert_eq!(env.clearing()["pricePerKwh"], json!(6));
}
