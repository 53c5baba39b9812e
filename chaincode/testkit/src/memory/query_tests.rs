//! Unit and property tests: ranges, composite keys, pagination, read-only rules, rich queries.

use std::collections::BTreeMap;

use gridledger_shim::ChaincodeStub;
use gridledger_shim::stub::Kv;
use proptest::prelude::*;

use super::*;

fn ledger_with(pairs: &[(&str, &str)]) -> MemoryLedger {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["seed"]);
    for (k, v) in pairs {
        tx.put_state(k, v.as_bytes()).unwrap();
    }
    tx.commit().unwrap();
    ledger
}

fn keys(iter: impl Iterator<Item = gridledger_shim::Result<Kv>>) -> Vec<String> {
    iter.map(|kv| kv.unwrap().key).collect()
}

fn page_keys(page: &gridledger_shim::stub::Page) -> Vec<&str> {
    page.records.iter().map(|kv| kv.key.as_str()).collect()
}

#[test]
fn simple_ranges_are_half_open_and_skip_composite_keys() {
    let ledger = ledger_with(&[("a", "1"), ("b", "2"), ("c", "3"), ("\u{0}t\u{0}x\u{0}", "c")]);
    let tx = ledger.tx(["x"]);
    assert_eq!(keys(tx.get_state_by_range("a", "c").unwrap()), ["a", "b"]);
    assert_eq!(keys(tx.get_state_by_range("b", "").unwrap()), ["b", "c"]);
    assert_eq!(keys(tx.get_state_by_range("", "").unwrap()), ["a", "b", "c"]);
    assert!(keys(tx.get_state_by_range("c", "a").unwrap()).is_empty());
    assert!(tx.get_state_by_range("\u{0}t", "").is_err());
    let kv = tx.get_state_by_range("a", "b").unwrap().next().unwrap().unwrap();
    assert_eq!((kv.namespace.as_str(), kv.value.as_slice()), ("mycc", &b"1"[..]));
}

#[test]
fn partial_composite_key_ranges() {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["seed"]);
    for (owner, id) in [("alice", "1"), ("alice", "2"), ("bob", "1"), ("alicex", "9")] {
        let key = tx.create_composite_key("asset", &[owner, id]).unwrap();
        tx.put_state(&key, id.as_bytes()).unwrap();
    }
    tx.put_state("plain", b"p").unwrap();
    tx.commit().unwrap();
    let tx = ledger.tx(["x"]);
    let owners = |object: &str, attrs: &[&str]| -> Vec<Vec<String>> {
        let iter = tx.get_state_by_partial_composite_key(object, attrs).unwrap();
        iter.map(|kv| tx.split_composite_key(&kv.unwrap().key).unwrap().1).collect()
    };
    assert_eq!(owners("asset", &["alice"]), [vec!["alice", "1"], vec!["alice", "2"]]);
    assert_eq!(owners("asset", &[]).len(), 4);
    assert!(owners("other", &[]).is_empty());
    let page = tx.get_all_states_composite_key_with_pagination(10, "").unwrap();
    assert_eq!(page.records.len(), 4);
    let page = tx.get_state_by_partial_composite_key_with_pagination("asset", &["alice"], 1, "").unwrap();
    assert_eq!(page.fetched_records_count, 1);
    assert!(!page.bookmark.is_empty());
}

