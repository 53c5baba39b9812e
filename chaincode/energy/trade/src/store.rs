//! Keys and JSON records on the ledger.

use gridledger_contract::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use gridledger_energy_common::error::EnergyError;

/// Reads and decodes a JSON record; `None` when the key is absent.
pub fn get_json<T: DeserializeOwned>(ctx: &Context<'_>, key: &str, what: &str) -> Result<Option<T>> {
    match ctx.get_state(key)? {
        Some(bytes) => decode(&bytes, what).map(Some),
        None => Ok(None),
    }
}

/// Decodes a stored JSON record (500 when it does not decode).
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| EnergyError::Corrupt { what: what.to_string(), detail: e.to_string() }.into())
}

/// Writes a JSON record.
pub fn put_json<T: Serialize>(ctx: &Context<'_>, key: &str, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(gridledger_contract::ContractError::from)?;
    ctx.put_state(key, &bytes)?;
    Ok(())
}

/// The composite keys of the trade contract.
pub mod keys {
    use gridledger_contract::Context;
    use gridledger_energy_common::index::interval_key;

    use crate::error::Result;

    /// `config []`.
    pub fn config(ctx: &Context<'_>) -> Result<String> {
        Ok(ctx.create_composite_key("config", &[])?)
    }
    /// `order [intervalStart(12), orderId]`.
    pub fn order(ctx: &Context<'_>, interval: i64, order_id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("order", &[&interval_key(interval), order_id])?)
    }
    /// The partial key of every order of an interval: object type and attributes.
    pub fn orders_of(interval: i64) -> (&'static str, [String; 1]) {
        ("order", [interval_key(interval)])
    }
    /// `clearing [intervalStart(12)]`.
    pub fn clearing(ctx: &Context<'_>, interval: i64) -> Result<String> {
        Ok(ctx.create_composite_key("clearing", &[&interval_key(interval)])?)
    }
    /// `settlement [intervalStart(12)]`.
    pub fn settlement(ctx: &Context<'_>, interval: i64) -> Result<String> {
        Ok(ctx.create_composite_key("settlement", &[&interval_key(interval)])?)
    }
    /// `certificatePayment [txId]`.
    pub fn certificate_payment(ctx: &Context<'_>, tx_id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("certificatePayment", &[tx_id])?)
    }
    /// `balance [account]`.
    pub fn balance(ctx: &Context<'_>, account: &str) -> Result<String> {
        Ok(ctx.create_composite_key("balance", &[account])?)
    }
}
