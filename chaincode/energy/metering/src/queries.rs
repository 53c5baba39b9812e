//! Reads: `IntervalTotals` (public), `MeteredEnergy` and `GetReading` (private readings).

use gridledger_contract::{Context, ContractError, Fields, Object};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::caller::{Caller, OrgKind, Party};
use gridledger_energy_common::index::{interval_key, last_part};
use gridledger_energy_common::interval::{INTERVAL_SECONDS, require_aligned};
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};

use crate::ingest::BatchTotal;
use crate::keys::{self, READINGS_COLLECTION};
use crate::meter::{self, EXPORT, IMPORT};
use crate::reading::Reading;

/// What `IntervalTotals` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntervalTotals {
    /// The connection point.
    pub connection_point: String,
    /// The interval start.
    pub interval_start: i64,
    /// Sum of `1.8.0` readings, Wh.
    pub import_wh: i64,
    /// Sum of `2.8.0` readings, Wh.
    pub export_wh: i64,
    /// How many readings the sums cover.
    pub readings: u64,
}

impl Object for IntervalTotals {
    const NAME: &'static str = "IntervalTotals";
    fn describe(fields: &mut Fields<'_>) {
        fields
            .field::<String>("connectionPoint")
            .field::<i64>("intervalStart")
            .field::<i64>("importWh")
            .field::<i64>("exportWh")
            .field::<u64>("readings");
    }
}

/// What `MeteredEnergy` answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeteredEnergy {
    /// Sum of `1.8.0` readings, Wh.
    pub import_wh: i64,
    /// Sum of `2.8.0` readings, Wh.
    pub export_wh: i64,
}

impl Object for MeteredEnergy {
    const NAME: &'static str = "MeteredEnergy";
    fn describe(fields: &mut Fields<'_>) {
        fields.field::<i64>("importWh").field::<i64>("exportWh");
    }
}

/// `IntervalTotals(connectionPoint, intervalStart)`: anyone; sums the public per-batch totals.
pub fn interval_totals(ctx: &Context<'_>, (cp, start): (String, i64)) -> Result<IntervalTotals, ContractError> {
    require_aligned(start, INTERVAL_SECONDS)?;
    let stub = ctx.stub();
    let mut totals =
        IntervalTotals { connection_point: cp, interval_start: start, import_wh: 0, export_wh: 0, readings: 0 };
    let records =
        stub.get_state_by_partial_composite_key(keys::TOTAL, &[&totals.connection_point, &interval_key(start)])?;
    for kv in records {
        let kv = kv?;
        let (_, parts) = stub.split_composite_key(&kv.key)?;
        let sum = serde_json::from_slice::<BatchTotal>(&kv.value).ok();
        let (Some(sum), [_, _, register, _]) = (sum, parts.as_slice()) else {
            return Err(ContractError::Internal(format!("unreadable total {:?}", kv.key)));
        };
        match register.as_str() {
            IMPORT => totals.import_wh = add(totals.import_wh, sum.wh)?,
            EXPORT => totals.export_wh = add(totals.export_wh, sum.wh)?,
            _ => {}
        }
        totals.readings += sum.readings;
    }
    Ok(totals)
}

/// Refuses (403) anyone but the grid operator, the utility, and `owner` itself.
fn require_reader(ctx: &Context<'_>, what: &str, owner: &Party) -> Result<(), ContractError> {
    let caller = Caller::of(ctx)?;
    if matches!(caller.org, OrgKind::Grid | OrgKind::Utility) || caller.party == *owner {
        return Ok(());
    }
    Err(ContractError::Forbidden(format!(
        "{what} is for GridMSP, UtilityMSP and the owner; the caller is another party of {}",
        caller.party.msp
    )))
}

/// `MeteredEnergy(msp, id, intervalStart)`: the party, GridMSP or UtilityMSP; sums the party's meters' readings.
pub fn metered_energy(
    ctx: &Context<'_>,
    (msp, id, start): (String, String, i64),
) -> Result<MeteredEnergy, ContractError> {
    require_aligned(start, INTERVAL_SECONDS)?;
    let party = Party { msp, id };
    require_reader(ctx, "MeteredEnergy", &party)?;
    let stub = ctx.stub();
    let mut meter_ids = Vec::new();
    for kv in stub.get_state_by_partial_composite_key(keys::METER_BY_OWNER, &[&party.msp, &party.id])? {
        meter_ids.extend(last_part(stub, &kv?.key)?);
    }
    let mut energy = MeteredEnergy::default();
    for meter_id in &meter_ids {
        for register in [IMPORT, EXPORT] {
            let Some(reading) = load_reading(stub, meter_id, start, register)? else { continue };
            let sum = if register == IMPORT { &mut energy.import_wh } else { &mut energy.export_wh };
            *sum = add(*sum, reading.wh)?;
        }
    }
    Ok(energy)
}

/// `GetReading(meterId, intervalStart, register)`: the meter's owner, GridMSP or UtilityMSP.
pub fn get_reading(
    ctx: &Context<'_>,
    (meter_id, start, register): (String, i64, String),
) -> Result<Reading, ContractError> {
    let meter = meter::require(ctx.stub(), &meter_id)?;
    require_reader(ctx, "GetReading", &meter.owner)?;
    load_reading(ctx.stub(), &meter_id, start, &register)?.ok_or_else(|| {
        ContractError::NotFound(format!("no reading of meter {meter_id} for interval {start}, register {register}"))
    })
}

fn load_reading(
    stub: &dyn ChaincodeStub,
    meter_id: &str,
    start: i64,
    register: &str,
) -> Result<Option<Reading>, ContractError> {
    let Some(bytes) = stub.get_private_data(READINGS_COLLECTION, &keys::reading(stub, meter_id, start, register)?)?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ContractError::Internal(format!("stored reading of meter {meter_id} is unreadable: {e}")))
}
