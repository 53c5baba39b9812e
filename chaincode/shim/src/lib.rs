//! gridledger-shim: the runtime a Rust Hyperledger Fabric chaincode links.
//!
//! It speaks Fabric's chaincode protocol in both modes, chaincode-as-a-service ([`CcaasServer`]: the peer dials
//! us) and classic ([`register`]: we dial the peer), with TLS and mutual TLS, and gives chaincode code the full
//! ledger API of the Go shim as the [`ChaincodeStub`] trait.
//!
//! # Layout
//! - [`handler`]: the protocol state machine, a pure transition function.
//! - `driver`: the one receive loop of a stream, generic over an executor (`executor::TxExecutor`); `runtime`
//!   picks the executor for a stream in either mode.
//! - `threads`: the threads executor (one worker thread per transaction); `coroutines`: the coroutine executor (one
//!   stackful coroutine per transaction on the stream's thread), placed on a thread by `local`.
//! - `transaction`: one transaction from TRANSACTION to its final message; `link`: what all of these share (the
//!   transaction key, the stream's writer, the stub's link to it).
//! - [`stub`]: the ledger API trait; `peer_stub` implements it over a link.
//! - [`context`]: the decoded facts of one transaction.
//! - [`composite`]: composite keys, byte-compatible with Go.
//! - [`identity`]: the submitting client's identity (MSP id, Go-compatible id, attributes).
//! - [`statebased`]: key-level endorsement policies, byte-compatible with Go's `pkg/statebased`.
//! - [`config`]: start-up settings from the environment, as Fabric deployments provide them.
//! - [`health`]: `<binary> healthcheck`, a container health check with no shell: exits 0 when the server's own
//!   `CHAINCODE_SERVER_ADDRESS` accepts a connection, 1 with the reason otherwise.
//!
//! # Writing a chaincode
//! ```no_run
//! use gridledger_shim::{Chaincode, ChaincodeStub, Response};
//!
//! struct Counter;
//!
//! impl Chaincode for Counter {
//!     fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
//!         let next = match stub.get_state("count") {
//!             Ok(v) => v.and_then(|b| String::from_utf8(b).ok()?.parse::<u64>().ok()).unwrap_or(0) + 1,
//!             Err(e) => return Response::error(e.to_string()),
//!         };
//!         match stub.put_state("count", next.to_string().as_bytes()) {
//!             Ok(()) => Response::success(next.to_string()),
//!             Err(e) => Response::error(e.to_string()),
//!         }
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     gridledger_shim::main(Counter)
//! }
//! ```
//!
//! # Executors: `GRIDLEDGER_EXECUTOR`
//! Chaincode code is synchronous: a ledger call returns once the peer has answered. Where it waits is the
//! executor's choice: the chaincode's [`Chaincode::executor`], unless the environment says otherwise:
//!
//! - `coroutine` (the default): each transaction is a stackful coroutine (1 MiB stack, committed as touched, pooled)
//!   on the stream's own thread. A ledger call suspends it; the receive loop sends the request and resumes it with
//!   the reply. No OS thread is woken per round trip, so this is the fast choice for the usual chaincode, which
//!   spends its time waiting for the ledger (see BENCHMARKS.md). But the transactions of one peer stream share one
//!   thread: while one computes, the others wait.
//! - `threads`: each transaction runs on a thread of Tokio's blocking pool (2 MiB stacks) and blocks on a reply
//!   slot. Costlier per ledger call (two thread hand-offs each), but transactions compute in parallel. Pick it for
//!   CPU-heavy transactions (milliseconds of computation each, e.g. clearing an auction) that arrive concurrently
//!   on a multi-core host, or for chaincode that recurses deeply or blocks on something other than the ledger
//!   (sleeps, its own network calls), which would stall every other transaction of the stream under `coroutine`.
//!
//! Under `coroutine`, code that blocks the thread blocks the whole stream, and transactions of a stream interleave on
//! one thread at their ledger calls. So never hold a lock (`Mutex`, `RwLock`, a `OnceLock` initializer) across a
//! ledger call when another transaction may take it: it would wait for a transaction that can only resume on the
//! thread it blocks (a deadlock; under `threads` the same code merely serializes). Thread-locals and entered
//! `tracing` spans are likewise shared by the stream's transactions.
//!
//! Either way a transaction has at most one request outstanding at the peer, panics become 500 responses, and
//! `dyn ChaincodeStub` is not `Sync`, so a stub cannot be handed to another thread.
//!
//! # Allocator: the `mimalloc` feature
//! With the cargo feature `mimalloc` the shim makes [mimalloc](https://docs.rs/mimalloc) the process's global
//! allocator. A transaction allocates and frees a few dozen small buffers (decoded messages, the proposal's
//! ~1.2 KB, replies), and glibc's malloc serves those past its 1 KiB thread cache from shared bins: mimalloc's
//! per-thread pages cost about a sixth less CPU per transaction in the shim benchmark, for ~0.9 MB more idle RSS
//! (BENCHMARKS.md). Off by default, since a program can have one global allocator only: enable it in a chaincode
//! binary's crate (this workspace's chaincodes do), not in a library that other programs embed.
//!
//! # Wire counts: `gridledger_shim::wire`
//! With `RUST_LOG=info,gridledger_shim::wire=debug` every transaction logs, when it completes, one debug line on
//! the target `gridledger_shim::wire` saying which messages it sent to the peer (no other line uses that target):
//!
//! ```text
//! wire tx=<first 8 chars of txid> channel=<ch> sent GET_STATE=0 PUT_STATE=0 DEL_STATE=0 WRITE_BATCH_STATE=10 records=10000 GET_STATE_MULTIPLE=0 keys=0 total=11
//! ```
//!
//! Every counter is always present, in this order. `records` counts the records in the WRITE_BATCH_STATE messages,
//! `keys` the keys in the GET_STATE_MULTIPLE messages, and `total` every message of the transaction, whatever its
//! type (range queries, metadata, invocations, ...), the final COMPLETED or ERROR included. So on a Fabric 3.1 peer
//! with `maxSizeWriteBatch` 1000, 10,000 puts show `PUT_STATE=0 WRITE_BATCH_STATE=10 records=10000`, and on a 2.5
//! peer `PUT_STATE=10000 WRITE_BATCH_STATE=0`. Counting costs a few additions per request; the line is formatted
//! only when the target is enabled.

