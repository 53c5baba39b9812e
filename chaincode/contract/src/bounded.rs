//! Arguments with a documented bound: [`Text`] (at most `MAX` characters), [`Int`] (plain decimal from `MIN` to
//! `MAX`) and [`Json`] (a JSON document of at most `MAX` bytes).
//!
//! Each declares its bound twice, from one constant: in the metadata (`maxLength`, `minimum`/`maximum`, a
//! description) and as [`FromArg::MAX_BYTES`], which the contract layer checks before the argument is parsed and
//! before the handler runs, so an oversized argument never reaches a parser or the ledger and is refused with a
//! short message ([`quote()`](crate::quote())). `ChaincodeBuilder::require_bounded_arguments` refuses a chaincode
//! with a parameter that has no bound.

use std::fmt;
use std::ops::Deref;

use serde::de::DeserializeOwned;

use crate::args::{ArgError, FromArg, from_json};
use crate::schema::{Components, Describe, Schema};

/// The longest decimal text of any `i64` or `u64` (`-9223372036854775808`, `18446744073709551615`).
pub const MAX_INTEGER_BYTES: usize = 20;

/// Parses plain decimal: ASCII digits, a leading `-` (in range only when `min` is negative), no `+`, spaces, underscores,
/// exponents, or leading zeros (`0` itself is fine, `-0` is not), so each value has exactly one accepted text.
/// Anything else, and any value outside `min..=max`, is refused naming that range.
pub fn parse_integer(raw: &str, min: i128, max: i128) -> Result<i128, ArgError> {
    let range = || ArgError::expected(format!("an integer from {min} to {max}"));
    let plain = || ArgError { detail: Some("write plain decimal digits".into()), ..range() };
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let canonical = match digits.as_bytes() {
        [] => false,
        [b'0'] => !negative,
        [first, ..] => *first != b'0',
    };
    if !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(plain());
    }
    // More digits than any i64/u64 has is out of range whatever they are (and would overflow i128 soon after).
    if digits.len() > MAX_INTEGER_BYTES {
        return Err(range());
    }
    // A well-formed negative number where none are allowed is out of range, not malformed.
    if negative && min >= 0 {
        return Err(range());
    }
    let magnitude: i128 = digits.parse().map_err(|_| range())?;
    let value = if negative { -magnitude } else { magnitude };
    if value < min || value > max {
        return Err(range());
    }
    Ok(value)
}

/// A string argument of at most `MAX` characters (JSON Schema `maxLength`, which counts characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text<const MAX: usize>(pub String);

impl<const MAX: usize> Text<MAX> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> Deref for Text<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> Describe for Text<MAX> {
    fn schema(_: &mut Components) -> Schema {
        Schema::string().max_length(MAX as u64)
    }
}

impl<const MAX: usize> FromArg for Text<MAX> {
    // A character is at most 4 bytes: anything longer is refused before its characters are counted.
    const MAX_BYTES: Option<usize> = Some(MAX.saturating_mul(4));
    fn expected() -> String {
        format!("text of at most {MAX} characters")
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        if raw.len() > MAX && raw.chars().count() > MAX {
            return Err(ArgError::expected(Self::expected()));
        }
        Ok(Self(raw.to_string()))
    }
}

/// An integer argument from `MIN` to `MAX`, in plain decimal ([`parse_integer`]); the metadata states the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    /// The value.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<const MIN: i64, const MAX: i64> Describe for Int<MIN, MAX> {
    fn schema(_: &mut Components) -> Schema {
        Schema::integer("int64", MIN, MAX)
    }
}

impl<const MIN: i64, const MAX: i64> FromArg for Int<MIN, MAX> {
    const MAX_BYTES: Option<usize> = Some(MAX_INTEGER_BYTES);
    fn expected() -> String {
        format!("an integer from {MIN} to {MAX}")
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        let value = parse_integer(raw, i128::from(MIN), i128::from(MAX))?;
        // In range of two i64 bounds, so it is an i64.
        i64::try_from(value).map(Self).map_err(|_| ArgError::expected(Self::expected()))
    }
}

/// A JSON document argument of at most `MAX` bytes, parsed into `T`. The metadata carries `T`'s schema and says
/// the bound in its description (JSON Schema has no size keyword for a document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json<T, const MAX: usize>(pub T);

impl<T: Describe, const MAX: usize> Describe for Json<T, MAX> {
    fn schema(components: &mut Components) -> Schema {
        T::schema(components).description(&format!("a JSON document of at most {MAX} bytes"))
    }
}

impl<T: DeserializeOwned + Describe, const MAX: usize> FromArg for Json<T, MAX> {
    const MAX_BYTES: Option<usize> = Some(MAX);
    fn expected() -> String {
        format!("a JSON document of at most {MAX} bytes")
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        from_json(raw).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimal_only() {
        assert_eq!(parse_integer("0", 0, 10).unwrap(), 0);
        assert_eq!(parse_integer("10", 0, 10).unwrap(), 10);
        assert_eq!(parse_integer("-5", -10, 10).unwrap(), -5);
        for bad in ["+5", " 5", "5 ", "0x5", "1e3", "５", "1_000", "05", "-0", "", "-", "--5", "5.0", "٥"] {
            let e = parse_integer(bad, -10, 10).unwrap_err();
            assert_eq!(e.expected, "an integer from -10 to 10", "{bad:?}");
        }
        // Without negatives, "-5" is out of range (and "-05" malformed).
        assert_eq!(parse_integer("-5", 0, 10).unwrap_err(), ArgError::expected("an integer from 0 to 10"));
        assert!(parse_integer("-05", 0, 10).unwrap_err().detail.is_some());
    }

    #[test]
    fn range_is_the_documented_one() {
        let e = parse_integer("1000000000001", 1, 1_000_000_000_000).unwrap_err();
        assert_eq!(e.expected, "an integer from 1 to 1000000000000");
        assert_eq!(e.detail, None);
        assert!(parse_integer("99999999999999999999999999999", 0, 5).is_err());
        assert_eq!(parse_integer("18446744073709551615", 0, i128::from(u64::MAX)).unwrap(), i128::from(u64::MAX));
        assert_eq!(Int::<1, 5>::from_arg("5").unwrap(), Int(5));
        assert_eq!(Int::<1, 5>::from_arg("6").unwrap_err().expected, "an integer from 1 to 5");
        assert_eq!(Int::<{ i64::MIN }, 0>::from_arg("-9223372036854775808").unwrap(), Int(i64::MIN));
    }

    #[test]
    fn text_counts_characters() {
        assert_eq!(Text::<3>::from_arg("abc").unwrap().as_str(), "abc");
        assert_eq!(Text::<3>::from_arg("ééé").unwrap().as_str(), "ééé");
        assert_eq!(Text::<3>::from_arg("abcd").unwrap_err().expected, "text of at most 3 characters");
        assert_eq!(Text::<3>::MAX_BYTES, Some(12));
    }

    #[test]
    fn schemas_state_the_bounds() {
        let mut c = Components::default();
        assert_eq!(serde_json::json!(Text::<64>::schema(&mut c)), serde_json::json!({"type":"string","maxLength":64}));
        assert_eq!(
            serde_json::json!(Int::<1, 1000>::schema(&mut c)),
            serde_json::json!({"type":"integer","format":"int64","minimum":1,"maximum":1000})
        );
        assert_eq!(
            serde_json::json!(Json::<Vec<u32>, 100>::schema(&mut c)),
            serde_json::json!({"type":"array","items":{"type":"integer","format":"uint32","minimum":0,
                "maximum":4_294_967_295u64},"description":"a JSON document of at most 100 bytes"})
        );
    }
}
