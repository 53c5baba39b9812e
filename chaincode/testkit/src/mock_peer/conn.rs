//! One chaincode stream seen from the peer: the receive loop, the peer's protocol rules, and the test's handle.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{self, ChaincodeAdditionalParams, ChaincodeId, ChaincodeMessage};
use gridledger_protos::prost::Message;
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::ledger::{Advertised, Session};
use super::reply::{Reply, Request};
use super::tx::{Outcome, Tx};
use super::{MockError, PeerInner, Ready, TxKey};

/// The Go shim (and ours) never batches fewer than this, whatever the peer advertises.
const MIN_BATCH: u32 = 100;

/// What the mock peer holds against the chaincode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// A second request while one of the same (channel, txid) is outstanding (the peer drops it, no reply).
    TwoOutstanding,
    /// WRITE_BATCH_STATE / GET_STATE_MULTIPLE without READY advertising it (a 2.5 peer ends the stream).
    NotAdvertised,
    /// A batch larger than advertised.
    BatchTooLarge,
    /// A message type the peer cannot handle in its state (the stream ends).
    UnexpectedMessage,
    /// A ledger request or result for a transaction the peer is not running.
    UnknownTransaction,
    /// A missing or repeated REGISTER, or one without a chaincode name.
    BadRegister,
}

/// One protocol violation, with the offending message's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What rule was broken.
    pub kind: ViolationKind,
    /// The offending message's type number.
    pub message_type: i32,
    /// Its channel.
    pub channel_id: String,
    /// Its txid.
    pub tx_id: String,
    /// Details.
    pub detail: String,
}

struct State {
    received: Vec<ChaincodeMessage>,
    violations: Vec<Violation>,
    chaincode_id: Option<String>,
    /// Set once READY is sent.
    ready: Option<Advertised>,
    outstanding: HashSet<TxKey>,
    waiters: HashMap<TxKey, oneshot::Sender<ChaincodeMessage>>,
    session: Session,
    ended: Option<String>,
}

pub(crate) struct Inner {
    peer: Arc<PeerInner>,
    outbox: Mutex<Option<mpsc::UnboundedSender<ChaincodeMessage>>>,
    state: Mutex<State>,
    changed: Notify,
    stop: watch::Sender<bool>,
}

/// The test's handle on one chaincode stream. Cheap to clone.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.inner.state();
        f.debug_struct("Connection")
            .field("chaincode_id", &st.chaincode_id)
            .field("received", &st.received.len())
            .field("violations", &st.violations)
            .field("ended", &st.ended)
            .finish_non_exhaustive()
    }
}

/// A transaction sent to the chaincode, waiting for its COMPLETED or ERROR.
#[derive(Debug)]
pub struct PendingTx {
    key: TxKey,
    rx: oneshot::Receiver<ChaincodeMessage>,
    timeout: Duration,
}

impl PendingTx {
    /// The transaction's (channel, txid).
    pub fn key(&self) -> &TxKey {
        &self.key
    }

    /// Waits (bounded) for the result.
    pub async fn wait(self) -> Result<Outcome, MockError> {
        let what = format!("the result of {} on {}", self.key.tx_id, self.key.channel_id);
        match tokio::time::timeout(self.timeout, self.rx).await {
            Ok(Ok(msg)) => Ok(Outcome::from_message(&msg)),
            Ok(Err(_)) => Err(MockError::Closed(format!("stream ended before {what}"))),
            Err(_) => Err(MockError::Timeout(what)),
        }
    }
}

enum Next {
    Nothing,
    Kill,
    Answer(ChaincodeMessage),
    Refuse(ChaincodeMessage, String),
}

impl Connection {
    pub(crate) fn start<S>(peer: Arc<PeerInner>, incoming: S, outbox: mpsc::UnboundedSender<ChaincodeMessage>) -> Self
    where
        S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Send + Unpin + 'static,
    {
        let keepalive = peer.options.keepalive;
        let inner = Arc::new(Inner {
            peer,
            outbox: Mutex::new(Some(outbox)),
            state: Mutex::new(State {
                received: Vec::new(),
                violations: Vec::new(),
                chaincode_id: None,
                ready: None,
                outstanding: HashSet::new(),
                waiters: HashMap::new(),
                session: Session::default(),
                ended: None,
            }),
            changed: Notify::new(),
            stop: watch::channel(false).0,
        });
        tokio::spawn(read_loop(Arc::clone(&inner), incoming));
        if let Some(every) = keepalive {
            tokio::spawn(keepalive_loop(Arc::downgrade(&inner), every));
        }
        Self { inner }
    }

