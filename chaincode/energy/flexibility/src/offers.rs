//! Offers: `SubmitOffer`, `SubmitSchedule`, `Offers`.

use std::collections::BTreeSet;

use gridledger_contract::{Context, Json, Text, quote};
use gridledger_energy_common::bounds::MAX_ID_LEN;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::roles;

use crate::calls;
use crate::error::{FlexError, Result};
use crate::model::{Backing, Baseline, Offer, OfferSpec, Request, RequestStatus};
use crate::requests::{self, MAX_PRICE_PER_KWH, MAX_WH, RequestId};
use crate::store::{self, keys};

/// The most meters one offer names.
pub const MAX_METERS: usize = 1000;
/// The longest meter id (metering's bound).
pub const MAX_METER_ID_LEN: usize = 128;
/// The longest `SubmitOffer` document, bytes: 1000 meter ids of up to 128 bytes, quoted, and a schedule.
pub const MAX_OFFER_BYTES: usize = 160 * 1024;
/// The longest `SubmitSchedule` document, bytes: 96 integers of up to 14 characters.
pub const MAX_SCHEDULE_BYTES: usize = 2048;

/// A VPP id argument.
pub type VppId = Text<MAX_ID_LEN>;

/// `SubmitOffer(requestId, offer)`: the VPP's aggregator (registry `GetVpp`), before gate closure, for an open
/// request. Every meter must measure an active member asset of the VPP behind one of the request's connection
/// points, with an interval length dividing the request's; the offered Wh are at most what those assets'
/// nameplates allow in one interval. A VPP has one offer per request: a new one replaces it (and its time).
pub fn submit(
    ctx: &Context<'_>,
    (Text(request_id), Json(spec)): (RequestId, Json<OfferSpec, MAX_OFFER_BYTES>),
) -> Result<Offer> {
    let request = requests::load(ctx, &request_id)?;
    let now = store::now(ctx)?;
    validate(&request, &spec)?;
    let vpp = calls::get_vpp(ctx, &spec.vpp_id)?;
    let caller = Party::of(ctx)?;
    if caller != vpp.aggregator {
        return Err(FlexError::Forbidden(format!(
            "SubmitOffer for VPP {} is for its aggregator; the caller is another party of {}",
            vpp.id, caller.msp
        )));
    }
    require_open(&request, now)?;
    let mut backing = Vec::with_capacity(spec.meters.len());
    let mut assets = BTreeSet::new();
    let mut cap_w: i64 = 0;
    for meter_id in &spec.meters {
        let meter = calls::get_meter(ctx, meter_id)?;
        let asset = calls::get_asset(ctx, &meter.asset_id)?;
        let why = |m: String| FlexError::BadRequest(format!("meter {}: {m}", quote(meter_id)));
        if !vpp.members.contains(&asset.id) {
            return Err(why(format!("asset {} is not a member of VPP {}", asset.id, vpp.id)));
        }
        if meter.status != "active" || asset.status != "active" {
            return Err(FlexError::Conflict(format!(
                "meter {}: the meter is {} and asset {} is {}; both must be active",
                quote(meter_id),
                meter.status,
                asset.id,
                asset.status
            )));
        }
        if !request.spec.connection_points.iter().any(|p| roles::matches(p, &asset.connection_point)) {
            return Err(why(format!(
                "asset {} connects at {}, not at a connection point of the request",
                asset.id, asset.connection_point
            )));
        }
        if meter.interval_seconds == 0 || request.spec.interval_seconds % meter.interval_seconds != 0 {
            return Err(why(format!(
                "its {} s interval does not divide the request's {} s",
                meter.interval_seconds, request.spec.interval_seconds
            )));
        }
        if assets.insert(asset.id.clone()) {
            cap_w = cap_w.saturating_add(asset.nameplate_w.max(0));
        }
        backing.push(Backing {
            meter_id: meter.id,
            asset_id: asset.id,
            owner: asset.owner,
            connection_point: asset.connection_point,
            nameplate_w: asset.nameplate_w,
            registers: meter.registers,
            interval_seconds: meter.interval_seconds,
        });
    }
    backing.sort();
    let cap_wh =
        i64::try_from(i128::from(cap_w) * i128::from(request.spec.interval_seconds) / 3600).unwrap_or(i64::MAX);
    if spec.wh > cap_wh {
        return Err(FlexError::BadRequest(format!(
            "{} Wh per interval is more than the members' nameplates allow in {} s ({cap_wh} Wh from {cap_w} W)",
            spec.wh, request.spec.interval_seconds
        )));
    }
    let offer = Offer {
        request_id: request.id.clone(),
        vpp_id: vpp.id,
        aggregator: caller,
        wh: spec.wh,
        price_per_kwh: spec.price_per_kwh,
        cap_wh,
        backing,
        schedule: spec.schedule,
        placed_at: now,
    };
    store::put_json(ctx, &keys::offer(ctx, &request.id, &offer.vpp_id)?, &offer)?;
    Ok(offer)
}

