//! The certificates chaincode on the in-memory ledger, with the real registry, metering and trade chaincodes.

mod proposal;
mod support;

mod claims;
mod devices;
mod issue;
mod moves;
mod offers;
mod queries;
mod report;
mod storage;
