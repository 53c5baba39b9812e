//! The driver against a fake executor that records what it is asked to do.

use std::collections::HashSet;
use std::task::{Context, Poll};
use std::time::Duration;

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{ChaincodeAdditionalParams, ChaincodeInput};
use gridledger_protos::prost::Message;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::*;
use crate::handler::{PeerFeatures, TxKind};

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Ready(PeerFeatures),
    Start(TxKey, TxKind, Vec<Vec<u8>>),
    Deliver(TxKey, i32, Vec<u8>),
    Close,
}

/// Records every call; a transaction runs until the test reports it finished on `finish`.
struct Fake {
    events: Vec<Event>,
    running: HashSet<TxKey>,
    started: mpsc::UnboundedSender<TxKey>,
    finished: mpsc::UnboundedReceiver<TxKey>,
}

impl TxExecutor for Fake {
    fn ready(&mut self, features: PeerFeatures) {
        self.events.push(Event::Ready(features));
    }
    fn is_running(&self, key: &TxKey) -> bool {
        self.running.contains(key)
    }
    fn is_idle(&self) -> bool {
        self.running.is_empty()
    }
    fn start(&mut self, key: TxKey, exec: Box<Execution>) -> Result<()> {
        self.events.push(Event::Start(key.clone(), exec.kind, exec.input.args));
        self.running.insert(key.clone());
        drop(self.started.send(key));
        Ok(())
    }
    fn deliver(&mut self, key: TxKey, reply: ChaincodeMessage) {
        self.events.push(Event::Deliver(key, reply.r#type, reply.payload));
    }
    fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match self.finished.poll_recv(cx) {
            Poll::Ready(Some(key)) => {
                self.running.remove(&key);
                Poll::Ready(())
            }
            _ => Poll::Pending,
        }
    }
    fn close(&mut self) {
        self.events.push(Event::Close);
    }
}

/// The peer's side of a driven stream.
struct Peer {
    send: mpsc::UnboundedSender<Result<ChaincodeMessage, tonic::Status>>,
    sent: mpsc::UnboundedReceiver<ChaincodeMessage>,
    started: mpsc::UnboundedReceiver<TxKey>,
    finish: mpsc::UnboundedSender<TxKey>,
    stop: watch::Sender<bool>,
    driver: tokio::task::JoinHandle<(Result<()>, Vec<Event>)>,
}

impl Peer {
    fn start(stopped: bool) -> Self {
        let (send, incoming) = mpsc::unbounded_channel();
        let (out, sent) = mpsc::unbounded_channel();
        let (started_tx, started) = mpsc::unbounded_channel();
        let (finish, finished) = mpsc::unbounded_channel();
        let (stop, shutdown) = watch::channel(stopped);
        let driver = tokio::spawn(async move {
            let mut fake = Fake { events: Vec::new(), running: HashSet::new(), started: started_tx, finished };
            let mut incoming = UnboundedReceiverStream::new(incoming);
            let result = drive(&mut fake, &mut incoming, &Outgoing::new(out), shutdown).await;
            (result, fake.events)
        });
        Self { send, sent, started, finish, stop, driver }
    }

    fn send(&self, kind: Type, tx: &str, channel: &str, payload: Vec<u8>) {
        let msg = ChaincodeMessage {
            r#type: kind as i32,
            payload,
            txid: tx.into(),
            channel_id: channel.into(),
            ..Default::default()
        };
        self.send.send(Ok(msg)).unwrap();
    }

    fn handshake(&self) {
        self.send(Type::Registered, "", "", Vec::new());
        self.send(Type::Ready, "", "", Vec::new());
    }

    async fn next_sent(&mut self) -> ChaincodeMessage {
        tokio::time::timeout(Duration::from_secs(5), self.sent.recv()).await.unwrap().unwrap()
    }

    async fn next_started(&mut self) -> TxKey {
        tokio::time::timeout(Duration::from_secs(5), self.started.recv()).await.unwrap().unwrap()
    }

    /// Ends the stream from the peer's side and returns what the driver returned and recorded.
    async fn hang_up(self) -> (Result<()>, Vec<Event>) {
        let Self { send, driver, .. } = self;
        drop(send);
        tokio::time::timeout(Duration::from_secs(5), driver).await.unwrap().unwrap()
    }

