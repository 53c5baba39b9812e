//! `gridctl market` against the real network, on a market of one-minute intervals: orders placed by two
//! prosumers and one cancelled, the book shown before clearing, the interval cleared by the grid operator after its
//! gate closure, and the result and balances shown as tables. The market config found is restored at the end.

use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gridledger_e2e::gridctl::run as gridctl;
use gridledger_e2e::network;
use serde_json::json;

fn ok(o: Output) -> String {
    assert!(o.status.success(), "gridctl failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim_end().to_string()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

const LEN: i64 = 60;
const GATE: i64 = 10;

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn market_orders_clearing_and_tables() {
    network();
    let previous = ok(gridctl(&["query", "--org", "grid", "--user", "operator1", "-n", "trade", "GetMarketConfig"]));
    let config = json!({"gateClosureSeconds": GATE, "gridFeePerKwh": 0, "imbalanceShortPerKwh": 0,
        "imbalanceLongPerKwh": 0, "intervalSeconds": LEN})
    .to_string();
    let set =
        |c: &str| ok(gridctl(&["invoke", "--org", "grid", "--user", "operator1", "-n", "trade", "SetMarketConfig", c]));
    set(&config);
    // The first interval whose gate closure leaves 20 s for the orders.
    let interval = ((now() + GATE + 20) / LEN + 1) * LEN;
    let start = interval.to_string();
    let place = |user: &str, side: &str, wh: &str, limit: &str| {
        ok(gridctl(&[
            "market",
            "place",
            "--org",
            "prosumer",
            "--user",
            user,
            "--interval",
            &start,
            "--side",
            side,
            "--wh",
            wh,
            "--limit",
            limit,
        ]))
    };
    place("alice", "sell", "4000", "12");
    place("bob", "buy", "2500", "30");
    let extra = place("bob", "buy", "1000", "40");
    let cancelled =
        ok(gridctl(&["market", "cancel", "--org", "prosumer", "--user", "bob", "--interval", &start, &extra]));
    assert!(cancelled.ends_with("is cancelled"), "{cancelled}");
    let book = ok(gridctl(&["market", "show", "--org", "utility", "--interval", &start]));
    assert!(book.contains("not cleared; 3 orders"), "{book}");
    assert!(book.contains("ProsumerMSP/alice") && book.contains("cancelled"), "{book}");
    let refused = gridctl(&["market", "clear", "--org", "grid", "--user", "operator1", "--interval", &start]);
    assert!(!refused.status.success(), "cleared before gate closure");
    let wait = interval - GATE + 1 - now();
    if wait > 0 {
        std::thread::sleep(Duration::from_secs(wait as u64));
    }
    let cleared = ok(gridctl(&["market", "clear", "--org", "grid", "--user", "operator1", "--interval", &start]));
    // Marginal pair bob 30 / alice 12: floor(42 / 2) = 21; bob's 2500 Wh trade (the cancelled bid does not).
    assert_eq!(cleared, format!("interval {start}: price 21 per kWh, volume 2500 Wh"));
    let result = ok(gridctl(&["market", "show", "--org", "prosumer", "--user", "alice", "--interval", &start]));
    assert!(result.starts_with(&format!("interval {start}: cleared at 21 per kWh, 2500 Wh")), "{result}");
    assert!(result.contains("ProsumerMSP/bob") && result.contains("2500"), "{result}");
    let balances = ok(gridctl(&["market", "balances", "--org", "utility"]));
    assert!(balances.starts_with("account"), "{balances}");
    set(&previous);
}
