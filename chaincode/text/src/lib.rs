//! How refused input appears in a message: [`quote()`] shows a short, escaped prefix and the size, never the whole
//! input; [`clip`] bounds a message that may carry someone else's text (a parser's explanation, a callee's error).
//!
//! Why: an error travels back in gRPC headers and into the peer's log. A 10 MB argument echoed in full no longer
//! fits the headers (the client sees `h2 protocol error` instead of the reason) and writes 10 MB of log per call;
//! control characters in it would forge log lines or terminal escapes. The same holds for a client showing what a
//! peer answered, so this crate has no dependency: the contract API re-exports it (`gridledger_contract::quote`),
//! and clients (`gridledger-client`, `gridctl`) and records checked on both sides (the market roles) use it
//! without the chaincode stack.

use std::borrow::Cow;
use std::fmt;

/// The most characters of an input [`quote()`] shows.
pub const QUOTE_CHARS: usize = 32;
/// The most bytes the shown prefix takes once escaped: 32 four-byte characters fit, 32 escaped control
/// characters (6 bytes each) would not.
pub const QUOTE_BYTES: usize = 128;

/// Renders `input` for an error message: `"abc"` when it is short, else `10485760 bytes starting "xxxx…"`.
///
/// At most [`QUOTE_CHARS`] characters (and [`QUOTE_BYTES`] bytes after escaping) are shown, cut on a character
/// boundary. Quotes, backslashes, control characters and invisible direction marks are escaped (`\"`, `\n`,
/// `\u{1b}`, `\u{202e}`), so the message stays one plain line.
///
/// ```
/// use gridledger_text::quote;
/// assert_eq!(quote("pv-1").to_string(), r#""pv-1""#);
/// assert_eq!(quote(&"x".repeat(40)).to_string(), format!(r#"40 bytes starting "{}…""#, "x".repeat(32)));
/// ```
pub fn quote(input: &str) -> Quoted<'_> {
    Quoted(input)
}

/// An input as [`quote()`] shows it (formatting does the work, so quoting costs nothing until it is displayed).
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, whole) = escaped_prefix(self.0, QUOTE_CHARS, QUOTE_BYTES);
        if whole { write!(f, "\"{shown}\"") } else { write!(f, "{} bytes starting \"{shown}…\"", self.0.len()) }
    }
}

/// `message` cut to at most `max_bytes` (plus the marker ` … (N bytes)`) on a character boundary, with control
/// characters escaped. For text that is not input itself but may contain some: a JSON parser's explanation
/// (serde quotes unknown enum values whole), another chaincode's error message.
pub fn clip(message: &str, max_bytes: usize) -> Cow<'_, str> {
    if message.len() <= max_bytes && !message.chars().any(needs_escape) {
        return Cow::Borrowed(message);
    }
    let (shown, whole) = escaped_prefix(message, usize::MAX, max_bytes);
    if whole { Cow::Owned(shown) } else { Cow::Owned(format!("{shown} … ({} bytes)", message.len())) }
}

/// The longest prefix of `input` of at most `max_chars` characters whose escaped form fits `max_bytes`, escaped,
/// and whether it is all of `input`.
fn escaped_prefix(input: &str, max_chars: usize, max_bytes: usize) -> (String, bool) {
    let mut shown = String::new();
    let mut buf = [0u8; 4];
    for (n, c) in input.chars().enumerate() {
        let escaped: Cow<'_, str> = match c {
            '"' => Cow::Borrowed("\\\""),
            '\\' => Cow::Borrowed("\\\\"),
            c if needs_escape(c) => Cow::Owned(c.escape_default().to_string()),
            c => Cow::Borrowed(c.encode_utf8(&mut buf)),
        };
        if n == max_chars || shown.len() + escaped.len() > max_bytes {
            return (shown, false);
        }
        shown.push_str(&escaped);
    }
    (shown, true)
}

/// Control characters, and the invisible marks that reorder or hide text on a terminal (bidirectional overrides
/// and isolates, zero-width no-break space).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_shown_whole() {
        assert_eq!(quote("").to_string(), r#""""#);
        assert_eq!(quote("pv-0001").to_string(), r#""pv-0001""#);
        assert_eq!(quote(&"a".repeat(32)).to_string(), format!("\"{}\"", "a".repeat(32)));
    }

    #[test]
    fn long_input_shows_its_size_and_a_prefix() {
        let big = "x".repeat(10 * 1024 * 1024);
        let shown = quote(&big).to_string();
        assert_eq!(shown, format!(r#"10485760 bytes starting "{}…""#, "x".repeat(32)));
        assert_eq!(quote(&"a".repeat(33)).to_string(), format!(r#"33 bytes starting "{}…""#, "a".repeat(32)));
    }

    #[test]
    fn cuts_on_character_boundaries() {
        // 2-, 3- and 4-byte characters: the prefix is whole characters, 32 of them.
        for c in ['é', '５', '€', '😀'] {
            let input: String = std::iter::repeat_n(c, 40).collect();
            let expected: String = std::iter::repeat_n(c, 32).collect();
            assert_eq!(quote(&input).to_string(), format!("{} bytes starting \"{expected}…\"", input.len()), "{c}");
        }
        let mixed = format!("a{}", "😀".repeat(40));
        assert!(quote(&mixed).to_string().ends_with("😀…\""));
    }

    #[test]
    fn escapes_controls_quotes_and_direction_marks() {
        assert_eq!(quote("a\nb").to_string(), r#""a\nb""#);
        assert_eq!(quote("\u{1b}[2J").to_string(), r#""\u{1b}[2J""#);
        assert_eq!(quote("say \"hi\" \\").to_string(), r#""say \"hi\" \\""#);
        assert_eq!(quote("abc\u{202e}fed").to_string(), r#""abc\u{202e}fed""#);
        assert_eq!(quote("\0").to_string(), r#""\u{0}""#);
        // 40 escapes of 6 bytes each: the byte budget stops the prefix before 32 characters.
        let escapes = "\u{1b}".repeat(40);
        let shown = quote(&escapes).to_string();
        assert_eq!(shown, format!(r#"40 bytes starting "{}…""#, r"\u{1b}".repeat(21)));
        assert!(shown.len() < QUOTE_BYTES + 40);
    }

    #[test]
    fn clip_bounds_and_sanitizes_messages() {
        assert!(matches!(clip("fine", 10), Cow::Borrowed("fine")));
        assert_eq!(clip("line\nbreak", 100), r"line\nbreak");
        let long = format!("unknown variant `{}`", "é".repeat(1000));
        let clipped = clip(&long, 50);
        assert!(clipped.len() <= 50 + " … (2018 bytes)".len(), "{clipped}");
        assert!(clipped.ends_with(" … (2018 bytes)"), "{clipped}");
        assert!(clipped.starts_with("unknown variant `éé"));
    }
}
