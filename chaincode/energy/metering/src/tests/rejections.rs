//! SubmitReadings rejections: each names the reading and leaves state (public and private) unchanged.

use std::sync::Arc;

use super::fixture::{FakeRegistry, PV1_MAX_WH, T0, World, cast, registry, signed, signed_by};
use super::{rejects, rejects_batch};
use crate::Reading;

/// Three good readings, then `bad` at position 3, then one more good one.
fn batch_with(bad: Reading) -> Vec<Reading> {
    vec![
        signed("m-2", T0, "2.8.0", 100, 1),
        signed("m-1", T0, "1.8.0", 10, 1),
        signed("m-1", T0, "2.8.0", 20, 2),
        bad,
        signed("m-2", T0 + 900, "2.8.0", 100, 99),
    ]
}

fn rejected(w: &World, bad: Reading, status: i32, text: &str) {
    let place =
        format!("reading 3 (meter {}, interval {}, {}): {text}", bad.meter_id, bad.interval_start, bad.register);
    rejects_batch(w, &batch_with(bad), status, &place);
}

#[test]
fn forged_and_tampered_signatures() {
    let w = World::with_meters();
    rejected(&w, signed_by("rogue", "m-1", T0 + 900, "1.8.0", 5, 3), 400, "signature does not verify");
    let mut tampered = signed("m-1", T0 + 900, "1.8.0", 5, 3);
    tampered.wh = 6;
    rejected(&w, tampered, 400, "signature does not verify");
    let mut counter = signed("m-1", T0 + 900, "1.8.0", 5, 3);
    counter.counter = 4;
    rejected(&w, counter, 400, "signature does not verify");
    let mut garbage = signed("m-1", T0 + 900, "1.8.0", 5, 3);
    garbage.signature = "not base64!".into();
    rejected(&w, garbage, 400, "signature does not verify");
    // Another meter's valid signature does not carry over.
    let mut borrowed = signed("m-1", T0 + 900, "2.8.0", 5, 3);
    borrowed.signature = signed("m-3", T0 + 900, "2.8.0", 5, 3).signature;
    rejected(&w, borrowed, 400, "signature does not verify");
}

#[test]
fn unknown_inactive_and_wrong_register() {
    let w = World::with_meters();
    rejected(&w, signed_by("rogue", "m-404", T0, "1.8.0", 5, 3), 404, "meter m-404 is not registered");
    rejected(
        &w,
        signed("m-2", T0, "1.8.0", 5, 3),
        400,
        "meter m-2 does not report register \"1.8.0\" (it reports 2.8.0)",
    );
    w.ok(&cast().operator, &["SetMeterStatus", "m-3", "inactive"]);
    rejected(&w, signed("m-3", T0, "1.8.0", 5, 3), 409, "meter m-3 is inactive");
}

#[test]
fn misaligned_and_unfinished_intervals() {
    let w = World::with_meters();
    rejected(&w, signed("m-1", T0 + 60, "1.8.0", 5, 3), 400, "interval start is not aligned to the meter's 900 s");
    let r = w.submit_at(&[signed("m-1", T0, "1.8.0", 1, 1)], T0 + 899);
    assert_eq!(r.status, 400);
    assert!(r.message.contains("the interval has not ended by the transaction time"), "{}", r.message);
    rejected(&w, signed("m-1", i64::MAX - i64::MAX.rem_euclid(900), "1.8.0", 5, 3), 400, "the interval has not ended");
}

#[test]
fn energy_bounds() {
    let w = World::with_meters();
    rejected(&w, signed("m-1", T0 + 900, "1.8.0", -1, 3), 400, "wh must not be negative, got -1");
    let text = "1001 Wh is more than pv asset pv-1 can deliver in 900 s at 4000 W (1000 Wh)";
    rejected(&w, signed("m-1", T0 + 900, "2.8.0", PV1_MAX_WH + 1, 3), 400, text);
    rejected(&w, signed("m-1", T0 + 900, "2.8.0", i64::MAX, 3), 400, "9223372036854775807 Wh is more than pv asset");
    // Storage: 5 kW is its rated charge as well as discharge, so it bounds import too (1250 Wh in 15 minutes).
    let text = "1251 Wh is more than storage asset bat-1 can draw in 900 s at 5000 W (1250 Wh)";
    rejected(&w, signed("m-3", T0 + 900, "1.8.0", 1251, 3), 400, text);
    rejected(
        &w,
        signed("m-3", T0 + 900, "2.8.0", 1251, 3),
        400,
        "1251 Wh is more than storage asset bat-1 can deliver",
    );
}

#[test]
fn a_generators_import_is_not_bounded_by_its_nameplate() {
    let w = World::with_meters();
    // pv-1 is 4 kW; what its site draws through the meter is not limited by what the panels can produce.
    let r = w.submit(&[signed("m-1", T0, "1.8.0", 10 * PV1_MAX_WH, 1), signed("m-3", T0, "1.8.0", 1250, 1)]);
    assert_eq!(r.status, 200, "{}", r.message);
}

#[test]
fn duplicates_inside_a_batch() {
    let w = World::with_meters();
    // Same meter, interval and register as reading 1, with a fresh counter and a valid signature.
    rejected(&w, signed("m-1", T0, "1.8.0", 11, 3), 409, "duplicates reading 1 of this batch");
}

