//! The certificates chaincode on the in-memory ledger, with the real registry, metering and trade chaincodes.

mod proposal;
mod support;

mod devices;
mod issue;
mod moves;
mod offers;
