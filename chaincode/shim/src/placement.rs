//! Where a coroutine-executed stream's driver runs. Its coroutines are `!Send`, so the driver stays on one thread.
//!
//! Under [`crate::start`] (a current-thread runtime that only ever runs on the calling thread, see
//! [`block_on_this_thread`]) it is a plain task of that runtime, next to tonic's I/O tasks: a round trip then
//! involves no thread hand-off at all, and the scheduler treats the driver like any other task (as a `LocalSet` task
//! it would be polled through the `block_on` future, which costs a non-blocking `epoll_wait` per wake-up). Embedded
//! in any other runtime ([`crate::CcaasServer::serve`], [`crate::register`] called by the application), the driver
//! gets a thread of its own with a current-thread Tokio runtime; the tonic stream and the outgoing sender are `Send`
//! and move there. The cost either way: the transactions of one stream share one thread, so CPU-heavy chaincode
//! code runs one transaction at a time (the threads executor runs them in parallel); see the crate docs on choosing.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;

use futures_util::Stream;
use gridledger_protos::peer::ChaincodeMessage;
use send_wrapper::SendWrapper;
use tokio::sync::{oneshot, watch};

use crate::Chaincode;
use crate::coroutines::Coroutines;
use crate::driver::drive;
use crate::error::{Error, Result};
use crate::link::Outgoing;

/// Where a stream's driver runs.
enum Place {
    /// As a task of [`block_on_this_thread`]'s runtime, on this thread.
    Task,
    /// On a thread of its own, on this runtime.
    Thread(tokio::runtime::Runtime),
}

thread_local! {
    /// Set on the thread of [`block_on_this_thread`] while it runs: every task of the runtime running here is polled
    /// and dropped on this thread.
    static OWN_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

/// Clears [`OWN_RUNTIME`] however `block_on` ends.
struct OwnRuntime;

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        OWN_RUNTIME.with(|own| own.set(false));
    }
}

/// Runs `future` on a current-thread `runtime`, with every stream's driver started meanwhile run as a plain task of
/// it. The runtime must be used on this thread only (and dropped here), as [`crate::start`] does: the drivers are
/// `!Send`, and [`SendWrapper`] turns a poll or drop on another thread into a panic rather than unsoundness.
pub(crate) fn block_on_this_thread<F: Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    debug_assert_eq!(runtime.handle().runtime_flavor(), tokio::runtime::RuntimeFlavor::CurrentThread);
    OWN_RUNTIME.with(|own| own.set(true));
    let _own = OwnRuntime;
    runtime.block_on(future)
}

/// Runs the stream's driver with the coroutine executor and waits for it: as a task of [`block_on_this_thread`]'s
/// runtime when called on its thread, otherwise on a new thread with its own current-thread runtime. Hands the
/// incoming stream back like [`crate::runtime::run`].
pub(crate) async fn run_coroutines<C, S>(
    chaincode: Arc<C>,
    incoming: S,
    outgoing: Outgoing,
    shutdown: watch::Receiver<bool>,
) -> (Result<()>, Option<S>)
where
    C: Chaincode,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin + Send + 'static,
{
    // Off `block_on_this_thread`'s thread the driver gets a thread and runtime of its own; the runtime is built here
    // (it is `Send`), so a failure still hands the stream back.
    let place = if OWN_RUNTIME.with(Cell::get) {
        Place::Task
    } else {
        match tokio::runtime::Builder::new_current_thread().build() {
            Ok(rt) => Place::Thread(rt),
            Err(e) => return (Err(e.into()), Some(incoming)),
        }
    };
    let (finished, outcome) = oneshot::channel();
    // Built where it runs: the executor holds the `!Send` coroutines.
    let job = move || async move {
        let mut incoming = incoming;
        let mut executor = Coroutines::new(chaincode, outgoing.clone());
        let result = drive(&mut executor, &mut incoming, &outgoing, shutdown).await;
        if finished.send((result, Some(incoming))).is_err() {
            tracing::debug!("nobody waits for the stream's end any more");
        }
    };
    match place {
        // This task runs on `block_on_this_thread`'s thread, and so does every task of that runtime.
        Place::Task => drop(tokio::spawn(SendWrapper::new(job()))),
        Place::Thread(rt) => {
            let spawned =
                std::thread::Builder::new().name("gridledger-stream".into()).spawn(move || rt.block_on(job()));
            if let Err(e) = spawned {
                return (Err(e.into()), None);
            }
        }
    }
    // The sender is only dropped unsent if the driver panicked, which is a shim bug; the stream is gone then.
    outcome.await.unwrap_or_else(|_| {
        tracing::error!("the stream's driver panicked");
        (Err(Error::Disconnected), None)
    })
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

    /// What `start` does: the streams' loops run as tasks on the runtime's own thread, not on threads of
    /// their own, and behave the same (interleaving, panics).
    #[test]
    fn under_block_on_this_thread_streams_run_on_the_runtime_thread() {
        if crate::Executor::from_env() != crate::Executor::Coroutine {
            return; // The suite also runs with GRIDLEDGER_EXECUTOR=threads; this test is about coroutines.
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let here = std::thread::current().name().unwrap_or("").to_string();
        let outcomes = block_on_this_thread(&rt, async {
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
    fn under_block_on_this_thread_the_client_mode_serves_and_ends() {
        if crate::Executor::from_env() != crate::Executor::Coroutine {
            return;
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let here = std::thread::current().name().unwrap_or("").to_string();
        let (first, second, ended) = block_on_this_thread(&rt, async {
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
