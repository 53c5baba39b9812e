//! Unit tests: transactions, commit, private data, metadata, history, events, chaincode-to-chaincode calls.

use std::sync::Arc;

use gridledger_shim::stub::VALIDATION_PARAMETER;
use gridledger_shim::{Chaincode, ChaincodeStub, Response};

use super::*;

/// A test chaincode: `put k v`, `get k`, `del k`, `event name payload`, `call cc args..`, `fail k v` (writes, 500).
struct Kv;

impl Chaincode for Kv {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let (f, p) = stub.function_and_parameters().unwrap();
        let result = match f.as_str() {
            "put" => stub.put_state(&p[0], p[1].as_bytes()).map(|()| Vec::new()),
            "get" => stub.get_state(&p[0]).map(Option::unwrap_or_default),
            "del" => stub.del_state(&p[0]).map(|()| Vec::new()),
            "event" => stub.set_event(&p[0], p[1].as_bytes()).map(|()| Vec::new()),
            "call" => {
                let args: Vec<Vec<u8>> = p[1..].iter().map(|a| a.as_bytes().to_vec()).collect();
                return match stub.invoke_chaincode(&p[0], &args, "") {
                    Ok(r) => r,
                    Err(e) => Response::error(e.to_string()),
                };
            }
            "fail" => {
                stub.put_state(&p[0], p[1].as_bytes()).unwrap();
                return Response::error("refused");
            }
            _ => return Response::with_status(400, format!("unknown function {f}")),
        };
        match result {
            Ok(payload) => Response::success(payload),
            Err(e) => Response::error(e.to_string()),
        }
    }
}

fn seed(ledger: &MemoryLedger, pairs: &[(&str, &str)]) {
    let tx = ledger.tx(["seed"]);
    for (k, v) in pairs {
        tx.put_state(k, v.as_bytes()).unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn tx_does_not_read_its_own_writes() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("a", "1")]);
    let tx = ledger.tx(["x"]);
    tx.put_state("a", b"2").unwrap();
    tx.put_state("b", b"3").unwrap();
    tx.del_state("a").unwrap();
    assert_eq!(tx.get_state("a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(tx.get_state("b").unwrap(), None);
    assert_eq!(tx.get_multiple_states(&["a", "b"]).unwrap(), vec![Some(b"1".to_vec()), None]);
    let keys: Vec<String> = tx.get_state_by_range("", "").unwrap().map(|kv| kv.unwrap().key).collect();
    assert_eq!(keys, ["a"]);
    // Last write per key wins.
    let writes = tx.writes();
    let key = |k: &str| WriteKey { namespace: "mycc".into(), collection: String::new(), key: k.into() };
    assert_eq!(writes[&key("a")].value, Some(ValueWrite::Delete));
    assert_eq!(writes[&key("b")].value, Some(ValueWrite::Put(b"3".to_vec())));
    tx.commit().unwrap();
    assert_eq!(ledger.state("mycc"), [("b".to_string(), b"3".to_vec())].into());
}

#[test]
fn dropped_or_aborted_tx_changes_nothing() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("a", "1")]);
    let height = ledger.height();
    {
        let tx = ledger.tx(["x"]);
        tx.put_state("a", b"2").unwrap();
        tx.set_event("e", b"p").unwrap();
    }
    let tx = ledger.tx(["x"]);
    tx.del_state("a").unwrap();
    tx.abort();
    assert_eq!(ledger.get("mycc", "a"), Some(b"1".to_vec()));
    assert_eq!((ledger.height(), ledger.events().len(), ledger.history("mycc", "a").len()), (height, 0, 1));
}

#[test]
fn empty_put_is_a_delete_and_deleting_absent_keys_is_fine() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("a", "1")]);
    let tx = ledger.tx(["x"]);
    tx.put_state("a", b"").unwrap();
    tx.del_state("never").unwrap();
    assert_eq!(
        tx.writes().values().map(|w| w.value.clone()).collect::<Vec<_>>(),
        [Some(ValueWrite::Delete), Some(ValueWrite::Delete)]
    );
    tx.commit().unwrap();
    assert_eq!(ledger.get("mycc", "a"), None);
    let history = ledger.history("mycc", "a");
    assert!(history[0].is_delete && history[0].value.is_empty());
    assert!(ledger.history("mycc", "never")[0].is_delete);
}

