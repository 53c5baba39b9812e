//! `Settle`, `GetSettlement` and balances through the ledger.

use crate::clearing::readme_book;
use crate::support::*;
use serde_json::json;

const CONFIG: &str =
    r#"{"gateClosureSeconds":300,"gridFeePerKwh":5,"imbalanceShortPerKwh":40,"imbalanceLongPerKwh":3}"#;

fn settled_example() -> Env {
    let env = Env::new();
    let c = &env.cast;
    env.ok(&c.grid_operator, OPEN - 10, &["SetMarketConfig", CONFIG]);
    readme_book(&env);
    env.clear();
    env.metering.set(&c.alice.party, I, 3200, 0);
    env.metering.set(&c.bob.party, I, 1500, 0);
    env.metering.set(&c.carol.party, I, 0, 2000);
    env.metering.set(&c.dave.party, I, 100, 2700);
    env
}

#[test]
fn the_worked_example() {
    let env = settled_example();
    let c = &env.cast;
    let summary = env.settle();
    assert_eq!(summary, json!({"intervalStart": I, "parties": 4, "postings": 8, "totalAmount": 150}));
    assert_eq!((env.balance(&c.alice), env.balance(&c.bob)), (-(55 + 11 + 15 + 8), -(33 + 7)));
    assert_eq!((env.balance(&c.carol), env.balance(&c.dave)), (55 - 20, 11 + 33 + 1));
    assert_eq!(env.query(&["Balance", "GRID"]), json!(15 + 7 + 8 + 20 - 1));
    assert_eq!(env.balance(&c.storage), 0, "unfilled orders are not settled");
    let all = env.query(&["Balances"]);
    assert_eq!(all.as_object().unwrap().len(), 5);
    assert_eq!(all.as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum::<i64>(), 0);
    let settlement = env.query(&["GetSettlement", &i()]);
    let dave = settlement["parties"].as_array().unwrap().iter().find(|p| p["party"] == json!(c.dave.party)).unwrap();
    assert_eq!(dave, &json!({"party": c.dave.party, "tradedWh": -2000, "meteredWh": -2600, "imbalanceWh": -600}));
    assert_eq!(
        settlement["postings"][0],
        json!({"debit": c.alice.party.account(), "credit": c.carol.party.account(), "amount": 55, "reason": "energy"})
    );
    let event = env.ledger.events().last().unwrap().clone();
    assert_eq!(event.event_name, "Settled");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&event.payload).unwrap(), summary);
    let mut asked: Vec<String> =
        env.metering.calls.lock().unwrap().iter().map(|(_, id, t)| format!("{id}@{t}")).collect();
    asked.sort();
    let mut expected: Vec<String> =
        [&c.alice, &c.bob, &c.carol, &c.dave].iter().map(|w| format!("{}@{I}", w.party.id)).collect();
    expected.sort();
    assert_eq!(asked, expected);
}

#[test]
fn only_the_utility_settles() {
    let env = settled_example();
    let c = &env.cast;
    let args = ["Settle", &i()];
    for who in [&c.grid_operator, &c.grid_admin, &c.alice, &c.utility_prosumer, &c.no_role] {
        env.refused(who, I + 900, &args, 403, "Settle is for operator or admin of a supplier");
    }
    env.ok(&c.utility_admin, I + 900, &args);
}

#[test]
fn settle_needs_a_cleared_ended_interval_and_runs_once() {
    let env = Env::new();
    let op = &env.cast.utility_operator;
    env.place(&env.cast.alice, "buy", 1000, 10);
    env.place(&env.cast.bob, "sell", 1000, 10);
    let args = ["Settle", &i()];
    env.refused(op, I + 900, &args, 409, &format!("interval {I} is not cleared yet"));
    env.clear();
    env.refused_at(op, I + 899, 999_999_999, &args, 409, &format!("ends at {}", I + 900));
    assert_eq!(env.query_status(&["GetSettlement", &i()]).0, 404);
    env.ok(op, I + 900, &args);
    env.refused(op, I + 5000, &args, 409, &format!("interval {I} is already settled"));
    env.refused(op, I + 5000, &["Settle", "12"], 400, "not aligned");
    assert_eq!(env.balance(&env.cast.alice), -10);
}

