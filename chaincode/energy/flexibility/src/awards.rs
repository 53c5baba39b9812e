//! `Award` and `GetAward`: the ledger side of [`crate::merit`].

use gridledger_contract::{Context, Text};
use gridledger_energy_common::caller::Caller;
use gridledger_energy_common::roles;

use crate::error::{FlexError, Result};
use crate::merit::{self, Candidate};
use crate::model::{Award, Awarded, Baseline, RequestStatus};
use crate::offers;
use crate::requests::{self, RequestId};
use crate::store::{self, keys};

/// The event `Award` emits, with the award.
pub const AWARDED: &str = "FlexibilityAwarded";

/// `Award(requestId)`: the grid operator of the request's connection points, at or after gate closure and before
/// the first interval starts; once. Offers are awarded in merit order up to the requested Wh (pay-as-bid); for a
/// schedule baseline, offers without a schedule are skipped (no baseline, no award).
pub fn award(ctx: &Context<'_>, Text(request_id): RequestId) -> Result<Award> {
    let mut request = requests::load(ctx, &request_id)?;
    let roles = roles::from_registry(ctx.stub())?;
    requests::require_operator(&Caller::of(ctx, &roles)?, &roles, "Award", &request.spec)?;
    let now = store::now(ctx)?;
    if now.seconds < request.spec.gate_closure {
        return Err(FlexError::Conflict(format!(
            "the gate of request {request_id} closes at {} (Unix s); it cannot be awarded at {}",
            request.spec.gate_closure, now.seconds
        )));
    }
    if now.seconds >= request.spec.interval_start {
        return Err(FlexError::Conflict(format!(
            "delivery of request {request_id} started at {}; an award must come before it (now {})",
            request.spec.interval_start, now.seconds
        )));
    }
    match request.status {
        RequestStatus::Open => {}
        RequestStatus::Awarded => return Err(FlexError::Conflict(format!("request {request_id} is already awarded"))),
        RequestStatus::Cancelled => return Err(FlexError::Conflict(format!("request {request_id} is cancelled"))),
    }
    let needs_schedule = request.spec.baseline == Baseline::Schedule;
    let mut skipped = Vec::new();
    let mut candidates = Vec::new();
    for offer in offers::load_all(ctx, &request_id)? {
        if needs_schedule && offer.schedule.is_none() {
            skipped.push(format!("{}: no schedule", offer.vpp_id));
            continue;
        }
        candidates.push(Candidate {
            vpp_id: offer.vpp_id,
            wh: offer.wh,
            price_per_kwh: offer.price_per_kwh,
            placed_at: offer.placed_at,
        });
    }
    let mut awards = Vec::new();
    let mut awarded_wh = 0i64;
    for (vpp_id, wh, price_per_kwh) in merit::award(&candidates, request.spec.wh) {
        if wh == 0 {
            skipped.push(format!("{vpp_id}: nothing left to award"));
            continue;
        }
        awarded_wh += wh;
        awards.push(Awarded { vpp_id, wh, price_per_kwh });
    }
    let record = Award { request_id: request_id.clone(), awards, awarded_wh, skipped, awarded_at: now };
    request.status = RequestStatus::Awarded;
    store::put_json(ctx, &keys::request(ctx, &request_id)?, &request)?;
    store::put_json(ctx, &keys::award(ctx, &request_id)?, &record)?;
    store::set_event(ctx, AWARDED, &record)?;
    Ok(record)
}

/// `GetAward(requestId)`: anyone (404 before the award).
pub fn get(ctx: &Context<'_>, Text(request_id): RequestId) -> Result<Award> {
    load(ctx, &request_id)
}

/// The stored award (404 when absent).
pub fn load(ctx: &Context<'_>, request_id: &str) -> Result<Award> {
    store::get_json(ctx, &keys::award(ctx, request_id)?, "award")?.ok_or_else(|| {
        FlexError::NotFound(format!("request {} is not awarded", gridledger_contract::quote(request_id)))
    })
}
