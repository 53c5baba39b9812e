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

/// Finished transactions' stacks kept per stream for the next ones: a fresh stack costs an mmap, an mprotect for
/// its guard page, page faults as it is touched and a munmap when it goes. The pool follows the stream's peak
/// concurrency, up to this many stacks. With a fixed cap of 32 (before), every transaction beyond it paid all of
/// that: at 100 in flight 0.68 mmap+mprotect+munmap and 1.4 page faults per transaction, 10 us of CPU instead of
/// 3.7, half the throughput (BENCHMARKS.md, "The stack pool and replies sent early").
const STACK_POOL_MAX: usize = 1024;

/// What the pool may always keep. A pooled stack keeps the pages its transactions touched (about 16 KiB for kv).
const STACK_POOL_MIN: usize = 32;

/// Every this many started transactions the pool shrinks to the peak concurrency seen since the last time, so a
/// burst's stacks go once the load is lower (an idle stream keeps what its last window needed). Counted in
/// transactions, not time: no clock read, and when transactions move in lockstep (all finishing in one batch,
/// then all starting again) the stream is briefly idle at every step, which a "shrink when idle" rule would take
/// for the end of the load.
const STACK_POOL_WINDOW: u32 = 4096;

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
    /// Transactions started in the current pool window, and the most running at once in it.
    window_starts: u32,
    window_peak: usize,
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
            window_starts: 0,
            window_peak: 0,
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
        if self.stacks.len() < STACK_POOL_MAX {
            self.stacks.push(coroutine.into_stack());
        }
    }

    /// Counts a started transaction into the pool window, and shrinks the pool when the window is over.
    fn count_start(&mut self) {
        self.window_peak = self.window_peak.max(self.running.len() + 1);
        self.window_starts += 1;
        if self.window_starts == STACK_POOL_WINDOW {
            self.stacks.truncate(self.window_peak.max(STACK_POOL_MIN));
            self.window_starts = 0;
            self.window_peak = self.running.len();
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
        self.count_start();
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
    fn the_stack_pool_follows_the_peak_concurrency_of_its_window() {
        let (sender, mut sent) = mpsc::unbounded_channel();
        let mut executor = Coroutines::new(Arc::new(OneRead), Outgoing::new(sender));
        let burst = 100;
        for n in 0..burst {
            executor.start(key(n), execution(&key(n))).unwrap();
        }
        assert_eq!(executor.running.len(), burst);
        for n in 0..burst {
            executor.deliver(key(n), reply());
        }
        // Idle after the burst: every stack stays for the next one, past the minimum.
        assert!(executor.is_idle());
        assert_eq!(executor.stacks.len(), burst);
        // The next transactions, one at a time, take pooled stacks instead of mapping new ones. The window with the
        // burst keeps its stacks; at the end of the next one, whose peak is 1, the pool shrinks to the minimum.
        let last = 2 * STACK_POOL_WINDOW as usize - 1;
        for n in burst..last {
            executor.start(key(n), execution(&key(n))).unwrap();
            assert_eq!(executor.stacks.len(), burst - 1, "transaction {n}");
            executor.deliver(key(n), reply());
        }
        executor.start(key(last), execution(&key(last))).unwrap();
        assert_eq!(executor.stacks.len(), STACK_POOL_MIN - 1);
        executor.deliver(key(last), reply());
        let completed =
            std::iter::from_fn(|| sent.try_recv().ok()).filter(|msg| msg.r#type == Type::Completed as i32).count();
        assert_eq!(completed, last + 1);
    }
}
