//! Hourly sums for energy certificates (the `certificates` chaincode reads these through `invoke_chaincode`):
//! `MeterHour`, one meter's readings of one hour, from which certificates are issued, and `MeteredHours`, a
//! party's readings per hour, against which certificates are claimed and matched.
//!
//! Both are point reads of the private interval records (never a private range query: the certificates
//! chaincode writes after reading them, and Fabric refuses writes after a private range query).

use std::collections::BTreeSet;

use gridledger_contract::{Context, ContractError, Int, Object, Schema};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::bounds::{IntervalStart, Msp, PartyId};
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::index::last_part;
use gridledger_energy_common::interval::require_aligned;
use serde::{Deserialize, Serialize};

use crate::meter::{self, EXPORT, IMPORT, MeterId};
use crate::queries::{caller_unless_owner, require_reader, staff_for};
use crate::{keys, record, registry};

/// An hour, seconds.
pub const HOUR: i64 = 3600;
/// The most hours one `MeteredHours` sums (a day).
pub const MAX_HOURS: i64 = 24;

/// What `MeterHour` answers: one meter's readings of the hour starting at `hourStart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct MeterHour {
    /// The meter.
    pub meter_id: String,
    /// The metered asset.
    pub asset_id: String,
    /// The hour's start, Unix seconds (aligned to 3600).
    pub hour_start: i64,
    /// The meter's interval length, seconds.
    #[object(schema = Schema::integer("uint32", 60, 3600))]
    pub interval_seconds: u32,
    /// How many of the meter's intervals the hour holds (`3600 / intervalSeconds`).
    pub intervals: u32,
    /// Sum of the hour's export (`2.8.0`) readings, Wh.
    pub export_wh: i64,
    /// How many of the hour's intervals have an export reading.
    pub export_readings: u32,
    /// Sum of the hour's import (`1.8.0`) readings, Wh.
    pub import_wh: i64,
    /// How many of the hour's intervals have an import reading.
    pub import_readings: u32,
    /// Every party the hour's readings are attributed to, sorted (one, unless the asset changed hands).
    pub owners: Vec<Party>,
    /// The lowest and highest meter counter among the hour's readings (`null` without readings): with the meter
    /// id and the hour, what an auditor needs to find the signed readings (`GetReading`).
    pub first_counter: Option<u64>,
    /// See `firstCounter`.
    pub last_counter: Option<u64>,
}

/// One hour of `MeteredHours`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct PartyHour {
    /// The hour's start, Unix seconds.
    pub hour_start: i64,
    /// Sum of the party's import readings of the hour, Wh.
    pub import_wh: i64,
    /// Sum of the party's export readings of the hour, Wh.
    pub export_wh: i64,
    /// How many readings the sums cover.
    pub readings: u32,
}

/// The interval starts of a meter of `len` seconds within `hours` hours from `start`.
fn interval_starts(start: i64, hours: i64, len: u32) -> impl Iterator<Item = i64> {
    let step = usize::try_from(len).unwrap_or(usize::MAX).max(1);
    (start..start.saturating_add(hours * HOUR)).step_by(step)
}

/// `MeterHour(meterId, hourStart)`: the metered asset's owner now, a grid operator, the owner's supplier, or a
/// certificate issuer (an issuing body, per the roles record); `hourStart` aligned to 3600. Sums the meter's
/// readings of that hour per register and says how many of its intervals have one.
pub fn meter_hour(
    ctx: &Context<'_>,
    (MeterId(meter_id), Int(hour)): (MeterId, IntervalStart),
) -> Result<MeterHour, ContractError> {
    require_aligned(hour, HOUR)?;
    let stub = ctx.stub();
    let meter = meter::require(stub, &meter_id)?;
    let asset = registry::get_asset(stub, &meter.asset_id)?;
    if let Some((roles, caller)) = caller_unless_owner(ctx, &asset.owner)?
        && !staff_for(&caller, &roles, &asset.owner)
        && !roles.issues_certificates(&caller.party.msp)
    {
        return Err(ContractError::Forbidden(format!(
            "MeterHour is for the asset's owner, a grid operator, the owner's supplier and a certificate issuer; \
             the caller is another party of {}",
            caller.party.msp
        )));
    }
    let mut answer = MeterHour {
        meter_id: meter.id.clone(),
        asset_id: meter.asset_id.clone(),
        hour_start: hour,
        interval_seconds: meter.interval_seconds,
        intervals: 3600 / meter.interval_seconds.max(1),
        export_wh: 0,
        export_readings: 0,
        import_wh: 0,
        import_readings: 0,
        owners: Vec::new(),
        first_counter: None,
        last_counter: None,
    };
    let mut owners = BTreeSet::new();
    for start in interval_starts(hour, 1, meter.interval_seconds) {
        let Some(record) = record::load(stub, &meter_id, start)? else { continue };
        for (register, recorded) in &record.registers {
            let (sum, count) = match register.as_str() {
                EXPORT => (&mut answer.export_wh, &mut answer.export_readings),
                IMPORT => (&mut answer.import_wh, &mut answer.import_readings),
                _ => continue,
            };
            *sum = add(*sum, recorded.wh)?;
            *count += 1;
            owners.extend(record.owner_of(register).cloned());
            answer.first_counter = Some(answer.first_counter.map_or(recorded.counter, |c| c.min(recorded.counter)));
            answer.last_counter = Some(answer.last_counter.map_or(recorded.counter, |c| c.max(recorded.counter)));
        }
    }
    answer.owners = owners.into_iter().collect();
    Ok(answer)
}

/// A `hours` argument: 1 to [`MAX_HOURS`].
pub type Hours = Int<1, MAX_HOURS>;

/// `MeteredHours(msp, id, hourStart, hours)`: the party, a grid operator or the party's supplier (as
/// `MeteredEnergy`); `hourStart` aligned to 3600. Per hour, the sums of the readings attributed to the party
/// whose interval starts in that hour, over every meter the party's readings were ever attributed to.
pub fn metered_hours(
    ctx: &Context<'_>,
    (msp, id, Int(hour), Int(hours)): (Msp, PartyId, IntervalStart, Hours),
) -> Result<Vec<PartyHour>, ContractError> {
    require_aligned(hour, HOUR)?;
    let party = Party { msp: msp.into_string(), id: id.into_string() };
    require_reader(ctx, "MeteredHours", &party)?;
    let stub = ctx.stub();
    let mut out: Vec<PartyHour> =
        (0..hours).map(|h| PartyHour { hour_start: hour + h * HOUR, ..PartyHour::default() }).collect();
    let mut meter_ids = Vec::new();
    for kv in stub.get_state_by_partial_composite_key(keys::METER_BY_OWNER, &[&party.msp, &party.id])? {
        meter_ids.extend(last_part(stub, &kv?.key)?);
    }
    for meter_id in &meter_ids {
        let meter = meter::require(stub, meter_id)?;
        for start in interval_starts(hour, hours, meter.interval_seconds) {
            let Some(record) = record::load(stub, meter_id, start)? else { continue };
            let Some(slot) = usize::try_from((start - hour) / HOUR).ok().and_then(|i| out.get_mut(i)) else {
                continue;
            };
            for (register, recorded) in &record.registers {
                if record.owner_of(register) != Some(&party) {
                    continue;
                }
                let sum = match register.as_str() {
                    IMPORT => &mut slot.import_wh,
                    EXPORT => &mut slot.export_wh,
                    _ => continue,
                };
                *sum = add(*sum, recorded.wh)?;
                slot.readings += 1;
            }
        }
    }
    Ok(out)
}
