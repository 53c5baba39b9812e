//! Key-level endorsement policies.