    async fn ended(self) -> (Result<()>, Vec<Event>) {
        tokio::time::timeout(Duration::from_secs(5), self.driver).await.unwrap().unwrap()
    }
}

fn key(tx: &str, channel: &str) -> TxKey {
    TxKey { channel_id: channel.into(), tx_id: tx.into() }
}

fn input(args: &[&str]) -> Vec<u8> {
    ChaincodeInput { args: args.iter().map(|a| a.as_bytes().to_vec()).collect(), ..Default::default() }.encode_to_vec()
}

fn text(msg: &ChaincodeMessage) -> String {
    String::from_utf8_lossy(&msg.payload).into_owned()
}

#[tokio::test]
async fn the_handshake_passes_features_and_transactions_start_with_their_kind_and_args() {
    let peer = Peer::start(false);
    peer.send(Type::Registered, "", "", Vec::new());
    let params = ChaincodeAdditionalParams { use_write_batch: true, max_size_write_batch: 1000, ..Default::default() };
    peer.send(Type::Ready, "", "", params.encode_to_vec());
    peer.send(Type::Transaction, "t1", "ch", input(&["get", "k"]));
    peer.send(Type::Init, "t2", "ch", input(&["init"]));
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    let features = PeerFeatures { write_batch: Some(1000), get_multiple: None };
    assert_eq!(
        events,
        vec![
            Event::Ready(features),
            Event::Start(key("t1", "ch"), TxKind::Transaction, vec![b"get".to_vec(), b"k".to_vec()]),
            Event::Start(key("t2", "ch"), TxKind::Init, vec![b"init".to_vec()]),
            Event::Close,
        ]
    );
}

#[tokio::test]
async fn a_shutdown_sender_gone_without_asking_leaves_the_stream_serving() {
    let mut peer = Peer::start(false);
    let (gone, _) = watch::channel(false);
    drop(std::mem::replace(&mut peer.stop, gone));
    peer.handshake();
    peer.send(Type::Transaction, "t1", "ch", input(&["x"]));
    assert_eq!(peer.next_started().await, key("t1", "ch"));
    // Not ended, nor draining: a second transaction still starts.
    peer.send(Type::Transaction, "t2", "ch", input(&["y"]));
    assert_eq!(peer.next_started().await, key("t2", "ch"));
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events.len(), 4, "READY, two transactions, close: {events:?}");
}

