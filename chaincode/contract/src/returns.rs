//! Transaction results: how a handler's return value becomes the response payload.
//!
//! As in Go: a `String` is returned raw, `()` as an empty payload, everything else as JSON. [`Raw`] returns bytes
//! untouched.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::ContractError;
use crate::schema::{Components, Describe, Object, Schema};

/// A value a transaction can return.
pub trait IntoPayload {
    /// The schema of the return, or `None` for no result (`()`).
    fn return_schema(components: &mut Components) -> Option<Schema>;
    /// The payload bytes.
    fn into_payload(self) -> Result<Vec<u8>, ContractError>;
}

impl IntoPayload for () {
    fn return_schema(_: &mut Components) -> Option<Schema> {
        None
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        Ok(Vec::new())
    }
}

impl IntoPayload for String {
    fn return_schema(_: &mut Components) -> Option<Schema> {
        Some(Schema::string())
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        Ok(self.into_bytes())
    }
}

/// Bytes returned as they are, described as a byte string (`{"type":"string","format":"byte"}`) like Go's `[]byte`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Raw(pub Vec<u8>);

impl IntoPayload for Raw {
    fn return_schema(_: &mut Components) -> Option<Schema> {
        Some(Schema::string().format("byte"))
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        Ok(self.0)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ContractError> {
    Ok(serde_json::to_vec(value)?)
}

macro_rules! json_returns {
    ($($t:ty),*) => {$(
        impl IntoPayload for $t {
            fn return_schema(components: &mut Components) -> Option<Schema> {
                Some(<$t>::schema(components))
            }
            fn into_payload(self) -> Result<Vec<u8>, ContractError> {
                to_json(&self)
            }
        }
    )*};
}

json_returns!(bool, i8, i16, i32, i64, u8, u16, u32, u64, serde_json::Value);

macro_rules! float_returns {
    ($($t:ty),*) => {$(
        /// NaN and infinities have no JSON form; returning one is an error rather than a silent `null`.
        impl IntoPayload for $t {
            fn return_schema(components: &mut Components) -> Option<Schema> {
                Some(<$t>::schema(components))
            }
            fn into_payload(self) -> Result<Vec<u8>, ContractError> {
                if !self.is_finite() {
                    return Err(ContractError::Internal(format!("the result {self} is not a finite number")));
                }
                to_json(&self)
            }
        }
    )*};
}

float_returns!(f32, f64);

impl<T: Object> IntoPayload for T {
    fn return_schema(components: &mut Components) -> Option<Schema> {
        Some(T::schema(components))
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        to_json(&self)
    }
}

impl<T: Serialize + Describe> IntoPayload for Vec<T> {
    fn return_schema(components: &mut Components) -> Option<Schema> {
        Some(Self::schema(components))
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        to_json(&self)
    }
}

impl<T: Serialize + Describe> IntoPayload for BTreeMap<String, T> {
    fn return_schema(components: &mut Components) -> Option<Schema> {
        Some(Self::schema(components))
    }
    fn into_payload(self) -> Result<Vec<u8>, ContractError> {
        to_json(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload<T: IntoPayload>(value: T) -> String {
        String::from_utf8(value.into_payload().unwrap()).unwrap()
    }

    #[test]
    fn go_semantics() {
        assert_eq!(payload("hello".to_string()), "hello");
        assert_eq!(payload(()), "");
        assert_eq!(payload(42u64), "42");
        assert_eq!(payload(true), "true");
        assert_eq!(payload(vec!["a".to_string()]), r#"["a"]"#);
        assert_eq!(payload(Raw(b"\x01".to_vec())).as_bytes(), b"\x01");
        assert_eq!(payload(json!({"b": 1, "a": 2})), r#"{"a":2,"b":1}"#);
    }

    #[test]
    fn schemas() {
        let mut c = Components::default();
        assert_eq!(<()>::return_schema(&mut c), None);
        assert_eq!(json!(String::return_schema(&mut c)), json!({"type": "string"}));
        assert_eq!(json!(Raw::return_schema(&mut c)), json!({"type": "string", "format": "byte"}));
    }

    #[test]
    fn non_finite_floats_are_errors() {
        let e = f64::NAN.into_payload().unwrap_err();
        assert_eq!(e.status(), 500);
    }
}
