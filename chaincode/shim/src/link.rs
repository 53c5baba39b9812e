//! What every part of a stream shares: the key of a transaction, the writer towards the peer, and the [`Link`] a
//! transaction's stub sends its requests through. Depends on nothing else in the shim, so the driver, the executors
//! and the stub can all use it without depending on one another.

use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::mpsc;

use crate::error::{Error, Result};

/// Identifies a transaction on a stream: the same txid may run on two channels at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TxKey {
    pub(crate) channel_id: String,
    pub(crate) tx_id: String,
}

impl TxKey {
    /// The key of the transaction `msg` belongs to.
    pub(crate) fn of(msg: &ChaincodeMessage) -> Self {
        Self { channel_id: msg.channel_id.clone(), tx_id: msg.txid.clone() }
    }

    /// Like [`TxKey::of`], but moves the ids out of a message whose only remaining use is its type and payload (a
    /// reply on its way to the stub): no copies.
    pub(crate) fn take(msg: &mut ChaincodeMessage) -> Self {
        Self { channel_id: std::mem::take(&mut msg.channel_id), tx_id: std::mem::take(&mut msg.txid) }
    }
}

/// The stream's single writer: everything bound for the peer is queued here and tonic drains it in order.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing(mpsc::UnboundedSender<ChaincodeMessage>);

impl Outgoing {
    pub(crate) fn new(sender: mpsc::UnboundedSender<ChaincodeMessage>) -> Self {
        Self(sender)
    }

    /// Queues a message for the peer; fails once the transport has dropped the stream.
    pub(crate) fn send(&self, msg: ChaincodeMessage) -> Result<()> {
        self.0.send(msg).map_err(|_| Error::Disconnected)
    }
}

/// How a transaction's request reaches the peer and its reply comes back: the one part of the stub that differs
/// between executors. A link belongs to one transaction.
pub(crate) trait Link {
    /// Sends `msg` (a request of the link's transaction) and waits for the peer's RESPONSE or ERROR to it.
    fn exchange(&self, msg: ChaincodeMessage) -> Result<ChaincodeMessage>;
}