#[test]
fn counters_must_increase() {
    let w = World::with_meters();
    rejected(&w, signed("m-1", T0 + 900, "1.8.0", 5, 2), 409, "counter 2 is not above an earlier reading's 2");
    rejected(&w, signed("m-1", T0 + 900, "1.8.0", 5, 1), 409, "counter 1 is not above an earlier reading's 2");
    assert_eq!(w.submit(&[signed("m-1", T0, "1.8.0", 1, 50)]).status, 200);
    let text = "counter 50 is not above the meter's last recorded counter 50";
    rejects_batch(&w, &[signed("m-1", T0 + 900, "1.8.0", 1, 50)], 409, text);
}

#[test]
fn replays_are_refused() {
    let w = World::with_meters();
    let batch = batch_with(signed("m-3", T0, "1.8.0", 5, 3));
    assert_eq!(w.submit(&batch).status, 200);
    // The whole batch again: the first reading already fails.
    rejects_batch(&w, &batch, 409, "reading 0 (meter m-2, interval 1700000100, 2.8.0): already recorded (replay)");
    // One old reading inside a new batch; its counter is even above the stored one.
    let old = signed("m-1", T0, "2.8.0", 20, 500);
    let fresh = signed("m-1", T0 + 1800, "1.8.0", 1, 400);
    rejects_batch(&w, &[fresh, old], 409, "reading 1 (meter m-1, interval 1700000100, 2.8.0): already recorded");
}

#[test]
fn only_gateways_submit() {
    let w = World::with_meters();
    let json = serde_json::to_string(&[signed("m-1", T0, "1.8.0", 1, 1)]).unwrap();
    let c = cast();
    for who in [&c.alice, &c.operator, &c.installer, &c.utility, &c.nobody] {
        rejects(&w, who, &["SubmitReadings", &json], 403, "SubmitReadings is for gateway of any org");
    }
}

#[test]
fn malformed_batches() {
    let w = World::with_meters();
    let gw = &cast().gateway;
    rejects(&w, gw, &["SubmitReadings", "[]"], 400, "the batch has no readings");
    rejects(&w, gw, &["SubmitReadings", ""], 400, "no batch");
    rejects(&w, gw, &["SubmitReadings", "{\"meterId\":1}"], 400, "the batch is not a JSON array of readings");
    let extra = r#"[{"meterId":"m-1","intervalStart":0,"register":"1.8.0","wh":1,"counter":1,"signature":"","x":1}]"#;
    rejects(&w, gw, &["SubmitReadings", extra], 400, "unknown field `x`");
    let negative = r#"[{"meterId":"m-1","intervalStart":0,"register":"1.8.0","wh":1,"counter":-1,"signature":""}]"#;
    rejects(&w, gw, &["SubmitReadings", negative], 400, "not a JSON array of readings");
    let many = vec![signed("m-1", T0, "1.8.0", 1, 1); crate::ingest::MAX_BATCH + 1];
    rejects_batch(&w, &many, 400, "the batch has 2001 readings; at most 2000");
    // Argument and transient map at once.
    let json = serde_json::to_string(&[signed("m-1", T0, "1.8.0", 1, 1)]).unwrap();
    let tx =
        w.ledger.tx(["SubmitReadings", &json]).with_creator(gw.clone()).with_transient([("readings", json.clone())]);
    let r = tx.invoke(&w.cc);
    assert_eq!((r.status, r.message.contains("not both")), (400, true), "{}", r.message);
}

#[test]
fn an_asset_gone_from_the_registry() {
    let w = World::with_meters();
    let mut shrunk: FakeRegistry = registry();
    shrunk.assets.remove("bat-1");
    w.ledger.register_chaincode("registry", Arc::new(shrunk));
    rejected(&w, signed("m-3", T0, "2.8.0", 5, 100), 404, "asset bat-1 is not in the registry");
}

#[test]
fn the_first_bad_reading_is_named_though_signatures_are_checked_up_front() {
    let w = World::with_meters();
    // A later reading's unknown meter does not hide an earlier bad signature, nor the other way round.
    let mut tampered = signed("m-1", T0, "1.8.0", 5, 3);
    tampered.wh = 6;
    let unknown = signed_by("rogue", "m-404", T0, "1.8.0", 5, 3);
    let place =
        |r: &Reading| format!("reading 0 (meter {}, interval {}, {})", r.meter_id, r.interval_start, r.register);
    rejects_batch(
        &w,
        &[tampered.clone(), unknown.clone()],
        400,
        &format!("{}: signature does not verify", place(&tampered)),
    );
    rejects_batch(
        &w,
        &[unknown.clone(), tampered],
        404,
        &format!("{}: meter m-404 is not registered", place(&unknown)),
    );
    // In a batch large enough to be verified on several threads, the position is still exact.
    let mut batch: Vec<_> = (0..150).map(|k| signed("m-1", T0 - 900 * k, "1.8.0", 1, 1000 - k as u64)).collect();
    batch.reverse();
    batch[97].wh = 2;
    let bad = &batch[97];
    let text = format!("reading 97 (meter m-1, interval {}, 1.8.0): signature does not verify", bad.interval_start);
    rejects_batch(&w, &batch, 400, &text);
}
