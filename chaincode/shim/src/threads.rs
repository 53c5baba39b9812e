//! The threads executor: each transaction runs on a thread of Tokio's blocking pool (chaincode code is synchronous,
//! like Go's) and blocks on a reply slot; the driver routes each reply to its slot by [`TxKey`].

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::{mpsc, oneshot};

use crate::Chaincode;
use crate::error::{Error, Result};
use crate::executor::TxExecutor;
use crate::handler::{Execution, PeerFeatures};
use crate::link::{Link, Outgoing, TxKey};
use crate::transaction::execute;

/// Runs each transaction on a blocking-pool thread.
pub(crate) struct Threads<C> {
    chaincode: Arc<C>,
    outgoing: Outgoing,
    features: PeerFeatures,
    slots: Arc<ReplySlots>,
    /// Transactions started and not yet reported finished; only the driver's task touches it.
    running: HashSet<TxKey>,
    done_tx: mpsc::UnboundedSender<TxKey>,
    done_rx: mpsc::UnboundedReceiver<TxKey>,
}

impl<C: Chaincode> Threads<C> {
    pub(crate) fn new(chaincode: Arc<C>, outgoing: Outgoing) -> Self {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Self {
            chaincode,
            outgoing,
            features: PeerFeatures::default(),
            slots: Arc::new(ReplySlots::default()),
            running: HashSet::new(),
            done_tx,
            done_rx,
        }
    }
}

impl<C: Chaincode> TxExecutor for Threads<C> {
    fn ready(&mut self, features: PeerFeatures) {
        self.features = features;
    }

    fn is_running(&self, key: &TxKey) -> bool {
        self.running.contains(key)
    }

    fn is_idle(&self) -> bool {
        self.running.is_empty()
    }

    fn start(&mut self, key: TxKey, exec: Box<Execution>) -> Result<()> {
        self.running.insert(key.clone());
        let (chaincode, features, done) = (Arc::clone(&self.chaincode), self.features, self.done_tx.clone());
        let link = Blocking::new(Arc::clone(&self.slots), self.outgoing.clone(), key);
        // Chaincode code blocks on ledger round trips; it must never run on the reactor threads.
        tokio::task::spawn_blocking(move || {
            let last = execute(&*chaincode, *exec, features, &link);
            if let Err(e) = link.outgoing.send(last) {
                tracing::warn!(tx = %link.key.tx_id, "cannot report the result: {e}");
            }
            // The driver may have ended already; then nobody needs to know.
            if done.send(link.key).is_err() {
                tracing::trace!("receive loop already gone");
            }
        });
        Ok(())
    }

    fn deliver(&mut self, key: TxKey, reply: ChaincodeMessage) {
        self.slots.deliver(key, reply);
    }

    fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut finished = false;
        while let Poll::Ready(Some(key)) = self.done_rx.poll_recv(cx) {
            self.running.remove(&key);
            finished = true;
        }
        // `done_rx` never closes: `self` holds a sender.
        if finished { Poll::Ready(()) } else { Poll::Pending }
    }

    fn close(&mut self) {
        self.slots.close();
    }
}

/// The reply slots of a stream's waiting transactions, shared by the driver (which fills them) and the
/// transactions' threads (which wait on them).
#[derive(Debug, Default)]
struct ReplySlots(Mutex<Slots>);

#[derive(Debug, Default)]
struct Slots {
    /// The one outstanding request of each transaction, waiting for its reply.
    pending: HashMap<TxKey, oneshot::Sender<ChaincodeMessage>>,
    /// Set when the stream has ended: new requests fail at once instead of waiting forever.
    closed: bool,
}

impl ReplySlots {
    fn lock(&self) -> MutexGuard<'_, Slots> {
        // A panic while holding this lock cannot leave the map inconsistent (single inserts/removes), so a
        // poisoned lock is still usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers the reply slot of a transaction's next request; must happen before the request is sent.
    fn expect(&self, key: &TxKey) -> Result<oneshot::Receiver<ChaincodeMessage>> {
        let (tx, rx) = oneshot::channel();
        let mut slots = self.lock();
        if slots.closed {
            return Err(Error::Disconnected);
        }
        if slots.pending.insert(key.clone(), tx).is_some() {
            // The link serializes each transaction's requests, so this would be a shim bug, not a peer one.
            tracing::error!("two outstanding requests for one transaction");
        }
        Ok(rx)
    }

