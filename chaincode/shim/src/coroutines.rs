//! The coroutine executor: every transaction of a stream runs as a stackful coroutine on the stream's own thread.
//!
//! On TRANSACTION the driver hands the transaction here; it gets a coroutine (on a stack from a small pool) that is
//! resumed at once and runs until its first ledger call, where [`Suspend`] yields the request message back. The
//! executor sends it, and when the driver delivers the RESPONSE or ERROR for that transaction it resumes the
//! coroutine with it, and so on until the coroutine returns its final message (COMPLETED, or ERROR), which the
//! executor sends. A round trip therefore never wakes another OS thread of ours: the driver, the chaincode code and
//! the stub all run on one thread, switching stacks in user space (tens of nanoseconds) where the threads executor
//! pays a futex wake and a context switch per hand-off.
//!
//! The coroutines are `!Send` (they hold stack frames with `!Send` borrows), so a stream's driver must stay on one
//! thread; [`crate::placement`] places it.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::task::{Context, Poll};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use gridledger_protos::peer::ChaincodeMessage;
use gridledger_protos::peer::chaincode_message::Type;

use crate::Chaincode;
use crate::error::{Error, Result};
use crate::executor::TxExecutor;
use crate::handler::{self, Execution, PeerFeatures};
use crate::link::{Link, Outgoing, TxKey};
use crate::transaction::execute;

/// Stack size of a transaction coroutine.
///
/// 1 MiB of address space, committed page by page as it is touched (plus a guard page: overflowing it kills the
/// process with SIGSEGV, like overflowing any thread stack). Transaction code seen so far (JSON, x509 parsing of
/// the creator, ring, prost) peaks well under 128 KiB; 1 MiB leaves room for recursive chaincode while a pooled
/// stack costs only the pages it ever touched. Chaincode needing more (deep recursion) should use
/// `GRIDLEDGER_EXECUTOR=threads`, whose threads have Tokio's 2 MiB stacks.
const STACK_SIZE: usize = 1024 * 1024;

/// Finished transactions' stacks kept per stream for the next ones, while transactions are running: a fresh stack
/// costs an mmap, an mprotect for its guard page, page faults as it is touched and a munmap when it goes. The pool
/// grows to the stream's peak concurrency, up to this. With a smaller cap (it was 32), every transaction beyond
/// the cap paid all of that: at 100 in flight 0.68 mmap+mprotect+munmap and 1.4 page faults per transaction,
/// 10 us of CPU instead of 3.7, and half the throughput (BENCHMARKS.md, "The stack pool").
const STACK_POOL_BUSY: usize = 1024;

/// What the pool keeps once no transaction is running: a pooled stack keeps the pages its transactions touched
/// (about 16 KiB for kv), so a burst's stacks are given back when it is over.
const STACK_POOL_IDLE: usize = 32;

/// What resumes a suspended transaction: the peer's reply to its request, or `Err` once the stream is gone.
type Reply = Result<ChaincodeMessage>;
/// Resumed with replies, yields requests, returns the transaction's final message (`None`: the shim itself
/// panicked).
type TxCoroutine = Coroutine<Reply, ChaincodeMessage, Option<ChaincodeMessage>, DefaultStack>;

/// The coroutine executor's link: a request suspends the transaction, handing the message to the executor, which
/// sends it and resumes the coroutine with the reply (or `Err(Disconnected)` once the stream is gone).
///
/// `&Yielder` is neither `Send` nor `Sync`, so neither is a stub over this link: the compiler guarantees that only
/// the coroutine itself ever suspends it, and that a transaction has at most one outstanding request (it is
/// suspended while the request is out). The public API cannot move a stub to another thread anyway:
/// `dyn ChaincodeStub` is not `Sync`.
struct Suspend<'y>(&'y Yielder<Reply, ChaincodeMessage>);

impl std::fmt::Debug for Suspend<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Suspend")
    }
}

