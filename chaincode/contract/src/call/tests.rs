use std::sync::Arc;

use gridledger_shim::{Chaincode, ChaincodeStub, Response};
use gridledger_testkit::memory::MemoryLedger;

use super::{call_json, call_json_optional};
use crate::ContractError;

/// A callee that answers with the status and payload its first argument names.
struct Callee;

impl Chaincode for Callee {
    fn init(&self, _stub: &dyn ChaincodeStub) -> Response {
        Response::success(Vec::new())
    }
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let args = stub.string_args().unwrap_or_default();
        match args.get(1).map(String::as_str) {
            Some("echo") => Response::success(serde_json::to_vec(&args[2..]).unwrap()),
            Some("garbage") => Response::success(b"not json".to_vec()),
            Some(status) => Response::with_status(status.parse().unwrap(), format!("callee says {}", "x".repeat(600))),
            None => Response::error("no arguments"),
        }
    }
}

fn ledger() -> MemoryLedger {
    let ledger = MemoryLedger::new();
    ledger.register_chaincode("callee", Arc::new(Callee));
    ledger
}

#[test]
fn a_200_answer_decodes_and_arguments_arrive_in_order() {
    let ledger = ledger();
    let stub = ledger.tx(["Caller"]);
    let got: Vec<String> = call_json(&stub, "callee", "Fn", &["echo", "a", "b"]).unwrap();
    assert_eq!(got, ["a", "b"]);
}

/// Whether an error is of the expected class.
type IsClass = fn(&ContractError) -> bool;

#[test]
fn refusals_keep_their_class_and_quote_a_bounded_message() {
    let ledger = ledger();
    let stub = ledger.tx(["Caller"]);
    let cases: [(&str, IsClass); 5] = [
        ("400", |e| matches!(e, ContractError::BadRequest(_))),
        ("403", |e| matches!(e, ContractError::Forbidden(_))),
        ("404", |e| matches!(e, ContractError::NotFound(_))),
        ("409", |e| matches!(e, ContractError::Conflict(_))),
        ("500", |e| matches!(e, ContractError::Internal(_))),
    ];
    for (status, class) in cases {
        let e = call_json::<serde_json::Value>(&stub, "callee", "Fn", &[status]).unwrap_err();
        assert!(class(&e), "{status}: {e:?}");
        let text = e.to_string();
        assert!(text.starts_with(&format!("callee Fn failed ({status}): callee says")), "{text}");
        assert!(text.len() < 600, "the callee's 600-byte message was quoted whole: {} bytes", text.len());
    }
}

#[test]
fn an_unreadable_answer_is_an_internal_error() {
    let ledger = ledger();
    let stub = ledger.tx(["Caller"]);
    let e = call_json::<Vec<String>>(&stub, "callee", "Fn", &["garbage"]).unwrap_err();
    assert!(matches!(e, ContractError::Internal(ref m) if m.contains("unreadable answer")), "{e:?}");
}

#[test]
fn optional_lookups_turn_only_a_404_into_none() {
    let ledger = ledger();
    let stub = ledger.tx(["Caller"]);
    assert_eq!(call_json_optional::<serde_json::Value>(&stub, "callee", "Fn", &["404"]).unwrap(), None);
    assert!(call_json_optional::<serde_json::Value>(&stub, "callee", "Fn", &["403"]).is_err());
    let some: Option<Vec<String>> = call_json_optional(&stub, "callee", "Fn", &["echo", "x"]).unwrap();
    assert_eq!(some, Some(vec!["x".to_string()]));
}
