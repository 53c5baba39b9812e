//! The coroutine executor: every transaction of a stream runs as a stackful coroutine on the stream's own thread.
//!
//! On TRANSACTION the receive loop creates a coroutine (on a stack from a small pool) and resumes it; the chaincode
//! runs until its first ledger call, where [`Suspend`] yields the request message back to the loop. The loop sends
//! it and goes back to reading; when the RESPONSE or ERROR for that transaction arrives it resumes the coroutine
//! with it, and so on until the coroutine returns its final message (COMPLETED, or ERROR), which the loop sends.
//! A round trip therefore never wakes another OS thread of ours: the loop, the chaincode code and the stub all run
//! on one thread, switching stacks in user space (tens of nanoseconds) where the threads executor pays a futex
//! wake and a context switch per hand-off.
//!
//! The coroutines are `!Send` (they hold stack frames with `!Send` borrows), so a stream's loop runs on a thread of
//! its own with a current-thread Tokio runtime; the tonic stream and the outgoing sender are `Send` and move there.
//! The cost: the transactions of one stream share that thread, so CPU-heavy chaincode code runs one transaction at
//! a time per stream (the threads executor runs them in parallel); see the crate docs on choosing.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};
use futures_util::{Stream, StreamExt};
use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::{mpsc, oneshot, watch};

use crate::Chaincode;
use crate::error::{Error, Result};
use crate::handler::{self, Action, Execution, State};
use crate::peer_stub::Suspend;
use crate::runtime::{Shared, TxKey, duplicate_reply, execute};

/// Stack size of a transaction coroutine.
///
/// 1 MiB of address space, committed page by page as it is touched (plus a guard page: overflowing it kills the
/// process with SIGSEGV, like overflowing any thread stack). Transaction code seen so far (JSON, x509 parsing of
/// the creator, ring, prost) peaks well under 128 KiB; 1 MiB leaves room for recursive chaincode while a pooled
/// stack costs only the pages it ever touched. Chaincode needing more (deep recursion) should use
/// `GRIDLEDGER_EXECUTOR=threads`, whose threads have Tokio's 2 MiB stacks.
const STACK_SIZE: usize = 1024 * 1024;

/// Finished transactions' stacks kept per stream for the next ones (mmap/munmap per transaction is not free).
/// More concurrent transactions than this simply allocate fresh stacks, which are unmapped when they finish.
const STACK_POOL: usize = 32;

/// What resumes a suspended transaction: the peer's reply to its request, or `Err` once the stream is gone.
type Reply = Result<ChaincodeMessage>;
/// Resumed with replies, yields requests, returns the transaction's final message.
type TxCoroutine = Coroutine<Reply, ChaincodeMessage, ChaincodeMessage, DefaultStack>;

/// Runs the stream's receive loop on a new thread with its own current-thread runtime and waits for it.
pub(crate) async fn run_on_own_thread<C, S>(
    chaincode: Arc<C>,
    incoming: S,
    outgoing: mpsc::UnboundedSender<ChaincodeMessage>,
    shutdown: watch::Receiver<bool>,
) -> (Result<()>, Option<S>)
where
    C: Chaincode,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin + Send + 'static,
{
    let (finished, outcome) = oneshot::channel();
    let spawned = std::thread::Builder::new().name("gridledger-stream".into()).spawn(move || {
        let mut incoming = incoming;
        let result = match tokio::runtime::Builder::new_current_thread().build() {
            Ok(rt) => rt.block_on(run(chaincode, &mut incoming, outgoing, shutdown)),
            Err(e) => Err(e.into()),
        };
        if finished.send((result, Some(incoming))).is_err() {
            tracing::debug!("nobody waits for the stream's end any more");
        }
    });
    if let Err(e) = spawned {
        return (Err(e.into()), None);
    }
    // The sender is only dropped unsent if the loop panicked, which is a shim bug; the stream is gone then.
    outcome.await.unwrap_or_else(|_| {
        tracing::error!("the stream's thread panicked");
        (Err(Error::Disconnected), None)
    })
}

/// The coroutine executor's receive loop (see the module docs).
async fn run<C, S>(
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
    let mut txs = Transactions { running: HashMap::new(), stacks: Vec::new(), closed: false };
    let mut state = State::Created;
    let mut draining = *shutdown.borrow();
    let result = loop {
        if draining && txs.running.is_empty() {
            break Ok(());
        }
        tokio::select! {
            changed = shutdown.changed(), if !draining => {
                // A dropped sender means nobody can ask for shutdown any more; keep serving.
                draining = changed.is_ok() && *shutdown.borrow();
            }
            msg = incoming.next() => {
                let msg = match msg {
                    Some(Ok(msg)) => msg,
                    Some(Err(status)) => break Err(Error::Status(status)),
                    None => break Ok(()),
                };
                let (next, action) = handler::on_message(state, msg);
                state = next;
                let outcome = match action {
                    None => Ok(()),
                    Some(Action::Send(msg)) => shared.send(msg),
                    Some(Action::Ready { features, warning }) => {
                        shared.ready(features, warning);
                        Ok(())
                    }
                    Some(Action::Deliver(msg)) => {
                        txs.deliver(&shared, msg);
                        Ok(())
                    }
                    Some(Action::Execute(exec)) => txs.start(&chaincode, &shared, draining, *exec),
                };
                // Not `?`: leaving without `txs.disconnect` would strand transactions waiting for replies.
                if let Err(e) = outcome {
                    break Err(e);
                }
            }
        }
    };
    txs.disconnect(&shared);
    shared.close();
    result
}

