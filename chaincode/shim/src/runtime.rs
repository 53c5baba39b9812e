//! The driver that performs the state machine's actions on one stream, in either mode.
//!
//! Two executors share the state machine, the stub and everything bound for the peer (one unbounded channel that
//! tonic drains: a single writer for the stream); they differ in where chaincode code runs:
//!
//! - coroutine (default, [`crate::coroutines`]): each transaction is a stackful coroutine that the stream's receive
//!   loop resumes on its own thread; a ledger call suspends it until the loop has the reply. No OS thread is crossed
//!   between the chaincode and the stream.
//! - threads (here): the receive loop never runs chaincode code; transactions go to blocking worker threads
//!   (chaincode code is synchronous, like Go's) and replies are routed to them by [`TxKey`] through reply slots.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::{Stream, StreamExt};
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{self, ChaincodeMessage};
use gridledger_protos::prost::Message;
use tokio::sync::{mpsc, oneshot, watch};

use crate::Chaincode;
use crate::context::TxContext;
use crate::error::{Error, Result};
use crate::handler::{self, Action, Execution, PeerFeatures, State, TxKind};
use crate::peer_stub::{Blocking, Link, PeerStub};
use crate::response::Response;
use crate::wire::WireCounts;

/// Identifies a transaction on a stream: the same txid may run on two channels at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TxKey {
    pub(crate) channel_id: String,
    pub(crate) tx_id: String,
}

impl TxKey {
    pub(crate) fn of(msg: &ChaincodeMessage) -> Self {
        Self { channel_id: msg.channel_id.clone(), tx_id: msg.txid.clone() }
    }
}

/// State shared between the receive loop and the transactions of one stream.
#[derive(Debug)]
pub(crate) struct Shared {
    outgoing: mpsc::UnboundedSender<ChaincodeMessage>,
    routes: Mutex<Routes>,
    features: Mutex<PeerFeatures>,
}

#[derive(Debug, Default)]
struct Routes {
    /// The one outstanding request of each transaction, waiting for its reply.
    pending: HashMap<TxKey, oneshot::Sender<ChaincodeMessage>>,
    /// Transactions currently executing.
    running: HashSet<TxKey>,
    /// Set when the stream has ended: new requests fail at once instead of waiting forever.
    closed: bool,
}

impl Shared {
    pub(crate) fn new(outgoing: mpsc::UnboundedSender<ChaincodeMessage>) -> Arc<Self> {
        Arc::new(Self {
            outgoing,
            routes: Mutex::new(Routes::default()),
            features: Mutex::new(PeerFeatures::default()),
        })
    }

    /// A stream's shared state over a plain channel, for tests that play the peer by hand.
    #[cfg(test)]
    pub(crate) fn for_test(outgoing: mpsc::UnboundedSender<ChaincodeMessage>) -> Arc<Self> {
        Self::new(outgoing)
    }

    /// The handshake is complete: log it and remember what the peer offers.
    pub(crate) fn ready(&self, features: PeerFeatures, warning: Option<String>) {
        if let Some(warning) = warning {
            tracing::warn!("{warning}");
        }
        tracing::info!(?features, "registered with the peer");
        *self.features.lock().unwrap_or_else(PoisonError::into_inner) = features;
    }

