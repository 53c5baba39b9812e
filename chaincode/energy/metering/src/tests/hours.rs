//! MeterHour and MeteredHours: the hourly sums the certificates chaincode reads.

use serde_json::json;

use super::fixture::{T0, World, cast, party, signed};
use super::rejects;

/// The hour holding T0 (T0 is 900 s past an hour).
const HS: i64 = T0 - 900;

fn world() -> World {
    let w = World::with_meters();
    let batch = [
        signed("m-1", T0, "1.8.0", 300, 1),
        signed("m-1", T0, "2.8.0", 700, 2),
        signed("m-1", T0 + 900, "2.8.0", 100, 3),
        signed("m-1", T0 + 1800, "2.8.0", 50, 4),
        signed("m-1", T0 + 2700, "2.8.0", 5, 5),
        signed("m-3", HS, "1.8.0", 40, 1),
        signed("m-2", T0, "2.8.0", 1000, 1),
    ];
    let r = w.submit(&batch);
    assert_eq!(r.status, 200, "{}", r.message);
    w
}

#[test]
fn meter_hour_sums_one_meters_hour() {
    let w = world();
    let c = cast();
    let hs = HS.to_string();
    let expected = json!({"meterId": "m-1", "assetId": "pv-1", "hourStart": HS, "intervalSeconds": 900,
        "intervals": 4, "exportWh": 850, "exportReadings": 3, "importWh": 300, "importReadings": 1,
        "owners": [party(&c.alice)], "firstCounter": 1, "lastCounter": 4});
    assert_eq!(w.json(&c.alice, &["MeterHour", "m-1", &hs]), expected);
    assert_eq!(w.json(&c.operator, &["MeterHour", "m-1", &hs]), expected);
    assert_eq!(w.json(&c.utility, &["MeterHour", "m-1", &hs]), expected);
    let next = w.json(&c.alice, &["MeterHour", "m-1", &(HS + 3600).to_string()]);
    assert_eq!(
        (&next["exportWh"], &next["exportReadings"], &next["importReadings"]),
        (&json!(5), &json!(1), &json!(0))
    );
    let empty = w.json(&c.alice, &["MeterHour", "m-1", &(HS - 3600).to_string()]);
    assert_eq!((&empty["owners"], &empty["firstCounter"]), (&json!([]), &json!(null)));
    rejects(&w, &c.bob, &["MeterHour", "m-1", &hs], 403, "MeterHour is for the asset's owner");
    rejects(&w, &c.alice, &["MeterHour", "m-1", &T0.to_string()], 400, "not aligned to 3600 s");
    rejects(&w, &c.alice, &["MeterHour", "m-9", &hs], 404, "meter m-9 is not registered");
}

#[test]
fn metered_hours_sum_a_partys_hours() {
    let w = world();
    let c = cast();
    let alice = party(&c.alice);
    let (msp, id) = (alice["msp"].as_str().unwrap(), alice["id"].as_str().unwrap());
    let hs = HS.to_string();
    let expected = json!([
        {"hourStart": HS, "importWh": 340, "exportWh": 850, "readings": 5},
        {"hourStart": HS + 3600, "importWh": 0, "exportWh": 5, "readings": 1},
    ]);
    assert_eq!(w.json(&c.alice, &["MeteredHours", msp, id, &hs, "2"]), expected);
    assert_eq!(w.json(&c.utility, &["MeteredHours", msp, id, &hs, "2"]), expected);
    assert_eq!(w.json(&c.alice, &["MeteredHours", msp, id, &hs, "24"]).as_array().unwrap().len(), 24);
    rejects(&w, &c.bob, &["MeteredHours", msp, id, &hs, "1"], 403, "MeteredHours is for the owner");
    rejects(&w, &c.alice, &["MeteredHours", msp, id, &hs, "0"], 400, "argument 4 (hours)");
    rejects(&w, &c.alice, &["MeteredHours", msp, id, &hs, "25"], 400, "argument 4 (hours)");
    rejects(&w, &c.alice, &["MeteredHours", msp, id, &T0.to_string(), "1"], 400, "not aligned to 3600 s");
}