#[test]
fn empty_keys_are_rejected_without_writing() {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["x"]);
    assert!(tx.put_state("", b"v").is_err());
    assert!(tx.put_private_data("", "k", b"v").is_err());
    assert!(tx.set_event("", b"p").is_err());
    assert!(tx.writes().is_empty() && tx.event().is_none());
    // A failed write does not make the transaction a writer: a paginated query is still allowed.
    assert!(tx.get_state_by_range_with_pagination("", "", 1, "").is_ok());
}

#[test]
fn invoke_commits_only_below_400() {
    let ledger = MemoryLedger::new();
    assert_eq!(ledger.invoke(&Kv, ["put", "k", "v"]).status, 200);
    assert_eq!(ledger.invoke(&Kv, ["fail", "k", "w"]).status, 500);
    assert_eq!(ledger.invoke(&Kv, ["nope"]).status, 400);
    assert_eq!(ledger.query(&Kv, ["put", "k", "q"]).status, 200);
    assert_eq!(ledger.get("mycc", "k"), Some(b"v".to_vec()));
    assert_eq!(ledger.query(&Kv, ["get", "k"]).payload, b"v");
    assert_eq!(ledger.height(), 1);
}

#[test]
fn deterministic_ids_and_clock_overridable() {
    let ledger = MemoryLedger::new();
    ledger.invoke(&Kv, ["put", "k", "1"]);
    ledger.set_clock(5_000, 7);
    ledger.invoke(&Kv, ["put", "k", "2"]);
    let tx = ledger.tx(["put"]).with_tx_id("custom").with_timestamp(9, 9).with_channel("other");
    assert_eq!((tx.tx_id(), tx.channel_id(), tx.tx_timestamp().unwrap().seconds), ("custom", "other", 9));
    tx.put_state("k", b"3").unwrap();
    tx.commit().unwrap();
    let history = ledger.history("mycc", "k");
    let ids: Vec<_> = history.iter().map(|m| (m.tx_id.as_str(), m.timestamp.unwrap().seconds)).collect();
    assert_eq!(ids, [("custom", 9), ("tx2", 5_000), ("tx1", DEFAULT_EPOCH_SECONDS)]);
    assert_eq!(ledger.tx(["x"]).tx_timestamp().unwrap().seconds, 5_002, "every tx advances the clock");
}

#[test]
fn creator_transient_and_init_reach_the_chaincode() {
    let ledger = MemoryLedger::new().with_channel("energy").with_namespace("grid");
    let tx = ledger.tx(["f", "a"]).with_creator(b"me".to_vec()).with_transient([("secret", b"s".to_vec())]);
    assert_eq!((tx.creator(), tx.channel_id(), tx.namespace()), (&b"me"[..], "energy", "grid"));
    assert_eq!(tx.transient()["secret"], b"s");
    assert_eq!(tx.function_and_parameters().unwrap(), ("f".to_string(), vec!["a".to_string()]));
    let init = ledger.tx(["init"]).with_init(true);
    assert!(init.context().is_init());
    let err = init.put_private_data("c", "k", b"v").unwrap_err();
    assert!(err.to_string().contains("not allowed in chaincode Init()"), "{err}");
    assert!(init.get_private_data("c", "k").is_err());
    assert!(init.writes().is_empty());
}

#[test]
fn private_data_values_hashes_and_purge() {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["x"]);
    tx.put_private_data("c", "k", b"secret").unwrap();
    tx.put_private_data("c", "gone", b"x").unwrap();
    assert_eq!(tx.get_private_data("c", "k").unwrap(), None);
    tx.commit().unwrap();
    let sha = ring::digest::digest(&ring::digest::SHA256, b"secret").as_ref().to_vec();
    assert_eq!(ledger.private("mycc", "c", "k"), Some(b"secret".to_vec()));
    assert_eq!(ledger.private_hash("mycc", "c", "k"), Some(sha.clone()));
    assert_eq!(ledger.get("mycc", "k"), None, "private data stays out of world state");
    let tx = ledger.tx(["x"]);
    assert_eq!(tx.get_private_data_hash("c", "k").unwrap(), Some(sha));
    assert_eq!(tx.get_multiple_private_data("c", &["k", "no"]).unwrap(), vec![Some(b"secret".to_vec()), None]);
    tx.del_private_data("c", "gone").unwrap();
    tx.purge_private_data("c", "k").unwrap();
    tx.commit().unwrap();
    assert_eq!((ledger.private("mycc", "c", "k"), ledger.private_hash("mycc", "c", "k")), (None, None));
    assert!(ledger.private_history("mycc", "c", "k").is_empty(), "purge erases history");
    assert_eq!(ledger.private_history("mycc", "c", "gone").len(), 2, "delete keeps it");
    assert!(ledger.collection("mycc", "c").is_empty());
}

