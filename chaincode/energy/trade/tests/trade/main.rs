//! The trade contract against the in-memory ledger, with fake registry and metering chaincodes.

mod clearing;
mod config;
mod lengths;
mod orders;
mod props;
mod settle;
mod support;
