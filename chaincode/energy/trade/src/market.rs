//! `ClearMarket`, `Settle` and their queries: the ledger side of [`auction`] and
//! [`settlement`].

use std::collections::BTreeMap;

use gridledger_contract::{Context, Int};
use gridledger_energy_common::bounds::IntervalStart;
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Role};
use gridledger_energy_common::interval::{ALLOWED_LENGTHS, require_aligned};
use gridledger_energy_common::roles;

use crate::error::{Result, TradeError};
use crate::model::{ClearingRecord, ClearingSummary, Settlement, SettlementSummary};
use crate::store::{self, keys};
use crate::{auction, balances, calls, config, orders, settlement};
use gridledger_energy_common::error::EnergyError;

/// Who may clear: operators and admins of a grid operator or of a supplier (clearing is deterministic: who runs
/// it changes nothing but when).
pub const CLEAR: &[Allowed] = &[
    (Some(OrgKind::Grid), Role::Operator),
    (Some(OrgKind::Grid), Role::Admin),
    (Some(OrgKind::Supplier), Role::Operator),
    (Some(OrgKind::Supplier), Role::Admin),
];

/// Who may settle: a supplier's operators and admins, for an interval whose parties are all its customers.
pub const SETTLE: &[Allowed] = &[(Some(OrgKind::Supplier), Role::Operator), (Some(OrgKind::Supplier), Role::Admin)];

/// The shortest interval length: any market's interval starts are aligned to it.
const SHORTEST: i64 = ALLOWED_LENGTHS[0] as i64;

/// The event `ClearMarket` emits.
pub const MARKET_CLEARED: &str = "MarketCleared";
/// The event `Settle` emits.
pub const SETTLED: &str = "Settled";

/// `ClearMarket(intervalStart)`: runs the auction once, after gate closure, for an interval aligned to the market's
/// interval length. Returns the clearing without fills.
pub fn clear_market(ctx: &Context<'_>, Int(interval): IntervalStart) -> Result<ClearingSummary> {
    Caller::of(ctx, &roles::from_registry(ctx.stub())?)?.require("ClearMarket", CLEAR)?;
    let config = config::load(ctx)?;
    require_aligned(interval, i64::from(config.interval_seconds))?;
    config::require_gate_closed(interval, &config, config::now(ctx)?)?;
    let key = keys::clearing(ctx, interval)?;
    if ctx.get_state(&key)?.is_some() {
        return Err(TradeError::AlreadyCleared(interval));
    }
    let (bids, asks) = orders::open_orders(ctx, interval)?;
    // An order's energy is for the interval length it was placed under: never clear it as another length.
    if let Some(order) = bids.iter().chain(&asks).find(|o| o.interval_seconds != config.interval_seconds) {
        return Err(TradeError::LengthChanged {
            interval,
            order_id: order.id.clone(),
            placed: order.interval_seconds,
            market: config.interval_seconds,
        });
    }
    let clearing = auction::clear(&bids, &asks);
    let record = ClearingRecord {
        interval_start: interval,
        price_per_kwh: clearing.price_per_kwh,
        volume_wh: clearing.volume_wh,
        fills: clearing.fills,
        interval_seconds: config.interval_seconds,
    };
    store::put_json(ctx, &key, &record)?;
    let summary =
        ClearingSummary { interval_start: interval, price_per_kwh: record.price_per_kwh, volume_wh: record.volume_wh };
    set_event(ctx, MARKET_CLEARED, &summary)?;
    Ok(summary)
}

/// `Settle(intervalStart)`: once, after the interval ended, for a cleared interval, with the interval length it
/// was cleared for; refuses (409) when a party's metered energy comes from meters of another length. Returns a
/// summary.
pub fn settle(ctx: &Context<'_>, Int(interval): IntervalStart) -> Result<SettlementSummary> {
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    caller.require("Settle", SETTLE)?;
    require_aligned(interval, SHORTEST)?;
    let key = keys::settlement(ctx, interval)?;
    if ctx.get_state(&key)?.is_some() {
        return Err(TradeError::AlreadySettled(interval));
    }
    let clearing: ClearingRecord =
        store::get_json(ctx, &keys::clearing(ctx, interval)?, "clearing")?.ok_or(TradeError::NotCleared(interval))?;
    let end = interval.saturating_add(i64::from(clearing.interval_seconds));
    let now = config::now(ctx)?;
    if now.seconds < end {
        return Err(TradeError::NotEnded { interval, end, now: now.seconds });
    }
    let config = config::load(ctx)?;
    let parties = settlement::parties(&clearing);
    // A supplier settles its own customers: one settlement per interval, so every party must be the caller's.
    if let Some(other) = parties.iter().find(|p| !roles.supplies(&caller.party.msp, &p.msp)) {
        return Err(EnergyError::Forbidden(format!(
            "Settle of interval {interval} is for the supplier of every party in it; the parties of {} are not \
             customers of {}",
            other.msp, caller.party.msp
        ))
        .into());
    }
    let mut metered = BTreeMap::new();
    for party in parties {
        let m = calls::metered_energy(ctx, &party, interval)?;
        if let Some(metered) = m.interval_seconds.filter(|len| *len != clearing.interval_seconds) {
            return Err(TradeError::MeteredLength {
                interval,
                party: party.account(),
                metered,
                market: clearing.interval_seconds,
            });
        }
        metered.insert(party, m);
    }
    let result = settlement::settle(&clearing, &metered, &config)?;
    let changes = settlement::balance_changes(&result.postings)?;
    balances::apply(ctx, &changes)?;
    store::put_json(ctx, &key, &result)?;
    let total_amount =
        result.postings.iter().try_fold(0i64, |sum, p| gridledger_energy_common::amount::add(sum, p.amount))?;
    let summary = SettlementSummary {
        interval_start: interval,
        parties: result.parties.len() as u64,
        postings: result.postings.len() as u64,
        total_amount,
    };
    set_event(ctx, SETTLED, &summary)?;
    Ok(summary)
}

/// `GetClearing(intervalStart)` (404 before clearing).
pub fn get_clearing(ctx: &Context<'_>, Int(interval): IntervalStart) -> Result<ClearingRecord> {
    store::get_json(ctx, &keys::clearing(ctx, interval)?, "clearing")?
        .ok_or_else(|| EnergyError::NotFound(format!("interval {interval} is not cleared")).into())
}

/// `GetSettlement(intervalStart)` (404 before settlement).
pub fn get_settlement(ctx: &Context<'_>, Int(interval): IntervalStart) -> Result<Settlement> {
    store::get_json(ctx, &keys::settlement(ctx, interval)?, "settlement")?
        .ok_or_else(|| EnergyError::NotFound(format!("interval {interval} is not settled")).into())
}

fn set_event<T: serde::Serialize>(ctx: &Context<'_>, name: &str, payload: &T) -> Result<()> {
    let bytes = serde_json::to_vec(payload).map_err(gridledger_contract::ContractError::from)?;
    ctx.set_event(name, &bytes)?;
    Ok(())
}
