//! gridledger-bench: measuring chaincode shims over the real transport.
//!
//! - `shim-load` plays the peer over loopback gRPC against any CCaaS chaincode implementing `GetPut`
//!   (chaincode/examples/kv/SPEC.md) and reports throughput, latency and the CPU time of both processes.
//!   `--scenario batch` runs PutMany / GetMany against a chaincode told it talks to a Fabric 3.1 peer ([`batch`]).
//! - `shim-echo` is a chaincode server with no chaincode logic: the transport floor.
//!
//! This library holds what both share: `/proc` sampling, the proposal fixture, dialing, starting chaincodes and
//! latency summaries.

pub mod batch;
pub mod dial;
pub mod fixture;
pub mod procfs;
pub mod spawn;
pub mod stats;
