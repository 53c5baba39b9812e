//! `gridctl`, gridledger's command line, as a library so every part is testable.
//!
//! - [`package`]: deterministic chaincode-as-a-service packages ([`targz`] writes the archives) and their ids.
//! - [`identity`], [`ecdsa`], [`proposal`], [`gateway`]: a Fabric Gateway client (MSP identity from PEM files,
//!   low-S ECDSA P-256, proposal construction, Evaluate/Endorse/Submit/CommitStatus/ChaincodeEvents over TLS).
//! - [`meter`]: meter keys, signed readings (the metering crate's own encoding), simulated fleets.
//! - [`market`]: orders, clearing, results and balances on the trade chaincode.
//! - [`consortium`]: the market roles record, the metering collection config and suggested policies for any orgs.
//! - [`mod@bench`]: a load driver over the gateway (tx/s, latency percentiles, failures by cause, JSON report).
//! - [`cli`] (clap), [`config`] (validation) and [`mod@run`] (execution) make the `gridctl` binary.

pub mod bench;
pub mod cli;
pub mod config;
pub mod consortium;
pub mod ecdsa;
pub mod gateway;
pub mod identity;
pub mod market;
pub mod meter;
pub mod package;
pub mod proposal;
pub mod run;
pub mod targz;

pub use cli::Cli;
pub use run::run;
