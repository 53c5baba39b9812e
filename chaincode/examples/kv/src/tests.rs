//! The SPEC.md contract, checked against the in-memory ledger.

use gridledger_testkit::memory::MemoryLedger;

use super::Kv;

fn ok(ledger: &MemoryLedger, args: &[&str]) -> String {
    let r = ledger.invoke(&Kv, args.iter().copied());
    assert_eq!(r.status, 200, "{args:?}: {}", r.message);
    String::from_utf8(r.payload).unwrap()
}

fn fails(ledger: &MemoryLedger, args: &[&str]) -> String {
    let r = ledger.invoke(&Kv, args.iter().copied());
    assert_eq!(r.status, 500, "{args:?} should fail");
    r.message
}

#[test]
fn put_get_del() {
    let l = MemoryLedger::new();
    ok(&l, &["Put", "a", "1"]);
    assert_eq!(ok(&l, &["Get", "a"]), "1");
    assert_eq!(ok(&l, &["GetPut", "a", "2"]), "1");
    assert_eq!(ok(&l, &["GetPut", "fresh", "x"]), "");
    ok(&l, &["Del", "a"]);
    assert_eq!(fails(&l, &["Get", "a"]), "key not found: a");
}

#[test]
fn ranges_and_pages() {
    let l = MemoryLedger::new();
    for k in ["a", "b", "c", "d"] {
        ok(&l, &["Put", k, &k.to_uppercase()]);
    }
    assert_eq!(ok(&l, &["Range", "b", "d"]), r#"[{"key":"b","value":"B"},{"key":"c","value":"C"}]"#);
    assert_eq!(ok(&l, &["Range", "x", ""]), "[]");
    let first = ok(&l, &["RangePage", "", "", "3", ""]);
    assert_eq!(
        first,
        r#"{"records":[{"key":"a","value":"A"},{"key":"b","value":"B"},{"key":"c","value":"C"}],"count":3,"bookmark":"d"}"#
    );
    assert_eq!(
        ok(&l, &["RangePage", "", "", "3", "d"]),
        r#"{"records":[{"key":"d","value":"D"}],"count":1,"bookmark":""}"#
    );
    assert_eq!(fails(&l, &["RangePage", "", "", "x", ""]), "invalid pageSize: x");
}

#[test]
fn composite_keys() {
    let l = MemoryLedger::new();
    assert_eq!(ok(&l, &["PutComposite", "asset", "v1", "alice", "pv1"]), "asset/alice/pv1");
    ok(&l, &["PutComposite", "asset", "v2", "alice", ""]);
    ok(&l, &["PutComposite", "asset", "v3", "bob", "w1"]);
    assert_eq!(
        ok(&l, &["ByPartial", "asset", "alice"]),
        r#"[{"attrs":["alice",""],"value":"v2"},{"attrs":["alice","pv1"],"value":"v1"}]"#
    );
    let page = ok(&l, &["ByPartialPage", "2", "", "asset"]);
    assert!(page.starts_with(r#"{"records":[{"attrs":["alice",""],"value":"v2"},{"attrs":["alice","pv1"]"#), "{page}");
    assert!(page.contains(r#""count":2"#), "{page}");
    // Composite keys never show up in simple ranges.
    assert_eq!(ok(&l, &["Range", "", ""]), "[]");
    // Every composite key of the namespace, whatever its type, page by page; simple keys never.
    ok(&l, &["PutComposite", "meter", "v4", "m9"]);
    ok(&l, &["Put", "plain", "x"]);
    let first = ok(&l, &["AllCompositePage", "3", ""]);
    assert!(first.starts_with(r#"{"records":[{"objectType":"asset","attrs":["alice",""],"value":"v2"}"#), "{first}");
    let bookmark = serde_json::from_str::<serde_json::Value>(&first).unwrap()["bookmark"].as_str().unwrap().to_string();
    assert!(!bookmark.is_empty(), "{first}");
    assert_eq!(
        ok(&l, &["AllCompositePage", "3", &bookmark]),
        r#"{"records":[{"objectType":"meter","attrs":["m9"],"value":"v4"}],"count":1,"bookmark":""}"#
    );
}

#[test]
fn history_is_newest_first() {
    let l = MemoryLedger::new();
    ok(&l, &["Put", "k", "1"]);
    ok(&l, &["Put", "k", "2"]);
    ok(&l, &["Del", "k"]);
    let history: serde_json::Value = serde_json::from_str(&ok(&l, &["History", "k"])).unwrap();
    let flags: Vec<bool> = history.as_array().unwrap().iter().map(|h| h["isDelete"].as_bool().unwrap()).collect();
    assert_eq!(flags, [true, false, false]);
    assert_eq!(history[1]["value"], "2");
}

#[test]
fn private_data_needs_transient_value() {
    let l = MemoryLedger::new();
    let r = l.invoke(&Kv, ["PutPrivate", "secrets", "k"]);
    assert_eq!(r.message, "transient field 'value' is required");
    let tx = l.tx(["PutPrivate", "secrets", "k"]).with_transient([("value", b"s3cret".to_vec())]);
    assert_eq!(tx.invoke(&Kv).status, 200);
    assert_eq!(ok(&l, &["GetPrivate", "secrets", "k"]), "s3cret");
    let hash = ok(&l, &["GetPrivateHash", "secrets", "k"]);
    assert_eq!(hash.len(), 64);
    ok(&l, &["PurgePrivate", "secrets", "k"]);
    assert_eq!(fails(&l, &["GetPrivate", "secrets", "k"]), "private key not found: k");
}

#[test]
fn endorsers_round_trip() {
    let l = MemoryLedger::new();
    ok(&l, &["Put", "k", "v"]);
    assert_eq!(ok(&l, &["Endorsers", "k"]), "[]");
    ok(&l, &["SetEndorsers", "k", "GridMSP", "UtilityMSP"]);
    assert_eq!(ok(&l, &["Endorsers", "k"]), r#"["GridMSP","UtilityMSP"]"#);
}

#[test]
fn events_tx_info_and_batches() {
    let l = MemoryLedger::new();
    ok(&l, &["Event", "traded", "42"]);
    assert_eq!(l.events().last().map(|e| e.event_name.as_str()), Some("traded"));
    let info: serde_json::Value = serde_json::from_str(&ok(&l, &["TxInfo"])).unwrap();
    assert_eq!(info["channel"], "mychannel");
    assert!(info["seconds"].as_i64().unwrap() > 1_700_000_000);
    ok(&l, &["PutMany", "3", "p"]);
    assert_eq!(ok(&l, &["GetMany", "p0000", "nope", "p0002"]), r#"["v","","v"]"#);
    assert_eq!(fails(&l, &["PutMany", "-1", "p"]), "invalid count: -1");
}

#[test]
fn argument_errors_follow_the_spec() {
    let l = MemoryLedger::new();
    assert_eq!(fails(&l, &["Put", "k"]), "Put expects 2 arguments");
    assert_eq!(fails(&l, &["GetMany"]), "GetMany expects at least 1 arguments");
    assert_eq!(fails(&l, &["Nope"]), "unknown function: Nope");
    assert!(fails(&l, &["WhoAmI"]).contains("identity"), "no creator in a bare test transaction");
}

#[test]
fn put_many_keys_are_zero_padded_like_format() {
    for n in [0, 7, 42, 999, 1000, 9999, 10_000, 123_456, u32::MAX] {
        let mut out = "p".to_string();
        super::push_padded(&mut out, n);
        assert_eq!(out, format!("p{n:04}"));
    }
}
