//! Fabric 3.1 write batching and multi-key reads, on (READY advertises them) and off (2.5-style READY).

use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_shim::protos::peer::{ChaincodeAdditionalParams, GetStateMultiple, WriteBatchState, write_record};
use gridledger_shim::protos::prost::Message;
use gridledger_testkit::mock_peer::{PeerOptions, Tx};

use crate::support::{BOTH, CH, Mode, start};

fn params(write_batch: bool, get_multiple: bool) -> PeerOptions {
    // 10 is below the floor of 100 both the Go shim and ours apply.
    PeerOptions::fabric_2_5().with_params(ChaincodeAdditionalParams {
        use_write_batch: write_batch,
        max_size_write_batch: 10,
        use_get_multiple_keys: get_multiple,
        max_size_get_multiple_keys: 10,
    })
}

const INDIVIDUAL_WRITES: [Type; 4] = [Type::PutState, Type::DelState, Type::PutStateMetadata, Type::PurgePrivateData];

#[tokio::test]
async fn writes_are_batched_sorted_chunked_and_flushed_before_completed() {
    for mode in BOTH {
        let h = start(mode, params(true, false)).await;
        h.ok("w1", &["putmany", "250"]).await;
        let batches = h.sent_by("w1", Type::WriteBatchState);
        let sizes: Vec<usize> =
            batches.iter().map(|m| WriteBatchState::decode(m.payload.as_slice()).unwrap().rec.len()).collect();
        // 250 puts (one key twice: last wins) + 1 delete + 1 private put + 1 metadata = 253 records.
        assert_eq!(sizes, vec![100, 100, 53], "{mode:?}");
        let records: Vec<_> =
            batches.iter().flat_map(|m| WriteBatchState::decode(m.payload.as_slice()).unwrap().rec).collect();
        let order: Vec<(String, String, i32)> =
            records.iter().map(|r| (r.collection.clone(), r.key.clone(), r.r#type)).collect();
        let mut expected = vec![("".to_string(), "gone".to_string(), write_record::Type::DelState as i32)];
        for i in 0..250 {
            expected.push((String::new(), format!("m{i:04}"), write_record::Type::PutState as i32));
            if i == 0 {
                expected.push((String::new(), "m0000".into(), write_record::Type::PutStateMetadata as i32));
            }
        }
        expected.push(("c1".into(), "p".into(), write_record::Type::PutState as i32));
        assert_eq!(order, expected, "sorted by (collection, key, value before metadata)");
        assert_eq!(records[1].value, b"last", "the last write to a key wins");
        for kind in INDIVIDUAL_WRITES {
            assert!(h.sent_by("w1", kind).is_empty(), "{kind:?} sent individually while batching");
        }
        let received = h.conn.received();
        let last_batch = received.iter().rposition(|m| m.r#type == Type::WriteBatchState as i32).unwrap();
        let completed = received.iter().position(|m| m.r#type == Type::Completed as i32 && m.txid == "w1").unwrap();
        assert!(last_batch < completed, "flushed before COMPLETED");
        assert_eq!(h.peer.ledger().get("m0249"), Some(&b"v249"[..]));
        assert_eq!(h.peer.ledger().get_private("c1", "p"), Some(&b"secret"[..]));
        assert_eq!(
            h.peer.ledger().metadata("", "m0000").get("VALIDATION_PARAMETER").map(Vec::as_slice),
            Some(&b"policy"[..])
        );

        let failed = h.run("w2", &["fail_after_put", "x", "1"]).await;
        assert_eq!(failed.status(), Some(500));
        assert!(h.sent_by("w2", Type::WriteBatchState).is_empty(), "a failed transaction's writes never travel");
        assert_eq!(h.peer.ledger().get("x"), None);

        let init = h.conn.invoke(Tx::new(CH, "w3", ["put", "i", "1"]).init()).await.unwrap();
        assert_eq!(init.status(), Some(200));
        assert_eq!(h.sent_by("w3", Type::WriteBatchState).len(), 1, "Init flushes too");
        assert_eq!(h.peer.ledger().get("i"), Some(&b"1"[..]));
        h.assert_clean();
    }
}

#[tokio::test]
async fn without_advertising_writes_go_one_by_one_and_never_as_24_or_25() {
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        h.ok("w1", &["putmany", "3"]).await;
        assert_eq!(h.sent_by("w1", Type::PutState).len(), 5, "3 + the repeated key + the private put");
        assert_eq!(h.sent_by("w1", Type::DelState).len(), 1);
        assert_eq!(h.sent_by("w1", Type::PutStateMetadata).len(), 1);
        assert_eq!(h.ok("r1", &["multi", "m0000", "m0001", "nope"]).await, "last,v1,<none>");
        assert_eq!(h.sent_by("r1", Type::GetState).len(), 3);
        assert!(h.conn.received_of(Type::WriteBatchState).is_empty());
        assert!(h.conn.received_of(Type::GetStateMultiple).is_empty());
        // The mock ends the stream on 24/25 like a 2.5 peer; it is still up.
        assert!(h.conn.ended().is_none());
        h.assert_clean();
    }
}

#[tokio::test]
async fn multi_key_reads_use_get_state_multiple_in_chunks_when_advertised() {
    let h = start(Mode::Ccaas, params(false, true)).await;
    let keys: Vec<String> = (0..250).map(|i| format!("g{i:03}")).collect();
    for k in keys.iter().step_by(2) {
        h.peer.ledger().put(k, k.as_bytes());
    }
    let mut args = vec!["multi"];
    args.extend(keys.iter().map(String::as_str));
    let expected: Vec<String> =
        keys.iter().enumerate().map(|(i, k)| if i % 2 == 0 { k.clone() } else { "<none>".into() }).collect();
    assert_eq!(h.ok("r1", &args).await, expected.join(","));
    let chunks: Vec<usize> = h
        .sent_by("r1", Type::GetStateMultiple)
        .iter()
        .map(|m| GetStateMultiple::decode(m.payload.as_slice()).unwrap().keys.len())
        .collect();
    assert_eq!(chunks, vec![100, 100, 50]);
    assert!(h.sent_by("r1", Type::GetState).is_empty());

    h.peer.ledger().put_private("c1", "a", b"A");
    assert_eq!(h.ok("r2", &["pmulti", "c1", "a", "b"]).await, "A,<none>");
    let wire = GetStateMultiple::decode(h.sent_by("r2", Type::GetStateMultiple)[0].payload.as_slice()).unwrap();
    assert_eq!(wire.collection, "c1");
    assert_eq!(h.ok("r3", &["get", "g000"]).await, "g000");
    assert_eq!(h.sent_by("r3", Type::GetState).len(), 1, "a single key is a plain GET_STATE");
    assert!(h.conn.received_of(Type::WriteBatchState).is_empty(), "write batching was not advertised");
    h.assert_clean();
}
