//! What can go wrong reading, building, signing or checking a config update.

use gridledger_text::quote;

/// Errors of this crate. Messages quote untrusted input through [`quote`], so
/// they stay short.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that should hold a protobuf message do not.
    #[error("malformed {what}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The protobuf error.
        #[source]
        source: prost::DecodeError,
    },
    /// The block or envelope is well-formed protobuf but not what was expected.
    #[error("{0}")]
    Shape(String),
    /// A signature policy expression does not parse.
    #[error("policy {}: {problem} at offset {offset}", quote(expr))]
    Policy {
        /// The expression (quoted short in the message).
        expr: String,
        /// Byte offset of the problem.
        offset: usize,
        /// What is wrong there.
        problem: String,
    },
    /// An MSP directory or one of its files is unusable.
    #[error("MSP {}: {problem}", dir.display())]
    MspDir {
        /// The directory.
        dir: std::path::PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A certificate does not parse.
    #[error("certificate: {0}")]
    Certificate(String),
    /// Computing the update found nothing to change.
    #[error("the updated config does not differ from the current one")]
    NoChange,
    /// Signing failed (identity, randomness).
    #[error(transparent)]
    Client(#[from] gridledger_client::Error),
}

impl Error {
    /// A closure mapping a [`prost::DecodeError`] to [`Error::Decode`] of `what`.
    pub(crate) fn decode(what: &'static str) -> impl FnOnce(prost::DecodeError) -> Error {
        move |source| Error::Decode { what, source }
    }
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
