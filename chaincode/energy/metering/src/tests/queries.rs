//! IntervalTotals, MeteredEnergy, GetReading.

use serde_json::{Value, json};

use super::fixture::{T0, World, cast, party, signed};
use super::rejects;

fn world_with_readings() -> World {
    let w = World::with_meters();
    let batch = [
        signed("m-1", T0, "1.8.0", 300, 1),
        signed("m-1", T0, "2.8.0", 700, 2),
        signed("m-2", T0, "2.8.0", 2000, 1),
        signed("m-3", T0, "1.8.0", 50, 1),
        signed("m-3", T0, "2.8.0", 1200, 2),
        signed("m-1", T0 + 900, "1.8.0", 1, 3),
    ];
    let r = w.submit(&batch);
    assert_eq!(r.status, 200, "{}", r.message);
    w
}

#[test]
fn interval_totals_sum_per_connection_point_and_interval() {
    let w = world_with_readings();
    let anyone = &cast().nobody;
    let t0 = T0.to_string();
    assert_eq!(
        w.json(anyone, &["IntervalTotals", "cp-1", &t0]),
        json!({"connectionPoint": "cp-1", "intervalStart": T0, "importWh": 300, "exportWh": 2700, "readings": 3,
               "intervalSeconds": 900})
    );
    assert_eq!(
        w.json(anyone, &["IntervalTotals", "cp-2", &t0]),
        json!({"connectionPoint": "cp-2", "intervalStart": T0, "importWh": 50, "exportWh": 1200, "readings": 2,
               "intervalSeconds": 900})
    );
    let next = (T0 + 900).to_string();
    assert_eq!(w.json(anyone, &["IntervalTotals", "cp-1", &next])["readings"], 1);
    let none = w.json(anyone, &["IntervalTotals", "cp-9", &t0]);
    assert_eq!((&none["readings"], &none["intervalSeconds"]), (&json!(0), &Value::Null));
    rejects(&w, anyone, &["IntervalTotals", "cp-1", "901"], 400, "interval start 901 is not aligned to 60 s");
}

#[test]
fn metered_energy_sums_a_partys_meters() {
    let w = world_with_readings();
    let c = cast();
    let alice = party(&c.alice);
    let (msp, id) = (alice["msp"].as_str().unwrap(), alice["id"].as_str().unwrap());
    let t0 = T0.to_string();
    let expected = json!({"importWh": 350, "exportWh": 1900, "intervalSeconds": 900}); // m-1 and m-3
    assert_eq!(w.json(&c.utility, &["MeteredEnergy", msp, id, &t0]), expected);
    assert_eq!(w.json(&c.operator, &["MeteredEnergy", msp, id, &t0]), expected);
    assert_eq!(w.json(&c.alice, &["MeteredEnergy", msp, id, &t0]), expected);
    let bob = party(&c.bob);
    let bob_args = ["MeteredEnergy", bob["msp"].as_str().unwrap(), bob["id"].as_str().unwrap(), &t0];
    assert_eq!(w.json(&c.utility, &bob_args), json!({"importWh": 0, "exportWh": 2000, "intervalSeconds": 900}));
    assert_eq!(
        w.json(&c.utility, &["MeteredEnergy", "NoMSP", "x", &t0]),
        json!({"importWh": 0, "exportWh": 0, "intervalSeconds": null})
    );
    rejects(
        &w,
        &c.bob,
        &["MeteredEnergy", msp, id, &t0],
        403,
        "MeteredEnergy is for the owner, a grid operator and the owner's supplier",
    );
    rejects(&w, &c.gateway, &["MeteredEnergy", msp, id, &t0], 403, "MeteredEnergy is for");
}

#[test]
fn get_reading_is_for_the_owner_grid_and_utility() {
    let w = world_with_readings();
    let c = cast();
    let t0 = T0.to_string();
    let args = ["GetReading", "m-1", &t0, "2.8.0"];
    let got: crate::Reading = serde_json::from_str(&w.ok(&c.alice, &args)).unwrap();
    assert_eq!(got, signed("m-1", T0, "2.8.0", 700, 2).clone_with_signature(&got.signature));
    assert!(crate::reading::verify(&got, 900, &super::fixture::public_key("m-1")), "stored readings stay verifiable");
    w.ok(&c.utility, &args);
    w.ok(&c.operator, &args);
    rejects(&w, &c.bob, &args, 403, "GetReading is for the owner, a grid operator and the owner's supplier");
    rejects(&w, &c.alice, &["GetReading", "m-1", &t0, "3.8.0"], 404, "no reading of meter m-1");
    rejects(&w, &c.alice, &["GetReading", "m-7", &t0, "1.8.0"], 404, "meter m-7 is not registered");
}

trait WithSignature {
    fn clone_with_signature(self, signature: &str) -> Self;
}

impl WithSignature for crate::Reading {
    fn clone_with_signature(mut self, signature: &str) -> Self {
        // ECDSA signatures are randomized: compare the fields and check the stored signature verifies.
        self.signature = signature.to_string();
        self
    }
}
