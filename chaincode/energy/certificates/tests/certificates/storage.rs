//! The storage rule: `ChargeStorage`, then a storage device's discharge is certified only as far as charged.

use serde_json::json;

use crate::support::{H0, HOUR, World, cast, issued, s};

/// pv-1's 5000 Wh certificate of `H0`, and bat-1 a storage device importing 2000 Wh in `H0`.
fn charged_world() -> (World, String) {
    let (w, id) = issued();
    w.device("bat-1", &["m-bat-1"]);
    w.import("m-bat-1", H0, [500, 500, 500, 500]);
    (w, id)
}

#[test]
fn storage_passes_on_what_was_charged_into_it() {
    let (w, id) = charged_world();
    let c = cast();
    let t = H0 + 2 * HOUR;
    let moved = w.cert(&c.alice, t, &["ChargeStorage", &id, "1500", "bat-1"]);
    assert_eq!(moved["certificate"]["cancellation"]["kind"], "storage");
    assert_eq!(moved["certificate"]["cancellation"]["storageDevice"], "bat-1");
    let rest = moved["remainder"]["id"].as_str().unwrap().to_string();
    // 1500 + 600 > the 2000 Wh bat-1 imported in H0.
    w.refused(
        &c.alice,
        t,
        &["ChargeStorage", &rest, "600", "bat-1"],
        409,
        "would reach 2100 Wh, above its metered import",
    );

    // Discharge in the same hour as the charge does not count: charges must be earlier.
    w.export("m-bat-1", H0, [100, 100, 100, 100]);
    w.refused(&c.alice, t, &["IssueCertificates", "bat-1", &s(H0)], 409, "no certificates charged into storage");
    // The next hour: 1600 Wh discharged, 1500 Wh certified.
    let h1 = H0 + HOUR;
    w.export("m-bat-1", h1, [400, 400, 400, 400]);
    let cert = w.cert(&c.alice, t, &["IssueCertificates", "bat-1", &s(h1)]);
    assert_eq!((cert["wh"].as_i64(), &cert["fromStorage"]), (Some(1500), &json!(true)));
    let issuance = w.query(&["GetIssuance", "bat-1", &s(h1)]);
    assert_eq!((issuance["meteredWh"].as_i64(), issuance["issuedWh"].as_i64()), (Some(1600), Some(1500)));
    // Used up: a later discharge issues nothing.
    let h2 = H0 + 2 * HOUR;
    w.export("m-bat-1", h2, [400, 400, 400, 400]);
    w.refused(&c.alice, h2 + HOUR, &["IssueCertificates", "bat-1", &s(h2)], 409, "no certificates charged");
}

#[test]
fn charge_rules() {
    let (w, id) = charged_world();
    let c = cast();
    let t = H0 + 2 * HOUR;
    w.refused(&c.alice, t, &["ChargeStorage", &id, "10", "pv-1"], 409, "is \"pv\", not storage");
    w.refused(&c.alice, t, &["ChargeStorage", &id, "10", "bat-9"], 404, "not registered");
    w.refused(&c.bob, t, &["ChargeStorage", &id, "10", "bat-1"], 403, "held by another party");
    w.refused(&c.alice, t, &["ChargeStorage", &id, "0", "bat-1"], 400, "argument 2 (wh)");
    // A storage certificate cannot go back into its own device.
    w.cert(&c.alice, t, &["ChargeStorage", &id, "1000", "bat-1"]);
    w.export("m-bat-1", H0 + HOUR, [100, 100, 100, 100]);
    let own = w.cert(&c.alice, t, &["IssueCertificates", "bat-1", &s(H0 + HOUR)]);
    let own_id = own["id"].as_str().unwrap();
    w.import("m-bat-1", H0 + HOUR, [100, 100, 100, 100]);
    w.refused(&c.alice, t, &["ChargeStorage", own_id, "10", "bat-1"], 409, "cannot be charged back into it");
}
