//! The market's interval length (`intervalSeconds` in the config): alignment, gate, end, and the checks that an
//! order is cleared, and metered energy settled, only at the length it was meant for.

use crate::support::*;
use serde_json::json;

/// A one-minute market with a 20-second gate closure.
const MINUTE: &str = r#"{"gateClosureSeconds":20,"gridFeePerKwh":0,"imbalanceShortPerKwh":40,"imbalanceLongPerKwh":10,
"intervalSeconds":60}"#;

fn minute_market() -> Env {
    let env = Env::new();
    env.ok(&env.cast.grid_operator, OPEN - 10, &["SetMarketConfig", MINUTE]);
    env
}

#[test]
fn only_allowed_lengths_are_configured() {
    let env = Env::new();
    let op = &env.cast.grid_operator;
    for bad in [0, 59, 120, 7200, -60] {
        let config = format!(
            r#"{{"gateClosureSeconds":20,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0,"intervalSeconds":{bad}}}"#
        );
        let needle = if bad < 0 { "argument 1 (config)".to_string() } else { format!("got {bad}") };
        env.refused(op, OPEN, &["SetMarketConfig", &config], 400, &needle);
    }
    for good in [60, 300, 900, 1800, 3600] {
        let config = format!(
            r#"{{"gateClosureSeconds":20,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0,"intervalSeconds":{good}}}"#
        );
        assert_eq!(env.ok(op, OPEN, &["SetMarketConfig", &config])["intervalSeconds"], good);
    }
}

#[test]
fn a_one_minute_market_from_order_to_settlement() {
    let env = minute_market();
    let c = &env.cast;
    let start = I + 60; // aligned to 60, not to 900
    let s = start.to_string();
    env.refused(&c.alice, OPEN, &["PlaceOrder", &(start + 30).to_string(), "buy", "10", "30"], 400, "aligned to 60 s");
    let bid = env.ok(&c.alice, OPEN, &["PlaceOrder", &s, "buy", "100", "30"]);
    assert_eq!(bid["intervalSeconds"], 60);
    env.ok(&c.bob, start - 21, &["PlaceOrder", &s, "sell", "100", "10"]);
    env.refused(&c.bob, start - 20, &["PlaceOrder", &s, "sell", "1", "1"], 409, "closed at");
    let cleared = env.ok(&c.grid_operator, start - 20, &["ClearMarket", &s]);
    assert_eq!(cleared, json!({"intervalStart": start, "pricePerKwh": 20, "volumeWh": 100}));
    assert_eq!(env.query(&["GetClearing", &s])["intervalSeconds"], 60);
    // The interval ends 60 s after it starts.
    env.refused(&c.utility_operator, start + 59, &["Settle", &s], 409, &format!("ends at {}", start + 60));
    *env.metering.length.lock().unwrap() = Some(60);
    env.metering.set(&c.alice.party, start, 100, 0);
    env.metering.set(&c.bob.party, start, 0, 100);
    let settled = env.ok(&c.utility_operator, start + 60, &["Settle", &s]);
    assert_eq!(settled["postings"], 1, "energy only: no fee, no imbalance; {settled}");
    assert_eq!((env.balance(&c.alice), env.balance(&c.bob)), (-2, 2));
}

#[test]
fn settlement_refuses_metered_energy_of_another_length() {
    let env = minute_market();
    let c = &env.cast;
    let s = I.to_string();
    env.ok(&c.alice, OPEN, &["PlaceOrder", &s, "buy", "100", "30"]);
    env.ok(&c.bob, OPEN, &["PlaceOrder", &s, "sell", "100", "10"]);
    env.ok(&c.grid_operator, I - 20, &["ClearMarket", &s]);
    // alice's readings starting at I come from 15-minute meters: they are not this minute's energy.
    *env.metering.length.lock().unwrap() = Some(900);
    let text = format!("metered energy for interval {I} comes from 900 s meters; the market traded 60 s intervals");
    env.refused(&c.utility_operator, I + 60, &["Settle", &s], 409, &text);
    // Parties without readings there (no length in the answer) settle as metering nothing.
    *env.metering.length.lock().unwrap() = None;
    env.ok(&c.utility_operator, I + 60, &["Settle", &s]);
}

#[test]
fn orders_are_not_cleared_at_another_length() {
    let env = Env::new();
    let c = &env.cast;
    let order = env.place(&c.alice, "buy", 100, 30);
    // The operator shortens the market while the order is on the book.
    env.ok(&c.grid_operator, OPEN + 1, &["SetMarketConfig", MINUTE]);
    let text = format!("order {order} for interval {I} was placed in a 900 s market; the market's interval is 60 s");
    env.refused(&c.grid_operator, CLOSURE + 300, &["ClearMarket", &i()], 409, &text);
    let default = r#"{"gateClosureSeconds":300,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0}"#;
    env.ok(&c.grid_operator, OPEN + 2, &["SetMarketConfig", default]);
    assert_eq!(env.clear()["volumeWh"], 0);
}

#[test]
fn metadata_describes_the_interval_length() {
    let env = Env::new();
    let metadata = env.query(&["org.hyperledger.fabric:GetMetadata"]);
    if let Ok(path) = std::env::var("GRIDLEDGER_METADATA_OUT") {
        std::fs::write(path, metadata.to_string()).unwrap();
    }
    let schemas = &metadata["components"]["schemas"];
    let length = &schemas["MarketConfig"]["properties"]["intervalSeconds"];
    assert_eq!((&length["minimum"], &length["maximum"]), (&json!(60), &json!(3600)), "{length}");
    let required = schemas["MarketConfig"]["required"].as_array().unwrap();
    assert!(!required.contains(&json!("intervalSeconds")), "absent means 900");
    for record in ["Order", "Clearing"] {
        assert!(schemas[record]["required"].as_array().unwrap().contains(&json!("intervalSeconds")), "{record}");
    }
}
