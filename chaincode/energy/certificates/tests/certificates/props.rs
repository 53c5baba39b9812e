//! Property tests on the in-memory ledger with the real chaincodes.

use proptest::prelude::*;
use serde_json::Value;

use crate::support::{H0, HOUR, Who, World, cast, issued, s};

/// Every certificate on the ledger.
fn all_certificates(w: &World) -> Vec<Value> {
    let mut out = Vec::new();
    for status in ["active", "split", "cancelled"] {
        let page = w.query(&["CertificatesByStatus", status, "1000", ""]);
        out.extend(page["records"].as_array().unwrap().iter().cloned());
    }
    out
}

fn sum_wh<'a>(certs: impl IntoIterator<Item = &'a Value>) -> i64 {
    certs.into_iter().map(|c| c["wh"].as_i64().unwrap()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// However often issuance is asked for, and whatever readings exist, a device's issued certificates never
    /// exceed its metered export; each complete hour with export is issued exactly once, for exactly its export.
    #[test]
    fn issuance_never_exceeds_metered_export(
        hours in proptest::collection::vec(proptest::collection::vec(proptest::option::weighted(0.9, 0i64..2500), 4), 1..5),
        attempts in proptest::collection::vec((0usize..5, 0i64..3), 1..12),
    ) {
        let w = World::new();
        w.device("pv-1", &["m-pv-1"]);
        for (i, whs) in hours.iter().enumerate() {
            let hour = H0 + i as i64 * HOUR;
            let batch = w.readings("m-pv-1", hour, "2.8.0", whs);
            if !batch.is_empty() {
                w.submit(hour + HOUR, &batch);
            }
        }
        let end = H0 + hours.len() as i64 * HOUR;
        for (i, late) in &attempts {
            w.call("certificates", &cast().alice, end + late, &["IssueCertificates", "pv-1", &s(H0 + *i as i64 * HOUR)]);
        }
        let exported: i64 = hours.iter().flatten().flatten().sum();
        let certs = all_certificates(&w);
        prop_assert!(sum_wh(&certs) <= exported);
        for (i, whs) in hours.iter().enumerate() {
            let hour = H0 + i as i64 * HOUR;
            let of_hour: Vec<&Value> = certs.iter().filter(|c| c["hourStart"] == hour).collect();
            let complete = whs.iter().all(Option::is_some);
            let export: i64 = whs.iter().flatten().sum();
            let asked = attempts.iter().any(|(a, _)| *a == i);
            if complete && export > 0 && asked {
                prop_assert_eq!(of_hour.len(), 1);
                prop_assert_eq!(sum_wh(of_hour), export);
            } else {
                prop_assert!(of_hour.is_empty());
            }
        }
    }

    /// Transfers of random amounts between random holders: the active certificates always add up to what was
    /// issued, and every split parent's Wh is the sum of its two children's.
    #[test]
    fn splits_preserve_wh(moves in proptest::collection::vec((0usize..16, 0usize..3, 1i64..6000), 1..12)) {
        let (w, _) = issued();
        let c = cast();
        let people: [&Who; 3] = [&c.alice, &c.bob, &c.carol];
        for (pick, to, wh) in moves {
            let active: Vec<Value> = all_certificates(&w).into_iter().filter(|c| c["status"] == "active").collect();
            let cert = &active[pick % active.len()];
            let holder = people.iter().find(|p| cert["owner"]["id"] == p.party.id.as_str()).unwrap();
            let to = people[to];
            let id = cert["id"].as_str().unwrap();
            w.call("certificates", holder, H0 + 2 * HOUR, &["TransferCertificate", id, to.party.msp.as_str(), to.party.id.as_str(), &s(wh)]);
            let all = all_certificates(&w);
            prop_assert_eq!(sum_wh(all.iter().filter(|c| c["status"] == "active")), 5000);
            for parent in all.iter().filter(|c| c["status"] == "split") {
                let children: Vec<&Value> =
                    all.iter().filter(|c| c["parent"] == parent["id"]).collect();
                prop_assert_eq!(children.len(), 2);
                prop_assert_eq!(sum_wh(children), parent["wh"].as_i64().unwrap());
            }
        }
    }

    /// Random claims and transfers: a certificate is cancelled at most once (its history holds at most one
    /// cancelled version, and nothing is written to it after), and the claims stay within the consumption.
    #[test]
    fn a_certificate_is_cancelled_at_most_once(
        steps in proptest::collection::vec((any::<bool>(), 0usize..16, 1i64..3000), 1..12),
    ) {
        let (w, _) = issued();
        let c = cast();
        w.import("m-load-1", H0, [1000, 1000, 1000, 1000]);
        let consumption = 4000;
        for (claim, pick, wh) in steps {
            let certs = all_certificates(&w);
            let cert = &certs[pick % certs.len()];
            let id = cert["id"].as_str().unwrap();
            let holder = if cert["owner"]["id"] == c.alice.party.id.as_str() { &c.alice } else { &c.bob };
            let args: Vec<String> = if claim {
                ["ClaimCertificate", id, &s(wh), &s(H0), c.bob.party.msp.as_str(), c.bob.party.id.as_str()].map(str::to_string).to_vec()
            } else {
                ["TransferCertificate", id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), &s(wh)].map(str::to_string).to_vec()
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // Alice claims for bob only once she gave him the certificate (she may not read his consumption).
            w.call("certificates", holder, H0 + 2 * HOUR, &args);
        }
        let all = all_certificates(&w);
        for cert in &all {
            let history = w.query(&["CertificateHistory", cert["id"].as_str().unwrap()]);
            let versions = history.as_array().unwrap();
            let cancelled = versions.iter().filter(|v| v["certificate"]["status"] == "cancelled").count();
            prop_assert!(cancelled <= 1);
            if cancelled == 1 {
                prop_assert_eq!(&versions[0]["certificate"]["status"], "cancelled", "nothing after cancellation");
            }
        }
        let claimed = sum_wh(all.iter().filter(|c| c["status"] == "cancelled"));
        prop_assert!(claimed <= consumption);
        prop_assert_eq!(sum_wh(all.iter().filter(|c| c["status"] != "split")), 5000);
    }
}
