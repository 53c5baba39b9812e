//! The certificates chaincode on the in-memory ledger, with the real registry, metering and trade chaincodes.

// Tests panic on failure.
#![allow(clippy::unwrap_used)]

mod proposal;
mod support;

mod claims;
mod devices;
mod issue;
mod moves;
mod offers;
mod props;
mod queries;
mod report;
mod storage;
