//! `PlaceOrder`, `PlaceVppOrder`, `CancelOrder` and the order queries.

use crate::support::*;
use gridledger_energy_common::index::interval_key;
use serde_json::json;

#[test]
fn a_placed_order_is_its_own_key() {
    let env = Env::new();
    let alice = &env.cast.alice;
    let r = env.ledger.tx(["PlaceOrder", &i(), "buy", "1500", "20"]).with_creator(alice.creator.clone());
    let r = r.with_timestamp(OPEN, 7).with_tx_id("tx-abc").invoke(&env.cc);
    assert_eq!(r.status, 200, "{}", r.message);
    let expected = json!({
        "id": "tx-abc", "intervalStart": I, "side": "buy", "wh": 1500, "limitPerKwh": 20,
        "party": {"msp": "ProsumerMSP", "id": alice.party.id}, "vpp": null,
        "placedAt": {"seconds": OPEN, "nanos": 7}, "status": "open", "intervalSeconds": 900
    });
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&r.payload).unwrap(), expected);
    let key = format!("\u{0}order\u{0}{}\u{0}tx-abc\u{0}", interval_key(I));
    let stored: serde_json::Value = serde_json::from_slice(&env.ledger.get("trade", &key).unwrap()).unwrap();
    assert_eq!(stored, expected);
    assert_eq!(env.ledger.state("trade").len(), 1, "no counter, no index, no hot key");
    assert_eq!(env.query(&["GetOrder", &i(), "tx-abc"]), expected);
    assert_eq!(env.query(&["Orders", &i()]), json!([expected]));
}

#[test]
fn who_may_place() {
    let env = Env::new();
    let c = &env.cast;
    for who in [&c.alice, &c.storage, &c.utility_operator, &c.utility_prosumer] {
        env.place(who, "sell", 100, 5);
    }
    let args = ["PlaceOrder", &i(), "buy", "100", "10"];
    for who in [&c.no_role, &c.aggregator, &c.grid_operator, &c.grid_admin, &c.utility_admin] {
        env.refused(who, OPEN, &args, 403, "PlaceOrder is for prosumer of any org, or operator of a supplier");
    }
    let anonymous = env.snapshot();
    let r = env.ledger.tx(args).with_timestamp(OPEN, 0).invoke(&env.cc);
    assert_eq!(r.status, 403, "{}", r.message);
    assert_eq!(env.snapshot(), anonymous);
}