    fn deliver(&self, key: TxKey, reply: ChaincodeMessage) {
        let slot = self.lock().pending.remove(&key);
        match slot {
            Some(slot) => {
                if slot.send(reply).is_err() {
                    tracing::debug!(tx = %key.tx_id, "reply arrived after its transaction gave up");
                }
            }
            None => tracing::warn!(tx = %key.tx_id, channel = %key.channel_id, "reply for no pending request"),
        }
    }

    fn close(&self) {
        let mut slots = self.lock();
        slots.closed = true;
        // Dropping the senders wakes every waiting transaction with `Disconnected`.
        slots.pending.clear();
    }
}

/// The threads executor's link: the transaction has an OS thread of its own and blocks on a reply slot.
#[derive(Debug)]
struct Blocking {
    slots: Arc<ReplySlots>,
    outgoing: Outgoing,
    key: TxKey,
    /// Held for the duration of a request: the peer accepts one outstanding request per transaction, so further
    /// callers (threads the chaincode itself started) queue here instead of being dropped by the peer.
    turn: Mutex<()>,
}

impl Blocking {
    fn new(slots: Arc<ReplySlots>, outgoing: Outgoing, key: TxKey) -> Self {
        Self { slots, outgoing, key, turn: Mutex::new(()) }
    }
}

impl Link for &Blocking {
    fn exchange(&self, msg: ChaincodeMessage) -> Result<ChaincodeMessage> {
        let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        let reply = self.slots.expect(&self.key)?;
        self.outgoing.send(msg)?;
        reply.blocking_recv().map_err(|_| Error::Disconnected)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use gridledger_protos::peer::GetState;
    use gridledger_protos::peer::chaincode_message::Type;
    use gridledger_protos::prost::Message;

    use super::*;
    use crate::context::TxContext;
    use crate::peer_stub::PeerStub;
    use crate::stub::ChaincodeStub;

    /// The peer drops a second outstanding request of one transaction, so callers sharing a transaction's stub
    /// across threads must queue: the fake peer below holds each request a while and fails if another arrives.
    #[test]
    fn concurrent_callers_of_one_transaction_queue_instead_of_overlapping() {
        let (outgoing, mut sent) = mpsc::unbounded_channel();
        let slots = Arc::new(ReplySlots::default());
        let key = TxKey { channel_id: "ch".into(), tx_id: "t1".into() };
        let link = Blocking::new(Arc::clone(&slots), Outgoing::new(outgoing), key);
        let stub = PeerStub::new(TxContext::new("ch", "t1", vec![]), PeerFeatures::default(), &link);
        const CALLERS: usize = 4;
        const READS: usize = 3;
        std::thread::scope(|s| {
            s.spawn(|| {
                for _ in 0..CALLERS * READS {
                    let request = sent.blocking_recv().expect("a request");
                    std::thread::sleep(Duration::from_millis(5));
                    let overlapped = sent.try_recv().is_ok();
                    if overlapped {
                        // Wake the callers (they get Disconnected) so the test fails instead of hanging.
                        slots.close();
                    }
                    assert!(!overlapped, "a second request was sent while one was outstanding");
                    let key = GetState::decode(request.payload.as_slice()).expect("GetState").key;
                    let reply = ChaincodeMessage {
                        r#type: Type::Response as i32,
                        payload: key.into_bytes(),
                        ..Default::default()
                    };
                    slots.deliver(TxKey { channel_id: request.channel_id, tx_id: request.txid }, reply);
                }
            });
            for caller in 0..CALLERS {
                let stub = &stub;
                s.spawn(move || {
                    for read in 0..READS {
                        let key = format!("k{caller}-{read}");
                        let value = stub.get_state(&key).expect("read");
                        assert_eq!(value.as_deref(), Some(key.as_bytes()), "each caller gets its own reply");
                    }
                });
            }
        });
    }

    /// Once the stream is closed, a request fails at once instead of waiting for a reply that cannot come.
    #[test]
    fn requests_after_close_fail_at_once() {
        let (outgoing, _sent) = mpsc::unbounded_channel();
        let slots = Arc::new(ReplySlots::default());
        let key = TxKey { channel_id: "ch".into(), tx_id: "t1".into() };
        let link = Blocking::new(Arc::clone(&slots), Outgoing::new(outgoing), key);
        slots.close();
        assert!(matches!((&link).exchange(ChaincodeMessage::default()), Err(Error::Disconnected)));
    }
}