/// `SubmitSchedule(requestId, vppId, schedule)`: the offer's aggregator, before gate closure, for a request with
/// a schedule baseline: the VPP's planned net export (export - import) of the offer's meters per interval, Wh.
pub fn submit_schedule(
    ctx: &Context<'_>,
    (Text(request_id), Text(vpp_id), Json(schedule)): (RequestId, VppId, Json<Vec<i64>, MAX_SCHEDULE_BYTES>),
) -> Result<Offer> {
    let request = requests::load(ctx, &request_id)?;
    if request.spec.baseline != Baseline::Schedule {
        return Err(FlexError::BadRequest(format!("request {request_id} does not use a schedule baseline")));
    }
    validate_schedule(&request, &schedule)?;
    let key = keys::offer(ctx, &request_id, &vpp_id)?;
    let mut offer: Offer = store::get_json(ctx, &key, "offer")?
        .ok_or_else(|| FlexError::NotFound(format!("no offer of VPP {} for request {request_id}", quote(&vpp_id))))?;
    let caller = Party::of(ctx)?;
    if caller != offer.aggregator {
        return Err(FlexError::Forbidden(format!(
            "SubmitSchedule is for the aggregator who made the offer; the caller is another party of {}",
            caller.msp
        )));
    }
    require_open(&request, store::now(ctx)?)?;
    offer.schedule = Some(schedule);
    store::put_json(ctx, &key, &offer)?;
    Ok(offer)
}

/// `Offers(requestId)`: anyone; the request's offers in VPP id order.
pub fn offers(ctx: &Context<'_>, Text(request_id): RequestId) -> Result<Vec<Offer>> {
    load_all(ctx, &request_id)
}

/// Every offer of a request, in VPP id order (one range read).
pub fn load_all(ctx: &Context<'_>, request_id: &str) -> Result<Vec<Offer>> {
    let mut out = Vec::new();
    for kv in ctx.get_state_by_partial_composite_key(keys::OFFER, &[request_id])? {
        out.push(store::decode(&kv?.value, "offer")?);
    }
    Ok(out)
}

fn require_open(request: &Request, now: crate::model::Timestamp) -> Result<()> {
    requests::require_gate_open(request, now)?;
    if request.status != RequestStatus::Open {
        return Err(FlexError::Conflict(format!("request {} is {:?}, not open", request.id, request.status)));
    }
    Ok(())
}

fn validate(request: &Request, spec: &OfferSpec) -> Result<()> {
    let bad = |m: String| Err(FlexError::BadRequest(m));
    if spec.vpp_id.is_empty() || spec.vpp_id.chars().count() > MAX_ID_LEN {
        return bad(format!("vppId must be 1 to {MAX_ID_LEN} characters, got {}", quote(&spec.vpp_id)));
    }
    if !(1..=MAX_WH).contains(&spec.wh) {
        return bad(format!("wh must be 1 to {MAX_WH}, got {}", spec.wh));
    }
    if !(0..=MAX_PRICE_PER_KWH).contains(&spec.price_per_kwh) {
        return bad(format!("pricePerKwh must be 0 to {MAX_PRICE_PER_KWH}, got {}", spec.price_per_kwh));
    }
    if spec.price_per_kwh > request.spec.price_cap_per_kwh {
        return bad(format!(
            "pricePerKwh {} is above the request's cap {}",
            spec.price_per_kwh, request.spec.price_cap_per_kwh
        ));
    }
    let n = spec.meters.len();
    if n == 0 || n > MAX_METERS {
        return bad(format!("meters needs 1 to {MAX_METERS} entries, got {n}"));
    }
    let mut seen = BTreeSet::new();
    for m in &spec.meters {
        if m.is_empty() || m.len() > MAX_METER_ID_LEN || m.chars().any(char::is_control) {
            return bad(format!("meter id {} must be 1 to {MAX_METER_ID_LEN} bytes", quote(m)));
        }
        if !seen.insert(m.as_str()) {
            return bad(format!("meter {} is listed twice", quote(m)));
        }
    }
    match (&spec.schedule, request.spec.baseline) {
        (Some(s), Baseline::Schedule) => validate_schedule(request, s),
        (Some(_), _) => bad("a schedule is only for requests with a schedule baseline".into()),
        (None, _) => Ok(()),
    }
}

fn validate_schedule(request: &Request, schedule: &[i64]) -> Result<()> {
    if schedule.len() != request.spec.intervals as usize {
        return Err(FlexError::BadRequest(format!(
            "the schedule needs one value per interval ({}), got {}",
            request.spec.intervals,
            schedule.len()
        )));
    }
    if let Some(v) = schedule.iter().find(|v| !(-MAX_WH..=MAX_WH).contains(*v)) {
        return Err(FlexError::BadRequest(format!("schedule values must be -{MAX_WH} to {MAX_WH}, got {v}")));
    }
    Ok(())
}
