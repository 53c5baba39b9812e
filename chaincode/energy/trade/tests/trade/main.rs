//! The trade contract against the in-memory ledger, with fake registry and metering chaincodes (the real ones
//! in `settle_with_metering`).

mod bounds;
mod certificate_payment;
mod clearing;
mod config;
mod lengths;
mod orders;
mod props;
mod settle;
mod settle_with_metering;
mod support;
