//! gridledger-bench: measuring chaincode shims over the real transport.
//!
//! - `shim-load` plays the peer over loopback gRPC against any CCaaS chaincode implementing `GetPut`
//!   (chaincode/examples/kv/SPEC.md) and reports throughput, latency and the CPU time of both processes.
//! - `shim-echo` is a chaincode server with no chaincode logic: the transport floor.
//!
//! This library holds what both share: `/proc` sampling, the proposal fixture and latency summaries.

pub mod fixture;
pub mod procfs;
pub mod stats;
