//! Typed transaction arguments.
//!
//! Fabric passes every argument as a string. [`FromArg`] parses one: strings are taken raw (not JSON-quoted, as in
//! Go), integers, floats and booleans from their text, and everything else ([`Object`]s, `Vec`s,
//! maps) as JSON. [`Args`] does the same for a handler's whole parameter list: a single type or a tuple.
//!
//! A type may bound its argument ([`FromArg::MAX_BYTES`]): the length is checked before the type parses it, so
//! no parser sees more than the bound. [`crate::bounded`] has the bounded types the energy contracts use.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::bounded::{MAX_INTEGER_BYTES, parse_integer};
use crate::quote::clip;
use crate::schema::{Components, Describe, Object, Schema};

/// The most bytes of a parser's explanation an error carries: serde quotes an unknown enum value or a refused
/// string whole, and that string is input.
pub const MAX_DETAIL_BYTES: usize = 200;

/// Why one argument did not parse: what was expected and, when the parser says more, its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// What the parameter accepts, phrased to follow "expected", e.g. `an integer`.
    pub expected: String,
    /// The parser's explanation, if any.
    pub detail: Option<String>,
}

impl ArgError {
    /// An error with no further detail.
    pub fn expected(what: impl Into<String>) -> Self {
        Self { expected: what.into(), detail: None }
    }
}

/// A type a single argument string converts into.
pub trait FromArg: Describe + Sized {
    /// The longest argument accepted, in bytes; checked before [`FromArg::from_arg`] runs. `None`: unbounded
    /// (plain `String`, `Vec`, maps and objects; wrap them in [`Text`](crate::Text) or [`Json`](crate::Json)).
    const MAX_BYTES: Option<usize> = None;
    /// What the parameter accepts, for the refusal of an argument longer than [`FromArg::MAX_BYTES`].
    fn expected() -> String {
        Self::MAX_BYTES.map_or_else(|| "a shorter argument".to_string(), |n| format!("at most {n} bytes"))
    }
    /// Parses the argument.
    fn from_arg(raw: &str) -> Result<Self, ArgError>;
}

/// Checks `raw` against `T`'s bound, then parses it.
pub fn parse_arg<T: FromArg>(raw: &str) -> Result<T, ArgError> {
    match T::MAX_BYTES {
        Some(max) if raw.len() > max => Err(ArgError::expected(T::expected())),
        _ => T::from_arg(raw),
    }
}

impl FromArg for String {
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        Ok(raw.to_string())
    }
}

/// Accepts what Go's `strconv.ParseBool` accepts, so clients written for Go chaincode keep working.
impl FromArg for bool {
    const MAX_BYTES: Option<usize> = Some(5);
    fn expected() -> String {
        "a boolean (true or false)".into()
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        match raw {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(ArgError::expected("a boolean (true or false)")),
        }
    }
}

/// Plain decimal only (see [`parse_integer`]); every refusal names the type's range, the one the metadata states.
macro_rules! integer_args {
    ($($t:ty),*) => {$(
        impl FromArg for $t {
            const MAX_BYTES: Option<usize> = Some(MAX_INTEGER_BYTES);
            fn expected() -> String {
                format!("an integer from {} to {}", <$t>::MIN, <$t>::MAX)
            }
            fn from_arg(raw: &str) -> Result<Self, ArgError> {
                let value = parse_integer(raw, i128::from(<$t>::MIN), i128::from(<$t>::MAX))?;
                <$t>::try_from(value).map_err(|_| ArgError::expected(Self::expected()))
            }
        }
    )*};
}

integer_args!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_args {
    ($($t:ty),*) => {$(
        /// Finite values only: NaN and infinities have no JSON form to return or store.
        impl FromArg for $t {
            fn from_arg(raw: &str) -> Result<Self, ArgError> {
                match raw.parse::<$t>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(ArgError::expected("a finite number")),
                }
            }
        }
    )*};
}

float_args!(f32, f64);

/// Parses JSON, naming the expected shape after the schema (`a JSON Asset object`, `a JSON array`); the parser's
/// explanation is clipped to [`MAX_DETAIL_BYTES`].
pub(crate) fn from_json<T: DeserializeOwned + Describe>(raw: &str) -> Result<T, ArgError> {
    serde_json::from_str(raw).map_err(|e| {
        let kind = T::schema(&mut Components::default()).kind();
        let expected = match kind.as_str() {
            "array" => "a JSON array".to_string(),
            "object" => "a JSON object".to_string(),
            "any JSON value" => "JSON".to_string(),
            name => format!("a JSON {name} object"),
        };
        ArgError { expected, detail: Some(clip(&e.to_string(), MAX_DETAIL_BYTES).into_owned()) }
    })
}

impl<T: Object> FromArg for T {
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        from_json(raw)
    }
}

impl<T: DeserializeOwned + Describe> FromArg for Vec<T> {
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        from_json(raw)
    }
}

impl<T: DeserializeOwned + Describe> FromArg for BTreeMap<String, T> {
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        from_json(raw)
    }
}

impl FromArg for serde_json::Value {
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        from_json(raw)
    }
}

