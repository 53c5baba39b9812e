//! `SubmitReadings`: every reading of a batch is checked before anything is written; one bad reading rejects the
//! batch with an error naming its 0-based position, meter, interval and register.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::rc::Rc;

use gridledger_contract::{Context, ContractError, Object, Text, quote};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::caller::{Caller, Role};
use gridledger_energy_common::index::INDEX_VALUE;
use gridledger_energy_common::interval::is_aligned;
use gridledger_energy_common::roles;
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};

use crate::keys::{self, READINGS_COLLECTION};
use crate::meter::{self, Meter, MeterStatus};
use crate::reading::{MeterKey, Reading};
use crate::record::{self, IntervalRecord};
use crate::registry::{self, Asset, AssetRules as _};
use crate::verify::{self, Job};

/// The most readings one transaction takes.
pub const MAX_BATCH: usize = 2000;
/// The transient-map key a batch may travel under instead of the argument (keeps it out of the block).
pub const TRANSIENT_KEY: &str = "readings";
/// The longest batch, bytes, as the argument or in the transient map: 2000 readings of up to about 400 bytes
/// (a 128-byte meter id and a 96-character signature), with room to spare.
pub const MAX_BATCH_BYTES: usize = 1 << 20;
/// The longest register name a reading may carry (the OBIS codes are 5 characters).
pub const MAX_REGISTER_LEN: usize = 16;

/// What `SubmitReadings` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[object(name = "SubmitReceipt")]
pub struct Receipt {
    /// Readings recorded.
    pub accepted: u64,
    /// Distinct meters among them.
    pub meters: u64,
}

/// `SubmitReadings(batch)`: role `gateway` of any org. `batch` is a JSON array of readings, or empty with the
/// array in the transient map under [`TRANSIENT_KEY`].
pub fn submit(ctx: &Context<'_>, Text(batch): Text<MAX_BATCH_BYTES>) -> Result<Receipt, ContractError> {
    // The roles record names the attribute that carries the gateway role.
    let roles = roles::from_registry(ctx.stub())?;
    Caller::of(ctx, &roles)?.require("SubmitReadings", &[(None, Role::Gateway)])?;
    let readings = parse(ctx.stub(), &batch)?;
    let now = ctx.tx_timestamp()?.seconds;
    let mut checks = Batch::new(ctx.stub(), now);
    // Every meter first (cheap ledger reads), then every signature at once (on every core), then the checks in
    // order, so the error names the first bad reading exactly as a one-by-one pass would.
    checks.load_meters(&readings);
    let verified = verify::verify_all(&readings, &checks.jobs(&readings));
    for (i, reading) in readings.iter().enumerate() {
        checks.admit(i, reading, verified[i]).map_err(|e| at(e, i, reading))?;
    }
    checks.write(&readings)
}

fn parse(stub: &dyn ChaincodeStub, arg: &str) -> Result<Vec<Reading>, ContractError> {
    let transient = stub.transient().get(TRANSIENT_KEY);
    let raw = match (arg.is_empty(), transient) {
        (false, None) => arg.as_bytes(),
        (true, Some(raw)) => raw.as_slice(),
        (false, Some(_)) => {
            return Err(ContractError::BadRequest(format!(
                "pass the batch as the argument or in the transient map under {TRANSIENT_KEY:?}, not both"
            )));
        }
        (true, None) => {
            return Err(ContractError::BadRequest(format!(
                "no batch: pass a JSON array of readings as the argument or in the transient map under \
                 {TRANSIENT_KEY:?}"
            )));
        }
    };
    // The argument's characters were bounded on entry; this bounds its bytes, and the transient map's.
    if raw.len() > MAX_BATCH_BYTES {
        return Err(ContractError::BadRequest(format!(
            "the batch has {} bytes; at most {MAX_BATCH_BYTES} per transaction",
            raw.len()
        )));
    }
    let readings: Vec<Reading> = serde_json::from_slice(raw).map_err(|e| {
        let message = e.to_string();
        let detail = gridledger_contract::clip(&message, gridledger_contract::args::MAX_DETAIL_BYTES);
        ContractError::BadRequest(format!("the batch is not a JSON array of readings: {detail}"))
    })?;
    match readings.len() {
        0 => return Err(ContractError::BadRequest("the batch has no readings".into())),
        n if n > MAX_BATCH => {
            return Err(ContractError::BadRequest(format!(
                "the batch has {n} readings; at most {MAX_BATCH} per transaction"
            )));
        }
        _ => {}
    }
    // Ids and registers are bounded before any of them becomes a key: no ledger read for an oversized one.
    for (i, r) in readings.iter().enumerate() {
        meter::check_id("meterId", &r.meter_id).map_err(|e| at(e, i, r))?;
        if r.register.len() > MAX_REGISTER_LEN {
            let e = ContractError::BadRequest(format!("register must be at most {MAX_REGISTER_LEN} bytes"));
            return Err(at(e, i, r));
        }
    }
    Ok(readings)
}

