//! The shim's error type.

use gridledger_protos::prost;

/// Everything that can go wrong between a chaincode and its peer.
///
/// Variants carry what a person needs to act: the key, the setting, the peer's own words.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer answered a ledger request with ERROR. Displays the peer's text unchanged, as the Go shim does, so
    /// a Rust chaincode reports the same error bytes as a Go one; `request` says which request it was.
    #[error("{message}")]
    Peer {
        /// The request type, e.g. `GET_STATE`.
        request: &'static str,
        /// The peer's error text.
        message: String,
    },
    /// The peer answered with a message type that makes no sense for the request.
    #[error("unexpected {got} reply to {request}")]
    UnexpectedReply {
        /// The request type.
        request: &'static str,
        /// The reply's type name.
        got: String,
    },
    /// A payload from the peer did not decode.
    #[error("cannot decode {what}: {source}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The protobuf error.
        #[source]
        source: prost::DecodeError,
    },
    /// An argument given by chaincode code is not acceptable (empty key, bad composite key part, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The signed proposal of a transaction is malformed.
    #[error("invalid proposal: {0}")]
    InvalidProposal(String),
    /// The creator identity cannot be used (not X.509, bad certificate, ...).
    #[error("invalid identity: {0}")]
    InvalidIdentity(String),
    /// An attribute assertion on the client identity failed.
    #[error("{0}")]
    Attribute(String),
    /// The stream to the peer is gone; the request was not answered.
    #[error("connection to the peer is closed")]
    Disconnected,
    /// The peer never answered REGISTER: it does not expect this chaincode id.
    #[error(
        "the peer did not acknowledge chaincode id {chaincode_id:?} within {waited:?}: a peer accepts only the \
         package id it is launching (its log says \"peer will not accept external chaincode connection\"); set \
         CHAINCODE_ID to the package id that `peer lifecycle chaincode queryinstalled` lists"
    )]
    NotRegistered {
        /// The id this chaincode registered with.
        chaincode_id: String,
        /// How long it waited.
        waited: std::time::Duration,
    },
    /// A start-up setting is missing or malformed.
    #[error("configuration: {0}")]
    Config(String),
    /// TLS material could not be loaded or used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The gRPC transport failed.
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A gRPC call failed.
    #[error("gRPC status: {0}")]
    Status(#[from] tonic::Status),
    /// Reading a file or socket failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub(crate) fn decode(what: &'static str, source: prost::DecodeError) -> Self {
        Self::Decode { what, source }
    }
}

/// The shim's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