impl Link for Suspend<'_> {
    fn exchange(&self, msg: ChaincodeMessage) -> Result<ChaincodeMessage> {
        self.0.suspend(msg)
    }
}

/// Runs a stream's transactions as coroutines on the driver's thread.
pub(crate) struct Coroutines<C> {
    chaincode: Arc<C>,
    outgoing: Outgoing,
    features: PeerFeatures,
    /// Every started, unfinished transaction; each is suspended with one request out. Keys come from the peer,
    /// and foldhash's per-process random seed keeps them from being chosen to collide.
    running: HashMap<TxKey, TxCoroutine, foldhash::fast::RandomState>,
    /// Stacks of finished transactions, for the next ones.
    stacks: Vec<DefaultStack>,
    /// The stream is gone: requests fail with `Disconnected` at once instead of being sent.
    closed: bool,
}

impl<C: Chaincode> Coroutines<C> {
    pub(crate) fn new(chaincode: Arc<C>, outgoing: Outgoing) -> Self {
        Self {
            chaincode,
            outgoing,
            features: PeerFeatures::default(),
            running: HashMap::default(),
            stacks: Vec::new(),
            closed: false,
        }
    }

    /// Sends a finished transaction's final message and keeps its stack.
    fn finish(&mut self, key: &TxKey, coroutine: TxCoroutine, last: Option<ChaincodeMessage>) {
        let last = last.unwrap_or_else(|| ChaincodeMessage {
            r#type: Type::Error as i32,
            payload: b"chaincode shim failed".to_vec(),
            txid: key.tx_id.clone(),
            channel_id: key.channel_id.clone(),
            ..Default::default()
        });
        if let Err(e) = self.outgoing.send(last) {
            tracing::warn!(tx = %key.tx_id, "cannot report the result: {e}");
        }
        if self.stacks.len() < STACK_POOL_BUSY {
            self.stacks.push(coroutine.into_stack());
        }
        if self.running.is_empty() {
            self.stacks.truncate(STACK_POOL_IDLE);
        }
    }
}

impl<C: Chaincode> TxExecutor for Coroutines<C> {
    fn ready(&mut self, features: PeerFeatures) {
        self.features = features;
    }

    fn is_running(&self, key: &TxKey) -> bool {
        self.running.contains_key(key)
    }

    fn is_idle(&self) -> bool {
        self.running.is_empty()
    }

    fn start(&mut self, key: TxKey, exec: Box<Execution>) -> Result<()> {
        let stack = match self.stacks.pop() {
            Some(stack) => stack,
            None => match DefaultStack::new(STACK_SIZE) {
                Ok(stack) => stack,
                Err(e) => {
                    tracing::error!(tx = %key.tx_id, "cannot allocate a transaction stack: {e}");
                    let text = format!("chaincode cannot allocate a stack for the transaction: {e}");
                    return self.outgoing.send(handler::error_reply(&exec.message, text));
                }
            },
        };
        let (chaincode, features) = (Arc::clone(&self.chaincode), self.features);
        let mut coroutine = TxCoroutine::with_stack(stack, move |yielder, _start: Reply| {
            // `execute` already turns a chaincode panic into a 500; this guard is for a panic in the shim itself,
            // which would otherwise unwind into the driver and end the stream (`finish` reports it).
            catch_unwind(AssertUnwindSafe(|| execute(&*chaincode, *exec, features, Suspend(yielder)))).ok()
        });
        match drive(&self.outgoing, self.closed, &mut coroutine, Ok(ChaincodeMessage::default())) {
            Some(last) => self.finish(&key, coroutine, last),
            None => {
                self.running.insert(key, coroutine);
            }
        }
        Ok(())
    }

    fn deliver(&mut self, key: TxKey, reply: ChaincodeMessage) {
        let Some(coroutine) = self.running.get_mut(&key) else {
            tracing::warn!(tx = %key.tx_id, channel = %key.channel_id, "reply for no pending request");
            return;
        };
        if let Some(last) = drive(&self.outgoing, self.closed, coroutine, Ok(reply))
            && let Some((key, coroutine)) = self.running.remove_entry(&key)
        {
            self.finish(&key, coroutine, last);
        }
    }

