//! Graceful shutdown and the end of the stream.

use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_testkit::mock_peer::{Gate, Outcome, PeerOptions, Reply, Tx};

use crate::support::{BOTH, CH, start};

fn options(gate: &Gate) -> PeerOptions {
    let gate = gate.clone();
    PeerOptions::fabric_2_5().with_responder(move |req| match req.get_state_key().as_deref() {
        Some("slow") => Reply::after_gate(&gate),
        Some("hang") => Reply::Never,
        _ => Reply::Ledger,
    })
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_work_and_refuses_new_transactions() {
    for mode in BOTH {
        let gate = Gate::new();
        let mut h = start(mode, options(&gate)).await;
        let in_flight = h.conn.send_tx(Tx::new(CH, "in-flight", ["hook_then_get", "slow"])).unwrap();
        assert_eq!(h.hook().await, "entered in-flight");
        h.conn.wait_for("the blocked read", |m| m.r#type == Type::GetState as i32).await.unwrap();
        h.shutdown();
        // The shutdown signal reaches the stream asynchronously: probe until a new transaction is refused.
        let mut probes = 0;
        let refusal = loop {
            probes += 1;
            assert!(probes < 1000, "never refused");
            match h.conn.invoke(Tx::new(CH, &format!("probe{probes}"), ["get", "k"])).await.unwrap() {
                Outcome::Error(text) => break text,
                ok => assert_eq!(ok.status(), Some(200)),
            }
        };
        assert!(refusal.contains("shutting down"), "{refusal}");
        gate.open();
        assert_eq!(in_flight.wait().await.unwrap().status(), Some(200), "{mode:?}: the in-flight tx completes");
        h.finished().await.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        h.conn.wait_ended().await.unwrap();
        h.assert_clean();
    }
}

#[tokio::test]
async fn shutdown_with_nothing_in_flight_returns_at_once() {
    for mode in BOTH {
        let mut h = start(mode, PeerOptions::fabric_2_5()).await;
        h.ok("t1", &["put", "k", "v"]).await;
        h.shutdown();
        h.finished().await.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
    }
}

#[tokio::test]
async fn the_peer_closing_the_stream_wakes_a_transaction_blocked_on_a_reply() {
    for mode in BOTH {
        let mut h = start(mode, options(&Gate::new())).await;
        let _blocked = h.conn.send_tx(Tx::new(CH, "stuck", ["get_report", "hang"])).unwrap();
        h.conn.wait_for("the read that never gets an answer", |m| m.r#type == Type::GetState as i32).await.unwrap();
        h.conn.close();
        assert_eq!(h.hook().await, "Error::Disconnected", "{mode:?}");
        if mode == crate::support::Mode::Classic {
            // In classic mode the end of the peer's stream ends `register`.
            h.finished().await.unwrap();
        }
    }
}
