//! Mock peer.
