//! The Rust kv chaincode (`kv`, chaincode as a service over mutual TLS) on the real network, feature by feature
//! (chaincode/examples/kv/SPEC.md). Every transaction is endorsed by the peers of all three orgs and waits for its
//! commit, as a user would run it.

use gridledger_e2e::{Outcome, events_in_block, network, unique};

const CC: &str = "kv";

fn ok(o: &Outcome) -> &Outcome {
    assert!(o.ok, "call failed: {}\n{}", o.error, o.stderr);
    o
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn state_put_get_delete() {
    let net = network();
    let key = unique("state");
    ok(&net.cli_invoke(CC, &["Put", &key, "v1"]).run());
    assert_eq!(ok(&net.cli_query(CC, &["Get", &key])).text(), "v1");
    // Every org's peer has the committed value.
    for org in ["grid", "prosumer"] {
        assert_eq!(ok(&net.cli_query_as(net.admin(org), CC, &["Get", &key])).text(), "v1", "peer of {org}");
    }
    let prev = net.cli_invoke(CC, &["GetPut", &key, "v2"]).run();
    assert_eq!(ok(&prev).text(), "v1", "GetPut returns the previous value");
    assert_eq!(ok(&net.cli_query(CC, &["Get", &key])).text(), "v2");
    ok(&net.cli_invoke(CC, &["Del", &key]).run());
    let gone = net.cli_query(CC, &["Get", &key]);
    assert!(!gone.ok);
    assert_eq!(gone.message(), format!("key not found: {key}"));
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn range_and_pagination() {
    let net = network();
    let p = unique("range");
    ok(&net.cli_invoke(CC, &["PutMany", "5", &format!("{p}/")]).run());
    let all = ok(&net.cli_query(CC, &["Range", &format!("{p}/"), &format!("{p}0")])).json().expect("json");
    let keys: Vec<_> =
        all.as_array().expect("array").iter().map(|e| e["key"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(keys, (0..5).map(|i| format!("{p}/{i:04}")).collect::<Vec<_>>());
    assert_eq!(all[0]["value"], "v");

    let (start, end) = (format!("{p}/"), format!("{p}0"));
    let page1 = ok(&net.cli_query(CC, &["RangePage", &start, &end, "2", ""])).json().expect("json");
    assert_eq!(page1["count"], 2);
    assert_eq!(page1["records"][0]["key"], format!("{p}/0000"));
    let bookmark = page1["bookmark"].as_str().expect("bookmark").to_string();
    assert!(!bookmark.is_empty());
    let page2 = ok(&net.cli_query(CC, &["RangePage", &start, &end, "2", &bookmark])).json().expect("json");
    assert_eq!(page2["records"][0]["key"], format!("{p}/0002"));
    let bad = net.cli_query(CC, &["RangePage", &start, &end, "x", ""]);
    assert_eq!(bad.message(), "invalid pageSize: x");
    let empty = ok(&net.cli_query(CC, &["Range", &format!("{p}~a"), &format!("{p}~b")])).text();
    assert_eq!(empty, "[]");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn composite_keys_with_empty_attribute() {
    let net = network();
    let ty = unique("meter");
    assert_eq!(
        ok(&net.cli_invoke(CC, &["PutComposite", &ty, "a", "north", "m1"]).run()).text(),
        format!("{ty}/north/m1")
    );
    ok(&net.cli_invoke(CC, &["PutComposite", &ty, "b", "north", ""]).run());
    ok(&net.cli_invoke(CC, &["PutComposite", &ty, "c", "south", "m3"]).run());
    let north = ok(&net.cli_query(CC, &["ByPartial", &ty, "north"])).json().expect("json");
    assert_eq!(north, serde_json::json!([{"attrs":["north",""],"value":"b"},{"attrs":["north","m1"],"value":"a"}]));
    let page = ok(&net.cli_query(CC, &["ByPartialPage", "1", "", &ty])).json().expect("json");
    assert_eq!(page["count"], 1);
    assert_eq!(page["records"][0]["attrs"], serde_json::json!(["north", ""]));
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn all_composite_keys_page_by_page() {
    // Go shim v2.3's GetAllStatesCompositeKeyWithPagination: every composite key of the namespace, any type.
    let net = network();
    let ty = unique("all");
    for (value, attr) in [("a", "x"), ("b", "y"), ("c", "z")] {
        ok(&net.cli_invoke(CC, &["PutComposite", &ty, value, attr]).run());
    }
    let (mut ours, mut bookmark, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let page = ok(&net.cli_query(CC, &["AllCompositePage", "2", &bookmark])).json().expect("json");
        let records = page["records"].as_array().expect("records");
        assert!(records.len() <= 2 && page["count"] == records.len(), "{page}");
        assert!(records.iter().all(|r| r["objectType"].as_str().is_some_and(|t| !t.is_empty())), "{page}");
        ours.extend(records.iter().filter(|r| r["objectType"] == ty.as_str()).map(|r| r["value"].clone()));
        bookmark = page["bookmark"].as_str().expect("bookmark").to_string();
        pages += 1;
        if bookmark.is_empty() || pages > 10_000 {
            break;
        }
    }
    assert_eq!(ours, ["a", "b", "c"], "in key order, each once, across {pages} pages");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn history_lists_every_committed_write() {
    let net = network();
    let key = unique("hist");
    let t1 = ok(&net.cli_invoke(CC, &["Put", &key, "one"]).run()).txid.clone();
    let t2 = ok(&net.cli_invoke(CC, &["Put", &key, "two"]).run()).txid.clone();
    let t3 = ok(&net.cli_invoke(CC, &["Del", &key]).run()).txid.clone();
    let h = ok(&net.cli_query(CC, &["History", &key])).json().expect("json");
    let h = h.as_array().expect("array");
    assert_eq!(h.len(), 3, "{h:?}");
    // The peer returns the newest first.
    let txids: Vec<_> = h.iter().map(|e| e["txId"].as_str().map(str::to_string)).collect();
    assert_eq!(txids, vec![t3, t2, t1]);
    assert_eq!(h[0]["isDelete"], true);
    assert_eq!(h[1]["value"], "two");
    assert!(h[2]["seconds"].as_i64().unwrap_or(0) > 1_600_000_000);
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn private_data_members_only_hash_for_all() {
    let net = network();
    let key = unique("pdc");
    let secret = b"tariff-42";
    // The collection (network/collections-kv.json) holds Utility and Grid; endorse on those two.
    let put = net
        .cli_invoke(CC, &["PutPrivate", "utilityGrid", &key])
        .peers(&["utility", "grid"])
        .transient("value", secret)
        .run();
    ok(&put);
    assert_eq!(ok(&net.cli_query_as(net.admin("grid"), CC, &["GetPrivate", "utilityGrid", &key])).payload, secret);
    assert_eq!(ok(&net.cli_query(CC, &["GetPrivate", "utilityGrid", &key])).payload, secret);
    let refused = net.cli_query_as(net.admin("prosumer"), CC, &["GetPrivate", "utilityGrid", &key]);
    assert!(!refused.ok, "a non-member read private data: {}", refused.text());
    assert!(refused.error.contains("does not have read access"), "{}", refused.error);
    // Everyone, member or not, sees the SHA-256 of the value.
    let want = hex::encode(ring::digest::digest(&ring::digest::SHA256, secret));
    assert_eq!(ok(&net.cli_query(CC, &["GetPrivateHash", "utilityGrid", &key])).text(), want);
    assert_eq!(ok(&net.cli_query_as(net.admin("prosumer"), CC, &["GetPrivateHash", "utilityGrid", &key])).text(), want);
    let missing = net.cli_invoke(CC, &["PutPrivate", "utilityGrid", &key]).peers(&["utility", "grid"]).run();
    assert_eq!(missing.message(), "transient field 'value' is required");
    ok(&net.cli_invoke(CC, &["DelPrivate", "utilityGrid", &key]).peers(&["utility", "grid"]).run());
    assert_eq!(
        net.cli_query(CC, &["GetPrivate", "utilityGrid", &key]).message(),
        format!("private key not found: {key}")
    );
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn events_are_in_the_committed_block() {
    let net = network();
    let name = unique("MeterRead");
    let done = net.cli_invoke(CC, &["Event", &name, "{\"kwh\":3}"]).run();
    let txid = ok(&done).txid.clone().expect("--waitForEvent reports the txid");
    let block = net.block_of(&txid).expect("block");
    let events = events_in_block(&block);
    assert!(
        events.iter().any(|(cc, n, p)| cc == CC && *n == name && p == b"{\"kwh\":3}"),
        "event {name} not in block of {txid}: {events:?}"
    );
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn invoke_chaincode_both_ways() {
    let net = network();
    let key = unique("c2c");
    ok(&net.cli_invoke(CC, &["Invoke", "kvgo", "Put", &key, "from-rust"]).run());
    assert_eq!(ok(&net.cli_query("kvgo", &["Get", &key])).text(), "from-rust");
    ok(&net.cli_invoke("kvgo", &["Invoke", CC, "Put", &key, "from-go"]).run());
    assert_eq!(ok(&net.cli_query(CC, &["Get", &key])).text(), "from-go");
    assert_eq!(ok(&net.cli_query(CC, &["Invoke", "kvgo", "Get", &key])).text(), "from-rust");
    let failed = net.cli_query(CC, &["Invoke", "kvgo", "Get", "no-such-key"]);
    assert_eq!(failed.message(), "invoke kvgo failed: 500 key not found: no-such-key");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn key_level_endorsement() {
    let net = network();
    let key = unique("kle");
    ok(&net.cli_invoke(CC, &["Put", &key, "v0"]).run());
    ok(&net.cli_invoke(CC, &["SetEndorsers", &key, "GridMSP"]).run());
    assert_eq!(ok(&net.cli_query(CC, &["Endorsers", &key])).text(), "[\"GridMSP\"]");
    // Two of three orgs satisfy the chaincode's MAJORITY policy, but not the key's.
    let without_grid = net.cli_invoke(CC, &["Put", &key, "v1"]).peers(&["utility", "prosumer"]).run();
    assert!(!without_grid.ok, "a write without Grid's endorsement committed");
    assert!(without_grid.error.contains("ENDORSEMENT_POLICY_FAILURE"), "{}", without_grid.error);
    assert_eq!(ok(&net.cli_query(CC, &["Get", &key])).text(), "v0");
    ok(&net.cli_invoke(CC, &["Put", &key, "v2"]).peers(&["utility", "grid"]).run());
    assert_eq!(ok(&net.cli_query(CC, &["Get", &key])).text(), "v2");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn who_am_i_matches_the_org() {
    let net = network();
    for (org, msp) in [("utility", "UtilityMSP"), ("grid", "GridMSP"), ("prosumer", "ProsumerMSP")] {
        let me = ok(&net.cli_query_as(net.admin(org), CC, &["WhoAmI"])).json().expect("json");
        assert_eq!(me["mspId"], msp);
        assert!(decoded_id(&me).starts_with("x509::CN=admin-user"), "{me}");
    }
    let op = net.user("grid", "operator1").expect("grid operator1");
    let me = ok(&net.cli_query_as(&op, CC, &["WhoAmI"])).json().expect("json");
    assert_eq!(me["mspId"], "GridMSP");
    assert!(decoded_id(&me).contains("CN=operator1"), "{me}");
}

/// WhoAmI's `id` is Go cid's GetID: base64 of `x509::<subject>::<issuer>`.
fn decoded_id(me: &serde_json::Value) -> String {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.decode(me["id"].as_str().unwrap_or("")).unwrap_or_default();
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn tx_info() {
    let net = network();
    let info = ok(&net.cli_query(CC, &["TxInfo"])).json().expect("json");
    assert_eq!(info["channel"], net.channel());
    assert_eq!(info["txId"].as_str().map(str::len), Some(64));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let secs = info["seconds"].as_u64().unwrap_or(0);
    assert!(secs.abs_diff(now) < 300, "tx time {secs} vs now {now}");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn put_many_get_many() {
    let net = network();
    let p = unique("many");
    ok(&net.cli_invoke(CC, &["PutMany", "12", &p]).run());
    let got =
        ok(&net.cli_query(CC, &["GetMany", &format!("{p}0000"), &format!("{p}0011"), &format!("{p}9999")])).text();
    assert_eq!(got, "[\"v\",\"v\",\"\"]");
    let bad = net.cli_invoke(CC, &["PutMany", "many", &p]).run();
    assert_eq!(bad.message(), "invalid count: many");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn unknown_function_is_an_endorsement_failure() {
    let net = network();
    let r = net.cli_invoke(CC, &["Nope"]).run();
    assert!(!r.ok);
    assert_eq!(r.message(), "unknown function: Nope");
}
