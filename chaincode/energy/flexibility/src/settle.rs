//! `Settle`, `Deliveries` and `GetSettlement`: delivery against the baseline, payment and penalty, and the
//! postings to trade's balances (see [`crate::payout`]).

use gridledger_contract::{Context, Object, Text, quote};
use gridledger_energy_common::caller::Caller;
use gridledger_energy_common::roles;
use serde::{Deserialize, Serialize};

use crate::error::{FlexError, Result};
use crate::model::{Awarded, Direction, Offer, Request, Timestamp};
use crate::offers::VppId;
use crate::payout::{self, IntervalOutcome, MemberShare, Posting, Terms};
use crate::requests::{self, RequestId};
use crate::store::{self, keys};
use crate::{awards, calls, delivery};

/// The event `Settle` emits, with the settlement.
pub const SETTLED: &str = "FlexibilitySettled";

/// The settlement of one awarded offer, `settlement [requestId, vppId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexSettlement")]
pub struct Settlement {
    /// The request.
    pub request_id: String,
    /// The VPP.
    pub vpp_id: String,
    /// Up or down.
    pub direction: Direction,
    /// The award's price (pay-as-bid), minor units per kWh.
    pub price_per_kwh: i64,
    /// Per interval, in time order.
    pub intervals: Vec<IntervalOutcome>,
    /// Each member's share, in account order.
    pub members: Vec<MemberShare>,
    /// The postings, in the order trade applied them.
    pub postings: Vec<Posting>,
    /// When it was settled (for `Deliveries`: when it was computed).
    pub settled_at: Timestamp,
}

/// `Settle(requestId, vppId)`: the grid operator of the request's connection points, once the last interval has
/// ended; once per awarded offer. Posts to trade's balances in the same transaction.
pub fn settle(ctx: &Context<'_>, (Text(request_id), Text(vpp_id)): (RequestId, VppId)) -> Result<Settlement> {
    let request = requests::load(ctx, &request_id)?;
    let roles = roles::from_registry(ctx.stub())?;
    requests::require_operator(&Caller::of(ctx, &roles)?, &roles, "Settle", &request.spec)?;
    let (offer, awarded) = awarded_offer(ctx, &request, &vpp_id)?;
    let now = store::now(ctx)?;
    let end = requests::delivery_end(&request.spec);
    if now.seconds < end {
        return Err(FlexError::Conflict(format!(
            "delivery of request {request_id} ends at {end} (Unix s); it cannot be settled at {}",
            now.seconds
        )));
    }
    let key = keys::settlement(ctx, &request_id, &vpp_id)?;
    if ctx.get_state(&key)?.is_some() {
        return Err(FlexError::Conflict(format!(
            "the award of VPP {vpp_id} for request {request_id} is already settled"
        )));
    }
    let settlement = compute(ctx, &request, &offer, &awarded, now)?;
    // Trade refuses a settlement id it has seen, too: the balances cannot move twice for one award.
    calls::post_to_trade(ctx, &format!("{request_id}/{vpp_id}"), &settlement.postings)?;
    store::put_json(ctx, &key, &settlement)?;
    store::set_event(ctx, SETTLED, &settlement)?;
    Ok(settlement)
}

/// `Deliveries(requestId, vppId)`: what `Settle` would compute now, without writing (readers of the meters'
/// readings only: grid operators, per metering).
pub fn deliveries(ctx: &Context<'_>, (Text(request_id), Text(vpp_id)): (RequestId, VppId)) -> Result<Settlement> {
    let request = requests::load(ctx, &request_id)?;
    let (offer, awarded) = awarded_offer(ctx, &request, &vpp_id)?;
    compute(ctx, &request, &offer, &awarded, store::now(ctx)?)
}

/// `GetSettlement(requestId, vppId)`: anyone (404 before settlement).
pub fn get(ctx: &Context<'_>, (Text(request_id), Text(vpp_id)): (RequestId, VppId)) -> Result<Settlement> {
    store::get_json(ctx, &keys::settlement(ctx, &request_id, &vpp_id)?, "settlement")?.ok_or_else(|| {
        FlexError::NotFound(format!(
            "the award of VPP {} for request {} is not settled",
            quote(&vpp_id),
            quote(&request_id)
        ))
    })
}

/// The VPP's offer and its award (404 when the request was not awarded, or not to this VPP).
fn awarded_offer(ctx: &Context<'_>, request: &Request, vpp_id: &str) -> Result<(Offer, Awarded)> {
    let award = awards::load(ctx, &request.id)?;
    let awarded =
        award.awards.into_iter().find(|a| a.vpp_id == vpp_id).ok_or_else(|| {
            FlexError::NotFound(format!("VPP {} has no award in request {}", quote(vpp_id), request.id))
        })?;
    let offer = store::get_json(ctx, &keys::offer(ctx, &request.id, vpp_id)?, "offer")?
        .ok_or_else(|| FlexError::Corrupt { what: "award".into(), detail: format!("no offer of VPP {vpp_id}") })?;
    Ok((offer, awarded))
}

fn compute(
    ctx: &Context<'_>,
    request: &Request,
    offer: &Offer,
    awarded: &Awarded,
    now: Timestamp,
) -> Result<Settlement> {
    let terms = Terms {
        awarded_wh: awarded.wh,
        price_per_kwh: awarded.price_per_kwh,
        tolerance_bps: request.spec.tolerance_bps,
        penalty_per_kwh: request.spec.penalty_per_kwh,
    };
    let measured = delivery::measure(ctx, request, offer)?;
    let intervals = measured
        .intervals
        .into_iter()
        .map(|m| payout::interval_outcome(m.interval_start, m.measured_wh, m.baseline, &terms))
        .collect::<Result<Vec<_>>>()?;
    let (members, postings) =
        payout::postings(&offer.vpp_id, &intervals, &measured.contributions, awarded.price_per_kwh)?;
    Ok(Settlement {
        request_id: request.id.clone(),
        vpp_id: offer.vpp_id.clone(),
        direction: request.spec.direction,
        price_per_kwh: awarded.price_per_kwh,
        intervals,
        members,
        postings,
        settled_at: now,
    })
}
