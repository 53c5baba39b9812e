//! The failures every energy contract shares, each mapped to a status (400, 403, 404, 409, 500).
//!
//! A contract whose failures are all of these uses [`EnergyError`] as its error type; one with failures of its own
//! (trade's gate and order errors) wraps it in one variant, so the status mapping below exists once.

use gridledger_contract::ContractError;

/// Why an energy transaction failed, in the status categories the contracts share.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnergyError {
    /// An argument or a document field is malformed or out of its range (400).
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing recorded under that name (404).
    #[error("{0}")]
    NotFound(String),
    /// The ledger's state refuses it: a duplicate, a wrong status or time, a bound exceeded (409).
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
    /// Anything from the contract layer (ledger errors, arithmetic overflow, caller checks, the roles record).
    #[error(transparent)]
    Contract(#[from] ContractError),
}

impl From<gridledger_shim::Error> for EnergyError {
    fn from(e: gridledger_shim::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<serde_json::Error> for EnergyError {
    fn from(e: serde_json::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<EnergyError> for ContractError {
    fn from(e: EnergyError) -> Self {
        let message = e.to_string();
        match e {
            EnergyError::BadRequest(_) => Self::BadRequest(message),
            EnergyError::Forbidden(_) => Self::Forbidden(message),
            EnergyError::NotFound(_) => Self::NotFound(message),
            EnergyError::Conflict(_) => Self::Conflict(message),
            EnergyError::Corrupt { .. } => Self::Internal(message),
            EnergyError::Contract(inner) => inner,
        }
    }
}

/// `Some(v)` or a 400 naming what overflowed.
pub fn checked(value: Option<i64>, what: &str) -> Result<i64, EnergyError> {
    value.ok_or_else(|| EnergyError::BadRequest(format!("{what} overflows")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_keeps_its_status_and_message() {
        let cases = [
            (EnergyError::BadRequest("b".into()), 400, "b"),
            (EnergyError::Forbidden("f".into()), 403, "f"),
            (EnergyError::NotFound("n".into()), 404, "n"),
            (EnergyError::Conflict("c".into()), 409, "c"),
            (
                EnergyError::Corrupt { what: "order".into(), detail: "eof".into() },
                500,
                "stored order does not decode: eof",
            ),
            (EnergyError::Contract(ContractError::Conflict("inner".into())), 409, "inner"),
        ];
        for (error, status, message) in cases {
            let contract = ContractError::from(error);
            assert_eq!((contract.status(), contract.to_string().as_str()), (status, message));
        }
    }

    #[test]
    fn checked_names_what_overflowed() {
        assert_eq!(checked(Some(3), "x").unwrap(), 3);
        assert_eq!(checked(None, "a balance").unwrap_err().to_string(), "a balance overflows");
    }
}
