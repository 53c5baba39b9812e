//! Reads: `IntervalTotals` (public), `MeteredEnergy` and `GetReading` (private readings).

use gridledger_contract::{Context, ContractError, Int, Object, Schema, Text};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::bounds::{IntervalStart, MAX_ID_LEN, Msp, PartyId};
use gridledger_energy_common::caller::{Caller, OrgKind, Party};
use gridledger_energy_common::index::{interval_key, last_part};
use gridledger_energy_common::interval::{ALLOWED_LENGTHS, require_aligned};
use gridledger_energy_common::roles::{self, MarketRoles};
use serde::{Deserialize, Serialize};

use crate::ingest::BatchTotal;
use crate::ingest::MAX_REGISTER_LEN;
use crate::keys;
use crate::meter::{self, EXPORT, IMPORT, MeterId, shown};
use crate::reading::Reading;
use crate::{record, registry};

/// The shortest interval length: every interval start of any allowed length is aligned to it.
const SHORTEST: i64 = ALLOWED_LENGTHS[0] as i64;

/// What `IntervalTotals` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
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
    /// The interval length of the meters these readings come from; `null` when there are none.
    #[object(schema = Schema::integer("uint32", 60, 3600))]
    pub interval_seconds: Option<u32>,
}

/// What `MeteredEnergy` answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct MeteredEnergy {
    /// Sum of `1.8.0` readings, Wh.
    pub import_wh: i64,
    /// Sum of `2.8.0` readings, Wh.
    pub export_wh: i64,
    /// The interval length of the meters these readings come from; `null` when there are none.
    #[object(schema = Schema::integer("uint32", 60, 3600))]
    pub interval_seconds: Option<u32>,
}

/// Folds one more reading's interval length into `seen`; 409 when they differ (sums of readings of different
/// lengths that merely start at the same second mean nothing).
fn same_length(seen: &mut Option<u32>, len: u32, what: &str) -> Result<(), ContractError> {
    match *seen {
        Some(first) if first != len => Err(ContractError::Conflict(format!(
            "{what} has readings of {first} s and of {len} s intervals starting at this second; they cannot be summed"
        ))),
        _ => {
            *seen = Some(len);
            Ok(())
        }
    }
}

/// `IntervalTotals(connectionPoint, intervalStart)`: anyone; sums the public per-batch totals of the readings
/// whose interval starts at `intervalStart` (aligned to 60 s; the answer says the meters' interval length).
pub fn interval_totals(
    ctx: &Context<'_>,
    (Text(cp), Int(start)): (Text<MAX_ID_LEN>, IntervalStart),
) -> Result<IntervalTotals, ContractError> {
    require_aligned(start, SHORTEST)?;
    let stub = ctx.stub();
    let mut totals = IntervalTotals {
        connection_point: cp,
        interval_start: start,
        import_wh: 0,
        export_wh: 0,
        readings: 0,
        interval_seconds: None,
    };
    let what = format!("connection point {}", totals.connection_point);
    let records =
        stub.get_state_by_partial_composite_key(keys::TOTAL, &[&totals.connection_point, &interval_key(start)])?;
    for kv in records {
        let kv = kv?;
        let (_, parts) = stub.split_composite_key(&kv.key)?;
        let sum = serde_json::from_slice::<BatchTotal>(&kv.value).ok();
        let (Some(sum), [_, _, register, _, len]) = (sum, parts.as_slice()) else {
            return Err(ContractError::Internal(format!("unreadable total {:?}", kv.key)));
        };
        let len = len.parse().map_err(|_| ContractError::Internal(format!("unreadable total {:?}", kv.key)))?;
        same_length(&mut totals.interval_seconds, len, &what)?;
        match register.as_str() {
            IMPORT => totals.import_wh = add(totals.import_wh, sum.wh)?,
            EXPORT => totals.export_wh = add(totals.export_wh, sum.wh)?,
            _ => {}
        }
        totals.readings += sum.readings;
    }
    Ok(totals)
}

