//! Calls to the other energy chaincodes: registry `GetAsset`, metering `GetMeter`, `MeterHour` and
//! `MeteredHours`, trade `PostCertificatePayment`.

use gridledger_contract::Context;
use gridledger_energy_common::call::call;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::names;
use serde::Deserialize;

use crate::error::Result;
use crate::model::Location;

/// A registry asset as the certificates contract reads it: the energy contracts' view and what a device record
/// copies besides.
#[derive(Debug, Clone, Deserialize)]
pub struct Asset {
    /// Id, owner, kind, nameplate, connection point and status.
    #[serde(flatten)]
    pub registry: gridledger_energy_common::asset::Asset,
    /// Where it is.
    pub location: Location,
    /// Commissioning date.
    pub commissioned: String,
}

/// The fields of a metering meter record the certificates contract uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meter {
    /// The meter id.
    pub id: String,
    /// The asset it meters.
    pub asset_id: String,
    /// The registers it reports.
    pub registers: Vec<String>,
}

/// Metering `MeterHour`: one meter's readings of one hour.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeterHour {
    /// The meter's interval length, seconds.
    pub interval_seconds: u32,
    /// How many intervals the hour holds.
    pub intervals: u32,
    /// Export, Wh.
    pub export_wh: i64,
    /// How many intervals have an export reading.
    pub export_readings: u32,
    /// Import, Wh.
    pub import_wh: i64,
    /// Whom the readings are attributed to.
    pub owners: Vec<Party>,
    /// The lowest counter.
    pub first_counter: Option<u64>,
    /// The highest counter.
    pub last_counter: Option<u64>,
}

/// Metering `MeteredHours`: one hour of a party's readings.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyHour {
    /// The hour.
    pub hour_start: i64,
    /// Import, Wh.
    pub import_wh: i64,
}

/// Registry `GetAsset(id)`.
pub fn get_asset(ctx: &Context<'_>, id: &str) -> Result<Asset> {
    call(ctx, names::REGISTRY, "GetAsset", &[id])
}

/// Metering `GetMeter(id)`.
pub fn get_meter(ctx: &Context<'_>, id: &str) -> Result<Meter> {
    call(ctx, names::METERING, "GetMeter", &[id])
}

/// Metering `MeterHour(meterId, hourStart)`.
pub fn meter_hour(ctx: &Context<'_>, meter_id: &str, hour: i64) -> Result<MeterHour> {
    call(ctx, names::METERING, "MeterHour", &[meter_id, &hour.to_string()])
}

/// Metering `MeteredHours(msp, id, hourStart, hours)`.
pub fn metered_hours(ctx: &Context<'_>, party: &Party, hour: i64, hours: i64) -> Result<Vec<PartyHour>> {
    let args = [party.msp.as_str(), party.id.as_str(), &hour.to_string(), &hours.to_string()];
    call(ctx, names::METERING, "MeteredHours", &args)
}

/// Trade `PostCertificatePayment(debit, credit, amount, reference)`.
pub fn post_payment(ctx: &Context<'_>, debit: &Party, credit: &Party, amount: i64, reference: &str) -> Result<()> {
    let args = [debit.account(), credit.account(), amount.to_string(), reference.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    call::<serde_json::Value>(ctx, names::TRADE, "PostCertificatePayment", &args).map(drop)
}