#[test]
fn bad_orders_are_refused() {
    let env = Env::new();
    let a = &env.cast.alice;
    let bad = |interval: &str, side: &str, wh: &str, limit: &str, status: i32, needle: &str| {
        env.refused(a, OPEN, &["PlaceOrder", interval, side, wh, limit], status, needle);
    };
    bad(&(I + 1).to_string(), "buy", "1", "1", 400, "is not aligned to 900 s");
    bad(&i(), "hold", "1", "1", 400, r#"argument 2 (side): expected "buy" or "sell", got "hold""#);
    bad(&i(), "Buy", "1", "1", 400, r#"expected "buy" or "sell""#);
    let wh = "argument 3 (wh): expected an integer from 1 to 1000000000000";
    bad(&i(), "buy", "0", "1", 400, wh);
    bad(&i(), "buy", "-5", "1", 400, wh);
    bad(&i(), "buy", "1000000000001", "1", 400, wh);
    let limit = "argument 4 (limitPerKwh): expected an integer from 0 to 1000000000";
    bad(&i(), "buy", "1", "-1", 400, limit);
    bad(&i(), "buy", "1", "1000000001", 400, limit);
    bad(&i(), "buy", "x", "1", 400, "argument 3 (wh): expected an integer");
    bad("soon", "buy", "1", "1", 400, "argument 1 (intervalStart)");
    env.refused(a, OPEN, &["PlaceOrder", &i(), "buy", "1"], 400, "PlaceOrder expects 4 arguments");
}

#[test]
fn gate_closure_edges() {
    let env = Env::new();
    let a = &env.cast.alice;
    let args = ["PlaceOrder", &i(), "buy", "100", "10"];
    env.refused_at(a, CLOSURE, 0, &args, 409, &format!("the gate for interval {I} closed at {CLOSURE}"));
    env.refused(a, CLOSURE + 1, &args, 409, "closed");
    env.refused(a, I + 10_000, &args, 409, "closed");
    assert_eq!(env.call_at(a, CLOSURE - 1, 999_999_999, &args).status, 200);
    assert_eq!(env.call(a, CLOSURE - 1, &args).status, 200);
}

#[test]
fn vpp_orders_by_the_aggregator_only() {
    let env = Env::new();
    let c = &env.cast;
    let args = ["PlaceVppOrder", "vpp-1", &i(), "sell", "4000", "8"];
    let order = env.ok(&c.aggregator, OPEN, &args);
    assert_eq!(order["party"], json!({"msp": "VPP", "id": "vpp-1"}));
    assert_eq!(order["vpp"], json!("vpp-1"));
    env.refused(&c.other_aggregator, OPEN, &args, 403, "PlaceVppOrder for VPP vpp-1 is for its aggregator");
    env.refused(&c.alice, OPEN, &args, 403, "is for its aggregator");
    let unknown = ["PlaceVppOrder", "vpp-9", &i(), "sell", "4000", "8"];
    env.refused(&c.aggregator, OPEN, &unknown, 404, "registry GetVpp failed (404): no VPP vpp-9");
    env.refused(&c.aggregator, OPEN, &["PlaceVppOrder", "", &i(), "sell", "1", "1"], 400, "vppId must not be empty");
    env.refused(&c.aggregator, CLOSURE, &args, 409, "closed");
    env.refused(
        &c.aggregator,
        OPEN,
        &["PlaceVppOrder", "vpp-1", &i(), "sell", "0", "8"],
        400,
        "(wh): expected an integer from 1",
    );
}

#[test]
fn cancel_by_the_owner_before_gate_closure() {
    let env = Env::new();
    let c = &env.cast;
    let id = env.place(&c.alice, "buy", 100, 10);
    let args = ["CancelOrder", &i(), &id];
    env.refused(&c.bob, OPEN, &args, 403, "CancelOrder is for the order's party");
    env.refused(&c.grid_operator, OPEN, &args, 403, "CancelOrder is for the order's party");
    env.refused(&c.alice, CLOSURE, &args, 409, "closed");
    let cancelled = env.ok(&c.alice, CLOSURE - 1, &args);
    assert_eq!(cancelled["status"], json!("cancelled"));
    assert_eq!(env.query(&["GetOrder", &i(), &id])["status"], json!("cancelled"));
    env.refused(&c.alice, OPEN, &args, 409, &format!("order {id} is already cancelled"));
    env.refused(&c.alice, OPEN, &["CancelOrder", &i(), "nope"], 404, &format!("no order nope for interval {I}"));
    env.refused(&c.alice, OPEN, &["CancelOrder", &(I + 900).to_string(), &id], 404, "no order");
    assert_eq!(env.query_status(&["GetOrder", &i(), "nope"]).0, 404);
    assert_eq!(env.query_status(&["GetOrder", &i(), ""]).0, 400);
}

#[test]
fn vpp_orders_are_cancelled_by_the_aggregator() {
    let env = Env::new();
    let c = &env.cast;
    let order = env.ok(&c.aggregator, OPEN, &["PlaceVppOrder", "vpp-1", &i(), "sell", "4000", "8"]);
    let id = order["id"].as_str().unwrap();
    env.refused(&c.other_aggregator, OPEN, &["CancelOrder", &i(), id], 403, "is for its aggregator");
    env.ok(&c.aggregator, OPEN, &["CancelOrder", &i(), id]);
}

#[test]
fn cancelled_orders_do_not_trade() {
    let env = Env::new();
    let c = &env.cast;
    let cheap = env.place(&c.carol, "sell", 1000, 1);
    env.place(&c.dave, "sell", 1000, 9);
    env.place(&c.alice, "buy", 1000, 11);
    env.ok(&c.carol, OPEN, &["CancelOrder", &i(), &cheap]);
    env.clear();
    let clearing = env.clearing();
    assert_eq!(clearing["pricePerKwh"], json!(10));
    let sellers: Vec<&str> = clearing["fills"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["side"] == "sell")
        .map(|f| f["party"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(sellers, [c.dave.party.id.as_str()]);
}
