//! `SubmitOcmf(meterId, record)` and `GetOcmf(meterId, intervalStart, register)`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridledger_contract::{Context, ContractError, Int, Object, Text};
use gridledger_energy_common::bounds::IntervalStart;
use gridledger_energy_common::caller::{Caller, Role};
use gridledger_energy_common::index::{INDEX_VALUE, interval_key};
use gridledger_energy_common::roles;
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};

use super::record::{MAX_RECORD_BYTES, OcmfRecord};
use crate::ingest::{BatchTotal, MAX_REGISTER_LEN};
use crate::keys::{self, READINGS_COLLECTION};
use crate::meter::{self, Meter, MeterId, MeterStatus};
use crate::queries::require_reader;
use crate::record::{self, IntervalRecord};
use crate::registry::AssetRules as _;
use crate::{Reading, registry};

/// The private key of an accepted OCMF record: `ocmf [meterId, intervalStart(12), register]`.
pub const OCMF: &str = "ocmf";

/// What `SubmitOcmf` answers: the reading recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct OcmfReceipt {
    /// The meter.
    pub meter_id: String,
    /// The interval.
    pub interval_start: i64,
    /// `1.8.0` or `2.8.0`.
    pub register: String,
    /// Wh.
    pub wh: i64,
    /// The pagination counter.
    pub counter: u64,
}

fn bad(e: super::OcmfError) -> ContractError {
    ContractError::BadRequest(e.to_string())
}

/// `SubmitOcmf(meterId, record)`: role `gateway` of any org. The record must verify under the meter's registered
/// key and map onto one reading (see [`crate::ocmf`]); then the same rules as `SubmitReadings` apply (active meter
/// and asset, ended interval, nameplate bound, counter, replay), and it is stored the same way.
pub fn submit(
    ctx: &Context<'_>,
    (MeterId(meter_id), Text(text)): (MeterId, Text<MAX_RECORD_BYTES>),
) -> Result<OcmfReceipt, ContractError> {
    let stub = ctx.stub();
    let roles = roles::from_registry(stub)?;
    Caller::of(ctx, &roles)?.require("SubmitOcmf", &[(None, Role::Gateway)])?;
    let ocmf = OcmfRecord::parse(&text).map_err(bad)?;
    let meter = meter::require(stub, &meter_id)?;
    if meter.status != MeterStatus::Active {
        return Err(ContractError::Conflict(format!("meter {meter_id} is inactive")));
    }
    let key = STANDARD
        .decode(&meter.public_key)
        .map_err(|e| ContractError::Internal(format!("stored meter {meter_id}: public key: {e}")))?;
    ocmf.verify(&key).map_err(bad)?;
    let mapped = ocmf.map(meter.interval_seconds).map_err(bad)?;
    let len = meter.interval_seconds;
    if !meter.reports(&mapped.register) {
        return Err(ContractError::BadRequest(format!(
            "meter {meter_id} does not report register {} (it reports {})",
            mapped.register,
            meter.registers.join(", ")
        )));
    }
    let now = ctx.tx_timestamp()?.seconds;
    if mapped.interval_start.checked_add(i64::from(len)).is_none_or(|end| end > now) {
        return Err(ContractError::BadRequest(format!(
            "interval {} has not ended by the transaction time {now}",
            mapped.interval_start
        )));
    }
    let asset = registry::get_asset(stub, &meter.asset_id)?;
    if !asset.accepts_readings() {
        return Err(ContractError::Conflict(format!(
            "asset {} of meter {meter_id} is {}: its readings are refused",
            asset.id, asset.status
        )));
    }
    if let Some(max) = asset.max_wh(&mapped.register, len).filter(|max| i128::from(mapped.wh) > *max) {
        return Err(ContractError::BadRequest(format!(
            "{} Wh is more than {} asset {} can meter in {len} s at {} W ({max} Wh)",
            mapped.wh, asset.kind, asset.id, asset.nameplate_w
        )));
    }
    let counter_key = keys::counter(stub, &meter_id)?;
    if let Some(last) = stored_counter(stub, &counter_key, &meter_id)?.filter(|last| mapped.counter <= *last) {
        return Err(ContractError::Conflict(format!(
            "counter {} (PG) is not above the meter's last recorded counter {last}",
            mapped.counter
        )));
    }
    let reading_key = keys::reading(stub, &meter_id, mapped.interval_start)?;
    let stored = match stub.get_private_data_hash(READINGS_COLLECTION, &reading_key)? {
        None => None,
        Some(_) => Some(record::load(stub, &meter_id, mapped.interval_start)?.ok_or_else(|| {
            ContractError::Internal(format!(
                "this peer has the hash of meter {meter_id}'s readings for interval {} but not the readings; endorse \
                 on another collection member or retry",
                mapped.interval_start
            ))
        })?),
    };
    if stored.as_ref().is_some_and(|s| s.registers.contains_key(&mapped.register)) {
        return Err(ContractError::Conflict(format!(
            "meter {meter_id}, interval {}, {}: already recorded (replay)",
            mapped.interval_start, mapped.register
        )));
    }
    // Everything is checked: write.
    let reading = Reading {
        meter_id: meter_id.clone(),
        interval_start: mapped.interval_start,
        register: mapped.register.clone(),
        wh: mapped.wh,
        counter: mapped.counter,
        signature: ocmf.signature_base64(),
    };
    let mut interval =
        stored.unwrap_or_else(|| IntervalRecord::new(&meter_id, mapped.interval_start, len, &asset.owner));
    interval.insert(&reading, &asset.owner);
    stub.put_private_data(READINGS_COLLECTION, &reading_key, &serde_json::to_vec(&interval)?)?;
    let raw_key = ocmf_key(stub, &meter_id, mapped.interval_start, &mapped.register)?;
    stub.put_private_data(READINGS_COLLECTION, &raw_key, text.as_bytes())?;
    let total = keys::total(stub, &asset.connection_point, mapped.interval_start, &mapped.register, stub.tx_id(), len)?;
    stub.put_state(&total, &serde_json::to_vec(&BatchTotal { wh: mapped.wh, readings: 1 })?)?;
    stub.put_state(&counter_key, mapped.counter.to_string().as_bytes())?;
    if asset.owner != meter.owner {
        // As in SubmitReadings: the meter follows its asset's new owner; the old index entry stays.
        let moved = Meter { owner: asset.owner.clone(), ..meter };
        stub.put_state(&keys::meter(stub, &meter_id)?, &serde_json::to_vec(&moved)?)?;
        stub.put_state(&keys::meter_by_owner(stub, &moved.owner, &meter_id)?, INDEX_VALUE)?;
    }
    Ok(OcmfReceipt {
        meter_id,
        interval_start: mapped.interval_start,
        register: mapped.register,
        wh: mapped.wh,
        counter: mapped.counter,
    })
}

