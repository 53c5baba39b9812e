//! Calls to the other energy chaincodes: registry `GetVpp` and `GetAsset`, metering `GetMeter` and `GetReading`,
//! and trade `PostFlexibility`.

use gridledger_contract::Context;
pub use gridledger_energy_common::asset::Asset;
use gridledger_energy_common::call::call_optional as call;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::names;
use serde::Deserialize;

use crate::error::{FlexError, Result};
use crate::payout::Posting;

/// The part of registry's VPP record flexibility uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Vpp {
    /// The VPP id.
    pub id: String,
    /// Who runs it.
    pub aggregator: Party,
    /// Member asset ids.
    pub members: Vec<String>,
}

/// The part of metering's meter record flexibility uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meter {
    /// The meter id.
    pub id: String,
    /// The metered asset.
    pub asset_id: String,
    /// `1.8.0` (import) and/or `2.8.0` (export).
    pub registers: Vec<String>,
    /// Its interval length, seconds.
    pub interval_seconds: u32,
    /// `active` or `inactive`.
    pub status: String,
}

/// The part of a metering reading flexibility uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Reading {
    /// Energy in the meter's interval, Wh.
    pub wh: i64,
}

/// Registry `GetVpp(id)`.
pub fn get_vpp(ctx: &Context<'_>, id: &str) -> Result<Vpp> {
    call(ctx, names::REGISTRY, "GetVpp", &[id])?.ok_or_else(|| FlexError::NotFound(format!("no VPP {id}")))
}

/// Registry `GetAsset(id)`.
pub fn get_asset(ctx: &Context<'_>, id: &str) -> Result<Asset> {
    call(ctx, names::REGISTRY, "GetAsset", &[id])?.ok_or_else(|| FlexError::NotFound(format!("no asset {id}")))
}

/// Metering `GetMeter(id)`.
pub fn get_meter(ctx: &Context<'_>, id: &str) -> Result<Meter> {
    call(ctx, names::METERING, "GetMeter", &[id])?.ok_or_else(|| FlexError::NotFound(format!("no meter {id}")))
}

/// Metering `GetReading(meterId, intervalStart, register)`: `None` when nothing was recorded.
pub fn get_reading(ctx: &Context<'_>, meter_id: &str, start: i64, register: &str) -> Result<Option<Reading>> {
    call(ctx, names::METERING, "GetReading", &[meter_id, &start.to_string(), register])
}

/// The trade chaincode's name, as deployed.
pub const TRADE: &str = names::TRADE;

/// Trade `PostFlexibility(settlementId, postings)`: the balances move in this same transaction.
pub fn post_to_trade(ctx: &Context<'_>, settlement_id: &str, postings: &[Posting]) -> Result<()> {
    let json = serde_json::to_string(postings).map_err(gridledger_contract::ContractError::from)?;
    call::<serde_json::Value>(ctx, TRADE, "PostFlexibility", &[settlement_id, &json])?;
    Ok(())
}
