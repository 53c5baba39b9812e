//! A chaincode's answer to one transaction.

use gridledger_protos::peer;

/// The status, message and payload a chaincode returns (Fabric `peer.Response`).
///
/// Status 200 is success; anything at or above 400 makes the endorser reject the proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// 200 for success, 400..=599 for errors.
    pub status: i32,
    /// A human-readable message, set on errors.
    pub message: String,
    /// The result bytes.
    pub payload: Vec<u8>,
}

impl Response {
    /// Success.
    pub const OK: i32 = 200;
    /// The first status the endorser treats as failure.
    pub const ERROR_THRESHOLD: i32 = 400;
    /// A chaincode error (the Go shim's `shim.Error`).
    pub const ERROR: i32 = 500;

    /// A success with a payload.
    pub fn success(payload: impl Into<Vec<u8>>) -> Self {
        Self { status: Self::OK, message: String::new(), payload: payload.into() }
    }

    /// A 500 error with a message.
    pub fn error(message: impl Into<String>) -> Self {
        Self::with_status(Self::ERROR, message)
    }

    /// An error with an explicit status (for example 400 for a bad request, 403 for a refused caller).
    pub fn with_status(status: i32, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), payload: Vec::new() }
    }

    /// Whether the endorser will accept this response.
    pub fn is_ok(&self) -> bool {
        self.status < Self::ERROR_THRESHOLD
    }
}

impl From<Response> for peer::Response {
    fn from(r: Response) -> Self {
        Self { status: r.status, message: r.message, payload: r.payload }
    }
}

impl From<peer::Response> for Response {
    fn from(r: peer::Response) -> Self {
        Self { status: r.status, message: r.message, payload: r.payload }
    }
}
