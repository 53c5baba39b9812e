//! Meters of other interval lengths (60 s here), and what the registry's asset says now: status and owner.

use std::sync::Arc;

use serde_json::{Value, json};

use super::fixture::{FakeRegistry, NOW, T0, World, cast, party, registry, signed, signed_for};
use super::{rejects, rejects_batch};
use crate::Reading;

/// A reading of the 60-second meter m-2 (which a world from [`minute_world`] registers on pv-2).
fn minute(start: i64, wh: i64, counter: u64) -> Reading {
    signed_for("m-2", "m-2", 60, start, "2.8.0", wh, counter)
}

/// m-1 on pv-1 (900 s) and m-2 on pv-2 (60 s, export only); both assets on cp-1.
fn minute_world() -> World {
    let w = World::new();
    w.register("m-1", "pv-1", &["1.8.0", "2.8.0"]);
    w.register_with("m-2", "pv-2", &["2.8.0"], 60);
    w
}

#[test]
fn a_meter_is_checked_against_its_own_interval() {
    let w = minute_world();
    let meter = w.json(&cast().nobody, &["GetMeter", "m-2"]);
    assert_eq!(meter["intervalSeconds"], 60);
    // Aligned to 60 but not to 900: fine for this meter. pv-2 is 10 kW: at most 166 Wh in a minute.
    let r = w.submit(&[minute(T0 + 60, 166, 1), minute(T0 + 120, 0, 2)]);
    assert_eq!(r.status, 200, "{}", r.message);
    let place = |start: i64| format!("reading 0 (meter m-2, interval {start}, 2.8.0): ");
    rejects_batch(
        &w,
        &[minute(T0 + 30, 1, 3)],
        400,
        &(place(T0 + 30) + "interval start is not aligned to the meter's 60 s"),
    );
    let text = place(T0 + 180) + "167 Wh is more than pv asset pv-2 can deliver in 60 s at 10000 W (166 Wh)";
    rejects_batch(&w, &[minute(T0 + 180, 167, 3)], 400, &text);
    // The last whole minute before the clock has ended; the current one has not.
    let current = NOW - NOW.rem_euclid(60);
    assert_eq!(w.submit_at(&[minute(current - 60, 1, 3)], NOW).status, 200);
    let r = w.submit_at(&[minute(current, 1, 4)], NOW);
    assert!(r.status == 400 && r.message.contains("has not ended"), "{}", r.message);
    // The interval length is part of what the meter signs: a 900-second signature does not verify here.
    let other = signed("m-2", T0 + 240, "2.8.0", 1, 9);
    rejects_batch(&w, &[other], 400, "signature does not verify");
}

#[test]
fn totals_and_metered_energy_say_the_interval_length() {
    let w = minute_world();
    assert_eq!(w.submit(&[minute(T0 + 60, 100, 1)]).status, 200);
    let (c, start) = (cast(), (T0 + 60).to_string());
    let totals = w.json(&c.nobody, &["IntervalTotals", "cp-1", &start]);
    assert_eq!((&totals["exportWh"], &totals["intervalSeconds"]), (&json!(100), &json!(60)));
    let bob = party(&c.bob);
    let args = ["MeteredEnergy", bob["msp"].as_str().unwrap(), bob["id"].as_str().unwrap(), &start];
    assert_eq!(w.json(&c.utility, &args), json!({"importWh": 0, "exportWh": 100, "intervalSeconds": 60}));
    rejects(&w, &c.nobody, &["IntervalTotals", "cp-1", &(T0 + 30).to_string()], 400, "not aligned to 60 s");
    rejects(&w, &c.utility, &["GetReading", "m-1", &(T0 + 60).to_string(), "1.8.0"], 400, "not aligned to 900 s");
}

#[test]
fn readings_of_different_lengths_starting_together_are_not_summed() {
    let w = minute_world();
    // bob owns pv-1 now too, so one party and one connection point have a 900 s and a 60 s reading at T0.
    let mut moved: FakeRegistry = registry();
    moved.assets.get_mut("pv-1").unwrap()["owner"] = party(&cast().bob);
    w.ledger.register_chaincode("registry", Arc::new(moved));
    let batch = [signed("m-1", T0, "2.8.0", 5, 1), minute(T0, 7, 1)];
    assert_eq!(w.submit(&batch).status, 200);
    let (c, t0) = (cast(), T0.to_string());
    let text = "connection point cp-1 has readings of 60 s and of 900 s intervals";
    rejects(&w, &c.nobody, &["IntervalTotals", "cp-1", &t0], 409, text);
    let bob = party(&c.bob);
    let args = ["MeteredEnergy", bob["msp"].as_str().unwrap(), bob["id"].as_str().unwrap(), &t0];
    rejects(&w, &c.utility, &args, 409, "has readings of 900 s and of 60 s intervals");
}