#[test]
fn pagination_bookmarks_are_the_next_key() {
    let ledger = ledger_with(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
    let tx = ledger.tx(["x"]);
    let page = tx.get_state_by_range_with_pagination("a", "", 2, "").unwrap();
    assert_eq!((page_keys(&page), page.fetched_records_count, page.bookmark.as_str()), (vec!["a", "b"], 2, "c"));
    let page = tx.get_state_by_range_with_pagination("a", "", 2, &page.bookmark).unwrap();
    assert_eq!((page_keys(&page), page.bookmark.as_str()), (vec!["c", "d"], ""));
    let page = tx.get_state_by_range_with_pagination("a", "c", 5, "").unwrap();
    assert_eq!((page_keys(&page), page.bookmark.as_str()), (vec!["a", "b"], ""));
    let all = tx.get_state_by_range_with_pagination("", "", 0, "").unwrap();
    assert_eq!(all.records.len(), 4, "page size 0 means the total query limit");
    assert!(tx.get_state_by_range_with_pagination("", "", -1, "").is_err());
}

#[test]
fn total_query_limit_caps_queries_silently() {
    let ledger = MemoryLedger::new().with_total_query_limit(2);
    let tx = ledger.tx(["seed"]);
    for k in ["a", "b", "c"] {
        tx.put_state(k, b"{}").unwrap();
    }
    tx.commit().unwrap();
    let tx = ledger.tx(["x"]);
    assert_eq!(tx.get_state_by_range("", "").unwrap().count(), 2);
    assert_eq!(tx.get_query_result(r#"{"selector":{}}"#).unwrap().count(), 2);
    let page = tx.get_state_by_range_with_pagination("", "", 10, "").unwrap();
    assert_eq!((page.records.len(), page.bookmark.as_str()), (2, "c"));
}

#[test]
fn paginated_queries_make_the_transaction_read_only() {
    let ledger = ledger_with(&[("a", "1")]);
    let writer = ledger.tx(["x"]);
    writer.put_state("w", b"1").unwrap();
    let err = writer.get_state_by_range_with_pagination("", "", 1, "").unwrap_err().to_string();
    assert!(err.contains("Paginated queries are supported only in a read-only transaction"), "{err}");
    assert!(writer.get_query_result_with_pagination(r#"{"selector":{}}"#, 1, "").is_err());
    assert!(writer.get_state_by_range("", "").is_ok(), "plain queries are fine");

    let reader = ledger.tx(["x"]);
    reader.get_state_by_range_with_pagination("", "", 1, "").unwrap();
    let err = reader.put_state("w", b"1").unwrap_err().to_string();
    assert!(err.contains("already performed a paginated query"), "{err}");
    assert!(reader.del_state("a").is_err() && reader.set_state_validation_parameter("a", b"p").is_err());
    assert!(reader.put_private_data("c", "k", b"v").is_err());
    assert!(reader.writes().is_empty());
}

#[test]
fn private_queries_make_the_transaction_read_only() {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["seed"]);
    for k in ["a", "b"] {
        tx.put_private_data("c", k, br#"{"n":1}"#).unwrap();
    }
    tx.commit().unwrap();

    let reader = ledger.tx(["x"]);
    assert_eq!(keys(reader.get_private_data_by_range("c", "", "").unwrap()), ["a", "b"]);
    let err = reader.put_state("k", b"v").unwrap_err().to_string();
    assert!(err.contains("already performed queries on pvt data"), "{err}");
    assert!(reader.writes().is_empty());

    let writer = ledger.tx(["x"]);
    writer.put_state("k", b"v").unwrap();
    let err = writer.get_private_data_by_range("c", "", "").unwrap_err().to_string();
    assert!(err.contains("only in a read-only transaction"), "{err}");
    assert!(writer.get_private_data_query_result("c", r#"{"selector":{"n":1}}"#).is_err());
    assert!(writer.get_private_data_by_partial_composite_key("c", "t", &[]).is_err());
    assert!(writer.get_private_data("c", "a").is_ok(), "point reads are fine");

    let rich = ledger.tx(["x"]);
    assert_eq!(keys(rich.get_private_data_query_result("c", r#"{"selector":{"n":1}}"#).unwrap()), ["a", "b"]);
    assert!(rich.put_private_data("c", "z", b"v").is_err());
}

#[test]
fn failed_queries_leave_the_transaction_writable() {
    let ledger = ledger_with(&[("a", "1")]);
    let tx = ledger.tx(["x"]);
    assert!(tx.get_state_by_range_with_pagination("", "", -5, "").is_err());
    assert!(tx.get_query_result_with_pagination("{", 5, "").is_err());
    assert!(tx.get_private_data_query_result("c", r#"{"selector":{"$where":1}}"#).is_err());
    tx.put_state("b", b"2").unwrap();
    tx.commit().unwrap();
    assert_eq!(ledger.get("mycc", "b"), Some(b"2".to_vec()));
}

fn rich_ledger() -> MemoryLedger {
    ledger_with(&[
        ("a1", r#"{"type":"meter","kwh":10,"site":{"city":"Oslo"},"tags":["x"]}"#),
        ("a2", r#"{"type":"meter","kwh":25,"site":{"city":"Bergen"}}"#),
        ("a3", r#"{"type":"meter","kwh":40,"active":true}"#),
        ("b1", r#"{"type":"plant","kwh":"big"}"#),
        ("raw", "not json"),
    ])
}

fn rich_keys(ledger: &MemoryLedger, query: &str) -> Vec<String> {
    keys(ledger.tx(["q"]).get_query_result(query).unwrap())
}

#[test]
fn rich_query_selectors() {
    let l = rich_ledger();
    assert_eq!(rich_keys(&l, r#"{"selector":{"type":"meter"}}"#), ["a1", "a2", "a3"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"kwh":{"$gt":10,"$lte":40}}}"#), ["a2", "a3"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"kwh":{"$gte":100}}}"#), ["b1"], "strings collate after numbers");
    assert_eq!(rich_keys(&l, r#"{"selector":{"kwh":{"$lt":25}}}"#), ["a1"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"type":{"$ne":"meter"}}}"#), ["b1"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"kwh":{"$in":[10,40]}}}"#), ["a1", "a3"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"type":"meter","kwh":{"$nin":[10,40]}}}"#), ["a2"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"site":{"city":"Oslo"}}}"#), ["a1"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"site.city":"Bergen"}}"#), ["a2"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"active":{"$exists":true}}}"#), ["a3"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"tags":["x"]}}"#), ["a1"]);
    let or = r#"{"selector":{"$or":[{"kwh":10},{"type":"plant"}]}}"#;
    assert_eq!(rich_keys(&l, or), ["a1", "b1"]);
    let and = r#"{"selector":{"$and":[{"type":"meter"},{"$not":{"kwh":25}}]}}"#;
    assert_eq!(rich_keys(&l, and), ["a1", "a3"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"$nor":[{"type":"meter"}]}}"#), ["b1", "raw"]);
    assert_eq!(rich_keys(&l, r#"{"selector":{"_id":{"$gt":"a9"}}}"#), ["b1", "raw"], "non-JSON values match on _id");
    let paged = r#"{"selector":{"type":"meter"},"limit":1,"skip":1,"sort":[{"_id":"asc"}],"use_index":"i"}"#;
    assert_eq!(rich_keys(&l, paged), ["a2"]);
}

#[test]
fn rich_query_errors_are_clear() {
    let l = rich_ledger();
    let tx = l.tx(["q"]);
    for (query, expected) in [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (r#"{"limit":1}"#, "no \"selector\""),
        (r#"{"selector":{"kwh":{"$regex":"x"}}}"#, "unsupported selector operator"),
        (r#"{"selector":{},"sort":[{"kwh":"desc"}]}"#, "unsupported sort"),
        (r#"{"selector":{},"fields":["kwh"]}"#, "unsupported query field"),
        (r#"{"selector":{"site":{"$exists":true,"city":"x"}}}"#, "unsupported mixing"),
        (r#"{"selector":{"$or":{}}}"#, "takes an array"),
    ] {
        let err = tx.get_query_result(query).unwrap_err().to_string();
        assert!(err.contains(expected), "{query}: {err}");
    }
    let leveldb = MemoryLedger::new().with_leveldb();
    let err = leveldb.tx(["q"]).get_query_result(r#"{"selector":{}}"#).unwrap_err().to_string();
    assert!(err.contains("not supported for leveldb"), "{err}");
}

#[test]
fn rich_query_pagination_has_couchdb_bookmarks() {
    let l = rich_ledger();
    let tx = l.tx(["q"]);
    let query = r#"{"selector":{"type":"meter"}}"#;
    let first = tx.get_query_result_with_pagination(query, 2, "").unwrap();
    assert_eq!((page_keys(&first), first.fetched_records_count), (vec!["a1", "a2"], 2));
    let second = tx.get_query_result_with_pagination(query, 2, &first.bookmark).unwrap();
    assert_eq!(page_keys(&second), ["a3"]);
    let third = tx.get_query_result_with_pagination(query, 2, &second.bookmark).unwrap();
    assert!(third.records.is_empty() && !third.bookmark.is_empty(), "CouchDB bookmarks never run out");
    let none = tx.get_query_result_with_pagination(r#"{"selector":{"type":"x"}}"#, 2, "").unwrap();
    assert_eq!((none.records.len(), none.bookmark.as_str()), (0, "nil"));
    assert!(tx.get_query_result_with_pagination(query, 2, "bogus").is_err());
}

/// Keys of simple and composite form over a small alphabet, so ranges and collisions are common.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-e]{1,3}", 1 => "\u{0}[a-c]\u{0}[a-c]{0,2}\u{0}"]
}

fn seeded(state: &BTreeMap<String, String>) -> MemoryLedger {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["seed"]);
    for (k, v) in state {
        tx.put_state(k, v.as_bytes()).unwrap();
    }
    tx.commit().unwrap();
    ledger
}

proptest! {
    #[test]
    fn range_equals_the_filtered_sorted_model(
        state in proptest::collection::btree_map(key(), "[a-z]{1,4}", 0..24),
        start in "[a-e]{0,2}",
        end in "[a-e]{0,2}",
    ) {
        let ledger = seeded(&state);
        let tx = ledger.tx(["q"]);
        let got: Vec<(String, Vec<u8>)> =
            tx.get_state_by_range(&start, &end).unwrap().map(|kv| kv.map(|kv| (kv.key, kv.value)).unwrap()).collect();
        let model: Vec<(String, Vec<u8>)> = state
            .iter()
            .filter(|(k, _)| !k.starts_with('\u{0}'))
            .filter(|(k, _)| k.as_str() >= start.as_str() && (end.is_empty() || k.as_str() < end.as_str()))
            .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
            .collect();
        prop_assert_eq!(got, model);
    }

    #[test]
    fn pages_concatenate_to_the_full_range(
        state in proptest::collection::btree_map(key(), "[a-z]{1,4}", 0..24),
        start in "[a-e]{0,2}",
        page_size in 1i32..6,
    ) {
        let ledger = seeded(&state);
        let tx = ledger.tx(["q"]);
        let full = keys(tx.get_state_by_range(&start, "").unwrap());
        let mut paged = Vec::new();
        let mut bookmark = String::new();
        for _ in 0..=full.len() {
            let page = tx.get_state_by_range_with_pagination(&start, "", page_size, &bookmark).unwrap();
            prop_assert!(page.records.len() <= page_size as usize);
            prop_assert_eq!(page.fetched_records_count as usize, page.records.len());
            paged.extend(page.records.into_iter().map(|kv| kv.key));
            bookmark = page.bookmark;
            if bookmark.is_empty() { break; }
        }
        prop_assert!(bookmark.is_empty());
        prop_assert_eq!(paged, full);
    }

    #[test]
    fn no_read_your_writes(
        state in proptest::collection::btree_map("[a-d]{1,2}", "[a-z]{1,3}", 0..10),
        ops in proptest::collection::vec(("[a-d]{1,2}", proptest::option::of("[a-z]{0,3}")), 0..12),
    ) {
        let ledger = seeded(&state);
        let tx = ledger.tx(["x"]);
        let mut model = state.clone();
        for (k, v) in &ops {
            match v {
                Some(v) => tx.put_state(k, v.as_bytes()).unwrap(),
                None => tx.del_state(k).unwrap(),
            }
            // Reads keep seeing committed state.
            let committed = state.get(k).map(|v| v.as_bytes().to_vec());
            prop_assert_eq!(tx.get_state(k).unwrap(), committed);
            match v {
                Some(v) if !v.is_empty() => { model.insert(k.clone(), v.clone()); }
                _ => { model.remove(k); }
            }
        }
        prop_assert_eq!(keys(tx.get_state_by_range("", "").unwrap()), state.keys().cloned().collect::<Vec<_>>());
        tx.commit().unwrap();
        let expected: BTreeMap<String, Vec<u8>> = model.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
        prop_assert_eq!(ledger.state("mycc"), expected);
    }
}
