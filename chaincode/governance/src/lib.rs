//! Consortium governance on typed Fabric config.
//!
//! - [`config`]: decode a config block, find groups and the channel's MSPs.
//! - [`org`] and [`diff`]: a new org's group from its MSP directory, and the
//!   config update between two configs (as `configtxlator compute_update`);
//!   [`edit`]: remove a member org, replace its CRLs, set its anchor peers.
//! - [`proposal`]: the envelopes people exchange and the orderer takes; what
//!   an update changes and which policies must approve it.
//! - [`signature`]: add a config signature; check every signature
//!   cryptographically against the channel's MSPs ([`identity`]).
//! - [`review`]: all of the above for one update, and whether it may be sent.
//! - [`policy`]: evaluate signature and ImplicitMeta policies, and how many
//!   signatures are still missing; [`expr`]: Fabric's policy language;
//!   [`membership`]: policies that name every member org, with an org added or removed.
//!
//! No network code: `gridctl org` and `gridctl cc` fetch and send.

pub mod config;
pub mod diff;
pub mod edit;
pub mod error;
pub mod expr;
pub mod identity;
pub mod membership;
pub mod org;
pub mod policy;
pub mod proposal;
pub mod review;
pub mod signature;

pub use error::{Error, Result};
/// Times at which certificates are checked ([`review::now`] for the current one).
pub use x509_parser::time::ASN1Time;

#[cfg(test)]
mod tests;
