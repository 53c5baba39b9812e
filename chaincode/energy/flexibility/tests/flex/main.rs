//! The flexibility contract on the in-memory ledger with the real registry, metering and trade chaincodes.

mod rules;
mod scenario;
mod support;
