//! Many transactions on one stream: interleaving, the same txid on two channels, panics.

use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_testkit::mock_peer::{Gate, Outcome, PeerOptions, Reply, Tx};

use crate::support::{BOTH, CH, Mode, start};

/// Requests for keys starting with "slow" wait for the gate.
fn gated(gate: &Gate) -> PeerOptions {
    let gate = gate.clone();
    PeerOptions::fabric_2_5().with_responder(move |req| match req.get_state_key() {
        Some(k) if k.starts_with("slow") => Reply::after_gate(&gate),
        _ => Reply::Ledger,
    })
}

#[tokio::test]
async fn twenty_four_interleaved_transactions_on_one_stream() {
    for mode in BOTH {
        let gate = Gate::new();
        let h = start(mode, gated(&gate)).await;
        let mut fast = Vec::new();
        let mut slow = Vec::new();
        for i in 0..24 {
            let tx_id = format!("tx{i}");
            if i % 2 == 0 {
                fast.push((i, h.conn.send_tx(Tx::new(CH, &tx_id, ["put", &format!("k{i}"), "v"])).unwrap()));
            } else {
                slow.push((i, h.conn.send_tx(Tx::new(CH, &tx_id, ["get", &format!("slow{i}")])).unwrap()));
            }
        }
        h.conn.wait_count("12 blocked reads", 12, |m| m.r#type == Type::GetState as i32).await.unwrap();
        for (i, pending) in fast {
            assert_eq!(pending.wait().await.unwrap().status(), Some(200), "tx{i} ({mode:?})");
        }
        let completed: Vec<String> = h.conn.received_of(Type::Completed).into_iter().map(|m| m.txid).collect();
        assert_eq!(completed.len(), 12, "only the fast ones completed while the gate is shut: {completed:?}");
        gate.open();
        for (i, pending) in slow {
            assert_eq!(pending.wait().await.unwrap().payload_text(), "<none>", "tx{i}");
        }
        assert_eq!(h.peer.ledger().get("k22"), Some(&b"v"[..]));
        h.assert_clean();
    }
}

#[tokio::test]
async fn the_same_txid_runs_on_two_channels_at_once() {
    let gate = Gate::new();
    let h = start(Mode::Ccaas, gated(&gate)).await;
    let one = h.conn.send_tx(Tx::new("ch1", "dup", ["whoami", "slow"])).unwrap();
    let two = h.conn.send_tx(Tx::new("ch2", "dup", ["whoami", "slow"])).unwrap();
    h.conn.wait_count("both reads outstanding", 2, |m| m.r#type == Type::GetState as i32).await.unwrap();
    gate.open();
    assert_eq!(two.wait().await.unwrap().payload_text(), "ch2");
    assert_eq!(one.wait().await.unwrap().payload_text(), "ch1");
    h.assert_clean();
}

#[tokio::test]
async fn a_panicking_transaction_gets_500_and_the_stream_carries_on() {
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        let out = h.run("boom", &["panic"]).await;
        assert_eq!(out.status(), Some(500), "{out:?}");
        assert!(out.message().contains("chaincode exploded on purpose"), "{out:?}");
        let init = h.conn.invoke(Tx::new(CH, "boom-init", ["panic"]).init()).await.unwrap();
        assert!(matches!(&init, Outcome::Error(text) if text.contains("init exploded")), "{init:?}");
        h.ok("after", &["put", "k", "v"]).await;
        assert_eq!(h.ok("after2", &["get", "k"]).await, "v");
        h.assert_clean();
    }
}
