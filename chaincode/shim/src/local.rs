//! Where a coroutine-executed stream's driver runs. Its coroutines are `!Send`, so the driver stays on one thread.
//!
//! Under [`crate::start`] (a single-threaded runtime, see [`block_on_local`]) it is a local task on the runtime's
//! own thread, next to tonic's I/O tasks: a round trip then involves no thread hand-off at all. Embedded in any
//! other runtime ([`crate::CcaasServer::serve`], [`crate::register`] called by the application), the driver gets a
//! thread of its own with a current-thread Tokio runtime; the tonic stream and the outgoing sender are `Send` and
//! move there. The cost either way: the transactions of one stream share one thread, so CPU-heavy chaincode code
//! runs one transaction at a time (the threads executor runs them in parallel); see the crate docs on choosing.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;
use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::{mpsc, oneshot, watch};

use crate::Chaincode;
use crate::coroutines::Coroutines;
use crate::driver::drive;
use crate::error::{Error, Result};
use crate::link::Outgoing;

/// Where a stream's driver runs.
enum Place {
    /// As a local task of [`block_on_local`]'s runtime.
    Local(mpsc::UnboundedSender<Job>),
    /// On a thread of its own, on this runtime.
    Thread(tokio::runtime::Runtime),
}

/// Creates a stream's driver on the thread that runs it: the `Send` half of a stream job.
type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

thread_local! {
    /// Set on the thread of [`block_on_local`]: where that thread takes stream drivers to run as local tasks.
    static LOCAL_LOOPS: RefCell<Option<mpsc::UnboundedSender<Job>>> = const { RefCell::new(None) };
}

/// Runs `future` on a current-thread `runtime`, with every stream's driver started meanwhile on this thread run as
/// a local task of it (instead of on a thread of its own).
pub(crate) fn block_on_local<F: Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    let (jobs, mut queued) = mpsc::unbounded_channel::<Job>();
    LOCAL_LOOPS.with(|slot| *slot.borrow_mut() = Some(jobs));
    let local = tokio::task::LocalSet::new();
    let output = local.block_on(runtime, async move {
        // `spawn_local` needs the LocalSet's context, which only this future has (tonic's tasks, where streams
        // start, are plain tasks): the streams' drivers are handed over here.
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

/// Runs the stream's driver with the coroutine executor and waits for it: as a local task when called on
/// [`block_on_local`]'s thread, otherwise on a new thread with its own current-thread runtime. Hands the incoming
/// stream back like [`crate::runtime::run`].
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
    // Off `block_on_local`'s thread the driver gets a thread and runtime of its own; the runtime is built here (it
    // is `Send`), so a failure still hands the stream back.
    let place = match LOCAL_LOOPS.with(|slot| slot.borrow().clone()) {
        Some(local) => Place::Local(local),
        None => match tokio::runtime::Builder::new_current_thread().build() {
            Ok(rt) => Place::Thread(rt),
            Err(e) => return (Err(e.into()), Some(incoming)),
        },
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
        Place::Local(local) => {
            let job: Job = Box::new(move || Box::pin(job()));
            if local.send(job).is_err() {
                return (Err(Error::Disconnected), None);
            }
        }
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

    /// What `start` does: the streams' loops run as local tasks on the runtime's own thread, not on threads of
    /// their own, and behave the same (interleaving, panics).
    #[test]
    fn under_block_on_local_streams_run_on_the_runtime_thread() {
        if crate::Executor::from_env() != crate::Executor::Coroutine {
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
        if crate::Executor::from_env() != crate::Executor::Coroutine {
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
