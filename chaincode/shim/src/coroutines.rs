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
//! The coroutines are `!Send` (they hold stack frames with `!Send` borrows), so a stream's loop must stay on one
//! thread. Under [`crate::start`] (a single-threaded runtime, see [`block_on_local`]) it is a local task on the
//! runtime's own thread, next to tonic's I/O tasks: a round trip then involves no thread hand-off at all. Embedded
//! in any other runtime ([`crate::CcaasServer::serve`], [`crate::register`] called by the application), the loop
//! gets a thread of its own with a current-thread Tokio runtime; the tonic stream and the outgoing sender are
//! `Send` and move there. The cost either way: the transactions of one stream share one thread, so CPU-heavy
//! chaincode code runs one transaction at a time (the threads executor runs them in parallel); see the crate docs
//! on choosing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
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

/// Creates a stream's receive loop on the thread that runs it: the `Send` half of a stream job.
type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

thread_local! {
    /// Set on the thread of [`block_on_local`]: where that thread takes stream loops to run as local tasks.
    static LOCAL_LOOPS: RefCell<Option<mpsc::UnboundedSender<Job>>> = const { RefCell::new(None) };
}

/// Runs `future` on a current-thread `runtime`, with every stream's receive loop started meanwhile on this thread
/// run as a local task of it (instead of on a thread of its own).
pub(crate) fn block_on_local<F: Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    let (jobs, mut queued) = mpsc::unbounded_channel::<Job>();
    LOCAL_LOOPS.with(|slot| *slot.borrow_mut() = Some(jobs));
    let local = tokio::task::LocalSet::new();
    let output = local.block_on(runtime, async move {
        // `spawn_local` needs the LocalSet's context, which only this future has (tonic's tasks, where streams
        // start, are plain tasks): the streams' loops are handed over here.
        let spawner = async move {
            while let Some(job) = queued.recv().await {
                tokio::task::spawn_local(job());
            }
            // Not reached: the thread-local keeps a sender until `future` is done.
            std::future::pending().await
        };
        tokio::select! {
            output = future => output,
            output = spawner => output,
        }
    });
    LOCAL_LOOPS.with(|slot| *slot.borrow_mut() = None);
    output
}