/// The transactions of one stream.
struct Transactions {
    /// Every started, unfinished transaction; each is suspended with one request out.
    running: HashMap<TxKey, TxCoroutine>,
    /// Stacks of finished transactions, for the next ones.
    stacks: Vec<DefaultStack>,
    /// The stream is gone: requests fail with `Disconnected` at once instead of being sent.
    closed: bool,
}

impl Transactions {
    fn start<C: Chaincode>(
        &mut self,
        chaincode: &Arc<C>,
        shared: &Arc<Shared>,
        draining: bool,
        exec: Execution,
    ) -> Result<()> {
        if draining {
            return shared.send(handler::error_reply(&exec.message, "chaincode is shutting down"));
        }
        let key = TxKey::of(&exec.message);
        if self.running.contains_key(&key) {
            return shared.send(duplicate_reply(&exec.message, &key));
        }
        let stack = match self.stacks.pop() {
            Some(stack) => stack,
            None => match DefaultStack::new(STACK_SIZE) {
                Ok(stack) => stack,
                Err(e) => {
                    tracing::error!(tx = %key.tx_id, "cannot allocate a transaction stack: {e}");
                    let text = format!("chaincode cannot allocate a stack for the transaction: {e}");
                    return shared.send(handler::error_reply(&exec.message, text));
                }
            },
        };
        let header = handler::error_reply(&exec.message, "");
        let (chaincode, tx_shared) = (Arc::clone(chaincode), Arc::clone(shared));
        let mut coroutine = TxCoroutine::with_stack(stack, move |yielder, _start: Reply| {
            // `execute` already turns a chaincode panic into a 500; this guard is for a panic in the shim itself,
            // which would otherwise unwind into the receive loop and end the stream.
            catch_unwind(AssertUnwindSafe(|| execute(&*chaincode, &tx_shared, exec, Suspend(yielder))))
                .unwrap_or_else(|_| ChaincodeMessage { payload: b"chaincode shim failed".to_vec(), ..header })
        });
        if let Some(last) = self.drive(shared, &mut coroutine, Ok(ChaincodeMessage::default())) {
            self.finish(shared, &key, coroutine, last);
        } else {
            self.running.insert(key, coroutine);
        }
        Ok(())
    }

    /// Hands a RESPONSE or ERROR to the transaction waiting for it.
    fn deliver(&mut self, shared: &Shared, msg: ChaincodeMessage) {
        let key = TxKey::of(&msg);
        let Some(coroutine) = self.running.get_mut(&key) else {
            tracing::warn!(tx = %key.tx_id, channel = %key.channel_id, "reply for no pending request");
            return;
        };
        // Split borrow: `drive` needs `self.closed` only, never the map.
        let closed = self.closed;
        if let Some(last) = drive(shared, closed, coroutine, Ok(msg))
            && let Some(coroutine) = self.running.remove(&key)
        {
            self.finish(shared, &key, coroutine, last);
        }
    }

    fn drive(&self, shared: &Shared, coroutine: &mut TxCoroutine, input: Reply) -> Option<ChaincodeMessage> {
        drive(shared, self.closed, coroutine, input)
    }

    /// Sends a finished transaction's final message and keeps its stack.
    fn finish(&mut self, shared: &Shared, key: &TxKey, coroutine: TxCoroutine, last: ChaincodeMessage) {
        if let Err(e) = shared.send(last) {
            tracing::warn!(tx = %key.tx_id, "cannot report the result: {e}");
        }
        if self.stacks.len() < STACK_POOL {
            self.stacks.push(coroutine.into_stack());
        }
    }

    /// The stream is gone: every waiting request, and every later one, fails with `Disconnected`, and each
    /// transaction runs to its end (its final message is still offered to the writer, as the threads executor does).
    fn disconnect(&mut self, shared: &Shared) {
        self.closed = true;
        for (key, mut coroutine) in std::mem::take(&mut self.running) {
            if let Some(last) = drive(shared, true, &mut coroutine, Err(Error::Disconnected)) {
                self.finish(shared, &key, coroutine, last);
            }
        }
    }
}

/// Resumes a transaction with `input` and runs it until it waits for a reply to a request it sent (`None`) or
/// returns its final message (`Some`).
fn drive(shared: &Shared, closed: bool, coroutine: &mut TxCoroutine, mut input: Reply) -> Option<ChaincodeMessage> {
    loop {
        match coroutine.resume(input) {
            CoroutineResult::Return(last) => return Some(last),
            // A request that cannot go out fails at once, and the transaction carries on, as with the threads
            // executor: the chaincode decides what a failed ledger call means.
            CoroutineResult::Yield(_) if closed => input = Err(Error::Disconnected),
            CoroutineResult::Yield(request) => match shared.send(request) {
                Ok(()) => return None,
                Err(e) => input = Err(e),
            },
        }
    }
}
