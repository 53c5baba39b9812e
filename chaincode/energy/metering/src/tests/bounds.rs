//! Bounded input: every argument has a documented maximum, checked before anything reads the ledger; oversized
//! input is refused with 400 and a short message that gives its size; numbers are plain decimal.

use serde_json::json;

use super::fixture::{T0, World, cast, public_key, signed};
use super::rejects;

fn huge() -> String {
    "x".repeat(10 * 1024 * 1024)
}

/// A 400 for oversized input: short, with the size (and `rejects` checks nothing was written).
fn rejects_short(w: &World, creator: &[u8], args: &[&str]) -> String {
    let message = rejects(w, creator, args, 400, "10485760 bytes starting \"xxxx");
    assert!(message.len() < 300, "{} bytes: {}", message.len(), gridledger_contract::clip(&message, 300));
    message
}

#[test]
fn ten_megabyte_arguments_get_a_short_400_and_change_nothing() {
    let w = World::with_meters();
    let c = cast();
    let big = huge();
    let start = T0.to_string();
    for (who, args) in [
        (&c.bob, vec!["GetMeter", big.as_str()]),
        (&c.operator, vec!["SetMeterStatus", big.as_str(), "inactive"]),
        (&c.operator, vec!["SetMeterStatus", "m-1", big.as_str()]),
        (&c.installer, vec!["RegisterMeter", big.as_str()]),
        (&c.installer, vec!["RegisterMeters", big.as_str()]),
        (&c.gateway, vec!["SubmitReadings", big.as_str()]),
        (&c.bob, vec!["IntervalTotals", big.as_str(), start.as_str()]),
        (&c.bob, vec!["IntervalTotals", "cp-1", big.as_str()]),
        (&c.utility, vec!["MeteredEnergy", big.as_str(), "x", start.as_str()]),
        (&c.utility, vec!["MeteredEnergy", "ProsumerMSP", big.as_str(), start.as_str()]),
        (&c.utility, vec!["GetReading", big.as_str(), start.as_str(), "1.8.0"]),
        (&c.utility, vec!["GetReading", "m-1", start.as_str(), big.as_str()]),
    ] {
        rejects_short(&w, who, &args);
    }
    let message = rejects_short(&w, &c.bob, &["GetMeter", &big]);
    assert!(message.starts_with("argument 1 (id): expected a meter id of 1 to 128 bytes, got"), "{message}");
}

#[test]
fn an_oversized_meter_id_inside_a_batch_is_refused_before_any_lookup() {
    let w = World::with_meters();
    let mut reading = signed("m-1", T0, "1.8.0", 10, 1);
    reading.meter_id = "m".repeat(100_000);
    let json = serde_json::to_string(&[reading]).unwrap();
    let message = rejects(&w, &cast().gateway, &["SubmitReadings", &json], 400, "meterId must be 1 to 128 bytes");
    assert!(message.starts_with("reading 0 (meter 100000 bytes starting \"mmmm"), "{message}");
    assert!(message.len() < 400, "{} bytes: {message}", message.len());
    // A meter id of 129 bytes in a registration, and in a lookup.
    let long = "m".repeat(129);
    let registration = json!({"id": long, "assetId": "pv-1", "publicKey": public_key("m-1"), "registers": ["1.8.0"],
        "intervalSeconds": 900});
    rejects(&w, &cast().installer, &["RegisterMeter", &registration.to_string()], 400, "129 bytes starting");
    let message = rejects(&w, &cast().bob, &["GetMeter", &long], 400, "expected a meter id of 1 to 128 bytes");
    assert!(message.contains("129 bytes starting"), "{message}");
}

#[test]
fn meter_ids_at_their_bound() {
    let w = World::with_meters();
    let c = cast();
    let id128 = "m".repeat(128);
    let registration = json!({"id": id128, "assetId": "pv-1", "publicKey": public_key("m-1"), "registers": ["1.8.0"],
        "intervalSeconds": 900});
    w.ok(&c.installer, &["RegisterMeter", &registration.to_string()]);
    w.ok(&c.bob, &["GetMeter", &id128]);
    // 128 bytes, not characters: 65 two-byte characters are 130 bytes.
    rejects(&w, &c.bob, &["GetMeter", &"é".repeat(65)], 400, "expected a meter id of 1 to 128 bytes");
    // An unknown meter of the longest id: 404, and the message shows it whole.
    let unknown = "u".repeat(128);
    let message = rejects(&w, &c.bob, &["GetMeter", &unknown], 404, "is not registered");
    assert_eq!(message, format!("meter {unknown} is not registered"));
}

#[test]
fn interval_starts_are_plain_decimal_in_the_documented_range() {
    let w = World::with_meters();
    let c = cast();
    w.ok(&c.bob, &["IntervalTotals", "cp-1", &T0.to_string()]);
    w.ok(&c.bob, &["IntervalTotals", "cp-1", "0"]);
    for bad in ["+5", " 5", "5 ", "0x5", "1e3", "５", "-60", "01", "1000000000000"] {
        let message = rejects(&w, &c.bob, &["IntervalTotals", "cp-1", bad], 400, "");
        assert!(
            message.starts_with("argument 2 (intervalStart): expected an integer from 0 to 999999999999, got"),
            "{bad:?}: {message}"
        );
    }
}

#[test]
fn documents_and_parties_at_their_bounds() {
    let w = World::with_meters();
    let c = cast();
    // A RegisterMeter document: 4096 bytes, then 4097.
    let mut doc = json!({"id": "m-9", "assetId": "pv-1", "publicKey": public_key("m-1"), "registers": ["1.8.0"],
        "intervalSeconds": 900})
    .to_string();
    doc.push_str(&" ".repeat(4097 - doc.len()));
    let message = rejects(&w, &c.installer, &["RegisterMeter", &doc], 400, "at most 4096 bytes");
    assert!(message.starts_with("argument 1 (meter): expected a JSON document of at most 4096 bytes"), "{message}");
    doc.pop();
    w.ok(&c.installer, &["RegisterMeter", &doc]);
    // MeteredEnergy's party: MSP 128 characters, identity id 1024.
    let start = T0.to_string();
    w.ok(&c.utility, &["MeteredEnergy", &"M".repeat(128), &"i".repeat(1024), &start]);
    rejects(&w, &c.utility, &["MeteredEnergy", &"M".repeat(129), "i", &start], 400, "at most 128 characters");
    rejects(&w, &c.utility, &["MeteredEnergy", "M", &"i".repeat(1025), &start], 400, "at most 1024 characters");
    // A batch over 1 MiB: refused as an argument of more than 1,048,576 characters, and on its bytes when they
    // are fewer characters (the same check covers the transient map).
    let batch = format!("[{}]", " ".repeat(1 << 20));
    rejects(&w, &c.gateway, &["SubmitReadings", &batch], 400, "expected text of at most 1048576 characters");
    let batch = format!("[\"{}\"]", "é".repeat(600_000));
    rejects(&w, &c.gateway, &["SubmitReadings", &batch], 400, "the batch has 1200004 bytes; at most 1048576");
}
