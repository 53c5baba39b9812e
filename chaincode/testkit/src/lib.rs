//! gridledger-testkit: run chaincode without a Fabric network.
//!
//! # Layout
//! - [`memory`]: [`MemoryLedger`](memory::MemoryLedger), an in-memory ledger with Fabric's semantics, and the
//!   stubs it hands out per transaction, so contracts are unit-tested with no gRPC at all.
//! - [`golden`]: byte-for-byte golden files (pinned contract metadata).
//! - [`mock_peer`]: an in-process peer that speaks the real gRPC chaincode protocol, for shim tests.

pub mod golden;
pub mod memory;
pub mod mock_peer;
