//! `SubmitOcmf` and `GetOcmf` on the in-memory ledger, with the vectors made by Python `cryptography`.

use serde_json::json;

use super::fixture::{self, World, cast};
use crate::keys::READINGS_COLLECTION;
use crate::ocmf::tests::{record, vectors};

/// A world whose meter `ev-1` measures bat-1 (alice's, 5 kW: 1250 Wh per 15 minutes) with the vectors' key.
fn world() -> World {
    let w = World::new();
    let meter = json!({"id": "ev-1", "assetId": "bat-1", "publicKey": vectors()["publicKey"],
                       "registers": ["1.8.0"], "intervalSeconds": 900});
    w.ok(&cast().installer, &["RegisterMeter", &meter.to_string()]);
    w
}

fn snapshot(w: &World) -> (std::collections::BTreeMap<String, Vec<u8>>, std::collections::BTreeMap<String, Vec<u8>>) {
    (w.ledger.state("metering"), w.ledger.collection("metering", READINGS_COLLECTION))
}

fn refused(w: &World, creator: &[u8], args: &[&str], status: i32, needle: &str) {
    let before = snapshot(w);
    let r = w.call(creator, args);
    assert_eq!(r.status, status, "{}", r.message);
    assert!(r.message.contains(needle), "{:?} does not contain {needle:?}", r.message);
    assert_eq!(snapshot(w), before, "a refused {} changed the ledger", args[0]);
}

#[test]
fn a_signed_charging_session_is_a_reading_and_a_tampered_one_is_refused() {
    let w = world();
    let c = cast();
    let session = record("session-kwh-hex");
    refused(&w, &c.alice, &["SubmitOcmf", "ev-1", &session], 403, "gateway");
    refused(&w, &c.gateway, &["SubmitOcmf", "ev-1", &record("tampered-value")], 400, "does not verify");
    refused(&w, &c.gateway, &["SubmitOcmf", "ev-1", &record("straddles-intervals")], 400, "more than one 900 s");
    refused(&w, &c.gateway, &["SubmitOcmf", "nope", &session], 404, "nope");
    // The same record for a meter with another key does not verify.
    w.register("m-1", "pv-1", &["1.8.0", "2.8.0"]);
    refused(&w, &c.gateway, &["SubmitOcmf", "m-1", &session], 400, "does not verify");
    // Before the interval ended (the session's interval is 1700000100 + 900).
    let tx = w.ledger.tx(["SubmitOcmf", "ev-1", &session]).with_creator(c.gateway.clone());
    let r = tx.with_timestamp(1_700_000_999, 0).invoke(&w.cc);
    assert_eq!((r.status, r.message.contains("has not ended")), (400, true), "{}", r.message);

    let receipt = w.json(&c.gateway, &["SubmitOcmf", "ev-1", &session]);
    assert_eq!(
        receipt,
        json!({"meterId": "ev-1", "intervalStart": 1_700_000_100, "register": "1.8.0", "wh": 1140, "counter": 17})
    );
    let reading = w.json(&c.alice, &["GetReading", "ev-1", "1700000100", "1.8.0"]);
    assert_eq!((reading["wh"].as_i64(), reading["counter"].as_u64()), (Some(1140), Some(17)));
    assert_eq!(w.ok(&c.operator, &["GetOcmf", "ev-1", "1700000100", "1.8.0"]), session);
    refused(&w, &c.bob, &["GetOcmf", "ev-1", "1700000100", "1.8.0"], 403, "GetOcmf is for the owner");
    let alice = fixture::party(&c.alice);
    let metered = w.json(
        &c.alice,
        &["MeteredEnergy", alice["msp"].as_str().unwrap(), alice["id"].as_str().unwrap(), "1700000100"],
    );
    assert_eq!(metered["importWh"], 1140);
    let totals = w.json(&c.alice, &["IntervalTotals", "cp-2", "1700000100"]);
    assert_eq!((totals["importWh"].as_i64(), totals["readings"].as_u64()), (Some(1140), Some(1)));

    // Replaying it is refused by the counter; the next record (PG F18, Wh, base64) is accepted.
    refused(&w, &c.gateway, &["SubmitOcmf", "ev-1", &session], 409, "counter 17 (PG) is not above");
    let next = w.json(&c.gateway, &["SubmitOcmf", "ev-1", &record("fiscal-wh-base64")]);
    assert_eq!((next["wh"].as_i64(), next["counter"].as_u64()), (Some(600), Some(18)));
}