    fn routes(&self) -> MutexGuard<'_, Routes> {
        // A panic while holding this lock cannot leave the maps inconsistent (single inserts/removes), so a
        // poisoned lock is still usable.
        self.routes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn features(&self) -> PeerFeatures {
        *self.features.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a message for the peer.
    pub(crate) fn send(&self, msg: ChaincodeMessage) -> Result<()> {
        self.outgoing.send(msg).map_err(|_| Error::Disconnected)
    }

    /// Registers the reply slot of a transaction's next request; must happen before the request is sent.
    pub(crate) fn expect_reply(&self, key: TxKey) -> Result<oneshot::Receiver<ChaincodeMessage>> {
        let (tx, rx) = oneshot::channel();
        let mut routes = self.routes();
        if routes.closed {
            return Err(Error::Disconnected);
        }
        if routes.pending.insert(key, tx).is_some() {
            // The stub serializes each transaction's requests, so this would be a shim bug, not a peer one.
            tracing::error!("two outstanding requests for one transaction");
        }
        Ok(rx)
    }

    pub(crate) fn deliver(&self, msg: ChaincodeMessage) {
        let key = TxKey::of(&msg);
        let slot = self.routes().pending.remove(&key);
        match slot {
            Some(slot) => {
                if slot.send(msg).is_err() {
                    tracing::debug!(tx = %key.tx_id, "reply arrived after its transaction gave up");
                }
            }
            None => tracing::warn!(tx = %key.tx_id, channel = %key.channel_id, "reply for no pending request"),
        }
    }

    pub(crate) fn close(&self) {
        let mut routes = self.routes();
        routes.closed = true;
        // Dropping the senders wakes every waiting transaction with `Disconnected`.
        routes.pending.clear();
    }
}

/// Which executor runs a stream's transactions (see the crate docs, "Executors").
///
/// A chaincode states its preference with [`Chaincode::executor`]; `GRIDLEDGER_EXECUTOR=coroutine|threads` in
/// the environment overrides it, so an operator can switch without a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Executor {
    /// Each transaction is a stackful coroutine on the stream's own thread: the fast choice for the usual
    /// chaincode, whose time goes into ledger round trips.
    #[default]
    Coroutine,
    /// Each transaction runs on a blocking-pool thread of its own: for CPU-heavy transactions (signature batches,
    /// market clearing), which would otherwise take turns on one thread.
    Threads,
}

impl Executor {
    /// The environment's choice, if it makes one.
    fn env_choice() -> Option<Self> {
        let value = std::env::var("GRIDLEDGER_EXECUTOR").ok()?;
        match value.trim().to_ascii_lowercase().as_str() {
            "" => None,
            "coroutine" | "coroutines" => Some(Self::Coroutine),
            "thread" | "threads" => Some(Self::Threads),
            other => {
                tracing::warn!("GRIDLEDGER_EXECUTOR={other:?} is neither \"coroutine\" nor \"threads\"; ignoring it");
                None
            }
        }
    }

    /// The environment's choice, or the default (tests use it to skip what the other executor cannot show).
    #[cfg(test)]
    pub(crate) fn from_env() -> Self {
        Self::env_choice().unwrap_or_default()
    }

    /// The environment's choice, or else the chaincode's preference.
    pub(crate) fn for_chaincode(preferred: Self) -> Self {
        Self::env_choice().unwrap_or(preferred)
    }
}

/// Runs the protocol on one stream until the peer ends it or `shutdown` fires and in-flight work is done; hands
/// the incoming stream back (the client mode keeps reading it until the peer closes its side) unless it was lost.
///
/// REGISTER must already be queued on `outgoing`: the chaincode always speaks first.
pub(crate) async fn run<C, S>(
    chaincode: Arc<C>,
    incoming: S,
    outgoing: mpsc::UnboundedSender<ChaincodeMessage>,
    shutdown: watch::Receiver<bool>,
) -> (Result<()>, Option<S>)
where
    C: Chaincode,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin + Send + 'static,
{
    match Executor::for_chaincode(chaincode.executor()) {
        Executor::Threads => {
            let mut incoming = incoming;
            let result = run_threads(chaincode, &mut incoming, outgoing, shutdown).await;
            (result, Some(incoming))
        }
        Executor::Coroutine => crate::coroutines::run_on_own_thread(chaincode, incoming, outgoing, shutdown).await,
    }
}

