//! In-memory ledger.
