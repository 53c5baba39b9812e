//! Where transactions run: the operator's choice ([`Executor`]) and what the stream driver asks of an executor
//! ([`TxExecutor`]).

use std::task::{Context, Poll};

use gridledger_protos::peer::ChaincodeMessage;

use crate::error::Result;
use crate::handler::{Execution, PeerFeatures};
use crate::link::TxKey;

/// Which executor runs a stream's transactions (see the crate docs, "Executors").
///
/// A chaincode states its preference with [`crate::Chaincode::executor`]; `GRIDLEDGER_EXECUTOR=coroutine|threads`
/// in the environment overrides it, so an operator can switch without a rebuild.
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

/// What the stream driver ([`crate::driver`]) needs from an executor. The driver decides *whether* a transaction
/// runs (handshake state, shutdown, duplicates); the executor decides *where* it runs and owns its own link to the
/// stream, through which its transactions' requests and final messages go to the peer.
pub(crate) trait TxExecutor {
    /// The handshake is complete; transactions started from now on may use what the peer offers.
    fn ready(&mut self, features: PeerFeatures);

    /// Whether the transaction `key` has started and not yet finished.
    fn is_running(&self, key: &TxKey) -> bool;

    /// Whether no transaction is running (a draining stream ends then).
    fn is_idle(&self) -> bool;

    /// Starts a transaction the driver has accepted (not running yet). An error means the stream is unusable.
    fn start(&mut self, key: TxKey, exec: Box<Execution>) -> Result<()>;

    /// Hands the peer's RESPONSE or ERROR to the transaction `key`, which waits for it.
    fn deliver(&mut self, key: TxKey, reply: ChaincodeMessage);

    /// Resolves when transactions have finished since the last call, so the driver re-checks [`Self::is_idle`].
    /// An executor whose transactions finish inside [`Self::start`] or [`Self::deliver`] never resolves it.
    fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<()>;

    /// The stream is gone: every waiting request, and every later one, fails with `Disconnected`.
    fn close(&mut self);
}
