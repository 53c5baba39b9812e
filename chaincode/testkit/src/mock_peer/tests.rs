//! Self-tests of the mock peer's rules, driven by a hand-written "chaincode" on a raw Register stream.

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::chaincode_support_client::ChaincodeSupportClient;
use gridledger_protos::peer::{
    ChaincodeId, ChaincodeMessage, GetState, GetStateByRange, PutState, QueryResponse, QueryStateClose, WriteBatchState,
};
use gridledger_protos::prost::Message;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::Streaming;

use super::*;

struct Raw {
    out: mpsc::UnboundedSender<ChaincodeMessage>,
    incoming: Streaming<ChaincodeMessage>,
    conn: Connection,
    _listener: Listener,
}

impl Raw {
    async fn open(peer: &MockPeer) -> Self {
        let mut listener = peer.listen(None).await.unwrap();
        let channel =
            Endpoint::from_shared(format!("http://{}", listener.local_addr())).unwrap().connect().await.unwrap();
        let (out, rx) = mpsc::unbounded_channel();
        let name = ChaincodeId { name: "raw:1".into(), ..Default::default() }.encode_to_vec();
        out.send(msg(Type::Register, "", name)).unwrap();
        let incoming =
            ChaincodeSupportClient::new(channel).register(UnboundedReceiverStream::new(rx)).await.unwrap().into_inner();
        let conn = listener.accept().await.unwrap();
        let mut raw = Self { out, incoming, conn, _listener: listener };
        assert_eq!(raw.conn.handshake().await.unwrap(), "raw:1");
        assert_eq!(raw.next().await.unwrap().r#type, Type::Registered as i32);
        assert_eq!(raw.next().await.unwrap().r#type, Type::Ready as i32);
        raw
    }

    async fn next(&mut self) -> Option<ChaincodeMessage> {
        tokio::time::timeout(Duration::from_secs(5), self.incoming.message()).await.unwrap().ok().flatten()
    }

    fn send(&self, kind: Type, tx: &str, payload: Vec<u8>) {
        let mut m = msg(kind, tx, payload);
        m.channel_id = "ch".into();
        self.out.send(m).unwrap();
    }
}

fn msg(kind: Type, tx: &str, payload: Vec<u8>) -> ChaincodeMessage {
    ChaincodeMessage { r#type: kind as i32, txid: tx.into(), payload, ..Default::default() }
}

fn get(key: &str) -> Vec<u8> {
    GetState { key: key.into(), collection: String::new() }.encode_to_vec()
}

#[tokio::test]
async fn serves_reads_and_commits_writes_on_success_only() {
    let peer = MockPeer::new(PeerOptions::fabric_2_5());
    peer.ledger().put("a", b"1");
    let mut raw = Raw::open(&peer).await;
    let done = raw.conn.send_tx(Tx::new("ch", "t1", ["x"])).unwrap();
    assert_eq!(raw.next().await.unwrap().r#type, Type::Transaction as i32);
    raw.send(Type::GetState, "t1", get("a"));
    assert_eq!(raw.next().await.unwrap().payload, b"1");
    raw.send(
        Type::PutState,
        "t1",
        PutState { key: "b".into(), value: b"2".to_vec(), ..Default::default() }.encode_to_vec(),
    );
    assert_eq!(raw.next().await.unwrap().r#type, Type::Response as i32);
    raw.send(Type::GetState, "t1", get("b"));
    assert_eq!(raw.next().await.unwrap().payload, b"", "a transaction does not read its own writes");
    let ok = gridledger_protos::peer::Response { status: 200, ..Default::default() }.encode_to_vec();
    raw.send(Type::Completed, "t1", ok);
    assert_eq!(done.wait().await.unwrap().status(), Some(200));
    assert_eq!(peer.ledger().get("b"), Some(&b"2"[..]));
    assert_eq!(peer.ledger().history("b").len(), 1);
    assert!(raw.conn.violations().is_empty());
}

#[tokio::test]
async fn a_second_outstanding_request_is_dropped_and_recorded() {
    let gate = Gate::new();
    let g = gate.clone();
    let peer = MockPeer::new(PeerOptions::fabric_2_5().with_responder(move |_| Reply::after_gate(&g)));
    let mut raw = Raw::open(&peer).await;
    let _pending = raw.conn.send_tx(Tx::new("ch", "t1", ["x"])).unwrap();
    raw.next().await.unwrap();
    raw.send(Type::GetState, "t1", get("a"));
    raw.send(Type::GetState, "t1", get("b"));
    raw.conn.wait_count("two GET_STATE", 2, |m| m.r#type == Type::GetState as i32).await.unwrap();
    let v = raw.conn.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].kind, ViolationKind::TwoOutstanding);
    gate.open();
    assert_eq!(raw.next().await.unwrap().r#type, Type::Response as i32);
    // Only the first request is answered.
    raw.send(Type::GetState, "t1", get("c"));
    assert_eq!(raw.next().await.unwrap().r#type, Type::Response as i32);
    assert_eq!(raw.conn.violations().len(), 1);
}

#[tokio::test]
async fn write_batch_without_advertising_kills_the_stream_like_a_2_5_peer() {
    let peer = MockPeer::new(PeerOptions::fabric_2_5());
    let mut raw = Raw::open(&peer).await;
    let pending = raw.conn.send_tx(Tx::new("ch", "t1", ["x"])).unwrap();
    raw.next().await.unwrap();
    raw.send(Type::WriteBatchState, "t1", WriteBatchState::default().encode_to_vec());
    raw.conn.wait_ended().await.unwrap();
    assert_eq!(raw.conn.violations()[0].kind, ViolationKind::NotAdvertised);
    assert!(raw.next().await.is_none(), "the chaincode sees its stream end");
    assert!(matches!(pending.wait().await, Err(MockError::Closed(_))));
}

#[tokio::test]
async fn ranges_come_in_batches_and_close_frees_the_iterator() {
    let peer = MockPeer::new(PeerOptions::fabric_2_5().with_range_batch(2));
    for k in ["k1", "k2", "k3", "k4", "k5"] {
        peer.ledger().put(k, b"v");
    }
    let mut raw = Raw::open(&peer).await;
    let _pending = raw.conn.send_tx(Tx::new("ch", "t1", ["x"])).unwrap();
    raw.next().await.unwrap();
    let range = GetStateByRange { start_key: "k2".into(), end_key: "k5".into(), ..Default::default() };
    raw.send(Type::GetStateByRange, "t1", range.encode_to_vec());
    let first = QueryResponse::decode(raw.next().await.unwrap().payload.as_slice()).unwrap();
    assert_eq!((first.results.len(), first.has_more), (2, true));
    assert_eq!(raw.conn.open_iterators(), 1);
    raw.send(Type::QueryStateClose, "t1", QueryStateClose { id: first.id }.encode_to_vec());
    raw.next().await.unwrap();
    assert_eq!(raw.conn.open_iterators(), 0);
}

#[tokio::test]
async fn requests_for_unknown_transactions_get_error() {
    let peer = MockPeer::new(PeerOptions::fabric_2_5());
    let mut raw = Raw::open(&peer).await;
    raw.send(Type::GetState, "nobody", get("a"));
    let reply = raw.next().await.unwrap();
    assert_eq!(reply.r#type, Type::Error as i32);
    assert_eq!(raw.conn.violations()[0].kind, ViolationKind::UnknownTransaction);
}

#[test]
fn test_pki_mints_pem() {
    let pki = tls::TestPki::new().unwrap();
    assert!(pki.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(pki.server.key_pem.contains("PRIVATE KEY"));
    assert!(pki.chaincode_server_tls(true).client_ca.is_some());
}
