//! What the gridledger energy contracts share (see `chaincode/energy/DESIGN.md`).
//!
//! # Layout
//! - [`asset`]: a registry asset as the contracts that call the registry read it.
//! - [`bounds`]: the argument bounds every contract uses (ids, parties, reasons, interval starts).
//! - [`roles`]: the market roles record (grid operators and their connection points, suppliers and their
//!   customers, the role attribute), read from the registry.
//! - [`call`]: calling another energy chaincode, answering in [`EnergyError`](error::EnergyError).
//! - [`caller`]: who is calling: org kind, role attribute, [`Party`](caller::Party), and access checks.
//! - [`interval`]: delivery intervals named by their aligned start, and the allowed interval lengths.
//! - [`amount`]: integer energy and money arithmetic that cannot overflow silently.
//! - [`energy_chaincode!`]: each contract crate's `try_chaincode()`, `chaincode()` and pinned-metadata test.
//! - [`error`]: the failures every contract shares and their statuses.
//! - [`index`]: composite-key indexes and the zero-padded interval text used in keys.
//! - [`party`]: [`Party`](party::Party), a participant as the records name it (also for clients).
//! - [`names`]: the chaincode names the contracts use to call each other.

#[cfg(feature = "chaincode")]
pub mod amount;
pub mod asset;
pub mod bounds;
#[cfg(feature = "chaincode")]
pub mod call;
#[cfg(feature = "chaincode")]
pub mod caller;
#[cfg(feature = "chaincode")]
mod definition;
#[cfg(feature = "chaincode")]
pub mod error;
#[cfg(feature = "chaincode")]
pub mod index;
#[cfg(feature = "chaincode")]
pub mod interval;
pub mod party;
pub mod roles;

/// Chaincode names, as deployed; contracts call each other by these.
pub mod names {
    /// The asset registry.
    pub const REGISTRY: &str = "registry";
    /// The metering contract.
    pub const METERING: &str = "metering";
    /// The market.
    pub const TRADE: &str = "trade";
    /// Energy certificates.
    pub const CERTIFICATES: &str = "certificates";
}
