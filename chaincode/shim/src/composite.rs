//! Composite keys, byte-compatible with the Go shim.
//!
//! A composite key is `U+0000 objectType U+0000 (attr U+0000)*`. Keeping Go's exact rules (including empty
//! parts, which some other shims reject) matters: a Rust chaincode must read state written by a Go one.

use crate::error::{Error, Result};

/// The first character of every composite key; simple keys must not start with it.
pub const COMPOSITE_KEY_NAMESPACE: char = '\u{0}';
/// The highest Unicode scalar; appended to a prefix it makes the exclusive end of a partial-key range.
pub const MAX_UNICODE_RUNE: char = '\u{10FFFF}';
/// What the Go shim sends as the start of a range query when the caller gives an empty start key.
pub(crate) const EMPTY_KEY_SUBSTITUTE: &str = "\u{1}";

/// Builds a composite key from an object type and attributes (Go `CreateCompositeKey`).
///
/// ```
/// use gridledger_shim::composite::{create_composite_key, split_composite_key};
/// let key = create_composite_key("asset", &["owner1", "pv-7"]).unwrap();
/// assert_eq!(key, "\u{0}asset\u{0}owner1\u{0}pv-7\u{0}");
/// let (kind, parts) = split_composite_key(&key).unwrap();
/// assert_eq!((kind.as_str(), parts), ("asset", vec!["owner1".to_string(), "pv-7".to_string()]));
/// ```
pub fn create_composite_key<S: AsRef<str>>(object_type: &str, attributes: &[S]) -> Result<String> {
    validate_part(object_type)?;
    let len = 2 + object_type.len() + attributes.iter().map(|a| a.as_ref().len() + 1).sum::<usize>();
    let mut key = String::with_capacity(len);
    key.push(COMPOSITE_KEY_NAMESPACE);
    key.push_str(object_type);
    key.push(COMPOSITE_KEY_NAMESPACE);
    for attribute in attributes {
        let attribute = attribute.as_ref();
        validate_part(attribute)?;
        key.push_str(attribute);
        key.push(COMPOSITE_KEY_NAMESPACE);
    }
    Ok(key)
}

/// Splits a composite key into its object type and attributes (Go `SplitCompositeKey`).
///
/// Unlike Go, which panics on a key without separators, a simple key is an error here.
pub fn split_composite_key(key: &str) -> Result<(String, Vec<String>)> {
    if !key.starts_with(COMPOSITE_KEY_NAMESPACE) {
        return Err(Error::InvalidArgument(format!("not a composite key: {key:?}")));
    }
    let bytes = key.as_bytes();
    let mut parts = Vec::new();
    let mut start = 1;
    // Scanning bytes is safe for slicing: 0x00 never occurs inside a multi-byte UTF-8 sequence.
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        if b == 0 {
            parts.push(key[start..i].to_string());
            start = i + 1;
        }
    }
    let mut parts = parts.into_iter();
    let object_type =
        parts.next().ok_or_else(|| Error::InvalidArgument(format!("composite key has no object type: {key:?}")))?;
    Ok((object_type, parts.collect()))
}

/// The half-open key range `[start, end)` holding every key that extends `prefix` (a partial composite key).
pub(crate) fn partial_key_range(prefix: String) -> (String, String) {
    let mut end = String::with_capacity(prefix.len() + MAX_UNICODE_RUNE.len_utf8());
    end.push_str(&prefix);
    end.push(MAX_UNICODE_RUNE);
    (prefix, end)
}

/// The range of every composite key in the namespace (Go `GetAllStatesCompositeKeyWithPagination`).
pub(crate) fn all_composite_keys_range() -> (String, String) {
    partial_key_range(COMPOSITE_KEY_NAMESPACE.to_string())
}

/// Checks the start and end of a simple-key range query (Go `validateSimpleKeys`).
pub(crate) fn validate_simple_keys(keys: &[&str]) -> Result<()> {
    for key in keys {
        if key.starts_with(COMPOSITE_KEY_NAMESPACE) {
            return Err(Error::InvalidArgument(format!(
                "first character of the key {key:?} is U+0000, which is reserved for composite keys"
            )));
        }
    }
    Ok(())
}

/// An empty start key means "from the first simple key"; Go sends U+0001 for it.
pub(crate) fn range_start(start: &str) -> &str {
    if start.is_empty() { EMPTY_KEY_SUBSTITUTE } else { start }
}

fn validate_part(part: &str) -> Result<()> {
    if let Some((index, c)) = part.char_indices().find(|&(_, c)| c == COMPOSITE_KEY_NAMESPACE || c == MAX_UNICODE_RUNE)
    {
        return Err(Error::InvalidArgument(format!(
            "composite key part {part:?} contains U+{:04X} at byte {index}; U+0000 and U+10FFFF are not allowed",
            c as u32
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_parts_are_allowed_like_go() {
        let key = create_composite_key("", &["", "x"]).unwrap();
        assert_eq!(key, "\0\0\0x\0");
        assert_eq!(split_composite_key(&key).unwrap(), (String::new(), vec![String::new(), "x".into()]));
    }

    #[test]
    fn forbidden_characters_are_rejected() {
        assert!(create_composite_key("a\0b", &[] as &[&str]).is_err());
        assert!(create_composite_key("a", &["\u{10FFFF}"]).is_err());
    }

    #[test]
    fn simple_keys_do_not_split() {
        assert!(split_composite_key("plain").is_err());
        assert!(split_composite_key("").is_err());
        assert!(split_composite_key("\0").is_err());
    }

    #[test]
    fn partial_range_covers_extensions_only() {
        let prefix = create_composite_key("asset", &["o1"]).unwrap();
        let (start, end) = partial_key_range(prefix.clone());
        let inside = create_composite_key("asset", &["o1", "z"]).unwrap();
        let outside = create_composite_key("asset", &["o2"]).unwrap();
        assert!(start.as_str() <= inside.as_str() && inside.as_str() < end.as_str());
        assert!(!(start.as_str() <= outside.as_str() && outside.as_str() < end.as_str()));
    }

    #[test]
    fn simple_key_validation() {
        assert!(validate_simple_keys(&["a", ""]).is_ok());
        assert!(validate_simple_keys(&["\0a"]).is_err());
        assert_eq!(range_start(""), "\u{1}");
        assert_eq!(range_start("k"), "k");
    }

    fn part() -> impl Strategy<Value = String> {
        "[^\u{0}\u{10FFFF}]{0,8}"
    }

    proptest! {
        #[test]
        fn round_trip(kind in part(), attrs in proptest::collection::vec(part(), 0..5)) {
            let key = create_composite_key(&kind, &attrs).unwrap();
            prop_assert_eq!(split_composite_key(&key).unwrap(), (kind, attrs));
        }

        #[test]
        fn split_never_panics(key in any::<String>()) {
            let _ = split_composite_key(&key);
        }
    }
}
