//! The attribute extension Fabric CA writes into enrollment certificates.
//!
//! Its value is JSON, `{"attrs":{"name":"value",...}}`, read as Go's `encoding/json` reads it into
//! a struct with one `map[string]string` field tagged `attrs`: the key matches case-insensitively, other
//! keys are ignored, `null` (whole document or `attrs`) means no attributes, a `null` value reads as "",
//! a later duplicate key wins, and any other non-string value is an error.

use std::collections::BTreeMap;

use serde_json::Value;

/// Object identifier 1.2.3.4.5.6.7.8.1 (Fabric CA's attribute extension), DER content bytes.
pub(super) const ATTRIBUTES_OID: &[u8] = &[0x2a, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01];

/// Parses the extension value; the error text follows Go's wording.
pub(super) fn parse(json: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let doc: Value =
        serde_json::from_slice(json).map_err(|e| format!("failed to unmarshal attributes from certificate: {e}"))?;
    let fields = match doc {
        Value::Null => return Ok(BTreeMap::new()),
        Value::Object(fields) => fields,
        other => {
            return Err(format!(
                "failed to unmarshal attributes from certificate: expected an object, found {}",
                kind(&other)
            ));
        }
    };
    let mut attrs = BTreeMap::new();
    for (key, value) in fields {
        if !folds_to_attrs(&key) {
            continue;
        }
        match value {
            Value::Null => attrs.clear(),
            Value::Object(entries) => {
                for (name, value) in entries {
                    let value = match value {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => {
                            return Err(format!(
                                "failed to unmarshal attributes from certificate: attribute '{name}' is {}, not a string",
                                kind(&other)
                            ));
                        }
                    };
                    attrs.insert(name, value);
                }
            }
            other => {
                return Err(format!(
                    "failed to unmarshal attributes from certificate: \"attrs\" is {}, not an object",
                    kind(&other)
                ));
            }
        }
    }
    Ok(attrs)
}

/// Go's case-insensitive field match (Unicode simple folding, which for "attrs" adds U+017F ſ ~ s).
fn folds_to_attrs(key: &str) -> bool {
    let folded = key.chars().map(|c| if c == '\u{17f}' { 's' } else { c.to_ascii_lowercase() });
    folded.eq("attrs".chars())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_like_go() {
        let a = parse(br#"{"x":[1],"Attrs":{"a":"1","n":null,"d":"1","d":"2"}}"#).unwrap();
        assert_eq!(a.get("a").map(String::as_str), Some("1"));
        assert_eq!(a.get("n").map(String::as_str), Some(""));
        assert_eq!(a.get("d").map(String::as_str), Some("2"));
        assert!(parse(b"null").unwrap().is_empty());
        assert!(parse(br#"{"attrs":null}"#).unwrap().is_empty());
        assert_eq!(parse("{\"attr\u{17f}\":{\"k\":\"v\"}}".as_bytes()).unwrap().len(), 1);
        assert!(parse(br#"{"attrs":{"n":5}}"#).is_err());
        assert!(parse(br#"{"attrs":"x"}"#).is_err());
        assert!(parse(br#"[]"#).is_err());
        assert!(parse(br#"{"attrs":{"#).is_err());
        assert!(parse(b"").is_err());
    }
}