/// Prefixes an error with the reading it is about.
fn at(e: ContractError, i: usize, r: &Reading) -> ContractError {
    e.context(format_args!(
        "reading {i} (meter {}, interval {}, {})",
        meter::shown(&r.meter_id),
        r.interval_start,
        meter::shown(&r.register)
    ))
}

/// What a transaction knows about one meter of the batch: loaded once, with its parsed key and its asset.
struct MeterState {
    meter: Meter,
    key: MeterKey,
    asset: Rc<Asset>,
    stored: Option<u64>,
    last: Option<u64>,
}

/// One meter's interval touched by the batch: its private key, what was recorded before, and the batch's
/// readings of it by register (position in the batch).
struct Slot<'a> {
    key: String,
    stored: Option<IntervalRecord>,
    added: BTreeMap<&'a str, usize>,
}

/// The checks of one batch, with per-transaction caches.
struct Batch<'a> {
    stub: &'a dyn ChaincodeStub,
    now: i64,
    /// Each meter of the batch as loaded, or why it could not be (reported at its first reading).
    meters: BTreeMap<&'a str, Result<MeterState, ContractError>>,
    assets: BTreeMap<String, Rc<Asset>>,
    /// (meter, interval) -> the record the admitted readings go to.
    slots: BTreeMap<(&'a str, i64), Slot<'a>>,
}

impl<'a> Batch<'a> {
    fn new(stub: &'a dyn ChaincodeStub, now: i64) -> Self {
        Self { stub, now, meters: BTreeMap::new(), assets: BTreeMap::new(), slots: BTreeMap::new() }
    }

    /// Loads each meter of the batch once, with its key, stored counter and asset.
    fn load_meters(&mut self, readings: &'a [Reading]) {
        for r in readings {
            if let Entry::Vacant(e) = self.meters.entry(&r.meter_id) {
                e.insert(load_meter(self.stub, &mut self.assets, &r.meter_id));
            }
        }
    }

    /// What each reading's signature is checked against.
    fn jobs(&self, readings: &[Reading]) -> Vec<Job<'_>> {
        readings
            .iter()
            .map(|r| match self.meters.get(r.meter_id.as_str()) {
                Some(Ok(m)) => Some((&m.key, m.meter.interval_seconds)),
                _ => None,
            })
            .collect()
    }

    /// Checks reading `i` (`verified`: whether its signature verifies); on success it is remembered for the
    /// duplicate and counter checks of later ones.
    fn admit(&mut self, i: usize, r: &'a Reading, verified: bool) -> Result<(), ContractError> {
        let stub = self.stub;
        let m = match self.meters.get_mut(r.meter_id.as_str()) {
            Some(Ok(m)) => m,
            _ => {
                return Err(match self.meters.remove(r.meter_id.as_str()) {
                    Some(Err(e)) => e,
                    _ => ContractError::Internal(format!("meter {} was not loaded", r.meter_id)),
                });
            }
        };
        if !m.meter.reports(&r.register) {
            return Err(ContractError::BadRequest(format!(
                "meter {} does not report register {} (it reports {})",
                r.meter_id,
                quote(&r.register),
                m.meter.registers.join(", ")
            )));
        }
        let len = m.meter.interval_seconds;
        if !is_aligned(r.interval_start, i64::from(len)) {
            return Err(ContractError::BadRequest(format!("interval start is not aligned to the meter's {len} s")));
        }
        if r.interval_start.checked_add(i64::from(len)).is_none_or(|end| end > self.now) {
            return Err(ContractError::BadRequest(format!(
                "the interval has not ended by the transaction time {}",
                self.now
            )));
        }
        if r.wh < 0 {
            return Err(ContractError::BadRequest(format!("wh must not be negative, got {}", r.wh)));
        }
        if let Some(max) = m.asset.max_wh(&r.register, len).filter(|max| i128::from(r.wh) > *max) {
            let flow = if r.register == meter::IMPORT { "draw" } else { "deliver" };
            return Err(ContractError::BadRequest(format!(
                "{} Wh is more than {} asset {} can {flow} in {len} s at {} W ({max} Wh)",
                r.wh, m.asset.kind, m.asset.id, m.asset.nameplate_w
            )));
        }
        if !verified {
            return Err(ContractError::BadRequest("signature does not verify".into()));
        }
        let slot = match self.slots.entry((&r.meter_id, r.interval_start)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(open_slot(stub, &r.meter_id, r.interval_start)?),
        };
        if let Some(first) = slot.added.get(r.register.as_str()) {
            return Err(ContractError::Conflict(format!("duplicates reading {first} of this batch")));
        }
        if slot.stored.as_ref().is_some_and(|s| s.registers.contains_key(&r.register)) {
            return Err(ContractError::Conflict("already recorded (replay)".into()));
        }
        if let Some(last) = m.last.filter(|last| r.counter <= *last) {
            let whose = if m.last == m.stored { "the meter's last recorded counter" } else { "an earlier reading's" };
            return Err(ContractError::Conflict(format!("counter {} is not above {whose} {last}", r.counter)));
        }
        m.last = Some(r.counter);
        slot.added.insert(&r.register, i);
        Ok(())
    }

    /// Writes the admitted readings: one private record per meter and interval (merged with what an earlier batch
    /// recorded there), each reading attributed to the asset's owner now; this batch's public per-connection-point
    /// sums; last counters; and a meter's new owner after a transfer.
    ///
    /// The public sums are keyed by transaction, not by meter: a per-meter key would publish every meter's load
    /// profile and undo the private collection, and one shared key per connection point would make concurrent
    /// batches conflict.
    fn write(self, readings: &[Reading]) -> Result<Receipt, ContractError> {
        let stub = self.stub;
        let mut sums: BTreeMap<(&str, i64, &str, u32), BatchTotal> = BTreeMap::new();
        for ((meter_id, start), slot) in self.slots {
            let Some(Ok(m)) = self.meters.get(meter_id) else {
                return Err(ContractError::Internal(format!("meter {meter_id} was not loaded")));
            };
            let len = m.meter.interval_seconds;
            let mut record = slot.stored.unwrap_or_else(|| IntervalRecord::new(meter_id, start, len, &m.asset.owner));
            for &i in slot.added.values() {
                let r = &readings[i];
                record.insert(r, &m.asset.owner);
                let sum = sums.entry((m.asset.connection_point.as_str(), start, r.register.as_str(), len)).or_default();
                sum.wh = add(sum.wh, r.wh)?;
                sum.readings += 1;
            }
            stub.put_private_data(READINGS_COLLECTION, &slot.key, &serde_json::to_vec(&record)?)?;
        }
        for ((cp, interval_start, register, len), sum) in sums {
            let total = keys::total(stub, cp, interval_start, register, stub.tx_id(), len)?;
            stub.put_state(&total, &serde_json::to_vec(&sum)?)?;
        }
        for (id, m) in &self.meters {
            let Ok(m) = m else {
                return Err(ContractError::Internal(format!("meter {id} was not loaded")));
            };
            if let Some(last) = m.last.filter(|_| m.last != m.stored) {
                stub.put_state(&keys::counter(stub, id)?, last.to_string().as_bytes())?;
            }
            if m.asset.owner != m.meter.owner {
                // The asset changed hands since the meter last saw it: the meter follows (once; later batches see
                // the new owner), and the index keeps the old owner's entry for the intervals it owned.
                let meter = Meter { owner: m.asset.owner.clone(), ..m.meter.clone() };
                stub.put_state(&keys::meter(stub, id)?, &serde_json::to_vec(&meter)?)?;
                stub.put_state(&keys::meter_by_owner(stub, &meter.owner, id)?, INDEX_VALUE)?;
            }
        }
        Ok(Receipt { accepted: readings.len() as u64, meters: self.meters.len() as u64 })
    }
}

