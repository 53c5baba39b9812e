//! Fuzz targets for every decoder that a peer, a client or a meter can reach.
//!
//! Each target is a plain function over bytes that panics only when an invariant breaks, so the same function serves
//! the AFL++ binary (`src/bin/gl-fuzz.rs`, built by `scripts/fuzz.sh` with `cargo afl`) and the regression test
//! (`tests/replay.rs`), which runs every corpus seed and every crash ever found through it on each `cargo test`.
//! Beyond "does not panic", the targets check the promises the code makes to hostile callers: a refused transaction
//! writes nothing, an error message stays within the contract API's cap, an ERROR reply keeps the transaction id and
//! channel it answers.

pub mod contracts;
pub mod proposal;
pub mod records;
pub mod shim;

/// A fuzz target: bytes in, a panic if an invariant broke.
pub type Target = fn(&[u8]);

/// Every target by name, as `gl-fuzz <name>` and the corpus folders (`corpus/<name>/`) call them.
pub const TARGETS: &[(&str, Target)] = &[
    ("shim-messages", shim::messages),
    ("shim-proposal", proposal::signed_proposal),
    ("shim-identity", shim::identity),
    ("shim-key-policy", shim::key_policy),
    ("shim-composite-key", shim::composite_key),
    ("contract-calls", contracts::calls),
    ("ocmf-record", records::ocmf),
    ("client-identity", records::client_identity),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