mod client;
pub mod composite;
pub mod config;
pub mod context;
mod coroutines;
mod driver;
mod error;
mod executor;
pub mod handler;
pub mod health;
pub mod identity;
mod link;
mod logging;
mod peer_stub;
mod placement;
mod registration;
mod response;
mod runtime;
mod server;
mod sniff;
pub mod statebased;
pub mod stub;
mod threads;
mod transaction;
mod wire;
mod write_batch;

pub use client::register;
pub use config::Mode;
pub use context::TxContext;
pub use error::{Error, Result};
pub use executor::Executor;
pub use gridledger_protos as protos;
pub use response::Response;
pub use server::CcaasServer;
pub use stub::ChaincodeStub;

/// See the crate docs, "Allocator". Not in the shim's own unit-test build: that binary also links the shim as a
/// library (through the testkit), whose copy already declares it, and a program has one global allocator.
#[cfg(all(feature = "mimalloc", not(test)))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A chaincode: what the peer calls for each transaction.
///
/// Calls for concurrent transactions interleave at ledger calls (coroutine executor) or run in parallel on worker
/// threads (threads executor; see the crate docs), hence `Send + Sync`. A panic is caught and reported as a 500
/// response; the process and its other transactions carry on.
pub trait Chaincode: Send + Sync + 'static {
    /// Called for INIT (only when the definition requires initialization). Succeeds with no payload by default.
    fn init(&self, stub: &dyn ChaincodeStub) -> Response {
        let _ = stub; // The default needs nothing from the ledger.
        Response::success(Vec::new())
    }

    /// Called for every transaction.
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response;

    /// Where this chaincode's transactions should run (coroutines by default); `GRIDLEDGER_EXECUTOR` overrides it.
    /// Return [`Executor::Threads`] when transactions spend milliseconds of CPU each.
    fn executor(&self) -> Executor {
        Executor::Coroutine
    }
}

/// Starts a chaincode in the mode the environment selects (see [`config`]) and serves until SIGTERM or Ctrl-C.
///
/// Builds a Tokio runtime; call it from a plain `main`. Use [`CcaasServer`] or [`register`] directly to embed.
/// With the coroutine executor it is a single-threaded runtime that runs everything (gRPC, TLS, every stream's
/// receive loop and transactions) on the calling thread; with the threads executor it has a worker per core and
/// transactions run on its blocking pool.
pub fn start<C: Chaincode>(chaincode: C) -> Result<()> {
    logging::init();
    let mode = Mode::from_env()?;
    let executor = Executor::for_chaincode(chaincode.executor());
    let serve = async move {
        match mode {
            Mode::Server(config) => CcaasServer::bind(config)?.serve(chaincode, shutdown_signal()).await,
            Mode::Client(config) => register(config, chaincode, shutdown_signal()).await,
        }
    };
    match executor {
        Executor::Coroutine => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            placement::block_on_this_thread(&runtime, serve)
        }
        Executor::Threads => tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(serve),
    }
}

/// [`start`] for a binary's `main`: logs the error and returns a failing exit code instead of panicking. With the
/// first argument `healthcheck` it runs the [`health`] check instead of starting.
pub fn main<C: Chaincode>(chaincode: C) -> std::process::ExitCode {
    if let Some(code) = health::dispatch() {
        return code;
    }
    exit_code(start(chaincode))
}

/// Like [`main`], but refuses to start unless the environment selects `expected` (a per-mode binary).
pub fn main_in_mode<C: Chaincode>(expected: ModeKind, chaincode: C) -> std::process::ExitCode {
    if let Some(code) = health::dispatch() {
        return code;
    }
    let check = Mode::from_env().and_then(|mode| match (expected, mode) {
        (ModeKind::Server, Mode::Server(_)) | (ModeKind::Client, Mode::Client(_)) => Ok(()),
        (ModeKind::Server, Mode::Client(_)) => {
            Err(Error::Config("this binary runs as a service: set CHAINCODE_SERVER_ADDRESS (and CHAINCODE_ID)".into()))
        }
        (ModeKind::Client, Mode::Server(_)) => Err(Error::Config(
            "this binary dials the peer: unset CHAINCODE_SERVER_ADDRESS and pass -peer.address".into(),
        )),
    });
    exit_code(check.and_then(|()| start(chaincode)))
}

/// Which way a chaincode connects, for [`main_in_mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeKind {
    /// Chaincode as a service.
    Server,
    /// Classic: dial the peer.
    Client,
}

fn exit_code(result: Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chaincode failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGTERM (how Fabric, Docker and Kubernetes stop a chaincode) or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot watch SIGTERM ({e}); only Ctrl-C stops the chaincode");
                if let Err(e) = tokio::signal::ctrl_c().await {
                    tracing::warn!("cannot watch Ctrl-C either: {e}");
                    std::future::pending::<()>().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
