//! The README's worked examples end to end: two VPPs, merit order, readings, both baselines, settlement and the
//! balances in trade.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::support::{DAY, GATE, I, LEN, OPEN, World, offer, request_spec};

#[test]
fn schedule_baseline_two_vpps_one_full_one_short() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    // vpp-b is cheaper and awarded in full (6 kWh); vpp-a gets the remaining 4 kWh of its 8.
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 8000, 120, &["m-a", "m-b"], Some(&[1000]))]);
    w.flex(&c.agg_b, OPEN, &["SubmitOffer", &id, &offer("vpp-b", 6000, 100, &["m-c"], None)]);
    w.flex(&c.agg_b, OPEN + 1, &["SubmitSchedule", &id, "vpp-b", "[-2000]"]);
    let award = w.flex(&c.grid_operator, GATE, &["Award", &id]);
    assert_eq!(
        award["awards"],
        json!([{"vppId": "vpp-b", "wh": 6000, "pricePerKwh": 100}, {"vppId": "vpp-a", "wh": 4000, "pricePerKwh": 120}])
    );
    assert_eq!(award["awardedWh"], 10_000);
    assert_eq!(w.query("flexibility", &["GetRequest", &id])["status"], "awarded");

    // The interval's readings: vpp-a exports 5.5 kWh against a 1 kWh schedule (delivers 4.5, paid for 4);
    // vpp-b exports 3 kWh against a schedule of 2 kWh import (delivers 5 of 6; 0.6 tolerated, 0.4 penalised).
    let batch = [
        w.reading("m-a", I, "2.8.0", 4000),
        w.reading("m-b", I, "2.8.0", 1500),
        w.reading("m-c", I, "2.8.0", 3000),
        w.reading("m-c", I, "1.8.0", 0),
    ];
    w.submit(I + LEN, &batch);
    w.refused("flexibility", &c.grid_operator, I + LEN - 1, &["Settle", &id, "vpp-a"], 409, "cannot be settled");

    let a = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-a"]);
    let interval = &a["intervals"][0];
    assert_eq!(
        (interval["measuredWh"].as_i64(), interval["baselineWh"].as_i64(), interval["deliveredWh"].as_i64()),
        (Some(5500), Some(1000), Some(4500))
    );
    assert_eq!((interval["paidWh"].as_i64(), interval["payment"].as_i64()), (Some(4000), Some(480)));
    assert_eq!(interval["shortfallWh"], 0);
    let b = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"]);
    let interval = &b["intervals"][0];
    assert_eq!((interval["deliveredWh"].as_i64(), interval["shortfallWh"].as_i64()), (Some(5000), Some(400)));
    assert_eq!((interval["payment"].as_i64(), interval["penalty"].as_i64()), (Some(500), Some(120)));

    // Members: alice 480 * 4000 / 5500 = 349, bob 480 * 1500 / 5500 = 130; carol's pro-rata 500 is capped at what
    // her meter measured: 3000 Wh at 100 = 300.
    let expected = [
        ("GRID".to_string(), -480 - 500 + 120),
        ("VPP/vpp-a".to_string(), 480 - 349 - 130),
        (c.alice.party.account(), 349),
        (c.bob.party.account(), 130),
        ("VPP/vpp-b".to_string(), 500 - 120 - 300),
        (c.carol.party.account(), 300),
    ];
    for (account, balance) in &expected {
        assert_eq!(w.balance(account), *balance, "{account}");
    }
    let all = w.query("trade", &["Balances"]);
    assert_eq!(all.as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum::<i64>(), 0);
    assert_eq!(w.query("trade", &["GetFlexPosting", &format!("{id}/vpp-b")])["postings"], b["postings"]);

    // Settling twice is refused, in flexibility and (directly) in trade.
    w.refused("flexibility", &c.grid_operator, I + LEN + 5, &["Settle", &id, "vpp-a"], 409, "already settled");
    assert_eq!(w.query("flexibility", &["GetSettlement", &id, "vpp-a"]), a);
}

