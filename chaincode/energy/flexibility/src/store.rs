//! Keys and JSON records on the ledger.

use gridledger_contract::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{FlexError, Result};
use crate::model::Timestamp;

/// Reads and decodes a JSON record; `None` when the key is absent.
pub fn get_json<T: DeserializeOwned>(ctx: &Context<'_>, key: &str, what: &str) -> Result<Option<T>> {
    match ctx.get_state(key)? {
        Some(bytes) => decode(&bytes, what).map(Some),
        None => Ok(None),
    }
}

/// Decodes a stored JSON record (500 when it does not decode).
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| FlexError::Corrupt { what: what.to_string(), detail: e.to_string() })
}

/// Writes a JSON record.
pub fn put_json<T: Serialize>(ctx: &Context<'_>, key: &str, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(gridledger_contract::ContractError::from)?;
    ctx.put_state(key, &bytes)?;
    Ok(())
}

/// Emits the transaction's event.
pub fn set_event<T: Serialize>(ctx: &Context<'_>, name: &str, payload: &T) -> Result<()> {
    let bytes = serde_json::to_vec(payload).map_err(gridledger_contract::ContractError::from)?;
    ctx.set_event(name, &bytes)?;
    Ok(())
}

/// The transaction timestamp: the contract's only clock.
pub fn now(ctx: &Context<'_>) -> Result<Timestamp> {
    let ts = ctx.tx_timestamp()?;
    Ok(Timestamp { seconds: ts.seconds, nanos: ts.nanos })
}

/// The composite keys of the flexibility contract.
pub mod keys {
    use gridledger_contract::Context;

    use crate::error::Result;

    /// `request [requestId]`.
    pub fn request(ctx: &Context<'_>, id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("request", &[id])?)
    }
    /// `offer [requestId, vppId]`.
    pub fn offer(ctx: &Context<'_>, request_id: &str, vpp_id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("offer", &[request_id, vpp_id])?)
    }
    /// The partial key of a request's offers.
    pub const OFFER: &str = "offer";
    /// `award [requestId]`.
    pub fn award(ctx: &Context<'_>, request_id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("award", &[request_id])?)
    }
    /// `settlement [requestId, vppId]`.
    pub fn settlement(ctx: &Context<'_>, request_id: &str, vpp_id: &str) -> Result<String> {
        Ok(ctx.create_composite_key("settlement", &[request_id, vpp_id])?)
    }
}