#[test]
fn metadata_put_keeps_delete_drops_absent_ignored() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("k", "v")]);
    let tx = ledger.tx(["x"]);
    tx.set_state_validation_parameter("k", b"policy").unwrap();
    tx.set_state_validation_parameter("absent", b"policy").unwrap();
    tx.set_private_data_validation_parameter("c", "p", b"pp").unwrap();
    tx.put_private_data("c", "p", b"pv").unwrap();
    assert_eq!(tx.get_state_validation_parameter("k").unwrap(), None);
    tx.commit().unwrap();
    assert_eq!(ledger.metadata("mycc", "", "k")[VALIDATION_PARAMETER], b"policy");
    assert!(ledger.metadata("mycc", "", "absent").is_empty() && ledger.get("mycc", "absent").is_none());
    assert_eq!(ledger.get("mycc", "k"), Some(b"v".to_vec()), "metadata write keeps the value");
    assert_eq!(ledger.history("mycc", "k").len(), 1, "metadata is not history");
    let tx = ledger.tx(["x"]);
    assert_eq!(tx.get_state_validation_parameter("k").unwrap(), Some(b"policy".to_vec()));
    assert_eq!(tx.get_private_data_validation_parameter("c", "p").unwrap(), Some(b"pp".to_vec()));
    tx.put_state("k", b"v2").unwrap();
    tx.commit().unwrap();
    assert_eq!(ledger.metadata("mycc", "", "k")[VALIDATION_PARAMETER], b"policy", "a put keeps metadata");
    seed(&ledger, &[]);
    let tx = ledger.tx(["x"]);
    tx.del_state("k").unwrap();
    tx.commit().unwrap();
    seed(&ledger, &[("k", "again")]);
    assert!(ledger.metadata("mycc", "", "k").is_empty(), "a delete drops metadata");
    let tx = ledger.tx(["x"]);
    tx.set_private_data_validation_parameter("c", "p", b"").unwrap();
    tx.commit().unwrap();
    assert!(ledger.metadata("mycc", "c", "p").is_empty(), "an empty policy removes it");
}

#[test]
fn history_newest_first_through_the_stub() {
    let ledger = MemoryLedger::new();
    for v in ["1", "2"] {
        ledger.invoke(&Kv, ["put", "k", v]);
    }
    ledger.invoke(&Kv, ["del", "k"]);
    let tx = ledger.tx(["x"]);
    tx.put_state("k", b"uncommitted").unwrap();
    let history: Vec<_> = tx.get_history_for_key("k").unwrap().map(Result::unwrap).collect();
    let seen: Vec<_> = history.iter().map(|m| (m.tx_id.as_str(), m.value.as_slice(), m.is_delete)).collect();
    assert_eq!(seen, [("tx3", &b""[..], true), ("tx2", b"2", false), ("tx1", b"1", false)]);
    assert!(tx.get_history_for_key("").is_err());
}

#[test]
fn events_last_wins_and_recorded_on_commit() {
    let ledger = MemoryLedger::new();
    let tx = ledger.tx(["x"]);
    tx.set_event("first", b"1").unwrap();
    tx.set_event("second", b"2").unwrap();
    assert_eq!(tx.event().unwrap().event_name, "second");
    assert!(ledger.events().is_empty());
    tx.commit().unwrap();
    ledger.invoke(&Kv, ["event", "third", "3"]);
    let events: Vec<_> =
        ledger.events().into_iter().map(|e| (e.event_name, e.payload, e.tx_id, e.chaincode_id)).collect();
    assert_eq!(
        events,
        [
            ("second".into(), b"2".to_vec(), "tx1".into(), "mycc".into()),
            ("third".into(), b"3".to_vec(), "tx2".into(), "mycc".into())
        ]
    );
}