#[test]
fn high_x_of_y_baseline_worked_example() {
    let w = World::new();
    let c = &w.cast;
    // Earlier days at the same interval: pv-b's meter exported nothing on day 1 (no reading), 1200, 900, 1500 and
    // 4000 Wh on days 2 to 5. High 2 of 3 takes days 2, 3, 4 and averages the two highest: (1500 + 1200) / 2.
    for (day, wh) in [(5, 4000), (4, 1500), (3, 900), (2, 1200)] {
        let start = I - day * DAY;
        w.submit(start + LEN, &[w.reading("m-b", start, "2.8.0", wh)]);
    }
    let mut spec = request_spec();
    spec["wh"] = json!(2000);
    spec["baseline"] = json!({"method": "highXOfY", "x": 2, "y": 3});
    let id = w.request(&spec);
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 2000, 50, &["m-a", "m-b"], None)]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    w.submit(I + LEN, &[w.reading("m-a", I, "2.8.0", 2000), w.reading("m-b", I, "2.8.0", 1400)]);

    let preview = w.flex(&c.grid_operator, I + LEN, &["Deliveries", &id, "vpp-a"]);
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-a"]);
    assert_eq!(preview["intervals"], s["intervals"]);
    let interval = &s["intervals"][0];
    assert_eq!(interval["baselineWh"], 1350);
    assert_eq!(interval["baselineDays"], json!([1500, 1200]));
    assert_eq!((interval["deliveredWh"].as_i64(), interval["paidWh"].as_i64()), (Some(2050), Some(2000)));
    assert_eq!(interval["payment"], 100);
    // alice 100 * 2000 / 3400 = 58, bob 100 * 1400 / 3400 = 41; the VPP keeps 1.
    assert_eq!(
        s["members"],
        json!([
            {"account": c.alice.party.account(), "contributionWh": 2000, "amount": 58},
            {"account": c.bob.party.account(), "contributionWh": 1400, "amount": 41},
        ])
    );
    assert_eq!(w.balance("VPP/vpp-a"), 1);
    assert_eq!(w.balance("GRID"), -100);
}

#[test]
fn a_baseline_without_enough_days_delivers_nothing() {
    let w = World::new();
    let c = &w.cast;
    let mut spec = request_spec();
    spec["baseline"] = json!({"method": "highXOfY", "x": 1, "y": 2});
    spec["wh"] = json!(1000);
    let id = w.request(&spec);
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 1000, 50, &["m-b"], None)]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    w.submit(I + LEN, &[w.reading("m-b", I, "2.8.0", 1000)]);
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-a"]);
    let interval = &s["intervals"][0];
    assert_eq!(interval["baselineWh"], serde_json::Value::Null);
    // No history: nothing counts as delivered; 900 Wh beyond the 10 % tolerance are penalised at 300.
    assert_eq!((interval["deliveredWh"].as_i64(), interval["penalty"].as_i64()), (Some(0), Some(270)));
    assert_eq!(w.balance("VPP/vpp-a"), -270);
    assert_eq!(w.balance(&c.bob.party.account()), 0);
}

#[test]
fn down_flexibility_counts_import_against_the_schedule() {
    let w = World::new();
    let c = &w.cast;
    let mut spec = request_spec();
    spec["direction"] = json!("down");
    spec["wh"] = json!(4000);
    let id = w.request(&spec);
    // vpp-b planned to export 1000 Wh; asked to go down, its battery charges 2500 Wh instead.
    w.flex(&c.agg_b, OPEN, &["SubmitOffer", &id, &offer("vpp-b", 4000, 80, &["m-c"], Some(&[1000]))]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    w.submit(I + LEN, &[w.reading("m-c", I, "1.8.0", 2500), w.reading("m-c", I, "2.8.0", 0)]);
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"]);
    let interval = &s["intervals"][0];
    // Down: measured = import - export = 2500; baseline = -(planned net export) = -1000; delivered 3500 of 4000.
    assert_eq!(
        (interval["measuredWh"].as_i64(), interval["baselineWh"].as_i64(), interval["deliveredWh"].as_i64()),
        (Some(2500), Some(-1000), Some(3500))
    );
    // Tolerance 400: shortfall 100 Wh at 300 = 30; payment 3500 Wh at 80 = 280; carol measured 2500 Wh of import.
    assert_eq!((interval["payment"].as_i64(), interval["penalty"].as_i64()), (Some(280), Some(30)));
    assert_eq!(s["members"], json!([{"account": c.carol.party.account(), "contributionWh": 2500, "amount": 200}]));
    assert_eq!(w.balance("VPP/vpp-b"), 280 - 30 - 200);
}