#[test]
fn a_metering_refusal_settles_nothing() {
    let env = settled_example();
    env.metering.refuse.lock().unwrap().push(env.cast.dave.party.clone());
    env.refused(&env.cast.utility_operator, I + 900, &["Settle", &i()], 403, "metering MeteredEnergy failed (403)");
}

#[test]
fn an_uncrossed_market_settles_to_nothing() {
    let env = Env::new();
    env.place(&env.cast.alice, "buy", 1000, 1);
    env.place(&env.cast.bob, "sell", 1000, 2);
    env.clear();
    assert_eq!(env.settle(), json!({"intervalStart": I, "parties": 0, "postings": 0, "totalAmount": 0}));
    assert_eq!(env.query(&["Balances"]), json!({}));
}

#[test]
fn vpps_are_metered_and_booked_as_vpp() {
    let env = Env::new();
    env.ok(&env.cast.grid_operator, OPEN - 10, &["SetMarketConfig", CONFIG]);
    env.ok(&env.cast.aggregator, OPEN, &["PlaceVppOrder", "vpp-1", &i(), "sell", "1000", "10"]);
    env.place(&env.cast.alice, "buy", 1000, 10);
    env.clear();
    let vpp = gridledger_energy_common::caller::Party { msp: "VPP".into(), id: "vpp-1".into() };
    env.metering.set(&vpp, I, 0, 1000);
    env.metering.set(&env.cast.alice.party, I, 1000, 0);
    env.settle();
    assert_eq!(env.query(&["Balance", "VPP/vpp-1"]), json!(10));
    assert_eq!(env.query(&["Balance", "GRID"]), json!(5));
}

#[test]
fn balances_accumulate_across_intervals() {
    let env = Env::new();
    let c = &env.cast;
    for interval in [I, I + 900] {
        let t = interval.to_string();
        env.ok(&c.alice, OPEN, &["PlaceOrder", &t, "buy", "1000", "10"]);
        env.ok(&c.bob, OPEN, &["PlaceOrder", &t, "sell", "1000", "10"]);
        env.ok(&c.grid_operator, interval - 300, &["ClearMarket", &t]);
        env.metering.set(&c.alice.party, interval, 1000, 0);
        env.metering.set(&c.bob.party, interval, 0, 1000);
        env.ok(&c.utility_operator, interval + 900, &["Settle", &t]);
    }
    assert_eq!((env.balance(&c.alice), env.balance(&c.bob)), (-20, 20));
    assert_eq!(env.query_status(&["Balance", ""]).0, 400);
}

/// Two suppliers: UtilityMSP supplies StorageMSP only, StadtwerkeMSP supplies ProsumerMSP; two grid operators,
/// NetzMSP for one area only.
const TWO_SUPPLIERS: &str = r#"{"roleAttribute":"gridledger.role",
    "members":["GridMSP","NetzMSP","UtilityMSP","StadtwerkeMSP","ProsumerMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]},{"msp":"NetzMSP","connectionPoints":["cp-ber-*"]}],
    "suppliers":[{"msp":"UtilityMSP","customers":["StorageMSP"]},{"msp":"StadtwerkeMSP","customers":["ProsumerMSP"]}]}"#;

#[test]
fn a_supplier_settles_its_own_customers_only() {
    let env = settled_example();
    *env.registry.roles.lock().unwrap() = Some(TWO_SUPPLIERS.to_string());
    let args = ["Settle", &i()];
    let text = "Settle of interval 1704070800 is for the supplier of every party in it; the parties of ProsumerMSP \
                are not customers of UtilityMSP";
    env.refused(&env.cast.utility_operator, I + 900, &args, 403, text);
    let stadtwerke = who("StadtwerkeMSP", "desk", Some("operator"));
    env.ok(&stadtwerke, I + 900, &args);
    // A distribution operator of one area does not set the whole market's configuration.
    let netz = who("NetzMSP", "op", Some("operator"));
    env.refused(&netz, I + 900, &["SetMarketConfig", CONFIG], 403, "NetzMSP operates only some");
}

#[test]
fn nothing_trades_before_the_roles_record() {
    let env = Env::new();
    *env.registry.roles.lock().unwrap() = None;
    let text = "the market roles are not configured: the consortium writes them once with registry InitRoles";
    env.refused(&env.cast.alice, OPEN, &["PlaceOrder", &i(), "buy", "100", "10"], 409, text);
}
