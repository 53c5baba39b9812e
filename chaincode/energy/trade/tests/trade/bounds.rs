//! Bounded input: every argument has a documented maximum, checked before anything reads the ledger; oversized
//! input is refused with 400 and a short message that gives its size; numbers are plain decimal and their errors
//! name the documented range.

use crate::support::*;

fn huge() -> String {
    "x".repeat(10 * 1024 * 1024)
}

/// A refusal of oversized input: 400, under 300 bytes, with the size; nothing changed (`refused` checks).
fn refused_short(env: &Env, who: &Who, args: &[&str]) {
    let r = env.call(who, OPEN, args);
    assert_eq!(r.status, 400, "{}", gridledger_contract::clip(&r.message, 300));
    assert!(r.message.len() < 300, "{} bytes: {}", r.message.len(), gridledger_contract::clip(&r.message, 300));
    assert!(r.message.contains("10485760 bytes starting \"xxxx"), "{}", r.message);
    env.refused(who, OPEN, args, 400, "10485760 bytes starting");
}

#[test]
fn ten_megabyte_arguments_get_a_short_400_and_change_nothing() {
    let env = Env::new();
    let c = &env.cast;
    let order = env.place(&c.alice, "buy", 1000, 20);
    let big = huge();
    let b = big.as_str();
    for (who, args) in [
        (&c.alice, vec!["Balance", b]),
        (&c.alice, vec!["GetOrder", &i(), b]),
        (&c.alice, vec!["CancelOrder", &i(), b]),
        (&c.alice, vec!["CancelOrder", b, &order]),
        (&c.alice, vec!["PlaceOrder", b, "buy", "1", "1"]),
        (&c.alice, vec!["PlaceOrder", &i(), b, "1", "1"]),
        (&c.alice, vec!["PlaceOrder", &i(), "buy", b, "1"]),
        (&c.alice, vec!["PlaceOrder", &i(), "buy", "1", b]),
        (&c.aggregator, vec!["PlaceVppOrder", b, &i(), "sell", "1", "1"]),
        (&c.alice, vec!["Orders", b]),
        (&c.grid_operator, vec!["ClearMarket", b]),
        (&c.utility_operator, vec!["Settle", b]),
        (&c.alice, vec!["GetClearing", b]),
        (&c.alice, vec!["GetSettlement", b]),
        (&c.grid_operator, vec!["SetMarketConfig", b]),
    ] {
        refused_short(&env, who, &args);
    }
}

#[test]
fn lookups_check_the_length_first() {
    let env = Env::new();
    let a = &env.cast.alice;
    // Balance: an account of up to 1153 characters (MSP 128 + '/' + id 1024) answers; one more is refused, not 0.
    assert_eq!(env.query(&["Balance", &"a".repeat(1153)]), 0);
    let (status, message) = env.query_status(&["Balance", &"a".repeat(1154)]);
    assert_eq!(status, 400);
    assert!(message.starts_with("argument 1 (account): expected text of at most 1153 characters, got 1154 bytes"));
    // Order ids: 64 characters (a transaction id) reach the ledger (404), 65 do not (400).
    let (status, message) = env.query_status(&["GetOrder", &i(), &"f".repeat(64)]);
    assert_eq!((status, message), (404, format!("no order {} for interval {I}", "f".repeat(64))));
    let (status, message) = env.query_status(&["GetOrder", &i(), &"f".repeat(65)]);
    assert_eq!(status, 400);
    assert!(message.starts_with("argument 2 (orderId): expected text of at most 64 characters"), "{message}");
    env.refused(a, OPEN, &["CancelOrder", &i(), &"f".repeat(65)], 400, "at most 64 characters");
}

#[test]
fn numbers_are_plain_decimal_and_errors_name_the_documented_range() {
    let env = Env::new();
    let a = &env.cast.alice;
    for bad in ["+5", " 5", "5 ", "0x5", "1e3", "５", "05", "5_0", "9223372036854775808"] {
        let wh = format!(
            "argument 3 (wh): expected an integer from 1 to 1000000000000, got {}",
            gridledger_contract::quote(bad)
        );
        env.refused(a, OPEN, &["PlaceOrder", &i(), "buy", bad, "1"], 400, &wh);
        let limit = "argument 4 (limitPerKwh): expected an integer from 0 to 1000000000";
        env.refused(a, OPEN, &["PlaceOrder", &i(), "buy", "1", bad], 400, limit);
        let start = "argument 1 (intervalStart): expected an integer from 0 to 999999999999";
        env.refused(a, OPEN, &["PlaceOrder", bad, "buy", "1", "1"], 400, start);
    }
    // The boundaries themselves.
    env.place(a, "buy", 1_000_000_000_000, 1_000_000_000);
    env.place(a, "sell", 1, 0);
    env.refused(a, OPEN, &["PlaceOrder", &i(), "buy", "1000000000001", "1"], 400, "from 1 to 1000000000000");
    env.refused(a, OPEN, &["PlaceOrder", &i(), "buy", "1", "1000000001"], 400, "from 0 to 1000000000");
}

#[test]
fn market_config_document_is_bounded() {
    let env = Env::new();
    let op = &env.cast.grid_operator;
    let mut doc =
        r#"{"gateClosureSeconds":300,"gridFeePerKwh":0,"imbalanceShortPerKwh":0,"imbalanceLongPerKwh":0}"#.to_string();
    doc.push_str(&" ".repeat(1024 - doc.len()));
    env.ok(op, OPEN, &["SetMarketConfig", &doc]);
    doc.push(' ');
    env.refused(op, OPEN, &["SetMarketConfig", &doc], 400, "expected a JSON document of at most 1024 bytes");
}
