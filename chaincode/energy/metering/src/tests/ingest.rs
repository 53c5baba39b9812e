//! SubmitReadings: what an accepted batch writes.

use serde_json::{Value, json};

use super::fixture::{PV1_MAX_WH, T0, World, cast, party, signed};
use crate::keys::READINGS_COLLECTION;
use crate::record::IntervalRecord;

fn private_key(meter: &str, start: i64) -> String {
    format!("\u{0}reading\u{0}{meter}\u{0}{start:012}\u{0}")
}

/// The private record of a meter's interval.
fn record(w: &World, meter: &str, start: i64) -> Option<IntervalRecord> {
    let bytes = w.ledger.private("metering", READINGS_COLLECTION, &private_key(meter, start))?;
    Some(serde_json::from_slice(&bytes).unwrap())
}

/// The public per-batch totals for a connection point, interval and register: (key suffix, value).
fn batch_totals(w: &World, cp: &str, start: i64, register: &str) -> Vec<(String, Value)> {
    let prefix = format!("\u{0}total\u{0}{cp}\u{0}{start:012}\u{0}{register}\u{0}");
    w.ledger
        .state("metering")
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), serde_json::from_slice(&v).unwrap())))
        .collect()
}

#[test]
fn a_batch_writes_readings_totals_and_counters() {
    let w = World::with_meters();
    let batch = [
        signed("m-1", T0, "1.8.0", 120, 1),
        signed("m-1", T0, "2.8.0", 800, 2),
        signed("m-2", T0, "2.8.0", 2000, 10),
        signed("m-1", T0 + 900, "2.8.0", PV1_MAX_WH, 3),
        signed("m-3", T0, "1.8.0", 0, 5),
    ];
    let r = w.submit(&batch);
    assert_eq!(r.status, 200, "{}", r.message);
    assert_eq!(serde_json::from_slice::<Value>(&r.payload).unwrap(), json!({"accepted": 5, "meters": 3}));

    // One private record per meter and interval, holding both registers, each attributed to the asset's owner.
    let m1 = record(&w, "m-1", T0).unwrap();
    assert_eq!(m1.interval_seconds, 900);
    assert_eq!(m1.registers.keys().collect::<Vec<_>>(), ["1.8.0", "2.8.0"]);
    assert_eq!(m1.reading("2.8.0").unwrap(), batch[1]);
    assert_eq!(m1.reading("1.8.0").unwrap(), batch[0]);
    assert_eq!(serde_json::to_value(m1.owner_of("1.8.0").unwrap()).unwrap(), party(&cast().alice));
    // The owner is stored once per record, not per register.
    assert!(m1.registers.values().all(|r| r.owner.is_none()));
    assert!(w.ledger.private_hash("metering", READINGS_COLLECTION, &private_key("m-3", T0)).is_some());
    assert_eq!(w.ledger.collection("metering", READINGS_COLLECTION).len(), 4);

    // One public sum per (connection point, interval, register) and batch, keyed by the transaction: no meter's
    // own series is public.
    let cp1_export = batch_totals(&w, "cp-1", T0, "2.8.0");
    assert_eq!(cp1_export.len(), 1);
    assert_eq!(cp1_export[0].1, json!({"wh": 2800, "readings": 2}));
    assert!(!cp1_export[0].0.contains("m-"), "a total key names a meter: {:?}", cp1_export[0].0);
    assert_eq!(batch_totals(&w, "cp-2", T0, "1.8.0")[0].1, json!({"wh": 0, "readings": 1}));
    let public = w.ledger.state("metering");
    assert!(public.keys().filter(|k| k.starts_with("\u{0}total")).all(|k| !k.contains("m-")));
    assert_eq!(w.ledger.get("metering", "\u{0}counter\u{0}m-1\u{0}"), Some(b"3".to_vec()));
    assert_eq!(w.ledger.get("metering", "\u{0}counter\u{0}m-2\u{0}"), Some(b"10".to_vec()));
}

#[test]
fn counters_continue_across_batches_and_intervals_may_arrive_late() {
    let w = World::with_meters();
    assert_eq!(w.submit(&[signed("m-1", T0 + 900, "1.8.0", 1, 7)]).status, 200);
    // An older interval may come later, as long as the counter moves on.
    let r = w.submit(&[signed("m-1", T0, "1.8.0", 1, 8), signed("m-1", T0, "2.8.0", 1, 20)]);
    assert_eq!(r.status, 200, "{}", r.message);
    assert_eq!(w.ledger.get("metering", "\u{0}counter\u{0}m-1\u{0}"), Some(b"20".to_vec()));
}

#[test]
fn a_register_arriving_in_a_later_batch_joins_the_interval_record() {
    let w = World::with_meters();
    let first = signed("m-1", T0, "1.8.0", 120, 1);
    assert_eq!(w.submit(std::slice::from_ref(&first)).status, 200);
    let second = signed("m-1", T0, "2.8.0", 800, 2);
    let r = w.submit(std::slice::from_ref(&second));
    assert_eq!(r.status, 200, "{}", r.message);
    let m1 = record(&w, "m-1", T0).unwrap();
    assert_eq!((m1.reading("1.8.0").unwrap(), m1.reading("2.8.0").unwrap()), (first, second));
    // Both count, once each.
    let totals = w.json(&cast().nobody, &["IntervalTotals", "cp-1", &T0.to_string()]);
    assert_eq!(
        (totals["importWh"].clone(), totals["exportWh"].clone(), totals["readings"].clone()),
        (json!(120), json!(800), json!(2))
    );
}

#[test]
fn an_interval_is_accepted_from_the_second_it_ends() {
    let w = World::with_meters();
    let r = w.submit_at(&[signed("m-1", T0, "1.8.0", 1, 1)], T0 + 900);
    assert_eq!(r.status, 200, "{}", r.message);
}

#[test]
fn the_batch_may_travel_in_the_transient_map() {
    let w = World::with_meters();
    let batch = serde_json::to_vec(&[signed("m-1", T0, "1.8.0", 5, 1)]).unwrap();
    let tx =
        w.ledger.tx(["SubmitReadings", ""]).with_creator(cast().gateway.clone()).with_transient([("readings", batch)]);
    let r = tx.invoke(&w.cc);
    assert_eq!(r.status, 200, "{}", r.message);
    assert!(record(&w, "m-1", T0).unwrap().reading("1.8.0").is_some());
}

#[test]
fn large_batches_are_one_transaction() {
    let w = World::with_meters();
    let batch: Vec<_> = (0..400).map(|i| signed("m-1", T0 - 900 * i, "1.8.0", 1, 1 + i as u64)).collect();
    let height = w.ledger.height();
    let r = w.submit(&batch);
    assert_eq!(r.status, 200, "{}", r.message);
    assert_eq!(w.ledger.height(), height + 1);
    assert_eq!(w.ledger.collection("metering", READINGS_COLLECTION).len(), 400);
}
