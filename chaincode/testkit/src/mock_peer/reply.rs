//! Scripting the peer's answers: a [`Responder`] sees each ledger request and picks a [`Reply`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{ChaincodeMessage, ChaincodeSpec, GetState, GetStateByRange};
use gridledger_protos::prost::Message;
use tokio::sync::watch;

/// A ledger request from the chaincode, as the responder sees it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The whole message (type, payload, txid, channel).
    pub message: ChaincodeMessage,
}

impl Request {
    /// The request type, if known.
    pub fn kind(&self) -> Option<Type> {
        Type::try_from(self.message.r#type).ok()
    }
    /// The transaction id.
    pub fn tx_id(&self) -> &str {
        &self.message.txid
    }
    /// The channel.
    pub fn channel_id(&self) -> &str {
        &self.message.channel_id
    }
    /// The key of a GET_STATE / GET_PRIVATE_DATA_HASH request (they share the `GetState` payload).
    pub fn get_state_key(&self) -> Option<String> {
        matches!(self.kind(), Some(Type::GetState | Type::GetPrivateDataHash))
            .then(|| GetState::decode(self.message.payload.as_slice()).ok().map(|g| g.key))
            .flatten()
    }
    /// The start key of a GET_STATE_BY_RANGE request.
    pub fn range_start(&self) -> Option<String> {
        (self.kind() == Some(Type::GetStateByRange))
            .then(|| GetStateByRange::decode(self.message.payload.as_slice()).ok().map(|g| g.start_key))
            .flatten()
    }
    /// The target (`name` or `name/channel`) and args of an INVOKE_CHAINCODE request.
    pub fn invoked(&self) -> Option<(String, Vec<Vec<u8>>)> {
        if self.kind() != Some(Type::InvokeChaincode) {
            return None;
        }
        let spec = ChaincodeSpec::decode(self.message.payload.as_slice()).ok()?;
        let name = spec.chaincode_id.map(|id| id.name).unwrap_or_default();
        Some((name, spec.input.map(|i| i.args).unwrap_or_default()))
    }
}

/// A future the mock peer waits on before replying.
pub type Delay = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the peer answers one request.
pub enum Reply {
    /// Answer from the backing ledger, like a real peer.
    Ledger,
    /// RESPONSE with this payload (garbage welcome).
    Response(Vec<u8>),
    /// ERROR with this text.
    Error(String),
    /// Wait for the future, then reply (the request stays outstanding meanwhile).
    After(Delay, Box<Reply>),
    /// Never answer (a hung peer).
    Never,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ledger => f.write_str("Ledger"),
            Self::Response(p) => write!(f, "Response({} bytes)", p.len()),
            Self::Error(e) => write!(f, "Error({e:?})"),
            Self::After(_, r) => write!(f, "After(.., {r:?})"),
            Self::Never => f.write_str("Never"),
        }
    }
}

impl Reply {
    /// The ledger's answer once `gate` opens.
    pub fn after_gate(gate: &Gate) -> Self {
        Self::After(Box::pin(gate.opened()), Box::new(Self::Ledger))
    }

    /// An INVOKE_CHAINCODE answer: the callee completed with this response.
    pub fn invoke_completed(status: i32, message: &str, payload: &[u8]) -> Self {
        let response =
            gridledger_protos::peer::Response { status, message: message.to_string(), payload: payload.to_vec() };
        let inner = ChaincodeMessage {
            r#type: Type::Completed as i32,
            payload: response.encode_to_vec(),
            ..Default::default()
        };
        Self::Response(inner.encode_to_vec())
    }

    /// An INVOKE_CHAINCODE answer: the callee failed with ERROR.
    pub fn invoke_failed(text: &str) -> Self {
        let inner =
            ChaincodeMessage { r#type: Type::Error as i32, payload: text.as_bytes().to_vec(), ..Default::default() };
        Self::Response(inner.encode_to_vec())
    }
}

/// Picks the reply to each request; return [`Reply::Ledger`] for the default.
pub type Responder = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A one-way latch a test opens to release delayed replies.
#[derive(Debug, Clone)]
pub struct Gate {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Self {
        Self { tx: Arc::new(watch::channel(false).0) }
    }
    /// Opens it for good.
    pub fn open(&self) {
        self.tx.send_replace(true);
    }
    /// Resolves once the gate is open.
    pub fn opened(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            // The sender lives in `self.tx`, which every clone shares; it cannot be dropped while we wait
            // unless every gate is gone, and then nobody can open it: stay pending.
            if rx.wait_for(|open| *open).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