#[tokio::test]
async fn messages_the_state_does_not_expect_are_answered_and_start_nothing() {
    let mut peer = Peer::start(false);
    peer.send(Type::Transaction, "early", "ch", input(&["x"]));
    peer.send(Type::Ready, "r", "ch", Vec::new());
    peer.send(Type::Registered, "", "", Vec::new());
    peer.send(Type::Response, "t9", "ch", Vec::new());
    for (tx, expected) in [
        ("early", "TRANSACTION not expected in state created"),
        ("r", "READY not expected in state created"),
        ("t9", "RESPONSE not expected in state established"),
    ] {
        let reply = peer.next_sent().await;
        assert_eq!((reply.r#type, reply.txid.as_str(), reply.channel_id.as_str()), (Type::Error as i32, tx, "ch"));
        assert_eq!(text(&reply), expected);
    }
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events, vec![Event::Close], "no READY, no transaction");
}

#[tokio::test]
async fn undecodable_input_and_unknown_types_are_answered_and_the_stream_goes_on() {
    let mut peer = Peer::start(false);
    peer.handshake();
    peer.send(Type::Transaction, "bad", "ch", vec![0x0a, 0xff]);
    let msg = ChaincodeMessage { r#type: 99, txid: "odd".into(), channel_id: "ch".into(), ..Default::default() };
    peer.send.send(Ok(msg)).unwrap();
    peer.send(Type::Transaction, "good", "ch", input(&["x"]));
    let reply = peer.next_sent().await;
    assert_eq!((reply.r#type, reply.txid.as_str()), (Type::Error as i32, "bad"));
    assert!(text(&reply).starts_with("cannot decode ChaincodeInput"), "{}", text(&reply));
    let reply = peer.next_sent().await;
    assert_eq!((reply.r#type, reply.txid.as_str()), (Type::Error as i32, "odd"));
    assert_eq!(text(&reply), "unknown message type 99");
    assert_eq!(peer.next_started().await, key("good", "ch"));
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events.len(), 3, "READY, the good transaction, close: {events:?}");
}

#[tokio::test]
async fn replies_and_duplicates_are_told_apart_by_txid_and_channel() {
    let mut peer = Peer::start(false);
    peer.handshake();
    peer.send(Type::Transaction, "t1", "a", input(&["x"]));
    // The same txid on another channel is another transaction.
    peer.send(Type::Transaction, "t1", "b", input(&["y"]));
    // The same txid on the same channel while it runs is refused.
    peer.send(Type::Transaction, "t1", "a", input(&["z"]));
    let reply = peer.next_sent().await;
    assert_eq!((reply.r#type, reply.txid.as_str(), reply.channel_id.as_str()), (Type::Error as i32, "t1", "a"));
    assert_eq!(text(&reply), "transaction t1 is already running on channel a");
    peer.send(Type::Response, "t1", "b", b"for b".to_vec());
    peer.send(Type::Error, "t1", "a", b"for a".to_vec());
    // Once t1 on a has finished, the txid may run there again.
    assert_eq!(peer.next_started().await, key("t1", "a"));
    assert_eq!(peer.next_started().await, key("t1", "b"));
    peer.finish.send(key("t1", "a")).unwrap();
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    peer.send(Type::Transaction, "t1", "a", input(&["again"]));
    assert_eq!(peer.next_started().await, key("t1", "a"));
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        events[1..],
        [
            Event::Start(key("t1", "a"), TxKind::Transaction, vec![b"x".to_vec()]),
            Event::Start(key("t1", "b"), TxKind::Transaction, vec![b"y".to_vec()]),
            Event::Deliver(key("t1", "b"), Type::Response as i32, b"for b".to_vec()),
            Event::Deliver(key("t1", "a"), Type::Error as i32, b"for a".to_vec()),
            Event::Start(key("t1", "a"), TxKind::Transaction, vec![b"again".to_vec()]),
            Event::Close,
        ]
    );
}

/// More messages arrive at once than the driver handles in a row: none is lost at the seams of its batches.
#[tokio::test]
async fn a_burst_longer_than_a_batch_is_handled_whole() {
    let mut peer = Peer::start(false);
    peer.handshake();
    let count = 3 * BATCH + 1;
    for i in 0..count {
        peer.send(Type::Transaction, &format!("t{i}"), "ch", input(&["x"]));
    }
    for i in 0..count {
        assert_eq!(peer.next_started().await, key(&format!("t{i}"), "ch"), "in order, none skipped");
    }
    let (result, events) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events.len(), count + 2, "READY, every transaction, close");
}

/// In a run of messages the driver lets the writer send the first replies early and then at a steady interval,
/// instead of holding every reply until the run is handled. The writer here is a task next to the driver on the
/// same current-thread runtime, as tonic's are; each time it runs it takes what is queued.
#[tokio::test]
async fn replies_go_out_early_in_a_long_run_of_messages() {
    let mut peer = Peer::start(false);
    peer.handshake();
    // A run of its own for the handshake: its echo comes back once the driver is through it.
    peer.send(Type::Keepalive, "", "", Vec::new());
    peer.next_sent().await;
    let count = 40;
    for i in 0..count {
        peer.send(Type::Keepalive, &format!("k{i}"), "", Vec::new());
    }
    let mut chunks = Vec::new();
    let mut seen = 0;
    while seen < count {
        let first = peer.next_sent().await;
        let mut chunk = vec![first];
        chunk.extend(std::iter::from_fn(|| peer.sent.try_recv().ok()));
        seen += chunk.len();
        chunks.push(chunk.len());
    }
    assert_eq!(chunks, [FIRST_FLUSH, FLUSH_EVERY - FIRST_FLUSH, FLUSH_EVERY, count - 2 * FLUSH_EVERY]);
    let (result, _) = peer.hang_up().await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn draining_refuses_new_transactions_and_ends_when_the_running_ones_finish() {
    let mut peer = Peer::start(false);
    peer.handshake();
    peer.send(Type::Transaction, "t1", "ch", input(&["x"]));
    assert_eq!(peer.next_started().await, key("t1", "ch"));
    peer.stop.send(true).unwrap();
    // On this current-thread runtime the woken driver runs before the test continues: it sees the shutdown first.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    peer.send(Type::Transaction, "t2", "ch", input(&["y"]));
    let reply = peer.next_sent().await;
    assert_eq!((reply.r#type, reply.txid.as_str()), (Type::Error as i32, "t2"));
    assert_eq!(text(&reply), "chaincode is shutting down");
    // Replies still reach the running transaction while draining.
    peer.send(Type::Response, "t1", "ch", b"v".to_vec());
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    assert!(!peer.driver.is_finished(), "t1 is still running");
    peer.finish.send(key("t1", "ch")).unwrap();
    // The stream stays open: the driver ends because it is idle, not because the peer hung up.
    let send = peer.send.clone();
    let (result, events) = peer.ended().await;
    drop(send);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        events[1..],
        [
            Event::Start(key("t1", "ch"), TxKind::Transaction, vec![b"x".to_vec()]),
            Event::Deliver(key("t1", "ch"), Type::Response as i32, b"v".to_vec()),
            Event::Close,
        ]
    );
}

#[tokio::test]
async fn a_shutdown_asked_before_the_start_ends_an_idle_stream_at_once() {
    let peer = Peer::start(true);
    peer.handshake();
    let send = peer.send.clone();
    let (result, events) = peer.ended().await;
    drop(send);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events, vec![Event::Close]);
}

#[tokio::test]
async fn a_stream_error_ends_the_driver_with_it_and_closes_the_executor() {
    let peer = Peer::start(false);
    peer.handshake();
    peer.send.send(Err(tonic::Status::unavailable("peer went away"))).unwrap();
    let (result, events) = peer.ended().await;
    assert!(matches!(&result, Err(Error::Status(s)) if s.message() == "peer went away"), "{result:?}");
    assert_eq!(events.last(), Some(&Event::Close));
}

#[tokio::test]
async fn keepalives_are_echoed_and_a_failed_send_ends_the_driver() {
    let mut peer = Peer::start(false);
    peer.send(Type::Keepalive, "k1", "", b"ping".to_vec());
    let echo = peer.next_sent().await;
    assert_eq!((echo.r#type, echo.txid.as_str(), text(&echo).as_str()), (Type::Keepalive as i32, "k1", "ping"));
    // The transport drops our sending side; the next message that needs an answer cannot be sent.
    peer.sent.close();
    peer.send(Type::Keepalive, "k2", "", Vec::new());
    let (result, events) = peer.ended().await;
    assert!(matches!(result, Err(Error::Disconnected)), "{result:?}");
    assert_eq!(events, vec![Event::Close]);
}
