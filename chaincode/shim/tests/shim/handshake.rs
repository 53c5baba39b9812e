//! Handshake in both modes, KEEPALIVE, READY variants, and messages in the wrong state.

use std::time::Duration;

use gridledger_shim::protos::peer::ChaincodeMessage;
use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_testkit::mock_peer::{Outcome, PeerOptions, Ready, Tx};

use crate::support::{BOTH, CC_ID, CH, Mode, connect, start};

#[tokio::test]
async fn registers_with_the_package_id_and_serves_in_both_modes() {
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        assert_eq!(h.conn.chaincode_id().as_deref(), Some(CC_ID), "{mode:?}");
        let register = &h.conn.received()[0];
        assert_eq!(register.r#type, Type::Register as i32, "the chaincode speaks first ({mode:?})");
        assert!(register.txid.is_empty() && register.channel_id.is_empty());
        assert_eq!(h.ok("t1", &["put", "k", "v"]).await, "");
        assert_eq!(h.peer.ledger().get("k"), Some(&b"v"[..]));
        assert_eq!(h.ok("t2", &["get", "k"]).await, "v");
        h.assert_clean();
    }
}

fn is_keepalive(m: &ChaincodeMessage) -> bool {
    m.r#type == Type::Keepalive as i32
}

#[tokio::test]
async fn keepalive_is_echoed_in_every_state() {
    for mode in BOTH {
        let h = connect(mode, PeerOptions::fabric_2_5(), None).await.unwrap();
        h.conn.wait_register().await.unwrap();
        h.conn.send_keepalive().unwrap();
        h.conn.wait_count("echo while created", 1, is_keepalive).await.unwrap();
        h.conn.send_registered().unwrap();
        h.conn.send_keepalive().unwrap();
        h.conn.wait_count("echo while established", 2, is_keepalive).await.unwrap();
        h.conn.send_ready().unwrap();
        h.conn.send_keepalive().unwrap();
        h.conn.wait_count("echo while ready", 3, is_keepalive).await.unwrap();
        assert_eq!(h.ok("t1", &["get", "k"]).await, "<none>", "{mode:?}");
        h.assert_clean();
    }
}

#[tokio::test]
async fn periodic_peer_keepalives_are_echoed() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5().with_keepalive(Duration::from_millis(5))).await;
    h.conn.wait_count("three echoes", 3, is_keepalive).await.unwrap();
    assert_eq!(h.ok("t1", &["get", "k"]).await, "<none>");
    h.assert_clean();
}

fn error_text(out: &Outcome) -> &str {
    match out {
        Outcome::Error(text) => text,
        other => panic!("expected ERROR, got {other:?}"),
    }
}

#[tokio::test]
async fn messages_in_the_wrong_state_get_error_and_the_stream_survives() {
    for mode in BOTH {
        let h = connect(mode, PeerOptions::fabric_2_5(), None).await.unwrap();
        h.conn.wait_register().await.unwrap();
        let early = h.conn.invoke(Tx::new(CH, "early", ["get", "k"])).await.unwrap();
        assert!(error_text(&early).contains("TRANSACTION not expected in state created"), "{early:?}");
        h.conn.send_registered().unwrap();
        let early = h.conn.invoke(Tx::new(CH, "early2", ["get", "k"]).init()).await.unwrap();
        assert!(error_text(&early).contains("INIT not expected in state established"), "{early:?}");
        h.conn.send_ready().unwrap();
        for (tx, kind) in [("again", Type::Registered), ("ready2", Type::Ready), ("done", Type::Completed)] {
            let msg =
                ChaincodeMessage { r#type: kind as i32, txid: tx.into(), channel_id: CH.into(), ..Default::default() };
            let out = h.conn.expect_result(msg).unwrap().wait().await.unwrap();
            let expected = format!("{} not expected in state ready", kind.as_str_name());
            assert!(error_text(&out).contains(&expected), "{mode:?} {out:?}");
        }
        assert_eq!(h.ok("t1", &["put", "k", "v"]).await, "", "{mode:?}");
        h.assert_clean();
    }
}

#[tokio::test]
async fn undecodable_ready_parameters_turn_3_1_features_off() {
    let options = PeerOptions { ready: Ready::Raw(vec![0xff, 0xff, 0xff]), ..PeerOptions::fabric_2_5() };
    let h = start(Mode::Ccaas, options).await;
    assert_eq!(h.ok("t1", &["putmany", "2"]).await, "");
    assert_eq!(h.ok("t2", &["multi", "m0000", "m0001"]).await, "last,v1");
    assert_eq!(h.conn.received_of(Type::WriteBatchState).len(), 0);
    assert_eq!(h.conn.received_of(Type::GetStateMultiple).len(), 0);
    h.assert_clean();
}

#[tokio::test]
async fn init_runs_init_and_a_failed_init_is_an_error() {
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        let ok = h.conn.invoke(Tx::new(CH, "i1", ["anything"]).init()).await.unwrap();
        assert_eq!((ok.status(), ok.payload_text().as_str()), (Some(200), "init"));
        let failed = h.conn.invoke(Tx::new(CH, "i2", ["fail"]).init()).await.unwrap();
        assert_eq!(error_text(&failed), "init refused", "Go: a failed Init is ERROR");
        let invoke_failed = h.run("i3", &["unknown-fn"]).await;
        assert_eq!(invoke_failed.status(), Some(500), "Invoke always COMPLETES, status inside");
        h.assert_clean();
    }
}
