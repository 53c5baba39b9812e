//! `IssueCertificates` and `GetIssuance`: exactly the hour's export, once, from complete hours only.

use serde_json::json;

use crate::support::{H0, HOUR, World, cast, issued, s};

#[test]
fn issues_the_hours_export_to_the_producer_once() {
    let (w, id) = issued();
    let c = cast();
    let cert = w.query(&["GetCertificate", &id]);
    assert_eq!(cert["wh"], 5000, "1000+1100+1200+1300 on m-pv-1, 4x100 on m-pv-1b");
    assert_eq!(cert["owner"], json!(c.alice.party));
    assert_eq!(cert["hourStart"], H0);
    assert_eq!(cert["status"], "active");
    assert_eq!(cert["technology"], "T020001");
    assert_eq!(cert["fromStorage"], false);
    assert_eq!(id.len(), 64, "a derived SHA-256 id");
    let issuance = w.query(&["GetIssuance", "pv-1", &s(H0)]);
    assert_eq!((issuance["meteredWh"].as_i64(), issuance["issuedWh"].as_i64()), (Some(5000), Some(5000)));
    assert_eq!(issuance["certificateId"], id.as_str());
    assert_eq!(issuance["txId"], cert["issuanceTx"]);
    let sources = issuance["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    assert_eq!(
        sources[0],
        json!({"meterId": "m-pv-1", "intervalSeconds": 900, "readings": 4, "exportWh": 4600,
                                  "firstCounter": 1, "lastCounter": 4})
    );
    let (name, payload) = w.last_event();
    assert_eq!((name.as_str(), &payload["id"]), ("CertificateIssued", &json!(id)));

    let again = ["IssueCertificates", "pv-1", &s(H0)];
    w.refused(&c.alice, H0 + 2 * HOUR, &again, 409, "were already issued");
    w.refused(&c.issuer, H0 + 2 * HOUR, &again, 409, "were already issued");
}

#[test]
fn the_issuer_may_issue_for_the_producer() {
    let w = World::new();
    let c = cast();
    w.device("pv-1", &["m-pv-1"]);
    w.export("m-pv-1", H0, [1, 2, 3, 4]);
    let cert = w.cert(&c.issuer, H0 + HOUR, &["IssueCertificates", "pv-1", &s(H0)]);
    assert_eq!((cert["wh"].as_i64(), &cert["owner"]), (Some(10), &json!(c.alice.party)));
}

#[test]
fn others_may_not_issue() {
    let w = World::new();
    let c = cast();
    w.device("pv-1", &["m-pv-1"]);
    w.export("m-pv-1", H0, [1, 2, 3, 4]);
    let args = ["IssueCertificates", "pv-1", &s(H0)];
    // Metering does not let bob read alice's meter.
    w.refused(&c.bob, H0 + HOUR, &args, 403, "MeterHour is for the asset's owner");
    // The grid operator may read it, but is no issuer by role.
    w.refused(&c.grid_operator, H0 + HOUR, &args, 403, "for the device's producer and the issuing body's issuer");
}

#[test]
fn incomplete_empty_and_unfinished_hours_issue_nothing() {
    let w = World::new();
    let c = cast();
    w.device("pv-1", &["m-pv-1", "m-pv-1b"]);
    let args = ["IssueCertificates", "pv-1", &s(H0)];
    w.refused(&c.alice, H0 + HOUR, &args, 409, "m-pv-1\" has export readings for 0 of its 4 intervals");
    w.export("m-pv-1", H0, [10, 10, 10, 10]);
    let three = w.readings("m-pv-1b", H0, "2.8.0", &[Some(5), None, Some(5), Some(5)]);
    w.submit(H0 + HOUR, &three);
    w.refused(&c.alice, H0 + HOUR, &args, 409, "m-pv-1b\" has export readings for 3 of its 4 intervals");
    // An hour that has not ended (readings of its first interval exist).
    let next = H0 + HOUR;
    let first = w.readings("m-pv-1", next, "2.8.0", &[Some(7)]);
    w.submit(next + 900, &first);
    let early = ["IssueCertificates", "pv-1", &s(next)];
    w.refused(&c.alice, next + HOUR - 1, &early, 409, "cannot be certified at");
    // A complete hour without export.
    let zero = H0 + 5 * HOUR;
    w.export("m-pv-1", zero, [0, 0, 0, 0]);
    w.export("m-pv-1b", zero, [0, 0, 0, 0]);
    w.refused(&c.alice, zero + HOUR, &["IssueCertificates", "pv-1", &s(zero)], 409, "exported nothing");
    // Arguments.
    w.refused(&c.alice, H0 + HOUR, &["IssueCertificates", "pv-1", &s(H0 + 900)], 400, "not aligned to 3600 s");
    w.refused(&c.alice, H0 + HOUR, &["IssueCertificates", "pv-9", &s(H0)], 404, "device \"pv-9\" is not registered");
    w.refused(&c.alice, H0 + HOUR, &["IssueCertificates", "pv-1", "-3600"], 400, "argument 2 (hourStart)");
    assert_eq!(w.query_status(&["GetIssuance", "pv-1", &s(H0)]).0, 404);
}

#[test]
fn an_hour_split_between_owners_is_refused() {
    let w = World::new();
    let c = cast();
    w.device("pv-1", &["m-pv-1"]);
    let first = w.readings("m-pv-1", H0, "2.8.0", &[Some(10), Some(10)]);
    w.submit(H0 + 1800, &first);
    // pv-1 changes hands mid-hour; the next readings are attributed to bob.
    w.ok(
        "registry",
        &c.alice,
        H0 + 1800,
        &["OfferTransfer", "pv-1", c.bob.party.msp.as_str(), c.bob.party.id.as_str()],
    );
    w.ok("registry", &c.bob, H0 + 1801, &["AcceptTransfer", "pv-1"]);
    let rest = w.readings("m-pv-1", H0 + 1800, "2.8.0", &[Some(10), Some(10)]);
    w.submit(H0 + HOUR, &rest);
    w.refused(&c.issuer, H0 + HOUR, &["IssueCertificates", "pv-1", &s(H0)], 409, "attributed to 2 parties");
}
