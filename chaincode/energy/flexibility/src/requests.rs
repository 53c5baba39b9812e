//! Requests: `CreateRequest`, `CancelRequest`, `GetRequest`.

use gridledger_contract::{Context, Json, Text};
use gridledger_energy_common::bounds::{MAX_ID_LEN, MAX_INTERVAL_START};
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Role};
use gridledger_energy_common::interval::{require_aligned, require_length};
use gridledger_energy_common::roles::{self, MarketRoles};

use crate::error::{FlexError, Result};
use crate::model::{Baseline, Request, RequestSpec, RequestStatus, Timestamp};
use crate::store::{self, keys};

/// The longest `CreateRequest` document, bytes (64 connection points of 64 characters fit in under 5 KiB).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// The most connection points or areas a request names.
pub const MAX_CONNECTION_POINTS: usize = 64;
/// The most consecutive intervals one request covers (a day of 15-minute intervals).
pub const MAX_INTERVALS: u32 = 96;
/// The largest Wh per interval a request or offer names.
pub const MAX_WH: i64 = 1_000_000_000_000;
/// The largest price, cap or penalty, minor units per kWh (keeps every product within `i64`).
pub const MAX_PRICE_PER_KWH: i64 = 1_000_000_000;
/// The largest X and Y of a High X of Y baseline.
pub const MAX_BASELINE_DAYS: u32 = 10;

/// A request id argument (a transaction id).
pub type RequestId = Text<MAX_ID_LEN>;

