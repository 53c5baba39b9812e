//! `SetMarketConfig` / `GetMarketConfig`.

use crate::support::*;
use serde_json::json;

const CONFIG: &str =
    r#"{"gateClosureSeconds":600,"gridFeePerKwh":5,"imbalanceShortPerKwh":40,"imbalanceLongPerKwh":3}"#;

#[test]
fn defaults_until_set_then_the_set_values() {
    let env = Env::new();
    assert_eq!(
        env.query(&["GetMarketConfig"]),
        json!({"gateClosureSeconds":300,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0,
               "intervalSeconds":900})
    );
    env.ok(&env.cast.grid_operator, OPEN, &["SetMarketConfig", CONFIG]);
    let mut expected = serde_json::from_str::<serde_json::Value>(CONFIG).unwrap();
    expected["intervalSeconds"] = json!(900); // the default when absent
    assert_eq!(env.query(&["GetMarketConfig"]), expected);
    env.ok(&env.cast.grid_admin, OPEN, &["SetMarketConfig", CONFIG]);
}

#[test]
fn only_the_grid_operator_configures() {
    let env = Env::new();
    let c = &env.cast;
    for who in [&c.alice, &c.utility_operator, &c.utility_admin, &c.no_role, &c.aggregator] {
        env.refused(
            who,
            OPEN,
            &["SetMarketConfig", CONFIG],
            403,
            "SetMarketConfig is for operator or admin of a grid operator",
        );
    }
}

#[test]
fn bad_configs_are_refused() {
    let env = Env::new();
    let op = &env.cast.grid_operator;
    env.refused(op, OPEN, &["SetMarketConfig", "{"], 400, "argument 1 (config)");
    env.refused(op, OPEN, &["SetMarketConfig", r#"{"gateClosureSeconds":300}"#], 400, "missing field");
    let extra = r#"{"gateClosureSeconds":1,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0,"x":1}"#;
    env.refused(op, OPEN, &["SetMarketConfig", extra], 400, "unknown field");
    let negative = r#"{"gateClosureSeconds":300,"gridFeePerKwh":-1,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0}"#;
    env.refused(op, OPEN, &["SetMarketConfig", negative], 400, "gridFeePerKwh must be 0..=");
    let long = r#"{"gateClosureSeconds":86401,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0}"#;
    env.refused(op, OPEN, &["SetMarketConfig", long], 400, "gateClosureSeconds must be");
    env.refused(op, OPEN, &["SetMarketConfig"], 400, "SetMarketConfig expects 1 argument");
}

#[test]
fn gate_closure_follows_the_config() {
    let env = Env::new();
    env.ok(&env.cast.grid_operator, OPEN, &["SetMarketConfig", CONFIG]);
    let args = ["PlaceOrder", &i(), "buy", "100", "10"];
    env.refused(&env.cast.alice, I - 600, &args, 409, &format!("closed at {}", I - 600));
    env.ok(&env.cast.alice, I - 601, &args);
    let clear = ["ClearMarket", &i()];
    env.refused(&env.cast.grid_operator, I - 601, &clear, 409, "cannot be cleared");
    env.ok(&env.cast.grid_operator, I - 600, &clear);
}
