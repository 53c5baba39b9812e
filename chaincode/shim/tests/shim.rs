//! Integration tests of the shim over real gRPC streams, with the testkit's mock peer on the other end.
//!
//! Every wait is bounded (the mock peer's timeout, or `tokio::time::timeout` here) so a bug fails instead of hanging.

// clippy.toml allows unwrap in `#[test]` functions; the helpers of this test-only crate fail the same way.
#![allow(clippy::unwrap_used)]

#[path = "shim/support.rs"]
mod support;

#[path = "shim/batching.rs"]
mod batching;
#[path = "shim/concurrency.rs"]
mod concurrency;
#[path = "shim/handshake.rs"]
mod handshake;
#[path = "shim/ledger.rs"]
mod ledger;
#[path = "shim/lifecycle.rs"]
mod lifecycle;
#[path = "shim/malformed.rs"]
mod malformed;
#[path = "shim/private.rs"]
mod private;
#[path = "shim/tls.rs"]
mod tls;
#[path = "shim/wire.rs"]
mod wire;
