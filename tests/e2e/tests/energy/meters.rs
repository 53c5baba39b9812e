//! The metering part of the energy scenario: meters registered by the installer, one set inactive, and a batch
//! for an interval that has ended: accepted once; replay, forgeries and an inactive meter's readings refused.

use gridledger_e2e::Network;
use serde_json::{Value, json};

use super::assets::Assets;
use super::support::{Cast, INTERVAL, Meter, now, ok, refused, submit, submit_readings};

/// Registers alice's and bob's meters (returned), and a third meter that the grid operator deactivates.
pub(crate) fn register(net: &Network, cast: &Cast, tag: &str, assets: &Assets, alice: &Value) -> (Meter, Meter) {
    let (m_alice, m_bob) = (Meter::new(format!("m-{tag}-a")), Meter::new(format!("m-{tag}-b")));
    let pv = assets.pv.as_str();
    refused(
        "RegisterMeter by a prosumer",
        &submit(net, &cast.alice, "metering", &["RegisterMeter", &m_alice.registration(pv)]),
        403,
        "",
    );
    let meter =
        ok("RegisterMeter", &submit(net, &cast.installer, "metering", &["RegisterMeter", &m_alice.registration(pv)]));
    assert_eq!(meter["owner"], *alice, "the meter's owner is the asset's");
    assert_eq!((&meter["status"], &meter["intervalSeconds"]), (&json!("active"), &json!(INTERVAL)));
    let battery = m_bob.registration(&assets.battery);
    ok("RegisterMeter", &submit(net, &cast.installer, "metering", &["RegisterMeter", &battery]));
    refused("RegisterMeter twice", &submit(net, &cast.installer, "metering", &["RegisterMeter", &battery]), 409, "");

    // A spare meter on the PV system, switched off by the grid operator: its readings are refused.
    let spare = Meter::new(format!("m-{tag}-c"));
    ok("RegisterMeter", &submit(net, &cast.installer, "metering", &["RegisterMeter", &spare.registration(pv)]));
    let off = ["SetMeterStatus", spare.id.as_str(), "inactive"];
    refused("SetMeterStatus by a prosumer", &submit(net, &cast.alice, "metering", &off), 403, "");
    let status = ok("SetMeterStatus", &submit(net, &cast.grid_operator, "metering", &off));
    assert_eq!(status["status"], "inactive");
    let past = (now() / INTERVAL - 1) * INTERVAL;
    let text = format!("meter {} is inactive", spare.id);
    refused(
        "readings of an inactive meter",
        &submit_readings(net, &cast.gateway, &[spare.reading(past, "2.8.0", 1, 1)]),
        409,
        &text,
    );
    (m_alice, m_bob)
}

/// Readings of an interval that has ended: accepted once, visible as public totals and private energy; replays
/// and forgeries refused.
pub(crate) fn past_readings(net: &Network, cast: &Cast, cp: &str, meters: (&Meter, &Meter), parties: (&Value, &Value)) {
    let (m_alice, m_bob) = meters;
    let past = (now() / INTERVAL - 1) * INTERVAL;
    let p = past.to_string();
    let batch = vec![
        m_alice.reading(past, "2.8.0", 1000, 1),
        m_alice.reading(past, "1.8.0", 10, 2),
        m_bob.reading(past, "1.8.0", 500, 1),
    ];
    refused("SubmitReadings by a prosumer", &submit_readings(net, &cast.alice, &batch), 403, "");
    let accepted = ok("SubmitReadings", &submit_readings(net, &cast.gateway, &batch));
    assert_eq!(accepted, json!({"accepted": 3, "meters": 2}));
    refused("the same batch again", &submit_readings(net, &cast.gateway, &batch), 409, "already recorded (replay)");
    let earlier = past - INTERVAL;
    let mut forged = m_alice.reading(earlier, "2.8.0", 1000, 3);
    forged.signature = m_bob.reading(earlier, "2.8.0", 1000, 3).signature;
    refused(
        "a reading signed with another meter's key",
        &submit_readings(net, &cast.gateway, &[forged]),
        400,
        "reading 0 (meter",
    );
    let mut tampered = m_alice.reading(earlier, "2.8.0", 900, 3);
    tampered.wh = 1900;
    let tampered_batch = [m_bob.reading(earlier, "1.8.0", 1, 2), tampered];
    let got = submit_readings(net, &cast.gateway, &tampered_batch);
    refused("a reading whose energy was changed after signing", &got, 400, "signature does not verify");
    assert!(got.message().starts_with("reading 1 "), "the message names the bad reading: {}", got.message());
    let totals = ok("IntervalTotals", &net.evaluate("metering", &["IntervalTotals", cp, &p]));
    assert_eq!(
        totals,
        json!({"connectionPoint": cp, "intervalStart": past, "importWh": 510, "exportWh": 1000, "readings": 3,
               "intervalSeconds": INTERVAL})
    );
    let empty = ok("IntervalTotals", &net.evaluate("metering", &["IntervalTotals", cp, &earlier.to_string()]));
    assert_eq!(empty["readings"], 0, "the refused batches wrote nothing");
    // Private readings: the owner and the utility read them; another prosumer may not.
    let (alice, bob) = parties;
    let (alice_id, bob_id) = (alice["id"].as_str().unwrap_or(""), bob["id"].as_str().unwrap_or(""));
    let own = ok(
        "MeteredEnergy",
        &net.evaluate_as(&cast.alice, "metering", &["MeteredEnergy", &cast.prosumer_msp, alice_id, &p]),
    );
    assert_eq!(own, json!({"importWh": 10, "exportWh": 1000, "intervalSeconds": INTERVAL}));
    let by_utility =
        net.evaluate_as(&cast.utility_operator, "metering", &["MeteredEnergy", &cast.prosumer_msp, bob_id, &p]);
    assert_eq!(ok("MeteredEnergy", &by_utility), json!({"importWh": 500, "exportWh": 0, "intervalSeconds": INTERVAL}));
    refused(
        "MeteredEnergy of alice read by bob",
        &net.evaluate_as(&cast.bob, "metering", &["MeteredEnergy", &cast.prosumer_msp, alice_id, &p]),
        403,
        "",
    );
    let stored = ok("GetReading", &net.evaluate_as(&cast.alice, "metering", &["GetReading", &m_alice.id, &p, "2.8.0"]));
    assert_eq!(stored["wh"], 1000);
}
