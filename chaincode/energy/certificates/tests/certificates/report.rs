//! `MatchingReport`: hourly consumption, claims, matches and the day's 24/7 score.

use serde_json::json;

use crate::support::{H0, HOUR, cast, issued, s};

#[test]
fn the_report_matches_hour_by_hour() {
    let (w, id) = issued();
    let c = cast();
    let h1 = H0 + HOUR;
    w.import("m-load-1", H0, [300, 400, 500, 600]); // 1800
    w.import("m-load-1", h1, [250, 250, 250, 250]); // 1000
    w.import("m-load-1", H0 + 5 * HOUR, [10, 10, 10, 10]); // 40, nothing claimed
    w.export("m-pv-1", h1, [900, 900, 900, 900]);
    w.export("m-pv-1b", h1, [0, 0, 0, 0]);
    let t = H0 + 6 * HOUR;
    let second = w.cert(&c.alice, t, &["IssueCertificates", "pv-1", &s(h1)]);
    let second = second["id"].as_str().unwrap();
    let a =
        w.cert(&c.alice, t, &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "1500"]);
    let b = w.cert(
        &c.alice,
        t,
        &["TransferCertificate", second, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "3600"],
    );
    let (a, b) = (a["certificate"]["id"].as_str().unwrap(), b["certificate"]["id"].as_str().unwrap());
    w.cert(&c.bob, t, &["ClaimCertificate", a, "1500", &s(H0), c.bob.party.msp.as_str(), c.bob.party.id.as_str()]);
    w.cert(&c.bob, t, &["ClaimCertificate", b, "1000", &s(h1), c.bob.party.msp.as_str(), c.bob.party.id.as_str()]);

    let report =
        w.ok("certificates", &c.bob, t, &["MatchingReport", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(H0)]);
    let hours = report["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[0], json!({"hourStart": H0, "consumptionWh": 1800, "claimedWh": 1500, "matchedWh": 1500}));
    assert_eq!(hours[1], json!({"hourStart": h1, "consumptionWh": 1000, "claimedWh": 1000, "matchedWh": 1000}));
    assert_eq!(hours[5]["matchedWh"], 0);
    assert_eq!(hours[5]["consumptionWh"], 40);
    // By hand: matched 2500 of 2840 consumed = 125/142, 8802 basis points (8802.8 rounded down).
    assert_eq!((report["consumptionWh"].as_i64(), report["matchedWh"].as_i64()), (Some(2840), Some(2500)));
    assert_eq!(report["score"], json!({"numerator": 125, "denominator": 142}));
    assert_eq!(report["scoreBasisPoints"], 8802);
    // The supplier and a grid operator may read it; another prosumer may not.
    w.ok("certificates", &c.utility, t, &["MatchingReport", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(H0)]);
    w.refused(
        &c.carol,
        t,
        &["MatchingReport", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(H0)],
        403,
        "MeteredHours is for",
    );
    // A day without consumption has no score.
    let empty = w.ok(
        "certificates",
        &c.bob,
        t,
        &["MatchingReport", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(H0 + 86_400)],
    );
    assert_eq!((&empty["score"], &empty["scoreBasisPoints"]), (&json!(null), &json!(null)));
    w.refused(
        &c.bob,
        t,
        &["MatchingReport", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(H0 + 1)],
        400,
        "not aligned",
    );
}