/// Who asks for flexibility and awards it: a grid operator's operators and admins, for connection points their org
/// operates (per the roles record).
pub const OPERATORS: &[Allowed] = &[(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];

/// The event `CreateRequest` emits, with the request.
pub const REQUESTED: &str = "FlexibilityRequested";

/// `CreateRequest(request)`: a grid operator's operator or admin, for connection points it operates; before
/// gate closure. The request's id is the transaction id.
pub fn create(ctx: &Context<'_>, Json(spec): Json<RequestSpec, MAX_REQUEST_BYTES>) -> Result<Request> {
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    validate(&spec)?;
    require_operator(&caller, &roles, "CreateRequest", &spec)?;
    let now = store::now(ctx)?;
    if now.seconds >= spec.gate_closure {
        return Err(FlexError::BadRequest(format!(
            "gateClosure {} is not after the transaction time {}",
            spec.gate_closure, now.seconds
        )));
    }
    let id = ctx.tx_id().to_string();
    let key = keys::request(ctx, &id)?;
    if ctx.get_state(&key)?.is_some() {
        return Err(FlexError::Conflict(format!("request {id} already exists")));
    }
    let request = Request { id, operator: caller.party, spec, status: RequestStatus::Open, created_at: now };
    store::put_json(ctx, &key, &request)?;
    store::set_event(ctx, REQUESTED, &request)?;
    Ok(request)
}

/// `CancelRequest(requestId)`: the grid operator of its connection points, before gate closure.
pub fn cancel(ctx: &Context<'_>, Text(id): RequestId) -> Result<Request> {
    let mut request = load(ctx, &id)?;
    let roles = roles::from_registry(ctx.stub())?;
    require_operator(&Caller::of(ctx, &roles)?, &roles, "CancelRequest", &request.spec)?;
    require_gate_open(&request, store::now(ctx)?)?;
    if request.status != RequestStatus::Open {
        return Err(FlexError::Conflict(format!("request {id} is {:?}, not open", request.status)));
    }
    request.status = RequestStatus::Cancelled;
    store::put_json(ctx, &keys::request(ctx, &id)?, &request)?;
    Ok(request)
}

/// `GetRequest(requestId)`: anyone.
pub fn get(ctx: &Context<'_>, Text(id): RequestId) -> Result<Request> {
    load(ctx, &id)
}

/// The stored request (404 when absent).
pub fn load(ctx: &Context<'_>, id: &str) -> Result<Request> {
    if id.is_empty() {
        return Err(FlexError::BadRequest("requestId must not be empty".into()));
    }
    store::get_json(ctx, &keys::request(ctx, id)?, "request")?
        .ok_or_else(|| FlexError::NotFound(format!("no request {}", gridledger_contract::quote(id))))
}

/// Refuses (403) a caller that is not an operator or admin of the grid operator of every connection point of the
/// request.
pub fn require_operator(caller: &Caller, roles: &MarketRoles, action: &str, spec: &RequestSpec) -> Result<()> {
    for cp in &spec.connection_points {
        caller.require_operator_of(action, OPERATORS, roles, cp)?;
    }
    Ok(())
}

/// Refuses (409) at or after the request's gate closure.
pub fn require_gate_open(request: &Request, now: Timestamp) -> Result<()> {
    if now.seconds >= request.spec.gate_closure {
        return Err(FlexError::Conflict(format!(
            "the gate of request {} closed at {} (Unix s); the transaction time is {}",
            request.id, request.spec.gate_closure, now.seconds
        )));
    }
    Ok(())
}

/// The starts of the request's delivery intervals.
pub fn interval_starts(spec: &RequestSpec) -> Vec<i64> {
    let len = i64::from(spec.interval_seconds);
    (0..i64::from(spec.intervals)).map(|k| spec.interval_start + k * len).collect()
}

/// The end of the request's last interval.
pub fn delivery_end(spec: &RequestSpec) -> i64 {
    spec.interval_start + i64::from(spec.intervals) * i64::from(spec.interval_seconds)
}

/// Checks every field's range (400).
pub fn validate(spec: &RequestSpec) -> Result<()> {
    let bad = |m: String| Err(FlexError::BadRequest(m));
    let n = spec.connection_points.len();
    if n == 0 || n > MAX_CONNECTION_POINTS {
        return bad(format!("connectionPoints needs 1 to {MAX_CONNECTION_POINTS} entries, got {n}"));
    }
    for cp in &spec.connection_points {
        let body = cp.strip_suffix('*').unwrap_or(cp);
        let ok = cp.chars().count() <= MAX_ID_LEN
            && !body.contains('*')
            && !cp.is_empty()
            && !cp.chars().any(|c| c.is_control() || c.is_whitespace());
        if !ok {
            return bad(format!(
                "connection point {} must be 1 to {MAX_ID_LEN} characters without spaces, a '*' only at the end",
                gridledger_contract::quote(cp)
            ));
        }
    }
    let len = require_length("intervalSeconds", i64::from(spec.interval_seconds))?;
    if !(0..=MAX_INTERVAL_START).contains(&spec.interval_start) {
        return bad(format!("intervalStart must be 0 to {MAX_INTERVAL_START}, got {}", spec.interval_start));
    }
    require_aligned(spec.interval_start, i64::from(len))?;
    if spec.intervals == 0 || spec.intervals > MAX_INTERVALS {
        return bad(format!("intervals must be 1 to {MAX_INTERVALS}, got {}", spec.intervals));
    }
    if !(1..=MAX_WH).contains(&spec.wh) {
        return bad(format!("wh must be 1 to {MAX_WH}, got {}", spec.wh));
    }
    for (name, value) in [("priceCapPerKwh", spec.price_cap_per_kwh), ("penaltyPerKwh", spec.penalty_per_kwh)] {
        if !(0..=MAX_PRICE_PER_KWH).contains(&value) {
            return bad(format!("{name} must be 0 to {MAX_PRICE_PER_KWH}, got {value}"));
        }
    }
    if spec.tolerance_bps > 10_000 {
        return bad(format!("toleranceBps must be 0 to 10000, got {}", spec.tolerance_bps));
    }
    if spec.gate_closure < 0 || spec.gate_closure > spec.interval_start {
        return bad(format!(
            "gateClosure must be 0 to intervalStart ({}), got {}",
            spec.interval_start, spec.gate_closure
        ));
    }
    if let Baseline::HighXOfY { x, y } = spec.baseline
        && (x == 0 || y > MAX_BASELINE_DAYS || x > y)
    {
        return bad(format!("a highXOfY baseline needs 1 <= x <= y <= {MAX_BASELINE_DAYS}, got x {x}, y {y}"));
    }
    Ok(())
}