/// Opens the record of a meter's interval. The private-data hash, which every peer of the channel has, says
/// whether anything was recorded; only then is the record itself read (to merge into it).
fn open_slot<'a>(stub: &dyn ChaincodeStub, meter_id: &str, start: i64) -> Result<Slot<'a>, ContractError> {
    let key = keys::reading(stub, meter_id, start)?;
    let stored = match stub.get_private_data_hash(READINGS_COLLECTION, &key)? {
        None => None,
        Some(_) => Some(record::load(stub, meter_id, start)?.ok_or_else(|| {
            ContractError::Internal(format!(
                "this peer has the hash of meter {meter_id}'s readings for interval {start} but not the readings \
                 (private data not yet disseminated); endorse on another collection member or retry"
            ))
        })?),
    };
    Ok(Slot { key, stored, added: BTreeMap::new() })
}

fn load_meter(
    stub: &dyn ChaincodeStub,
    assets: &mut BTreeMap<String, Rc<Asset>>,
    id: &str,
) -> Result<MeterState, ContractError> {
    let meter = meter::require(stub, id)?;
    if meter.status != MeterStatus::Active {
        return Err(ContractError::Conflict(format!("meter {id} is inactive")));
    }
    let key = MeterKey::from_base64_unchecked(&meter.public_key)
        .map_err(|e| ContractError::Internal(format!("stored meter {id}: {e}")))?;
    let stored = match stub.get_state(&keys::counter(stub, id)?)? {
        None => None,
        Some(text) => Some(
            std::str::from_utf8(&text)
                .ok()
                .and_then(|t| t.parse::<u64>().ok())
                .ok_or_else(|| ContractError::Internal(format!("stored counter of meter {id} is unreadable")))?,
        ),
    };
    let asset = match assets.get(&meter.asset_id) {
        Some(asset) => Rc::clone(asset),
        None => {
            let asset = Rc::new(registry::get_asset(stub, &meter.asset_id)?);
            assets.insert(meter.asset_id.clone(), Rc::clone(&asset));
            asset
        }
    };
    if !asset.accepts_readings() {
        return Err(ContractError::Conflict(format!(
            "asset {} of meter {id} is {}: its readings are refused",
            asset.id, asset.status
        )));
    }
    Ok(MeterState { meter, key, asset, stored, last: stored })
}

/// One batch's sum for a connection point, interval, register and interval length (public state).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct BatchTotal {
    /// Sum of the readings, Wh.
    pub(crate) wh: i64,
    /// How many readings were summed.
    pub(crate) readings: u64,
}
