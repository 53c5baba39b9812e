//! The certificates contract's errors, each mapped to a status (400, 403, 404, 409, 500).

use gridledger_contract::ContractError;

/// Why a certificates transaction failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// An argument is malformed or out of its range (400).
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing recorded under that name (404).
    #[error("{0}")]
    NotFound(String),
    /// The ledger's state refuses it: a duplicate, a wrong status, an incomplete hour, a bound exceeded (409).
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
    /// Anything from the contract layer (ledger errors, caller checks, the roles record).
    #[error(transparent)]
    Contract(#[from] ContractError),
}

impl From<gridledger_shim::Error> for CertError {
    fn from(e: gridledger_shim::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<serde_json::Error> for CertError {
    fn from(e: serde_json::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<CertError> for ContractError {
    fn from(e: CertError) -> Self {
        let message = e.to_string();
        match e {
            CertError::BadRequest(_) => Self::BadRequest(message),
            CertError::Forbidden(_) => Self::Forbidden(message),
            CertError::NotFound(_) => Self::NotFound(message),
            CertError::Conflict(_) => Self::Conflict(message),
            CertError::Corrupt { .. } => Self::Internal(message),
            CertError::Contract(inner) => inner,
        }
    }
}

/// The certificates contract's result type.
pub type Result<T, E = CertError> = std::result::Result<T, E>;
