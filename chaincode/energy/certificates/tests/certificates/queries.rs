//! Paginated queries by owner, device, hour and status; history.

use crate::support::{H0, HOUR, cast, issued, s};

fn ids(page: &serde_json::Value) -> Vec<String> {
    page["records"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn queries_page_through_the_indexes() {
    let (w, id) = issued();
    let c = cast();
    let t = H0 + 2 * HOUR;
    let moved =
        w.cert(&c.alice, t, &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "100"]);
    let (part, rest) = (moved["certificate"]["id"].as_str().unwrap(), moved["remainder"]["id"].as_str().unwrap());

    let all = w.query(&["CertificatesByDevice", "pv-1", "100", ""]);
    assert_eq!(all["records"].as_array().unwrap().len(), 3, "the split parent and its children");
    assert_eq!(all["bookmark"], "");
    // One at a time, following the bookmark.
    let mut seen = Vec::new();
    let mut bookmark = String::new();
    loop {
        let page = w.query(&["CertificatesByDevice", "pv-1", "1", &bookmark]);
        seen.extend(ids(&page));
        bookmark = page["bookmark"].as_str().unwrap().to_string();
        if bookmark.is_empty() {
            break;
        }
    }
    assert_eq!(seen, ids(&all));
    assert_eq!(ids(&w.query(&["CertificatesByHour", &s(H0), "100", ""])), ids(&all));
    assert!(ids(&w.query(&["CertificatesByHour", &s(H0 + HOUR), "100", ""])).is_empty());
    let mut active = ids(&w.query(&["CertificatesByStatus", "active", "100", ""]));
    active.sort();
    let mut expected = vec![part.to_string(), rest.to_string()];
    expected.sort();
    assert_eq!(active, expected);
    assert_eq!(ids(&w.query(&["CertificatesByStatus", "split", "100", ""])), std::slice::from_ref(&id));
    assert_eq!(
        ids(&w.query(&["CertificatesByOwner", c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "100", ""])),
        [part.to_string()]
    );

    assert_eq!(w.query_status(&["CertificatesByStatus", "lost", "10", ""]).0, 400);
    assert_eq!(w.query_status(&["CertificatesByDevice", "pv-1", "0", ""]).0, 400);
    assert_eq!(w.query_status(&["CertificatesByDevice", "pv-1", "1001", ""]).0, 400);
    let (status, message) = w.query_status(&["CertificatesByDevice", "pv-1", "1", "not-a-bookmark"]);
    assert_eq!((status, message.contains("does not come from this query")), (400, true), "{message}");

    let history = w.query(&["CertificateHistory", &id]);
    let statuses: Vec<&str> =
        history.as_array().unwrap().iter().map(|h| h["certificate"]["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["split", "active"]);
    assert_eq!(w.query_status(&["CertificateHistory", "nope"]).0, 404);
    assert_eq!(w.query_status(&["GetCertificate", "nope"]).0, 404);
}