/// The threads executor's receive loop.
pub(crate) async fn run_threads<C, S>(
    chaincode: Arc<C>,
    mut incoming: S,
    outgoing: mpsc::UnboundedSender<ChaincodeMessage>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()>
where
    C: Chaincode,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin,
{
    let shared = Shared::new(outgoing);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<TxKey>();
    let mut state = State::Created;
    let mut draining = *shutdown.borrow();
    let result = loop {
        if draining && shared.routes().running.is_empty() {
            break Ok(());
        }
        tokio::select! {
            changed = shutdown.changed(), if !draining => {
                // A dropped sender means nobody can ask for shutdown any more; keep serving.
                draining = changed.is_ok() && *shutdown.borrow();
            }
            Some(key) = done_rx.recv() => {
                shared.routes().running.remove(&key);
            }
            msg = incoming.next() => {
                let msg = match msg {
                    Some(Ok(msg)) => msg,
                    Some(Err(status)) => break Err(Error::Status(status)),
                    None => break Ok(()),
                };
                let (next, action) = handler::on_message(state, msg);
                state = next;
                // Not `?`: leaving without `shared.close()` would strand transactions waiting for replies.
                if let Some(action) = action
                    && let Err(e) = perform(&chaincode, &shared, &done_tx, draining, action)
                {
                    break Err(e);
                }
            }
        }
    };
    shared.close();
    result
}

fn perform<C: Chaincode>(
    chaincode: &Arc<C>,
    shared: &Arc<Shared>,
    done: &mpsc::UnboundedSender<TxKey>,
    draining: bool,
    action: Action,
) -> Result<()> {
    match action {
        Action::Send(msg) => shared.send(msg),
        Action::Ready { features, warning } => {
            shared.ready(features, warning);
            Ok(())
        }
        Action::Deliver(msg) => {
            shared.deliver(msg);
            Ok(())
        }
        Action::Execute(exec) => start(chaincode, shared, done, draining, *exec),
    }
}

fn start<C: Chaincode>(
    chaincode: &Arc<C>,
    shared: &Arc<Shared>,
    done: &mpsc::UnboundedSender<TxKey>,
    draining: bool,
    exec: Execution,
) -> Result<()> {
    let key = TxKey::of(&exec.message);
    if draining {
        return shared.send(handler::error_reply(&exec.message, "chaincode is shutting down"));
    }
    if !shared.routes().running.insert(key.clone()) {
        return shared.send(duplicate_reply(&exec.message, &key));
    }
    let (chaincode, shared, done) = (Arc::clone(chaincode), Arc::clone(shared), done.clone());
    // Chaincode code blocks on ledger round trips; it must never run on the reactor threads.
    tokio::task::spawn_blocking(move || {
        let reply = execute(&*chaincode, &shared, exec, Blocking::default());
        if let Err(e) = shared.send(reply) {
            tracing::warn!(tx = %key.tx_id, "cannot report the result: {e}");
        }
        // The receive loop may have ended already; then nobody needs to know.
        if done.send(key).is_err() {
            tracing::trace!("receive loop already gone");
        }
    });
    Ok(())
}

/// The ERROR answering a TRANSACTION whose (channel, txid) is already running on this stream.
pub(crate) fn duplicate_reply(to: &ChaincodeMessage, key: &TxKey) -> ChaincodeMessage {
    let text = format!("transaction {} is already running on channel {}", key.tx_id, key.channel_id);
    handler::error_reply(to, text)
}

/// Runs one transaction to its final message: COMPLETED, or ERROR for a failed Init or a malformed proposal.
pub(crate) fn execute<C: Chaincode, L: Link>(
    chaincode: &C,
    shared: &Arc<Shared>,
    exec: Execution,
    link: L,
) -> ChaincodeMessage {
    let Execution { kind, input, message } = exec;
    let ctx =
        match TxContext::from_peer(message.channel_id.clone(), message.txid.clone(), input, message.proposal.clone()) {
            Ok(ctx) => ctx,
            Err(e) => {
                let last = handler::error_reply(&message, e.to_string());
                let mut wire = WireCounts::default();
                wire.sent(Type::Error, 0);
                wire.log(&last.txid, &last.channel_id);
                return last;
            }
        };
    let stub = PeerStub::with_link(Arc::clone(shared), ctx, link);
    let outcome = catch_unwind(AssertUnwindSafe(|| match kind {
        TxKind::Init => chaincode.init(&stub),
        TxKind::Transaction => chaincode.invoke(&stub),
    }));
    let mut response = outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        tracing::error!(tx = %message.txid, "transaction panicked: {what}");
        Response::error(format!("chaincode panicked: {what}"))
    });
    // A failed transaction is never committed, so its buffered writes need not travel.
    if response.is_ok()
        && let Err(e) = stub.flush()
    {
        response = Response::error(format!("cannot write the transaction's batched writes: {e}"));
    }
    // Go's shim reports a failed Init as ERROR; Invoke always completes with the status inside.
    let last = if kind == TxKind::Init && response.status >= Response::ERROR {
        handler::error_reply(&message, response.message)
    } else {
        ChaincodeMessage {
            r#type: Type::Completed as i32,
            payload: peer::Response::from(response).encode_to_vec(),
            txid: message.txid,
            channel_id: message.channel_id,
            chaincode_event: stub.take_event(),
            ..Default::default()
        }
    };
    stub.log_wire(&last);
    last
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use gridledger_protos::peer::ChaincodeInput;
    use tokio_stream::wrappers::UnboundedReceiverStream;

    use super::*;
    use crate::stub::ChaincodeStub;

    /// Reads one key and reports how the read ended.
    struct Reader(std::sync::mpsc::Sender<String>);

    impl Chaincode for Reader {
        fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
            let outcome = stub.get_state("k").map(drop).map_err(|e| e.to_string());
            let _ = self.0.send(format!("{outcome:?}"));
            Response::success(Vec::new())
        }
    }

    fn msg(kind: Type, payload: Vec<u8>) -> Result<ChaincodeMessage, tonic::Status> {
        Ok(ChaincodeMessage {
            r#type: kind as i32,
            payload,
            txid: "t1".into(),
            channel_id: "ch".into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_failed_send_still_wakes_transactions_waiting_for_replies() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (ended, report) = rt.block_on(async {
            let (peer, incoming) = mpsc::unbounded_channel();
            let (outgoing, mut sent) = mpsc::unbounded_channel();
            let (_stop, stop) = watch::channel(false);
            let (report, reports) = std::sync::mpsc::channel();
            let driver = tokio::spawn(async move {
                run(Arc::new(Reader(report)), UnboundedReceiverStream::new(incoming), outgoing, stop).await.0
            });
            peer.send(msg(Type::Registered, Vec::new())).unwrap();
            peer.send(msg(Type::Ready, Vec::new())).unwrap();
            peer.send(msg(Type::Transaction, ChaincodeInput::default().encode_to_vec())).unwrap();
            let request = tokio::time::timeout(Duration::from_secs(5), sent.recv()).await.unwrap().unwrap();
            assert_eq!(request.r#type, Type::GetState as i32);
            // The transport drops our sending side; the next message that needs an answer fails to send.
            drop(sent);
            peer.send(msg(Type::Keepalive, Vec::new())).unwrap();
            let ended = tokio::time::timeout(Duration::from_secs(5), driver).await.unwrap().unwrap();
            let report =
                tokio::task::spawn_blocking(move || reports.recv_timeout(Duration::from_secs(5))).await.unwrap();
            (ended, report)
        });
        // A stranded worker thread must fail the test, not hang it.
        rt.shutdown_timeout(Duration::from_secs(1));
        assert!(matches!(ended, Err(Error::Disconnected)), "{ended:?}");
        assert_eq!(report.as_deref(), Ok(r#"Err("connection to the peer is closed")"#), "the waiting read is woken");
    }
}