/// `GetOcmf(meterId, intervalStart, register)`: the OCMF record a reading came from, as submitted; for the metered
/// asset's owner now, a grid operator or the owner's supplier (as `GetReading`).
pub fn get(
    ctx: &Context<'_>,
    (MeterId(meter_id), Int(start), Text(register)): (MeterId, IntervalStart, Text<MAX_REGISTER_LEN>),
) -> Result<String, ContractError> {
    let stub = ctx.stub();
    let meter = meter::require(stub, &meter_id)?;
    let asset = registry::get_asset(stub, &meter.asset_id)?;
    require_reader(ctx, "GetOcmf", &asset.owner)?;
    let key = ocmf_key(stub, &meter_id, start, &register)?;
    let bytes = stub.get_private_data(READINGS_COLLECTION, &key)?.ok_or_else(|| {
        ContractError::NotFound(format!(
            "no OCMF record of meter {meter_id} for interval {start}, register {}",
            meter::shown(&register)
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| ContractError::Internal("a stored OCMF record is not UTF-8".into()))
}

fn ocmf_key(stub: &dyn ChaincodeStub, meter_id: &str, start: i64, register: &str) -> gridledger_shim::Result<String> {
    stub.create_composite_key(OCMF, &[meter_id, &interval_key(start), register])
}

fn stored_counter(stub: &dyn ChaincodeStub, key: &str, meter_id: &str) -> Result<Option<u64>, ContractError> {
    match stub.get_state(key)? {
        None => Ok(None),
        Some(text) => std::str::from_utf8(&text)
            .ok()
            .and_then(|t| t.parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| ContractError::Internal(format!("stored counter of meter {meter_id} is unreadable"))),
    }
}
