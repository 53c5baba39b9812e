//! `gridctl`, gridledger's command line, as a library so every part is testable.
//!
//! - [`package`]: deterministic chaincode-as-a-service packages ([`targz`] writes the archives) and their ids.
//! - [`identity`], [`ecdsa`], [`proposal`], [`gateway`]: a Fabric Gateway client (MSP identity from PEM files,
//!   low-S ECDSA P-256, proposal construction, Evaluate/Endorse/Submit/CommitStatus/ChaincodeEvents over TLS).
//! - [`cli`] (clap), [`config`] (validation) and [`mod@run`] (execution) make the `gridctl` binary.

pub mod cli;
pub mod config;
pub mod ecdsa;
pub mod gateway;
pub mod identity;
pub mod package;
pub mod proposal;
pub mod run;
pub mod targz;

pub use cli::Cli;
pub use run::run;
