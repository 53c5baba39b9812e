//! The shim side of the chaincode protocol as a pure transition function.
//!
//! `created --REGISTERED--> established --READY--> ready`. [`on_message`] maps a state and one message from the peer
//! to the next state and at most one [`Action`]; it performs no I/O, so every (state, message type) pair is covered
//! by a table test. Bad input never ends the stream: it is answered with an ERROR carrying the offending message's
//! transaction id and channel, so the peer can fail just that transaction.

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{ChaincodeAdditionalParams, ChaincodeId, ChaincodeInput, ChaincodeMessage};
use gridledger_protos::prost::Message;

/// The Go shim never batches fewer than this many records or keys, whatever the peer advertises.
const MIN_BATCH: u32 = 100;

/// Where the handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// REGISTER sent; waiting for REGISTERED.
    Created,
    /// Registered; waiting for READY.
    Established,
    /// Serving transactions.
    Ready,
}

/// Fabric 3.1 features the peer advertised in READY. `None` means the feature must not be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerFeatures {
    /// Largest WRITE_BATCH_STATE the peer accepts, if it accepts any.
    pub write_batch: Option<u32>,
    /// Largest GET_STATE_MULTIPLE the peer accepts, if it accepts any.
    pub get_multiple: Option<u32>,
}

impl PeerFeatures {
    fn from_params(params: &ChaincodeAdditionalParams) -> Self {
        let limit = |on: bool, max: u32| on.then_some(max.max(MIN_BATCH));
        Self {
            write_batch: limit(params.use_write_batch, params.max_size_write_batch),
            get_multiple: limit(params.use_get_multiple_keys, params.max_size_get_multiple_keys),
        }
    }
}

/// Whether the peer asked for Init or Invoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    /// INIT.
    Init,
    /// TRANSACTION.
    Transaction,
}

/// A transaction the driver must run.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Init or Invoke.
    pub kind: TxKind,
    /// The decoded input.
    pub input: ChaincodeInput,
    /// The original message (txid, channel, signed proposal).
    pub message: ChaincodeMessage,
}

/// What the driver must do after a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send this message to the peer.
    Send(ChaincodeMessage),
    /// The handshake is complete.
    Ready {
        /// What the peer offers.
        features: PeerFeatures,
        /// Set when READY carried parameters that did not decode (the features are then all off).
        warning: Option<String>,
    },
    /// Run a transaction.
    Execute(Box<Execution>),
    /// Hand a RESPONSE or ERROR to the transaction waiting for it.
    Deliver(ChaincodeMessage),
}

/// The message that opens every stream, whichever side dialed.
pub fn register_message(chaincode_id: &str) -> ChaincodeMessage {
    ChaincodeMessage {
        r#type: Type::Register as i32,
        payload: ChaincodeId { name: chaincode_id.to_string(), ..Default::default() }.encode_to_vec(),
        ..Default::default()
    }
}

/// An ERROR reply to `to`, keeping its transaction id and channel so the peer can route it.
pub fn error_reply(to: &ChaincodeMessage, text: impl Into<String>) -> ChaincodeMessage {
    ChaincodeMessage {
        r#type: Type::Error as i32,
        payload: text.into().into_bytes(),
        txid: to.txid.clone(),
        channel_id: to.channel_id.clone(),
        ..Default::default()
    }
}

/// The transition function: next state and at most one action.
pub fn on_message(state: State, msg: ChaincodeMessage) -> (State, Option<Action>) {
    let Ok(kind) = Type::try_from(msg.r#type) else {
        let text = format!("unknown message type {}", msg.r#type);
        return (state, Some(Action::Send(error_reply(&msg, text))));
    };
    match (state, kind) {
        // The peer may probe liveness in any state; the Go shim echoes it unchanged.
        (_, Type::Keepalive) => (state, Some(Action::Send(msg))),
        (State::Created, Type::Registered) => (State::Established, None),
        (State::Established, Type::Ready) => (State::Ready, Some(ready(&msg))),
        (State::Ready, Type::Init) => (state, Some(execute(TxKind::Init, msg))),
        (State::Ready, Type::Transaction) => (state, Some(execute(TxKind::Transaction, msg))),
        (State::Ready, Type::Response | Type::Error) => (state, Some(Action::Deliver(msg))),
        (state, kind) => {
            let text = format!("{} not expected in state {}", kind.as_str_name(), state_name(state));
            (state, Some(Action::Send(error_reply(&msg, text))))
        }
    }
}

fn ready(msg: &ChaincodeMessage) -> Action {
    if msg.payload.is_empty() {
        // Peers before 3.1 send an empty READY: no batching, no multi-key reads.
        return Action::Ready { features: PeerFeatures::default(), warning: None };
    }
    match ChaincodeAdditionalParams::decode(msg.payload.as_slice()) {
        Ok(params) => Action::Ready { features: PeerFeatures::from_params(&params), warning: None },
        Err(e) => Action::Ready {
            features: PeerFeatures::default(),
            warning: Some(format!("READY parameters did not decode ({e}); write batching and multi-key reads are off")),
        },
    }
}

fn execute(kind: TxKind, msg: ChaincodeMessage) -> Action {
    match ChaincodeInput::decode(msg.payload.as_slice()) {
        Ok(input) => Action::Execute(Box::new(Execution { kind, input, message: msg })),
        Err(e) => {
            let text = format!("cannot decode ChaincodeInput: {e}");
            Action::Send(error_reply(&msg, text))
        }
    }
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Created => "created",
        State::Established => "established",
        State::Ready => "ready",
    }
}

#[cfg(test)]
mod tests;