#[test]
fn readings_of_a_suspended_or_decommissioned_asset_are_refused() {
    for status in ["suspended", "decommissioned"] {
        let w = minute_world();
        let mut changed: FakeRegistry = registry();
        changed.assets.get_mut("pv-2").unwrap()["status"] = json!(status);
        w.ledger.register_chaincode("registry", Arc::new(changed));
        let text = format!("reading 1 (meter m-2, interval {}, 2.8.0): asset pv-2 of meter m-2 is {status}", T0 + 60);
        rejects_batch(&w, &[signed("m-1", T0, "2.8.0", 1, 1), minute(T0 + 60, 1, 1)], 409, &text);
    }
    // A pending asset's meter may report (commissioning tests).
    let w = minute_world();
    let mut pending: FakeRegistry = registry();
    pending.assets.get_mut("pv-2").unwrap()["status"] = json!("pending");
    w.ledger.register_chaincode("registry", Arc::new(pending));
    assert_eq!(w.submit(&[minute(T0 + 60, 1, 1)]).status, 200);
}

#[test]
fn readings_belong_to_the_owner_when_they_are_recorded() {
    let w = minute_world();
    let c = cast();
    assert_eq!(w.submit(&[signed("m-1", T0, "2.8.0", 300, 1)]).status, 200);
    // alice transfers pv-1 to bob (registry AcceptTransfer); the meter record is not touched.
    let mut moved: FakeRegistry = registry();
    moved.assets.get_mut("pv-1").unwrap()["owner"] = party(&c.bob);
    w.ledger.register_chaincode("registry", Arc::new(moved));
    assert_eq!(w.submit(&[signed("m-1", T0 + 900, "2.8.0", 400, 2)]).status, 200);
    // The first batch after the transfer moves the meter to its new owner; the old owner's index entry stays.
    assert_eq!(w.json(&c.nobody, &["GetMeter", "m-1"])["owner"], party(&c.bob));
    let index = w.ledger.state("metering").into_keys().filter(|k| k.starts_with("\u{0}meter~owner")).count();
    assert_eq!(index, 3, "alice's and bob's entries for m-1, bob's for m-2");

    let metered = |who: &[u8], start: i64| {
        let p = party(who);
        let args = ["MeteredEnergy", p["msp"].as_str().unwrap(), p["id"].as_str().unwrap(), &start.to_string()];
        w.json(&c.utility, &args)["exportWh"].clone()
    };
    assert_eq!((metered(&c.alice, T0), metered(&c.bob, T0)), (json!(300), json!(0)));
    assert_eq!((metered(&c.alice, T0 + 900), metered(&c.bob, T0 + 900)), (json!(0), json!(400)));
    // GetReading follows the asset's owner now.
    let args = ["GetReading", "m-1", &T0.to_string(), "2.8.0"];
    w.ok(&c.bob, &args);
    rejects(&w, &c.alice, &args, 403, "GetReading is for the owner, a grid operator and the owner's supplier");
}

#[test]
fn a_register_arriving_after_a_transfer_goes_to_the_new_owner() {
    let w = World::with_meters();
    let c = cast();
    assert_eq!(w.submit(&[signed("m-1", T0, "1.8.0", 120, 1)]).status, 200);
    let mut moved: FakeRegistry = registry();
    moved.assets.get_mut("pv-1").unwrap()["owner"] = party(&c.bob);
    w.ledger.register_chaincode("registry", Arc::new(moved));
    // The same interval's export comes in the next batch, after pv-1 changed hands.
    assert_eq!(w.submit(&[signed("m-1", T0, "2.8.0", 800, 2)]).status, 200);
    let energy = |who: &[u8]| {
        let p = party(who);
        let args = ["MeteredEnergy", p["msp"].as_str().unwrap(), p["id"].as_str().unwrap(), &T0.to_string()];
        let e = w.json(&c.utility, &args);
        (e["importWh"].clone(), e["exportWh"].clone())
    };
    assert_eq!(energy(&c.alice), (json!(120), json!(0)));
    assert_eq!(energy(&c.bob), (json!(0), json!(800)));
}

#[test]
fn metadata_describes_interval_lengths() {
    let w = World::new();
    let r = w.call(&cast().nobody, &["org.hyperledger.fabric:GetMetadata"]);
    assert_eq!(r.status, 200, "{}", r.message);
    if let Ok(path) = std::env::var("GRIDLEDGER_METADATA_OUT") {
        std::fs::write(path, &r.payload).unwrap();
    }
    let metadata: Value = serde_json::from_slice(&r.payload).unwrap();
    let schemas = &metadata["components"]["schemas"];
    let length = &schemas["MeterRegistration"]["properties"]["intervalSeconds"];
    assert_eq!((&length["minimum"], &length["maximum"]), (&json!(60), &json!(3600)), "{length}");
    assert_eq!(schemas["MeteredEnergy"]["properties"]["intervalSeconds"], *length);
}
