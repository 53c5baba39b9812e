//! The flexibility contract's errors, each mapped to a status (400, 403, 404, 409, 500).

use gridledger_contract::ContractError;

/// Why a flexibility transaction failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlexError {
    /// An argument or a document field is out of its range (400).
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing recorded (404).
    #[error("{0}")]
    NotFound(String),
    /// Wrong state or time: gate open or closed, already awarded, settled or cancelled (409).
    #[error("{0}")]
    Conflict(String),
    /// Stored data does not decode (500).
    #[error("stored {what} does not decode: {detail}")]
    Corrupt {
        /// What was read.
        what: String,
        /// The decoder's message.
        detail: String,
    },
    /// Anything from the contract layer (ledger errors, arithmetic overflow, caller checks).
    #[error(transparent)]
    Contract(#[from] ContractError),
}

impl From<gridledger_shim::Error> for FlexError {
    fn from(e: gridledger_shim::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<FlexError> for ContractError {
    fn from(e: FlexError) -> Self {
        let message = e.to_string();
        match e {
            FlexError::BadRequest(_) => Self::BadRequest(message),
            FlexError::Forbidden(_) => Self::Forbidden(message),
            FlexError::NotFound(_) => Self::NotFound(message),
            FlexError::Conflict(_) => Self::Conflict(message),
            FlexError::Corrupt { .. } => Self::Internal(message),
            FlexError::Contract(inner) => inner,
        }
    }
}

/// The flexibility contract's result type.
pub type Result<T, E = FlexError> = std::result::Result<T, E>;

/// `Some(v)` or a 400 naming what overflowed.
pub fn checked(value: Option<i64>, what: &str) -> Result<i64> {
    value.ok_or_else(|| FlexError::BadRequest(format!("{what} overflows")))
}
