//! gridledger-testkit: run chaincode without a Fabric network.
//!
//! # Layout
//! - [`memory`]: [`MemoryLedger`](memory::MemoryLedger), an in-memory ledger with Fabric's semantics, and the
//!   stubs it hands out per transaction, so contracts are unit-tested with no gRPC at all.
//! - [`golden`]: byte-for-byte golden files (pinned contract metadata).
//! - [`identity`]: callers for contract tests (certificates with Fabric CA's role attribute).
//! - [`response`]: checks on a transaction's response (succeeded with JSON, refused with a status and message).
//! - [`mock_peer`]: an in-process peer that speaks the real gRPC chaincode protocol, for shim tests.

pub mod golden;
pub mod identity;
pub mod memory;
pub mod mock_peer;
pub mod response;
