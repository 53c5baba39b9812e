//! How text from elsewhere appears in messages: [`peer_message`] bounds a peer's or chaincode's message, and
//! [`quote()`] shows a short prefix of refused input (both from `gridledger-text`, as the contracts show them).
//! A peer may answer with anything (a message that echoes a 10 MB argument, terminal escapes); a client should
//! neither flood a terminal or log with it nor let it forge lines.

use std::borrow::Cow;

pub use gridledger_text::{Quoted, clip, quote};

/// The most bytes of one peer message the client shows (in [`crate::Error`] and [`peer_message`]).
pub const MAX_PEER_MESSAGE: usize = 1024;

/// A peer's or chaincode's message as the client shows it: [`clip`] to [`MAX_PEER_MESSAGE`].
pub fn peer_message(message: &str) -> Cow<'_, str> {
    clip(message, MAX_PEER_MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_messages_are_shown_short_and_on_one_line() {
        assert_eq!(peer_message("asset pv-1 does not exist"), "asset pv-1 does not exist");
        assert_eq!(peer_message("two\nlines\u{1b}[2J"), r"two\nlines\u{1b}[2J");
        let echoed = format!("no order {} for interval 900", "x".repeat(10 * 1024 * 1024));
        let shown = peer_message(&echoed);
        assert!(shown.len() < MAX_PEER_MESSAGE + 32, "{}", shown.len());
        assert!(shown.ends_with(" … (10485786 bytes)"), "{}", &shown[shown.len() - 30..]);
    }
}