/// A handler's parameter list: `()`, one [`FromArg`] type, or a tuple of up to eight.
pub trait Args: Sized {
    /// How many arguments the list takes.
    const ARITY: usize;
    /// Each parameter's schema, in order.
    fn schemas(components: &mut Components) -> Vec<Schema>;
    /// Each parameter's [`FromArg::MAX_BYTES`], in order.
    fn bounds() -> Vec<Option<usize>>;
    /// Parses exactly [`Args::ARITY`] strings; the error carries the 0-based index of the bad one.
    fn parse(raw: &[String]) -> Result<Self, (usize, ArgError)>;
}

impl Args for () {
    const ARITY: usize = 0;
    fn schemas(_: &mut Components) -> Vec<Schema> {
        Vec::new()
    }
    fn bounds() -> Vec<Option<usize>> {
        Vec::new()
    }
    fn parse(_: &[String]) -> Result<Self, (usize, ArgError)> {
        Ok(())
    }
}

impl<T: FromArg> Args for T {
    const ARITY: usize = 1;
    fn schemas(components: &mut Components) -> Vec<Schema> {
        vec![T::schema(components)]
    }
    fn bounds() -> Vec<Option<usize>> {
        vec![T::MAX_BYTES]
    }
    fn parse(raw: &[String]) -> Result<Self, (usize, ArgError)> {
        parse_arg::<T>(&raw[0]).map_err(|e| (0, e))
    }
}

macro_rules! tuple_args {
    ($n:literal; $($t:ident $i:tt),+) => {
        impl<$($t: FromArg),+> Args for ($($t,)+) {
            const ARITY: usize = $n;
            fn schemas(components: &mut Components) -> Vec<Schema> {
                vec![$($t::schema(components)),+]
            }
            fn bounds() -> Vec<Option<usize>> {
                vec![$($t::MAX_BYTES),+]
            }
            fn parse(raw: &[String]) -> Result<Self, (usize, ArgError)> {
                // Every length first, so an oversized later argument is refused before an earlier one is parsed.
                $(if $t::MAX_BYTES.is_some_and(|max| raw[$i].len() > max) {
                    return Err(($i, ArgError::expected($t::expected())));
                })+
                Ok(($($t::from_arg(&raw[$i]).map_err(|e| ($i, e))?,)+))
            }
        }
    };
}

tuple_args!(1; A 0);
tuple_args!(2; A 0, B 1);
tuple_args!(3; A 0, B 1, C 2);
tuple_args!(4; A 0, B 1, C 2, D 3);
tuple_args!(5; A 0, B 1, C 2, D 3, E 4);
tuple_args!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_args!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_args!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::Asset;

    fn strings(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn strings_are_raw_not_json() {
        assert_eq!(String::from_arg(r#""quoted""#).unwrap(), r#""quoted""#);
        assert_eq!(String::from_arg("plain").unwrap(), "plain");
    }

    #[test]
    fn primitives() {
        assert_eq!(u64::from_arg("42").unwrap(), 42);
        assert_eq!(i32::from_arg("-7").unwrap(), -7);
        assert!(bool::from_arg("T").unwrap());
        assert!(!bool::from_arg("0").unwrap());
        assert_eq!(f64::from_arg("2.5").unwrap(), 2.5);
        assert_eq!(u64::from_arg("abc").unwrap_err().expected, "an integer from 0 to 18446744073709551615");
        assert_eq!(u8::from_arg("300").unwrap_err(), ArgError::expected("an integer from 0 to 255"));
        assert_eq!(u32::from_arg("").unwrap_err().expected, "an integer from 0 to 4294967295");
        assert_eq!(
            i64::from_arg("+5").unwrap_err().expected,
            "an integer from -9223372036854775808 to 9223372036854775807"
        );
        assert_eq!(i64::from_arg("-9223372036854775808").unwrap(), i64::MIN);
        assert_eq!(f64::from_arg("NaN").unwrap_err(), ArgError::expected("a finite number"));
        assert_eq!(bool::from_arg("yes").unwrap_err(), ArgError::expected("a boolean (true or false)"));
    }

    #[test]
    fn json_types() {
        assert_eq!(Asset::from_arg(r#"{"id":"a","size":3}"#).unwrap(), Asset { id: "a".into(), size: 3 });
        let e = Asset::from_arg(r#"{"id":"a"}"#).unwrap_err();
        assert_eq!(e.expected, "a JSON Asset object");
        assert!(e.detail.unwrap().contains("missing field `size`"));
        assert_eq!(Vec::<u32>::from_arg("[1,2]").unwrap(), vec![1, 2]);
        assert_eq!(Vec::<u32>::from_arg("1,2").unwrap_err().expected, "a JSON array");
    }

    #[test]
    fn tuples_report_the_bad_position() {
        type Pair = (String, u64);
        assert_eq!(Pair::ARITY, 2);
        assert_eq!(Pair::parse(&strings(&["a", "5"])).unwrap(), ("a".to_string(), 5));
        assert_eq!(Pair::parse(&strings(&["a", "x"])).unwrap_err().0, 1);
        assert_eq!(<String as Args>::ARITY, 1);
        assert_eq!(<() as Args>::ARITY, 0);
    }
}