    /// Waits for REGISTER and returns the chaincode id it carries.
    pub async fn wait_register(&self) -> Result<String, MockError> {
        let msg = self.wait_for("REGISTER", |m| m.r#type == Type::Register as i32).await?;
        Ok(ChaincodeId::decode(msg.payload.as_slice()).map(|id| id.name).unwrap_or_default())
    }

    /// Sends REGISTERED.
    pub fn send_registered(&self) -> Result<(), MockError> {
        self.send(ChaincodeMessage { r#type: Type::Registered as i32, ..Default::default() })
    }

    /// Sends READY as [`super::PeerOptions::ready`] says; from now on ledger requests are served.
    pub fn send_ready(&self) -> Result<(), MockError> {
        let (payload, ads) = match &self.inner.peer.options.ready {
            Ready::Empty => (Vec::new(), Advertised::default()),
            Ready::Params(p) => (p.encode_to_vec(), advertised(p)),
            Ready::Raw(bytes) => (bytes.clone(), Advertised::default()),
        };
        // Before sending: the chaincode may answer READY with a request at once.
        self.inner.state().ready = Some(ads);
        self.send(ChaincodeMessage { r#type: Type::Ready as i32, payload, ..Default::default() })
    }

    /// The peer's whole handshake: REGISTER in, REGISTERED and READY out. Returns the chaincode id.
    pub async fn handshake(&self) -> Result<String, MockError> {
        let id = self.wait_register().await?;
        self.send_registered()?;
        self.send_ready()?;
        Ok(id)
    }

    /// Sends INIT/TRANSACTION; the returned handle waits for its result.
    pub fn send_tx(&self, tx: Tx) -> Result<PendingTx, MockError> {
        self.expect_result(tx.message())
    }

    /// Sends INIT/TRANSACTION and waits (bounded) for its result.
    pub async fn invoke(&self, tx: Tx) -> Result<Outcome, MockError> {
        self.send_tx(tx)?.wait().await
    }

    /// Sends any message as the start of a transaction: its (channel, txid) then awaits COMPLETED/ERROR and may
    /// make ledger requests.
    pub fn expect_result(&self, msg: ChaincodeMessage) -> Result<PendingTx, MockError> {
        let key = TxKey::of(&msg);
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.inner.state();
            if st.session.is_active(&key) {
                return Err(MockError::Usage(format!("transaction {key:?} is already running")));
            }
            st.session.begin(key.clone());
            st.waiters.insert(key.clone(), tx);
        }
        self.send(msg)?;
        Ok(PendingTx { key, rx, timeout: self.inner.peer.options.timeout })
    }

    /// Sends a raw message.
    pub fn send(&self, msg: ChaincodeMessage) -> Result<(), MockError> {
        self.inner.send(msg)
    }

    /// Sends KEEPALIVE (empty txid, as the peer does).
    pub fn send_keepalive(&self) -> Result<(), MockError> {
        self.send(ChaincodeMessage { r#type: Type::Keepalive as i32, ..Default::default() })
    }

    /// The first received message matching `pred`, waiting (bounded) for it.
    pub async fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&ChaincodeMessage) -> bool,
    ) -> Result<ChaincodeMessage, MockError> {
        self.wait_until(what, |st| st.received.iter().find(|m| pred(m)).cloned()).await
    }

    /// Waits (bounded) until `n` received messages match `pred`.
    pub async fn wait_count(
        &self,
        what: &str,
        n: usize,
        pred: impl Fn(&ChaincodeMessage) -> bool,
    ) -> Result<(), MockError> {
        self.wait_until(what, |st| (st.received.iter().filter(|m| pred(m)).count() >= n).then_some(())).await
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<ChaincodeMessage> {
        self.inner.state().received.clone()
    }

    /// The received messages of one type.
    pub fn received_of(&self, kind: Type) -> Vec<ChaincodeMessage> {
        self.inner.state().received.iter().filter(|m| m.r#type == kind as i32).cloned().collect()
    }

    /// Every protocol violation so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.inner.state().violations.clone()
    }

    /// Query iterators the peer still holds open.
    pub fn open_iterators(&self) -> usize {
        self.inner.state().session.open_iterators()
    }

    /// The chaincode id from REGISTER, once received.
    pub fn chaincode_id(&self) -> Option<String> {
        self.inner.state().chaincode_id.clone()
    }

    /// Ends the stream from the peer's side (like a peer restart).
    pub fn close(&self) {
        self.inner.end("the peer closed the stream".into());
    }

    /// Why the stream ended, if it has.
    pub fn ended(&self) -> Option<String> {
        self.inner.state().ended.clone()
    }

    /// Waits (bounded) for the stream to end; returns why.
    pub async fn wait_ended(&self) -> Result<String, MockError> {
        let wait = async {
            loop {
                let notified = self.inner.changed.notified();
                if let Some(reason) = self.ended() {
                    return reason;
                }
                notified.await;
            }
        };
        tokio::time::timeout(self.inner.peer.options.timeout, wait)
            .await
            .map_err(|_| MockError::Timeout("the stream to end".into()))
    }

    async fn wait_until<T>(&self, what: &str, check: impl Fn(&State) -> Option<T>) -> Result<T, MockError> {
        let wait = async {
            loop {
                // Created before the check, so a change between the check and the await is not missed.
                let notified = self.inner.changed.notified();
                {
                    let st = self.inner.state();
                    if let Some(found) = check(&st) {
                        return Ok(found);
                    }
                    if let Some(reason) = &st.ended {
                        return Err(MockError::Closed(format!("{reason} (while waiting for {what})")));
                    }
                }
                notified.await;
            }
        };
        tokio::time::timeout(self.inner.peer.options.timeout, wait)
            .await
            .map_err(|_| MockError::Timeout(what.to_string()))?
    }
}

fn advertised(p: &ChaincodeAdditionalParams) -> Advertised {
    let limit = |on: bool, max: u32| on.then(|| max.max(MIN_BATCH) as usize);
    Advertised {
        write_batch: limit(p.use_write_batch, p.max_size_write_batch),
        get_multiple: limit(p.use_get_multiple_keys, p.max_size_get_multiple_keys),
    }
}

fn is_ledger_request(kind: Type) -> bool {
    use Type::*;
    matches!(
        kind,
        GetState
            | PutState
            | DelState
            | InvokeChaincode
            | GetStateByRange
            | GetQueryResult
            | QueryStateNext
            | QueryStateClose
            | GetHistoryForKey
            | GetStateMetadata
            | PutStateMetadata
            | GetPrivateDataHash
            | PurgePrivateData
            | WriteBatchState
            | GetStateMultiple
    )
}

fn type_name(t: i32) -> String {
    Type::try_from(t).map_or_else(|_| format!("type {t}"), |k| k.as_str_name().to_string())
}

async fn read_loop<S>(inner: Arc<Inner>, mut incoming: S)
where
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin,
{
    let mut stop = inner.stop.subscribe();
    let reason = loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break None,
            msg = incoming.next() => match msg {
                Some(Ok(msg)) => inner.on_message(msg),
                Some(Err(status)) => break Some(format!("the stream failed: {status}")),
                None => break Some("the chaincode ended the stream".to_string()),
            },
        }
    };
    if let Some(reason) = reason {
        inner.end(reason);
    }
}

async fn keepalive_loop(inner: Weak<Inner>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // The first tick is immediate.
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if inner.send(ChaincodeMessage { r#type: Type::Keepalive as i32, ..Default::default() }).is_err() {
            return;
        }
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn send(&self, msg: ChaincodeMessage) -> Result<(), MockError> {
        let outbox = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        let closed = || MockError::Closed(self.state().ended.clone().unwrap_or_else(|| "stream closed".into()));
        outbox.as_ref().ok_or_else(closed)?.send(msg).map_err(|_| closed())
    }

    /// Ends the stream: no more sends, every waiting transaction fails, the receive loop stops.
    fn end(&self, reason: String) {
        self.outbox.lock().unwrap_or_else(PoisonError::into_inner).take();
        {
            let mut st = self.state();
            st.ended.get_or_insert(reason);
            st.waiters.clear();
        }
        self.stop.send_replace(true);
        self.changed.notify_waiters();
    }

    fn violate(st: &mut State, kind: ViolationKind, msg: &ChaincodeMessage, detail: String) {
        tracing::warn!(?kind, tx = %msg.txid, "mock peer: {detail}");
        st.violations.push(Violation {
            kind,
            message_type: msg.r#type,
            channel_id: msg.channel_id.clone(),
            tx_id: msg.txid.clone(),
            detail,
        });
    }

    fn on_message(self: &Arc<Self>, msg: ChaincodeMessage) {
        let next = {
            let mut st = self.state();
            st.received.push(msg.clone());
            self.classify(&mut st, msg)
        };
        self.changed.notify_waiters();
        match next {
            Next::Nothing => {}
            Next::Kill => self.end("the peer ended the stream after a protocol violation".into()),
            Next::Refuse(msg, text) => self.reply(&msg, Err(text)),
            Next::Answer(msg) => {
                let reply = match &self.peer.options.responder {
                    Some(responder) => responder(&Request { message: msg.clone() }),
                    None => Reply::Ledger,
                };
                self.respond(msg, reply);
            }
        }
    }

    /// Applies the peer's rules to one message, under the state lock.
    fn classify(&self, st: &mut State, msg: ChaincodeMessage) -> Next {
        let Ok(kind) = Type::try_from(msg.r#type) else {
            let text = format!("cannot handle message ({}) while in ready state", type_name(msg.r#type));
            Self::violate(st, ViolationKind::UnexpectedMessage, &msg, text);
            return Next::Kill;
        };
        let key = TxKey::of(&msg);
        match kind {
            Type::Keepalive => Next::Nothing, // The peer ignores the echo.
            Type::Register => {
                let name = ChaincodeId::decode(msg.payload.as_slice()).map(|id| id.name).unwrap_or_default();
                if st.chaincode_id.is_some() || name.is_empty() {
                    Self::violate(st, ViolationKind::BadRegister, &msg, format!("REGISTER with name {name:?}"));
                    return Next::Kill;
                }
                st.chaincode_id = Some(name);
                Next::Nothing
            }
            Type::Completed | Type::Error => {
                if !st.session.is_active(&key) {
                    let text = format!("{} for no running transaction", kind.as_str_name());
                    Self::violate(st, ViolationKind::UnknownTransaction, &msg, text);
                    return Next::Nothing;
                }
                let commit = kind == Type::Completed
                    && peer::Response::decode(msg.payload.as_slice()).is_ok_and(|r| r.status < 400);
                st.session.end(&key, commit, &mut self.peer.ledger());
                st.outstanding.remove(&key);
                if let Some(waiter) = st.waiters.remove(&key) {
                    // The test may have stopped waiting; the result stays recorded either way.
                    let _ = waiter.send(msg);
                }
                Next::Nothing
            }
            kind if is_ledger_request(kind) => {
                let Some(ads) = st.ready else {
                    let text = format!("cannot handle message ({}) while in established state", kind.as_str_name());
                    Self::violate(st, ViolationKind::UnexpectedMessage, &msg, text);
                    return Next::Kill;
                };
                let advertised = match kind {
                    Type::WriteBatchState => ads.write_batch.is_some(),
                    Type::GetStateMultiple => ads.get_multiple.is_some(),
                    _ => true,
                };
                if !advertised {
                    let text = format!("cannot handle message ({}) while in ready state", kind.as_str_name());
                    Self::violate(st, ViolationKind::NotAdvertised, &msg, text);
                    return Next::Kill;
                }
                if !st.session.is_active(&key) {
                    let text = format!("no transaction context for {} on {}", key.tx_id, key.channel_id);
                    Self::violate(st, ViolationKind::UnknownTransaction, &msg, text.clone());
                    return Next::Refuse(msg, text);
                }
                if !st.outstanding.insert(key) {
                    let text = format!("another request pending for this transaction; dropped {}", kind.as_str_name());
                    Self::violate(st, ViolationKind::TwoOutstanding, &msg, text);
                    return Next::Nothing;
                }
                Next::Answer(msg)
            }
            other => {
                let text = format!("cannot handle message ({}) while in ready state", other.as_str_name());
                Self::violate(st, ViolationKind::UnexpectedMessage, &msg, text);
                Next::Kill
            }
        }
    }

    fn respond(self: &Arc<Self>, msg: ChaincodeMessage, reply: Reply) {
        match reply {
            Reply::Never => {}
            Reply::Response(payload) => self.reply(&msg, Ok(payload)),
            Reply::Error(text) => self.reply(&msg, Err(text)),
            Reply::After(delay, then) => {
                let inner = Arc::clone(self);
                tokio::spawn(async move {
                    delay.await;
                    inner.respond(msg, *then);
                });
            }
            Reply::Ledger => {
                let answer = {
                    let mut st = self.state();
                    let ads = st.ready.unwrap_or_default();
                    let answer = st.session.answer(&self.peer.ledger(), ads, self.peer.options.range_batch, &msg);
                    if let Some(complaint) = &answer.complaint {
                        Self::violate(&mut st, ViolationKind::BatchTooLarge, &msg, complaint.clone());
                    }
                    answer
                };
                self.reply(&msg, answer.reply);
            }
        }
    }

    fn reply(&self, to: &ChaincodeMessage, reply: Result<Vec<u8>, String>) {
        // Cleared before sending: the chaincode may send its next request as soon as it has this reply.
        self.state().outstanding.remove(&TxKey::of(to));
        let (kind, payload) = match reply {
            Ok(payload) => (Type::Response, payload),
            Err(text) => (Type::Error, text.into_bytes()),
        };
        let msg = ChaincodeMessage {
            r#type: kind as i32,
            payload,
            txid: to.txid.clone(),
            channel_id: to.channel_id.clone(),
            ..Default::default()
        };
        if let Err(e) = self.send(msg) {
            tracing::debug!("mock peer: reply not sent: {e}");
        }
    }
}
