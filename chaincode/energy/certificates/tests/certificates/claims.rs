//! `ClaimCertificate`: cancellation for a beneficiary's consumption of the same hour, bounded by it.

use serde_json::json;

use crate::support::{H0, HOUR, World, cast, issued, s};

const T: i64 = H0 + 2 * HOUR;

/// pv-1's certificate of `H0` (5000 Wh), with bob's load importing 300+400+500+600 = 1800 Wh in `H0`; 2000 Wh
/// transferred to bob. Returns the world and bob's certificate.
fn bob_holds_2000() -> (World, String) {
    let (w, id) = issued();
    let c = cast();
    w.import("m-load-1", H0, [300, 400, 500, 600]);
    let moved =
        w.cert(&c.alice, T, &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "2000"]);
    (w, moved["certificate"]["id"].as_str().unwrap().to_string())
}

fn claim<'a>(id: &'a str, wh: &'a str, hour: &'a str, who: &'a crate::support::Who) -> [&'a str; 6] {
    ["ClaimCertificate", id, wh, hour, who.party.msp.as_str(), who.party.id.as_str()]
}

#[test]
fn a_holder_claims_for_its_own_consumption_of_the_hour() {
    let (w, id) = bob_holds_2000();
    let c = cast();
    let h0 = s(H0);
    let moved = w.cert(&c.bob, T, &claim(&id, "1500", &h0, &c.bob));
    let cancelled = &moved["certificate"];
    assert_eq!((cancelled["wh"].as_i64(), cancelled["status"].as_str()), (Some(1500), Some("cancelled")));
    assert_eq!(cancelled["cancellation"]["kind"], "claim");
    assert_eq!(cancelled["cancellation"]["beneficiary"], json!(c.bob.party));
    assert_eq!((moved["remainder"]["wh"].as_i64(), moved["remainder"]["status"].as_str()), (Some(500), Some("active")));
    let (name, event) = w.last_event();
    assert_eq!((name.as_str(), event["wh"].as_i64()), ("CertificateClaimed", Some(1500)));
    // 1500 + 400 > 1800: the claims of the hour together stay within its consumption.
    let rest = moved["remainder"]["id"].as_str().unwrap();
    let msg = w.refused(&c.bob, T, &claim(rest, "400", &h0, &c.bob), 409, "would reach 1900 Wh");
    assert!(msg.contains("metered consumption of 1800 Wh (1500 Wh already claimed)"), "{msg}");
    w.cert(&c.bob, T, &claim(rest, "300", &h0, &c.bob));
    // Cancelled certificates never move again.
    let cancelled_id = cancelled["id"].as_str().unwrap();
    let never = "is cancelled: it never moves again";
    w.refused(&c.bob, T, &claim(cancelled_id, "1", &h0, &c.bob), 409, never);
    w.refused(
        &c.bob,
        T,
        &["TransferCertificate", cancelled_id, c.carol.party.msp.as_str(), c.carol.party.id.as_str(), "1"],
        409,
        never,
    );
    w.refused(&c.bob, T, &["OfferCertificate", cancelled_id, "1", "1"], 409, never);
}

#[test]
fn claims_are_for_the_certificates_hour_and_the_holder_only() {
    let (w, id) = bob_holds_2000();
    let c = cast();
    let next = s(H0 + HOUR);
    w.import("m-load-1", H0 + HOUR, [300, 300, 300, 300]);
    let msg = w.refused(&c.bob, T, &claim(&id, "100", &next, &c.bob), 409, "cannot cover consumption in hour");
    assert!(msg.contains(&format!("is for production in hour {H0}")), "{msg}");
    w.refused(&c.alice, T, &claim(&id, "100", &s(H0), &c.bob), 403, "held by another party");
    w.refused(&c.bob, T, &claim(&id, "100", &s(H0 + 60), &c.bob), 400, "not aligned to 3600 s");
    w.refused(&c.bob, T, &claim(&id, "2001", &s(H0), &c.bob), 400, "exceeds");
    // A beneficiary whose consumption bob may not read (carol): metering refuses, so bob cannot claim for her.
    w.import("m-load-2", H0, [100, 100, 100, 100]);
    w.refused(&c.bob, T, &claim(&id, "100", &s(H0), &c.carol), 403, "MeteredHours is for the owner");
    // Without consumption in the hour, nothing can be claimed.
    let (w2, id2) = issued();
    w2.refused(&c.alice, T, &claim(&id2, "1", &s(H0), &c.alice), 409, "above its metered consumption of 0 Wh");
}

#[test]
fn a_supplier_claims_for_its_customer() {
    let (w, id) = issued();
    let c = cast();
    w.import("m-load-2", H0, [100, 100, 100, 100]);
    w.cert(
        &c.alice,
        T,
        &["TransferCertificate", &id, c.utility.party.msp.as_str(), c.utility.party.id.as_str(), "5000"],
    );
    let moved = w.cert(&c.utility, T, &claim(&id, "400", &s(H0), &c.carol));
    assert_eq!(moved["certificate"]["cancellation"]["by"], json!(c.utility.party));
    assert_eq!(moved["certificate"]["cancellation"]["beneficiary"], json!(c.carol.party));
}
