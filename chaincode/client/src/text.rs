//! How text from elsewhere appears in messages: [`clip`] bounds a peer's or chaincode's message, [`quote()`] shows
//! a short prefix of refused input. A peer may answer with anything (a message that echoes a 10 MB argument,
//! terminal escapes); a client should neither flood a terminal or log with it nor let it forge lines.

use std::borrow::Cow;
use std::fmt;

/// The most bytes of one peer message the client shows (in [`crate::Error`] and [`peer_message`]).
pub const MAX_PEER_MESSAGE: usize = 1024;
/// The most characters of an input [`quote()`] shows.
pub const QUOTE_CHARS: usize = 32;

/// A peer's or chaincode's message as the client shows it: [`clip`] to [`MAX_PEER_MESSAGE`].
pub fn peer_message(message: &str) -> Cow<'_, str> {
    clip(message, MAX_PEER_MESSAGE)
}

/// `message` cut to at most `max_bytes` on a character boundary (then ` … (N bytes)`), with control characters
/// and invisible direction marks escaped (`\n`, `\u{1b}`), so it stays one plain line.
pub fn clip(message: &str, max_bytes: usize) -> Cow<'_, str> {
    if message.len() <= max_bytes && !message.chars().any(needs_escape) {
        return Cow::Borrowed(message);
    }
    let (shown, whole) = escaped_prefix(message, usize::MAX, max_bytes, false);
    if whole { Cow::Owned(shown) } else { Cow::Owned(format!("{shown} … ({} bytes)", message.len())) }
}

/// Refused input for a message: `"abc"` when short, else `40 bytes starting "xxxx…"` (at most [`QUOTE_CHARS`]
/// characters, escaped like [`clip`], quotes and backslashes too).
///
/// ```
/// use gridledger_client::text::quote;
/// assert_eq!(quote("pv-1").to_string(), r#""pv-1""#);
/// assert_eq!(quote(&"x".repeat(40)).to_string(), format!(r#"40 bytes starting "{}…""#, "x".repeat(32)));
/// ```
pub fn quote(input: &str) -> Quoted<'_> {
    Quoted(input)
}

/// An input as [`quote()`] shows it (the work is done when it is displayed).
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Four bytes per character, or six for an escape: 32 characters fit either way.
        let (shown, whole) = escaped_prefix(self.0, QUOTE_CHARS, QUOTE_CHARS * 6, true);
        if whole { write!(f, "\"{shown}\"") } else { write!(f, "{} bytes starting \"{shown}…\"", self.0.len()) }
    }
}

/// The escaped form of the longest prefix of at most `max_chars` characters that fits `max_bytes`, and whether it
/// is all of `input`. Quotes and backslashes are escaped too when the text is shown inside quotes.
fn escaped_prefix(input: &str, max_chars: usize, max_bytes: usize, in_quotes: bool) -> (String, bool) {
    let mut shown = String::new();
    for (n, c) in input.chars().enumerate() {
        let escaped = match c {
            '"' | '\\' if in_quotes => c.escape_default().to_string(),
            c if needs_escape(c) => c.escape_default().to_string(),
            c => c.to_string(),
        };
        if n == max_chars || shown.len() + escaped.len() > max_bytes {
            return (shown, false);
        }
        shown.push_str(&escaped);
    }
    (shown, true)
}

/// Control characters, and the marks that reorder or hide text on a terminal.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_messages_are_shown_short_and_on_one_line() {
        assert_eq!(peer_message("asset pv-1 does not exist"), "asset pv-1 does not exist");
        assert_eq!(peer_message("two\nlines\u{1b}[2J"), r"two\nlines\u{1b}[2J");
        assert_eq!(peer_message("say \"hi\"\n"), "say \"hi\"\\n", "quotes stay in messages");
        let echoed = format!("no order {} for interval 900", "x".repeat(10 * 1024 * 1024));
        let shown = peer_message(&echoed);
        assert!(shown.len() < MAX_PEER_MESSAGE + 32, "{}", shown.len());
        assert!(shown.ends_with(" … (10485786 bytes)"), "{}", &shown[shown.len() - 30..]);
    }

    #[test]
    fn quotes_escape_and_cut() {
        assert_eq!(quote("a\"b\n").to_string(), r#""a\"b\n""#);
        assert_eq!(quote("\u{202e}x").to_string(), r#""\u{202e}x""#);
        let long = "é".repeat(33);
        assert_eq!(quote(&long).to_string(), format!("66 bytes starting \"{}…\"", "é".repeat(32)));
    }
}