/// Runs the stream's receive loop and waits for it: as a local task when called on [`block_on_local`]'s thread,
/// otherwise on a new thread with its own current-thread runtime.
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
    let local = LOCAL_LOOPS.with(|slot| slot.borrow().clone());
    if let Some(local) = local {
        let job: Job = Box::new(move || {
            Box::pin(async move {
                let mut incoming = incoming;
                let result = run(chaincode, &mut incoming, outgoing, shutdown).await;
                if finished.send((result, Some(incoming))).is_err() {
                    tracing::debug!("nobody waits for the stream's end any more");
                }
            })
        });
        if local.send(job).is_err() {
            return (Err(Error::Disconnected), None);
        }
        return outcome.await.unwrap_or_else(|_| {
            tracing::error!("the stream's loop panicked");
            (Err(Error::Disconnected), None)
        });
    }
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

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use gridledger_testkit::mock_peer::{MockPeer, PeerOptions, Tx};

    use super::*;
    use crate::config::ServerConfig;
    use crate::{CcaasServer, ChaincodeStub, Response};

    /// `swap key value`: writes the value, returns the old one and the name of the thread it ran on.
    struct Swap;

    impl Chaincode for Swap {
        fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
            let args: Vec<String> = stub.args().iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            if args.first().map(String::as_str) == Some("panic") {
                panic!("on purpose");
            }
            let old = match stub.get_state(&args[1]) {
                Ok(old) => String::from_utf8_lossy(&old.unwrap_or_default()).into_owned(),
                Err(e) => return Response::error(e.to_string()),
            };
            if let Err(e) = stub.put_state(&args[1], args[2].as_bytes()) {
                return Response::error(e.to_string());
            }
            let thread = std::thread::current().name().unwrap_or("").to_string();
            Response::success(format!("{old}|{thread}"))
        }
    }

    /// What `start` does: the streams' loops run as local tasks on the runtime's own thread, not on threads of
    /// their own, and behave the same (interleaving, panics).
    #[test]
    fn under_block_on_local_streams_run_on_the_runtime_thread() {
        if crate::runtime::Executor::from_env() != crate::runtime::Executor::Coroutine {
            return; // The suite also runs with GRIDLEDGER_EXECUTOR=threads; this test is about coroutines.
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let here = std::thread::current().name().unwrap_or("").to_string();
        let outcomes = block_on_local(&rt, async {
            let config =
                ServerConfig { chaincode_id: "cc:1".into(), address: SocketAddr::from(([127, 0, 0, 1], 0)), tls: None };
            let server = CcaasServer::bind(config).unwrap();
            let addr = server.local_addr();
            let (stop, stopped) = oneshot::channel::<()>();
            let served = tokio::spawn(server.serve(Swap, async move { drop(stopped.await) }));
            let peer = MockPeer::new(PeerOptions::fabric_2_5());
            let conn = peer.dial(addr, None).await.unwrap();
            conn.handshake().await.unwrap();
            let pending: Vec<_> = (0..20)
                .map(|i| conn.send_tx(Tx::new("ch", &format!("t{i}"), ["swap", &format!("k{}", i % 5), "v"])).unwrap())
                .collect();
            let panicked = conn.invoke(Tx::new("ch", "boom", ["panic"])).await.unwrap();
            let mut outcomes = vec![(panicked.status(), panicked.payload_text())];
            for p in pending {
                let out = p.wait().await.unwrap();
                outcomes.push((out.status(), out.payload_text()));
            }
            drop(stop);
            drop(conn);
            served.await.unwrap().unwrap();
            outcomes
        });
        assert_eq!(outcomes[0].0, Some(500), "{:?}", outcomes[0]);
        assert_eq!(outcomes.len(), 21);
        for (status, text) in &outcomes[1..] {
            assert_eq!(*status, Some(200), "{text}");
            assert!(text.ends_with(&format!("|{here}")), "ran on the runtime's thread: {text}");
        }
    }

    /// Classic mode under `start`'s runtime: the loop runs locally, and `register` gets the stream back afterwards.
    #[test]
    fn under_block_on_local_the_client_mode_serves_and_ends() {
        if crate::runtime::Executor::from_env() != crate::runtime::Executor::Coroutine {
            return;
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let here = std::thread::current().name().unwrap_or("").to_string();
        let (first, second, ended) = block_on_local(&rt, async {
            let peer = MockPeer::new(PeerOptions::fabric_2_5());
            let mut listener = peer.listen(None).await.unwrap();
            let config = crate::config::ClientConfig {
                chaincode_id: "cc:1".into(),
                peer_address: listener.local_addr().to_string(),
                tls: None,
            };
            let (stop, stopped) = oneshot::channel::<()>();
            let registered = tokio::spawn(crate::register(config, Swap, async move { drop(stopped.await) }));
            let conn = listener.accept().await.unwrap();
            conn.handshake().await.unwrap();
            let first = conn.invoke(Tx::new("ch", "t1", ["swap", "k", "one"])).await.unwrap().payload_text();
            let second = conn.invoke(Tx::new("ch", "t2", ["swap", "k", "two"])).await.unwrap().payload_text();
            drop(stop);
            drop(conn);
            let ended = tokio::time::timeout(std::time::Duration::from_secs(10), registered).await;
            (first, second, ended.map(|joined| joined.map(|r| r.map_err(|e| e.to_string()))))
        });
        assert_eq!(first, format!("|{here}"));
        assert_eq!(second, format!("one|{here}"));
        assert!(matches!(ended, Ok(Ok(_))), "register returned in time: {ended:?}");
    }
}
