//! Settling one interval for a VPP of 1000 member meters on the in-memory ledger, with the real registry,
//! metering and trade chaincodes: the chaincode side of `Settle` (no network, no endorsement, no commit latency).
//! Prints the process CPU time of `Deliveries` (the same reads and arithmetic as `Settle`, no writes; averaged)
//! and of one `Settle` (with trade's postings).
//!
//! `cargo bench -p gridledger-flexibility --bench settle`

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cpu_time::ProcessTime;
use serde_json::json;

#[path = "../tests/flex/support.rs"]
mod support;

use support::{GATE, I, LEN, OPEN, World, request_spec};

const MEMBERS: usize = 1000;

fn main() {
    let mut w = World::new();
    let c = w.cast.clone();
    let setup = ProcessTime::now();
    let meters: Vec<String> = (0..MEMBERS).map(|i| format!("m-{i:04}")).collect();
    for i in 0..MEMBERS {
        let owner = if i % 2 == 0 { &c.alice } else { &c.bob };
        w.asset(owner, &format!("pv-{i:04}"), ("pv", 4_000), "cp-ams-1", "vpp-a", 900);
    }
    let mut spec = request_spec();
    spec["wh"] = json!(500_000);
    let id = w.request(&spec);
    let offer = json!({"vppId": "vpp-a", "wh": 500_000, "pricePerKwh": 90, "meters": meters, "schedule": [100_000]});
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer.to_string()]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    let readings: Vec<_> = meters.iter().map(|m| w.reading(m, I, "2.8.0", 700)).collect();
    w.submit(I + LEN, &readings);
    println!("setup ({MEMBERS} assets, meters, readings): {:?} CPU", setup.elapsed());

    let runs = 5;
    let start = ProcessTime::now();
    for _ in 0..runs {
        let d = w.flex(&c.grid_operator, I + LEN, &["Deliveries", &id, "vpp-a"]);
        assert_eq!(d["intervals"][0]["measuredWh"], 700 * MEMBERS as i64);
    }
    let per: Duration = start.elapsed() / runs;
    println!("Deliveries, {MEMBERS} meters x 2 registers: {per:?} CPU per call");
    let start = ProcessTime::now();
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-a"]);
    println!(
        "Settle, {MEMBERS} meters, {} postings: {:?} CPU",
        s["postings"].as_array().unwrap().len(),
        start.elapsed()
    );
}