/// Refuses (403) anyone but `owner` itself, a grid operator (any: a party's energy spans connection points) and
/// a supplier of `owner`'s org (per the roles record). The owner needs no roles record.
pub(crate) fn require_reader(ctx: &Context<'_>, what: &str, owner: &Party) -> Result<(), ContractError> {
    let Some((roles, caller)) = caller_unless_owner(ctx, owner)? else { return Ok(()) };
    if staff_for(&caller, &roles, owner) {
        return Ok(());
    }
    Err(ContractError::Forbidden(format!(
        "{what} is for the owner, a grid operator and the owner's supplier; the caller is another party of {}",
        caller.party.msp
    )))
}

/// The roles record and the caller, unless the caller is `owner` (`None`: the owner may read its own): where every
/// read check of someone else's readings starts.
pub(crate) fn caller_unless_owner(
    ctx: &Context<'_>,
    owner: &Party,
) -> Result<Option<(MarketRoles, Caller)>, ContractError> {
    if Party::of(ctx)? == *owner {
        return Ok(None);
    }
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    Ok(Some((roles, caller)))
}

/// Whether `caller` reads `owner`'s readings as market staff: a grid operator, or a supplier of `owner`'s org.
pub(crate) fn staff_for(caller: &Caller, roles: &MarketRoles, owner: &Party) -> bool {
    caller.has(OrgKind::Grid) || roles.supplies(&caller.party.msp, &owner.msp)
}

/// `MeteredEnergy(msp, id, intervalStart)`: the party, a grid operator or the party's supplier; sums the readings of the interval
/// starting at `intervalStart` (aligned to 60 s) that were attributed to the party: those of meters whose asset
/// the party owned when the reading was recorded. The answer says the meters' interval length (409 if the
/// party's readings starting there have different lengths).
pub fn metered_energy(
    ctx: &Context<'_>,
    (msp, id, Int(start)): (Msp, PartyId, IntervalStart),
) -> Result<MeteredEnergy, ContractError> {
    require_aligned(start, SHORTEST)?;
    let party = Party { msp: msp.into_string(), id: id.into_string() };
    require_reader(ctx, "MeteredEnergy", &party)?;
    let stub = ctx.stub();
    // Every meter whose readings were ever attributed to the party (a public range query), then point reads of the
    // private attributions: Fabric refuses writes after a private range query, and `Settle` calls this and writes.
    let mut meter_ids = Vec::new();
    for kv in stub.get_state_by_partial_composite_key(keys::METER_BY_OWNER, &[&party.msp, &party.id])? {
        meter_ids.extend(last_part(stub, &kv?.key)?);
    }
    let mut energy = MeteredEnergy::default();
    let what = format!("party {}", party.account());
    for meter_id in &meter_ids {
        let Some(record) = record::load(stub, meter_id, start)? else { continue };
        for (register, recorded) in &record.registers {
            if record.owner_of(register) != Some(&party) {
                continue;
            }
            same_length(&mut energy.interval_seconds, record.interval_seconds, &what)?;
            let sum = match register.as_str() {
                IMPORT => &mut energy.import_wh,
                EXPORT => &mut energy.export_wh,
                _ => continue,
            };
            *sum = add(*sum, recorded.wh)?;
        }
    }
    Ok(energy)
}

/// `GetReading(meterId, intervalStart, register)`: the metered asset's owner now (registry), a grid operator or
/// the owner's supplier; `intervalStart` aligned to the meter's interval.
pub fn get_reading(
    ctx: &Context<'_>,
    (MeterId(meter_id), Int(start), Text(register)): (MeterId, IntervalStart, Text<MAX_REGISTER_LEN>),
) -> Result<Reading, ContractError> {
    let meter = meter::require(ctx.stub(), &meter_id)?;
    require_aligned(start, i64::from(meter.interval_seconds))?;
    let asset = registry::get_asset(ctx.stub(), &meter.asset_id)?;
    require_reader(ctx, "GetReading", &asset.owner)?;
    record::load(ctx.stub(), &meter_id, start)?.and_then(|record| record.reading(&register)).ok_or_else(|| {
        ContractError::NotFound(format!(
            "no reading of meter {meter_id} for interval {start}, register {}",
            shown(&register)
        ))
    })
}
