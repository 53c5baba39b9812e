//! Checks on a transaction's response that contract tests make again and again; they panic, like the tests.

use gridledger_shim::Response;
use serde_json::Value;

/// Panics unless `response` succeeded (200), naming `context` (the call); its payload as JSON, null when empty.
pub fn ok_json(response: &Response, context: &str) -> Value {
    assert_eq!(response.status, 200, "{context} failed: {}", response.message);
    if response.payload.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&response.payload).unwrap_or_else(|e| panic!("{context}: the payload is not JSON: {e}"))
}

/// Panics unless `response` failed with `status` and a message containing `needle`, naming `context` (the call).
pub fn assert_refused(response: &Response, status: i32, needle: &str, context: &str) {
    assert_eq!(response.status, status, "{context}: {}", response.message);
    assert!(response.message.contains(needle), "{context}: {:?} does not contain {needle:?}", response.message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_json_reads_the_payload_or_null() {
        assert_eq!(ok_json(&Response::success(r#"{"a":1}"#), "x"), serde_json::json!({"a": 1}));
        assert_eq!(ok_json(&Response::success(""), "x"), Value::Null);
    }

    #[test]
    #[should_panic(expected = "Get failed: no such thing")]
    fn ok_json_refuses_a_failure() {
        ok_json(&Response::with_status(404, "no such thing"), "Get");
    }

    #[test]
    fn assert_refused_checks_status_and_message() {
        assert_refused(&Response::with_status(409, "interval 5 is already cleared"), 409, "already cleared", "x");
        let wrong = std::panic::catch_unwind(|| assert_refused(&Response::with_status(400, "bad"), 409, "bad", "x"));
        assert!(wrong.is_err());
    }
}
