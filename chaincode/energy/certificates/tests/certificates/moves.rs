//! `TransferCertificate`: whole and partial (split) transfers; what may not move.

use serde_json::json;

use crate::support::{H0, HOUR, cast, issued};

const T: i64 = H0 + 2 * HOUR;

fn leaf_ids(w: &crate::support::World, owner: &crate::support::Who) -> Vec<String> {
    let page = w.query(&["CertificatesByOwner", owner.party.msp.as_str(), owner.party.id.as_str(), "100", ""]);
    page["records"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_whole_transfer_changes_the_holder() {
    let (w, id) = issued();
    let c = cast();
    let moved =
        w.cert(&c.alice, T, &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "5000"]);
    assert_eq!(moved["certificate"]["id"], id.as_str());
    assert_eq!(moved["certificate"]["owner"], json!(c.bob.party));
    assert_eq!(moved["remainder"], serde_json::Value::Null);
    assert_eq!(leaf_ids(&w, &c.bob), std::slice::from_ref(&id));
    assert!(leaf_ids(&w, &c.alice).is_empty(), "the owner index moved");
    let (name, event) = w.last_event();
    assert_eq!(name, "CertificateTransferred");
    assert_eq!((event["wh"].as_i64(), &event["to"]), (Some(5000), &json!(c.bob.party)));
    // The new holder moves it on; the old one no longer can.
    w.refused(
        &c.alice,
        T,
        &["TransferCertificate", &id, c.carol.party.msp.as_str(), c.carol.party.id.as_str(), "1"],
        403,
        "held by another",
    );
    w.cert(&c.bob, T, &["TransferCertificate", &id, c.carol.party.msp.as_str(), c.carol.party.id.as_str(), "5000"]);
    let history = w.query(&["CertificateHistory", &id]);
    let owners: Vec<&serde_json::Value> =
        history.as_array().unwrap().iter().map(|h| &h["certificate"]["owner"]).collect();
    assert_eq!(owners, [&json!(c.carol.party), &json!(c.bob.party), &json!(c.alice.party)], "newest first");
}

#[test]
fn a_partial_transfer_splits_and_conserves_wh() {
    let (w, id) = issued();
    let c = cast();
    let moved =
        w.cert(&c.alice, T, &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "1200"]);
    let (part, rest) = (&moved["certificate"], &moved["remainder"]);
    assert_eq!((part["wh"].as_i64(), rest["wh"].as_i64()), (Some(1200), Some(3800)));
    assert_eq!((&part["owner"], &rest["owner"]), (&json!(c.bob.party), &json!(c.alice.party)));
    assert_eq!((&part["parent"], &rest["parent"]), (&json!(id), &json!(id)));
    let parent = w.query(&["GetCertificate", &id]);
    assert_eq!(parent["status"], "split");
    assert_eq!(parent["children"], json!([part["id"], rest["id"]]));
    // Deterministic: SHA-256 of the parent and the child's number, the same on every peer.
    let expected_id = gridledger_certificates::store::child_id(&id, 1);
    assert_eq!(part["id"], expected_id.as_str());
    assert_eq!(rest["id"], gridledger_certificates::store::child_id(&id, 2).as_str());
    // Attributes carry over.
    for key in ["deviceId", "hourStart", "technology", "area", "issuanceTx"] {
        assert_eq!(part[key], parent[key], "{key}");
    }
    // A split parent never moves again.
    let again = ["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "1"];
    w.refused(&c.alice, T, &again, 409, &format!("certificate {id} is split: it never moves again"));
    let active = w.query(&["CertificatesByStatus", "active", "100", ""]);
    let total: i64 = active["records"].as_array().unwrap().iter().map(|c| c["wh"].as_i64().unwrap()).sum();
    assert_eq!(total, 5000);
}

#[test]
fn bad_transfers_are_refused() {
    let (w, id) = issued();
    let c = cast();
    let to = [c.bob.party.msp.as_str(), c.bob.party.id.as_str()];
    let args = |wh: &str| ["TransferCertificate", id.as_str(), to[0], to[1], wh].map(str::to_string);
    let refuse = |who, wh: &str, status, needle| {
        let a = args(wh);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        w.refused(who, T, &a, status, needle);
    };
    refuse(&c.bob, "1", 403, "held by another party");
    refuse(&c.mallory, "1", 403, "held by another party");
    refuse(&c.alice, "0", 400, "argument 4 (wh): expected an integer from 1 to 1000000000000");
    refuse(&c.alice, "-5", 400, "argument 4 (wh)");
    refuse(&c.alice, "5001", 400, "5001 Wh exceeds certificate");
    w.refused(
        &c.alice,
        T,
        &["TransferCertificate", &id, c.alice.party.msp.as_str(), c.alice.party.id.as_str(), "1"],
        400,
        "to its holder",
    );
    w.refused(&c.alice, T, &["TransferCertificate", &id, "", "x", "1"], 400, "needs an MSP id");
    w.refused(&c.alice, T, &["TransferCertificate", "nope", to[0], to[1], "1"], 404, "no certificate \"nope\"");
    // The split parent of a partial transfer is no longer active for its (former) holder either.
    let moved = w.cert(&c.alice, T, &["TransferCertificate", &id, to[0], to[1], "10"]);
    let rest = moved["remainder"]["id"].as_str().unwrap().to_string();
    w.cert(&c.alice, T, &["TransferCertificate", &rest, to[0], to[1], "4990"]);
    assert_eq!(w.query(&["GetCertificate", &id])["owner"], json!(c.alice.party), "the parent keeps its last holder");
    w.refused(&c.alice, T, &["TransferCertificate", &id, to[0], to[1], "1"], 409, "is split: it never moves again");
}