    fn poll_finished(&mut self, _: &mut Context<'_>) -> Poll<()> {
        // Transactions finish inside `start` and `deliver`; nothing else ever needs to wake the driver.
        Poll::Pending
    }

    /// Each transaction runs to its end with every request failing (its final message is still offered to the
    /// writer, as the threads executor does).
    fn close(&mut self) {
        self.closed = true;
        for (key, mut coroutine) in std::mem::take(&mut self.running) {
            if let Some(last) = drive(&self.outgoing, true, &mut coroutine, Err(Error::Disconnected)) {
                self.finish(&key, coroutine, last);
            }
        }
    }
}

/// Resumes a transaction with `input` and runs it until it waits for a reply to a request it sent (`None`) or
/// returns (`Some`, with what it returned).
fn drive(
    outgoing: &Outgoing,
    closed: bool,
    coroutine: &mut TxCoroutine,
    mut input: Reply,
) -> Option<Option<ChaincodeMessage>> {
    loop {
        match coroutine.resume(input) {
            CoroutineResult::Return(last) => return Some(last),
            // A request that cannot go out fails at once, and the transaction carries on, as with the threads
            // executor: the chaincode decides what a failed ledger call means.
            CoroutineResult::Yield(_) if closed => input = Err(Error::Disconnected),
            CoroutineResult::Yield(request) => match outgoing.send(request) {
                Ok(()) => return None,
                Err(e) => input = Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use gridledger_protos::peer::ChaincodeInput;
    use tokio::sync::mpsc;

    use super::*;
    use crate::handler::TxKind;
    use crate::{ChaincodeStub, Response};

    /// Reads one key, so every transaction is suspended on its GET_STATE until the test replies.
    struct OneRead;

    impl Chaincode for OneRead {
        fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
            match stub.get_state("k") {
                Ok(_) => Response::success(Vec::new()),
                Err(e) => Response::error(e.to_string()),
            }
        }
    }

    fn key(n: usize) -> TxKey {
        TxKey { channel_id: "ch".into(), tx_id: format!("tx{n}") }
    }

    fn execution(key: &TxKey) -> Box<Execution> {
        let message =
            ChaincodeMessage { txid: key.tx_id.clone(), channel_id: key.channel_id.clone(), ..Default::default() };
        Box::new(Execution { kind: TxKind::Transaction, input: ChaincodeInput::default(), message })
    }

    fn reply() -> ChaincodeMessage {
        ChaincodeMessage { r#type: Type::Response as i32, ..Default::default() }
    }

    #[test]
    fn the_stack_pool_keeps_a_burst_while_busy_and_gives_it_back_when_idle() {
        let (sender, mut sent) = mpsc::unbounded_channel();
        let mut executor = Coroutines::new(Arc::new(OneRead), Outgoing::new(sender));
        let burst = 100;
        for n in 0..burst {
            executor.start(key(n), execution(&key(n))).unwrap();
        }
        assert_eq!(executor.running.len(), burst);
        // All but one finish: their stacks stay for the next transactions, past the idle size.
        for n in 1..burst {
            executor.deliver(key(n), reply());
        }
        assert_eq!(executor.stacks.len(), burst - 1);
        // The next transaction takes a pooled stack instead of mapping one.
        executor.start(key(burst), execution(&key(burst))).unwrap();
        assert_eq!(executor.stacks.len(), burst - 2);
        executor.deliver(key(burst), reply());
        executor.deliver(key(0), reply());
        assert!(executor.is_idle());
        assert_eq!(executor.stacks.len(), STACK_POOL_IDLE);
        let completed =
            std::iter::from_fn(|| sent.try_recv().ok()).filter(|msg| msg.r#type == Type::Completed as i32).count();
        assert_eq!(completed, burst + 1);
    }
}
