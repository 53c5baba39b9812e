//! Errors: [`ContractError`] for a failed transaction (it becomes the Fabric response status and message) and
//! [`DefinitionError`] for a chaincode that is put together wrongly (caught once, at start-up).

use gridledger_shim::Response;

use crate::quote::{clip, quote};

/// The longest message a failed transaction answers with, in bytes. Messages quote input through
/// [`quote()`](crate::quote()) and stay far below this; the cap is the backstop for one that does not, because the
/// message travels in gRPC headers (about 4 KB fit; past that the client sees only an HTTP/2 error) and into the
/// peer's log.
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// Why a transaction failed; each variant maps to the status the client sees (see [`ContractError::status`]).
///
/// Domain crates define their own enums (`RegistryError::AssetExists { id }`) and convert them into one of the
/// status categories here, so a client can tell "you asked for something wrong" (4xx) from "the chaincode broke" (500).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// The request is malformed in a domain sense (400).
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// What the request names does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request collides with the current state, e.g. the asset already exists (409).
    #[error("{0}")]
    Conflict(String),
    /// The chaincode failed (500).
    #[error("{0}")]
    Internal(String),
    /// The function names a contract this chaincode does not have (400).
    #[error("contract {} not found; available contracts: {}", quote(name), available.join(", "))]
    UnknownContract {
        /// The contract part of the function name.
        name: String,
        /// Every contract name, sorted.
        available: Vec<String>,
    },
    /// The contract has no such transaction and no `unknown` hook (400).
    #[error("function {} not found in contract {}; available: {}", quote(function), quote(contract), available.join(", "))]
    UnknownFunction {
        /// The contract that was searched.
        contract: String,
        /// The function asked for.
        function: String,
        /// The contract's transaction names, sorted.
        available: Vec<String>,
    },
    /// The function part of `Contract:Function` is empty (400).
    #[error("blank function name passed to contract {}", quote(contract))]
    BlankFunction {
        /// The contract addressed.
        contract: String,
    },
    /// The transaction got too few or too many arguments (400).
    #[error("{function} expects {expected} argument{} ({signature}), got {got}", if *expected == 1 { "" } else { "s" })]
    ArgumentCount {
        /// The transaction.
        function: String,
        /// How many it declares.
        expected: usize,
        /// The declared parameters, e.g. `id: string, size: integer`.
        signature: String,
        /// How many arrived.
        got: usize,
    },
    /// One argument does not parse as its declared type (400).
    #[error("argument {position} ({name}): expected {expected}, got {got}{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Argument {
        /// 1-based position among the transaction's parameters.
        position: usize,
        /// The parameter name.
        name: String,
        /// What the parameter accepts, e.g. `an integer`.
        expected: String,
        /// The argument as [`quote()`](crate::quote()) shows it: `"abc"`, or its size and a short prefix.
        got: String,
        /// The parser's explanation, when it has one (JSON errors).
        detail: Option<String>,
    },
    /// The arguments are not valid UTF-8 or otherwise unreadable (400).
    #[error("invalid arguments: {0}")]
    InvalidArguments(#[source] gridledger_shim::Error),
    /// The result could not be serialized (500).
    #[error("cannot serialize the result: {0}")]
    Serialize(#[from] serde_json::Error),
    /// A ledger call failed (500).
    #[error(transparent)]
    Ledger(#[from] gridledger_shim::Error),
}

impl ContractError {
    /// The Fabric response status for this error.
    pub fn status(&self) -> i32 {
        match self {
            Self::BadRequest(_)
            | Self::UnknownContract { .. }
            | Self::UnknownFunction { .. }
            | Self::BlankFunction { .. }
            | Self::ArgumentCount { .. }
            | Self::Argument { .. }
            | Self::InvalidArguments(_) => 400,
            Self::Forbidden(_) => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Internal(_) | Self::Serialize(_) | Self::Ledger(_) => Response::ERROR,
        }
    }

    /// The same error with `place` in front of its message (`"{place}: {message}"`), for a batch transaction
    /// that names the item it refused (`reading 17 (meter m-3, …): signature does not verify`). Only the domain
    /// variants (400, 403, 404, 409, 500 with a message) take a prefix; the others are about the call, not an item.
    ///
    /// ```
    /// use gridledger_contract::ContractError;
    /// let e = ContractError::Conflict("already registered".into()).context("meter 3 (m-3)");
    /// assert_eq!((e.status(), e.to_string()), (409, "meter 3 (m-3): already registered".to_string()));
    /// ```
    #[must_use]
    pub fn context(self, place: impl std::fmt::Display) -> Self {
        let at = |m: String| format!("{place}: {m}");
        match self {
            Self::BadRequest(m) => Self::BadRequest(at(m)),
            Self::Forbidden(m) => Self::Forbidden(at(m)),
            Self::NotFound(m) => Self::NotFound(at(m)),
            Self::Conflict(m) => Self::Conflict(at(m)),
            Self::Internal(m) => Self::Internal(at(m)),
            other => other,
        }
    }
}

impl From<ContractError> for Response {
    /// The status, and the message cut to [`MAX_MESSAGE_BYTES`].
    fn from(e: ContractError) -> Self {
        Response::with_status(e.status(), clip(&e.to_string(), MAX_MESSAGE_BYTES).into_owned())
    }
}

/// A chaincode definition that cannot work; reported by [`ChaincodeBuilder::build`](crate::ChaincodeBuilder::build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// No contract was added.
    #[error("a chaincode needs at least one contract")]
    NoContracts,
    /// Two contracts share a name.
    #[error("two contracts are named {0:?}")]
    DuplicateContract(String),
    /// A contract uses the name of the system contract.
    #[error("the contract name {0:?} is reserved for the system contract")]
    ReservedName(String),
    /// A contract has no transactions.
    #[error("contract {0:?} has no transactions")]
    EmptyContract(String),
    /// More than one contract is marked as the default.
    #[error("more than one default contract: {}", .0.join(", "))]
    SeveralDefaults(Vec<String>),
    /// A contract registers two transactions with one name.
    #[error("contract {contract:?} registers {name:?} twice")]
    DuplicateTransaction {
        /// The contract.
        contract: String,
        /// The transaction name.
        name: String,
    },
    /// A transaction name cannot be routed (empty, or containing ':').
    #[error("contract {contract:?}: {name:?} is not a usable transaction name (empty or contains ':')")]
    BadTransactionName {
        /// The contract.
        contract: String,
        /// The transaction name.
        name: String,
    },
    /// The parameter names given do not match the handler's arguments.
    #[error("{contract}:{name} names {named} parameters but takes {arity}")]
    ParameterNames {
        /// The contract.
        contract: String,
        /// The transaction.
        name: String,
        /// How many names were given.
        named: usize,
        /// How many arguments the handler takes.
        arity: usize,
    },
    /// A parameter has no length bound, in a chaincode built with
    /// [`require_bounded_arguments`](crate::ChaincodeBuilder::require_bounded_arguments).
    #[error("{contract}:{name} parameter {parameter} has no length bound (use Text, Int, Json or a bounded type)")]
    UnboundedParameter {
        /// The contract.
        contract: String,
        /// The transaction.
        name: String,
        /// The parameter.
        parameter: String,
    },
    /// Two different Rust types describe themselves under one component name.
    #[error("two types use the schema component name {0:?}")]
    SchemaConflict(String),
}

/// The contract crate's result type.
pub type Result<T, E = ContractError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let cases = [
            (ContractError::BadRequest("x".into()), 400),
            (ContractError::Forbidden("x".into()), 403),
            (ContractError::NotFound("x".into()), 404),
            (ContractError::Conflict("x".into()), 409),
            (ContractError::Internal("x".into()), 500),
            (ContractError::Ledger(gridledger_shim::Error::Disconnected), 500),
            (ContractError::BlankFunction { contract: "c".into() }, 400),
        ];
        for (error, status) in cases {
            let response = Response::from(error);
            assert_eq!(response.status, status, "{}", response.message);
        }
    }

    #[test]
    fn shim_errors_convert_to_500() {
        let e: ContractError = gridledger_shim::Error::Disconnected.into();
        let response = Response::from(e);
        assert_eq!((response.status, response.message.as_str()), (500, "connection to the peer is closed"));
    }

    #[test]
    fn messages_a_person_can_act_on() {
        let count = ContractError::ArgumentCount {
            function: "CreateAsset".into(),
            expected: 2,
            signature: "id: string, size: integer".into(),
            got: 1,
        };
        assert_eq!(count.to_string(), "CreateAsset expects 2 arguments (id: string, size: integer), got 1");
        let one = ContractError::ArgumentCount {
            function: "ReadAsset".into(),
            expected: 1,
            signature: "id: string".into(),
            got: 0,
        };
        assert_eq!(one.to_string(), "ReadAsset expects 1 argument (id: string), got 0");
        let arg = ContractError::Argument {
            position: 2,
            name: "size".into(),
            expected: "an integer".into(),
            got: r#""abc""#.into(),
            detail: None,
        };
        assert_eq!(arg.to_string(), r#"argument 2 (size): expected an integer, got "abc""#);
    }
}
