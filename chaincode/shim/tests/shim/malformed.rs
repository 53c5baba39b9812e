//! Malformed input from the peer fails the affected transaction only; the stream and other transactions go on.

use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_shim::protos::peer::{ChaincodeMessage, QueryResponse};
use gridledger_shim::protos::prost::Message;
use gridledger_testkit::mock_peer::{Gate, Outcome, PeerOptions, Reply, Tx};

use crate::support::{CH, Harness, Mode, start};

const GARBAGE: &[u8] = &[0xff, 0xff, 0xff, 0x01];

/// A transaction blocked on the gate while the malformed input is processed; it must still complete.
async fn with_bystander(h: &Harness, check: impl AsyncFnOnce(&Harness)) {
    let bystander = h.conn.send_tx(Tx::new(CH, "bystander", ["get", "slow"])).unwrap();
    h.conn
        .wait_for("the bystander's read", |m| m.txid == "bystander" && m.r#type == Type::GetState as i32)
        .await
        .unwrap();
    check(h).await;
    assert_eq!(bystander.wait().await.unwrap().status(), Some(200), "the concurrent transaction still completes");
}

fn options(gate: &Gate) -> PeerOptions {
    let gate = gate.clone();
    PeerOptions::fabric_2_5().with_range_batch(1).with_responder(move |req| {
        if req.get_state_key().as_deref() == Some("slow") {
            return Reply::after_gate(&gate);
        }
        match (req.tx_id(), req.kind()) {
            ("bad-range", Some(Type::GetStateByRange)) => Reply::Response(GARBAGE.to_vec()),
            ("bad-next", Some(Type::QueryStateNext)) => Reply::Response(GARBAGE.to_vec()),
            ("bad-meta", Some(Type::GetStateMetadata)) => Reply::Response(GARBAGE.to_vec()),
            ("bad-invoke", Some(Type::InvokeChaincode)) => Reply::Response(GARBAGE.to_vec()),
            ("bad-page", Some(Type::GetStateByRange)) => {
                Reply::Response(QueryResponse { metadata: GARBAGE.to_vec(), ..Default::default() }.encode_to_vec())
            }
            _ => Reply::Ledger,
        }
    })
}

#[tokio::test]
async fn garbage_replies_fail_only_their_transaction() {
    let gate = Gate::new();
    let h = start(Mode::Ccaas, options(&gate)).await;
    h.peer.ledger().put("a", b"1");
    h.peer.ledger().put("b", b"2");
    with_bystander(&h, async |h| {
        for (tx, args) in [
            ("bad-range", vec!["range", "", ""]),
            ("bad-next", vec!["range", "", ""]),
            ("bad-meta", vec!["getvp", "a"]),
            ("bad-invoke", vec!["invoke", "other", ""]),
            ("bad-page", vec!["page", "a", "", "1", ""]),
        ] {
            let out = h.run(tx, &args).await;
            assert_eq!(out.status(), Some(500), "{tx}: {out:?}");
            assert!(out.message().contains("cannot decode"), "{tx}: {out:?}");
        }
        gate.open();
    })
    .await;
    h.assert_clean();
}

#[tokio::test]
async fn undecodable_transaction_payload_gets_error() {
    let gate = Gate::new();
    let h = start(Mode::Ccaas, options(&gate)).await;
    with_bystander(&h, async |h| {
        let out = h.conn.invoke(Tx::new(CH, "garbled", ["x"]).with_raw_payload(GARBAGE.to_vec())).await.unwrap();
        assert!(matches!(&out, Outcome::Error(t) if t.contains("cannot decode ChaincodeInput")), "{out:?}");
        let init = h.conn.invoke(Tx::new(CH, "garbled-init", ["x"]).init().with_raw_payload(GARBAGE.to_vec())).await;
        assert!(matches!(init.unwrap(), Outcome::Error(_)));
        gate.open();
    })
    .await;
    h.assert_clean();
}

#[tokio::test]
async fn unknown_message_types_and_stray_replies_leave_the_stream_up() {
    let gate = Gate::new();
    let h = start(Mode::Classic, options(&gate)).await;
    with_bystander(&h, async |h| {
        let unknown = ChaincodeMessage { r#type: 99, txid: "odd".into(), channel_id: CH.into(), ..Default::default() };
        let out = h.conn.expect_result(unknown).unwrap().wait().await.unwrap();
        assert!(matches!(&out, Outcome::Error(t) if t.contains("unknown message type 99")), "{out:?}");
        // A RESPONSE nobody asked for is dropped by the chaincode, with no reply.
        let stray = ChaincodeMessage {
            r#type: Type::Response as i32,
            txid: "ghost".into(),
            channel_id: CH.into(),
            ..Default::default()
        };
        h.conn.send(stray).unwrap();
        assert_eq!(h.ok("after", &["get", "k"]).await, "<none>");
        gate.open();
    })
    .await;
    h.assert_clean();
}
