//! Calling another energy chaincode in the same transaction, with the energy contracts' [`EnergyError`].
//!
//! [`gridledger_contract::call_json`] does the work (a callee's 400, 403, 404 and 409 keep their class, its message
//! is clipped); these only give its answer in [`EnergyError`], which every energy contract's error is or wraps,
//! instead of a wrapper per contract.

use gridledger_contract::Context;

use crate::error::EnergyError;
use serde::de::DeserializeOwned;

/// `chaincode function(args...)` in this transaction, its answer decoded as JSON `T`.
pub fn call<T: DeserializeOwned>(
    ctx: &Context<'_>,
    chaincode: &str,
    function: &str,
    args: &[&str],
) -> Result<T, EnergyError> {
    gridledger_contract::call_json(ctx.stub(), chaincode, function, args).map_err(EnergyError::from)
}

/// Like [`call`], but the callee's 404 is `Ok(None)`: for lookups where absence is an answer.
pub fn call_optional<T: DeserializeOwned>(
    ctx: &Context<'_>,
    chaincode: &str,
    function: &str,
    args: &[&str],
) -> Result<Option<T>, EnergyError> {
    gridledger_contract::call_json_optional(ctx.stub(), chaincode, function, args).map_err(EnergyError::from)
}