#[test]
fn chaincode_to_chaincode_shares_the_transaction() {
    let ledger = MemoryLedger::new();
    ledger.register_chaincode("other", Arc::new(Kv));
    seed(&ledger, &[]);
    let tx = ledger.tx(["x"]);
    tx.set_event("outer", b"").unwrap();
    let response = tx.invoke_chaincode("other", &[b"put".to_vec(), b"k".to_vec(), b"v".to_vec()], "").unwrap();
    assert_eq!(response.status, 200);
    let event = tx.invoke_chaincode("other", &[b"event".to_vec(), b"inner".to_vec(), b"".to_vec()], "mychannel");
    assert_eq!(event.unwrap().status, 200);
    // The callee's error response comes back as a response; its write stays in the transaction.
    let failed = tx.invoke_chaincode("other", &[b"fail".to_vec(), b"f".to_vec(), b"x".to_vec()], "").unwrap();
    assert_eq!(failed.status, 500);
    assert!(tx.invoke_chaincode("missing", &[], "").unwrap_err().to_string().contains("could not find chaincode"));
    assert!(tx.invoke_chaincode("other", &[], "elsewhere").is_err());
    assert_eq!(
        tx.writes().keys().map(|k| (k.namespace.as_str(), k.key.as_str())).collect::<Vec<_>>(),
        [("other", "f"), ("other", "k")]
    );
    let tx_id = tx.tx_id().to_string();
    tx.commit().unwrap();
    assert_eq!(ledger.get("other", "k"), Some(b"v".to_vec()));
    assert_eq!(ledger.get("mycc", "k"), None);
    assert_eq!(ledger.history("other", "k")[0].tx_id, tx_id, "callee runs in the caller's transaction");
    assert_eq!(ledger.events().iter().map(|e| e.event_name.as_str()).collect::<Vec<_>>(), ["outer"]);
    // Through invoke: the outer chaincode relays the callee's reads of committed state.
    assert_eq!(ledger.invoke(&Kv, ["call", "other", "get", "k"]).payload, b"v");
    assert_eq!(ledger.invoke_named("other", ["put", "n", "1"]).status, 200);
    assert_eq!(ledger.get("other", "n"), Some(b"1".to_vec()));
    assert_eq!(ledger.invoke_named("ghost", ["x"]).status, 500);
}

#[test]
fn mvcc_read_conflict_rejects_the_whole_transaction() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("counter", "1")]);
    let first = ledger.tx(["inc"]);
    let second = ledger.tx(["inc"]);
    assert_eq!(first.get_state("counter").unwrap(), Some(b"1".to_vec()));
    assert_eq!(second.get_state("counter").unwrap(), Some(b"1".to_vec()));
    first.put_state("counter", b"2").unwrap();
    second.put_state("counter", b"2").unwrap();
    second.put_state("other", b"x").unwrap();
    second.set_event("e", b"").unwrap();
    assert_eq!(first.commit().unwrap().block, 2);
    let err = second.commit().unwrap_err();
    assert!(matches!(err, CommitError::MvccReadConflict { ref key, .. } if key == "counter"), "{err}");
    assert_eq!((ledger.get("mycc", "other"), ledger.height(), ledger.events().len()), (None, 2, 0));
    // Blind writes never conflict.
    let blind = ledger.tx(["x"]);
    seed(&ledger, &[("counter", "9")]);
    blind.put_state("counter", b"5").unwrap();
    assert!(blind.commit().is_ok());
}

#[test]
fn phantom_reads_are_detected_for_ranges() {
    let ledger = MemoryLedger::new();
    seed(&ledger, &[("a", "1"), ("c", "3")]);
    let reader = ledger.tx(["x"]);
    assert_eq!(reader.get_state_by_range("a", "d").unwrap().count(), 2);
    reader.put_state("summary", b"2").unwrap();
    seed(&ledger, &[("b", "2")]);
    assert!(matches!(reader.commit(), Err(CommitError::PhantomReadConflict { .. })));
    assert_eq!(ledger.get("mycc", "summary"), None);
    // A change outside the range is fine.
    let reader = ledger.tx(["x"]);
    reader.get_state_by_range("a", "d").unwrap().for_each(drop);
    seed(&ledger, &[("z", "26")]);
    assert!(reader.commit().is_ok());
}

#[test]
fn debug_output_names_the_ledger() {
    let ledger = MemoryLedger::default();
    ledger.register_chaincode("other", Arc::new(Kv));
    let text = format!("{ledger:?}");
    assert!(text.contains("mychannel") && text.contains("other"), "{text}");
}
