//! AssetsByOwner/Kind/ConnectionPoint/Status (pagination) and AssetHistory.

use serde_json::Value;

use super::*;

fn ids(page: &Value) -> Vec<String> {
    page["records"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect()
}

/// Every page of a query, following bookmarks; returns the ids in order and the number of pages.
fn all_pages(net: &Net, function: &str, key: &[&str], size: &str) -> (Vec<String>, usize) {
    let (mut all, mut pages, mut bookmark) = (Vec::new(), 0, String::new());
    loop {
        let mut args = vec![function];
        args.extend_from_slice(key);
        args.extend([size, bookmark.as_str()]);
        let page = net.ok(&no_role(), &args);
        pages += 1;
        all.extend(ids(&page));
        bookmark = page["bookmark"].as_str().unwrap().to_string();
        if bookmark.is_empty() {
            return (all, pages);
        }
    }
}

fn populate(net: &Net) {
    let (a, b) = (alice(), bob());
    for i in 0..5 {
        net.register(&a, &format!("a-pv-{i}"), "pv", 1000, "cp-north");
    }
    net.register(&a, "a-bat", "storage", 2000, "cp-south");
    net.register(&b, "b-wind", "wind", 9000, "cp-north");
    net.register(&b, "b-ev", "ev-charger", 7000, "cp-south");
    for id in ["a-pv-0", "a-pv-1", "b-wind"] {
        net.ok(&grid_operator(), &["ApproveConnection", id]);
    }
}

#[test]
fn by_owner_pages_through_the_owners_assets() {
    let net = Net::new();
    populate(&net);
    let a = alice();
    let page = net.ok(&bob(), &["AssetsByOwner", &a.party.msp, &a.party.id, "4", ""]);
    assert_eq!(ids(&page), ["a-bat", "a-pv-0", "a-pv-1", "a-pv-2"]);
    assert_eq!(page["records"][0]["owner"], party_json(&a.party));
    assert!(!page["bookmark"].as_str().unwrap().is_empty());
    let (all, pages) = all_pages(&net, "AssetsByOwner", &[&a.party.msp, &a.party.id], "4");
    assert_eq!((all.len(), pages), (6, 2));
    let b = bob();
    assert_eq!(all_pages(&net, "AssetsByOwner", &[&b.party.msp, &b.party.id], "10").0, ["b-ev", "b-wind"]);
    // Another user of the same MSP owns nothing.
    let e = eve();
    assert!(all_pages(&net, "AssetsByOwner", &[&e.party.msp, &e.party.id], "10").0.is_empty());
}

#[test]
fn by_kind_connection_point_and_status() {
    let net = Net::new();
    populate(&net);
    assert_eq!(all_pages(&net, "AssetsByKind", &["pv"], "2"), ((0..5).map(|i| format!("a-pv-{i}")).collect(), 3));
    assert_eq!(all_pages(&net, "AssetsByKind", &["storage"], "2").0, ["a-bat"]);
    assert!(all_pages(&net, "AssetsByKind", &["chp"], "2").0.is_empty());
    assert_eq!(all_pages(&net, "AssetsByConnectionPoint", &["cp-south"], "1").0, ["a-bat", "b-ev"]);
    assert_eq!(all_pages(&net, "AssetsByConnectionPoint", &["cp-north"], "100").0.len(), 6);
    assert_eq!(all_pages(&net, "AssetsByStatus", &["active"], "10").0, ["a-pv-0", "a-pv-1", "b-wind"]);
    assert_eq!(all_pages(&net, "AssetsByStatus", &["pending"], "10").0.len(), 5);
    assert!(all_pages(&net, "AssetsByStatus", &["decommissioned"], "10").0.is_empty());
}

#[test]
fn query_refusals() {
    let net = Net::new();
    populate(&net);
    let who = no_role();
    for size in ["0", "-1", "1001"] {
        let message = net.refuse(&who, &["AssetsByKind", "pv", size, ""], 400);
        assert_eq!(message, format!("argument 2 (pageSize): expected an integer from 1 to 1000, got \"{size}\""));
    }
    assert!(net.refuse(&who, &["AssetsByKind", "pv", "x", ""], 400).starts_with("argument 2 (pageSize)"));
    assert!(
        net.refuse(&who, &["AssetsByKind", "coal", "1", ""], 400).starts_with("argument 1 (kind): expected a kind")
    );
    assert!(net.refuse(&who, &["AssetsByStatus", "gone", "1", ""], 400).starts_with("argument 1 (status)"));
    assert!(net.refuse(&who, &["AssetsByConnectionPoint", "north", "1", ""], 400).starts_with(
        r#"argument 1 (connectionPoint): expected a connection point, got "north": connectionPoint must"#
    ));
    assert!(net.refuse(&who, &["AssetsByOwner", "", "x", "1", ""], 400).starts_with("the party's msp"));
    let message = net.refuse(&who, &["AssetsByKind", "pv", "1", "not-a-bookmark"], 400);
    assert_eq!(message, r#"bookmark "not-a-bookmark" does not come from this query"#);
    // A bookmark of another index is refused too.
    let status_page = net.ok(&who, &["AssetsByStatus", "pending", "1", ""]);
    let bookmark = status_page["bookmark"].as_str().unwrap();
    net.refuse(&who, &["AssetsByKind", "pv", "1", bookmark], 400);
}

#[test]
fn history_lists_every_version_newest_first() {
    let net = Net::new();
    let (a, b, op) = (alice(), bob(), grid_operator());
    net.register(&a, "pv-1", "pv", 5000, "cp-1");
    net.ok(&op, &["ApproveConnection", "pv-1"]);
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    net.ok(&b, &["AcceptTransfer", "pv-1"]);
    net.ok(&op, &["SuspendAsset", "pv-1", "storm"]);
    let history = net.ok(&no_role(), &["AssetHistory", "pv-1"]);
    let entries = history.as_array().unwrap();
    let statuses: Vec<&str> = entries.iter().map(|e| e["asset"]["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["suspended", "active", "active", "pending"]);
    assert_eq!(entries[1]["asset"]["owner"], party_json(&b.party));
    assert_eq!(entries[2]["asset"]["owner"], party_json(&a.party));
    for e in entries {
        assert_eq!(e["isDelete"], false);
        assert!(e["txId"].as_str().unwrap().starts_with("tx"));
        assert!(e["timestamp"]["seconds"].as_i64().unwrap() >= gridledger_testkit::memory::DEFAULT_EPOCH_SECONDS);
        assert!(e["timestamp"]["nanos"].is_i64());
    }
    let seconds: Vec<i64> = entries.iter().map(|e| e["timestamp"]["seconds"].as_i64().unwrap()).collect();
    assert!(seconds.windows(2).all(|w| w[0] > w[1]), "{seconds:?}");
    assert_eq!(net.refuse(&a, &["AssetHistory", "pv-9"], 404), "asset pv-9 does not exist");
}

#[test]
fn the_tx_timestamp_is_the_only_clock() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.active(&a, "pv-1", 5000);
    let r = net
        .ledger
        .tx(["OfferTransfer", "pv-1", &b.party.msp, &b.party.id])
        .with_creator(a.creator.clone())
        .with_timestamp(1_800_000_000, 42)
        .invoke(&net.cc);
    assert_eq!(r.status, 200, "{}", r.message);
    let offer: Value = serde_json::from_slice(&r.payload).unwrap();
    assert_eq!(offer["offeredAt"], serde_json::json!({"seconds": 1_800_000_000i64, "nanos": 42}));
}
