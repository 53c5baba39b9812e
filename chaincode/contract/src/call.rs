//! Calling another chaincode in the same transaction and reading its JSON answer: the one place where the energy
//! contracts' cross-chaincode reads and postings turn a callee's answer into a typed result.
//!
//! A callee's refusal keeps its meaning for the caller's client: 400, 403, 404 and 409 come back as the same class
//! of [`ContractError`] (so "no such asset" stays a 404 through two chaincodes), anything else is an internal error;
//! the message names the chaincode and function and quotes at most 512 bytes of the callee's message.

use gridledger_shim::ChaincodeStub;
use serde::de::DeserializeOwned;

use crate::error::ContractError;
use gridledger_text::clip;

/// How much of a callee's message a caller's error quotes.
const CALLEE_MESSAGE_BYTES: usize = 512;

/// `chaincode function(args...)` on `stub`'s channel, its 200 answer decoded as JSON `T`.
pub fn call_json<T: DeserializeOwned>(
    stub: &dyn ChaincodeStub,
    chaincode: &str,
    function: &str,
    args: &[&str],
) -> Result<T, ContractError> {
    let mut raw = Vec::with_capacity(args.len() + 1);
    raw.push(function.as_bytes().to_vec());
    raw.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    let response = stub.invoke_chaincode(chaincode, &raw, "")?;
    if let 200..=399 = response.status {
        return serde_json::from_slice(&response.payload).map_err(|e| {
            ContractError::Internal(callee_message(chaincode, function, 500, &format!("unreadable answer: {e}")))
        });
    }
    let message = callee_message(chaincode, function, response.status, &response.message);
    Err(match response.status {
        400 => ContractError::BadRequest(message),
        403 => ContractError::Forbidden(message),
        404 => ContractError::NotFound(message),
        409 => ContractError::Conflict(message),
        _ => ContractError::Internal(message),
    })
}

/// Like [`call_json`], but the callee's 404 is `Ok(None)`: for lookups where absence is an answer. (Only a 404
/// answer maps to [`ContractError::NotFound`] in [`call_json`].)
pub fn call_json_optional<T: DeserializeOwned>(
    stub: &dyn ChaincodeStub,
    chaincode: &str,
    function: &str,
    args: &[&str],
) -> Result<Option<T>, ContractError> {
    match call_json(stub, chaincode, function, args) {
        Ok(answer) => Ok(Some(answer)),
        Err(ContractError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn callee_message(chaincode: &str, function: &str, status: i32, message: &str) -> String {
    format!("{chaincode} {function} failed ({status}): {}", clip(message, CALLEE_MESSAGE_BYTES))
}

#[cfg(test)]
mod tests;
