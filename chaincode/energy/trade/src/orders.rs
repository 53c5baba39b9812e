//! Orders: `PlaceOrder`, `PlaceVppOrder`, `CancelOrder` and the order queries.

use gridledger_contract::{Context, Int, Text};
use gridledger_energy_common::bounds::{IntervalStart, MAX_ID_LEN};
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Party, Role};
use gridledger_energy_common::interval::require_aligned;
use gridledger_energy_common::roles;

use crate::calls;
use crate::config::{self, MAX_PRICE_PER_KWH};
use crate::error::{Result, TradeError};
use crate::model::{Order, OrderStatus, Side, VPP_MSP};
use crate::store::{self, keys};
use gridledger_energy_common::error::EnergyError;

/// The largest order accepted, Wh (1 TWh: sums over any order book stay far inside `i64`).
pub const MAX_ORDER_WH: i64 = 1_000_000_000_000;

/// A `wh` argument: 1 to [`MAX_ORDER_WH`].
pub type OrderWh = Int<1, MAX_ORDER_WH>;
/// A `limitPerKwh` argument: 0 to [`MAX_PRICE_PER_KWH`].
pub type LimitPerKwh = Int<0, MAX_PRICE_PER_KWH>;
/// An order id argument (a transaction id: 64 hex digits) or a VPP id (the registry's id rule).
pub type Id = Text<MAX_ID_LEN>;

/// Who may place orders for themselves: prosumers of any org, and suppliers' operators.
pub const PLACE: &[Allowed] = &[(None, Role::Prosumer), (Some(OrgKind::Supplier), Role::Operator)];

/// `PlaceOrder(intervalStart, side, wh, limitPerKwh)`: an order of the caller.
pub fn place_order(
    ctx: &Context<'_>,
    (Int(interval), side, Int(wh), Int(limit)): (IntervalStart, Side, OrderWh, LimitPerKwh),
) -> Result<Order> {
    let caller = Caller::of(ctx, &roles::from_registry(ctx.stub())?)?;
    caller.require("PlaceOrder", PLACE)?;
    place(ctx, caller.party, None, interval, side, wh, limit)
}

/// `PlaceVppOrder(vppId, intervalStart, side, wh, limitPerKwh)`: an order of a VPP, by its aggregator.
pub fn place_vpp_order(
    ctx: &Context<'_>,
    (Text(vpp_id), Int(interval), side, Int(wh), Int(limit)): (Id, IntervalStart, Side, OrderWh, LimitPerKwh),
) -> Result<Order> {
    // Only the party matters (the VPP's aggregator): no roles record needed.
    let caller = Party::of(ctx)?;
    if vpp_id.is_empty() {
        return Err(EnergyError::BadRequest("vppId must not be empty".into()).into());
    }
    require_aggregator(ctx, &caller, &vpp_id, "PlaceVppOrder")?;
    let party = Party { msp: VPP_MSP.to_string(), id: vpp_id.clone() };
    place(ctx, party, Some(vpp_id), interval, side, wh, limit)
}

fn place(
    ctx: &Context<'_>,
    party: Party,
    vpp: Option<String>,
    interval: i64,
    side: Side,
    wh: i64,
    limit: i64,
) -> Result<Order> {
    // `wh` and `limit` are in their documented ranges by their argument types.
    let config = config::load(ctx)?;
    require_aligned(interval, i64::from(config.interval_seconds))?;
    let now = config::now(ctx)?;
    config::require_gate_open(interval, &config, now)?;
    let id = ctx.tx_id().to_string();
    let key = keys::order(ctx, interval, &id)?;
    if ctx.get_state(&key)?.is_some() {
        return Err(TradeError::OrderExists(id));
    }
    let order = Order {
        id,
        interval_start: interval,
        side,
        wh,
        limit_per_kwh: limit,
        party,
        vpp,
        placed_at: now,
        status: OrderStatus::Open,
        interval_seconds: config.interval_seconds,
    };
    store::put_json(ctx, &key, &order)?;
    Ok(order)
}

/// `CancelOrder(intervalStart, orderId)`: by the order's party (for a VPP order, the VPP's aggregator), before
/// gate closure.
pub fn cancel_order(ctx: &Context<'_>, (start, order_id): (IntervalStart, Id)) -> Result<Order> {
    let interval = start.get();
    let caller = Party::of(ctx)?;
    let mut order = get_order(ctx, (start, order_id))?;
    match &order.vpp {
        Some(vpp_id) => require_aggregator(ctx, &caller, vpp_id, "CancelOrder")?,
        None if caller == order.party => {}
        None => {
            return Err(EnergyError::Forbidden(format!(
                "CancelOrder is for the order's party {}; the caller is {}",
                order.party.account(),
                caller.account()
            ))
            .into());
        }
    }
    config::require_gate_open(interval, &config::load(ctx)?, config::now(ctx)?)?;
    if order.status == OrderStatus::Cancelled {
        return Err(TradeError::AlreadyCancelled(order.id));
    }
    order.status = OrderStatus::Cancelled;
    store::put_json(ctx, &keys::order(ctx, interval, &order.id)?, &order)?;
    Ok(order)
}

/// `GetOrder(intervalStart, orderId)`.
pub fn get_order(ctx: &Context<'_>, (Int(interval), Text(order_id)): (IntervalStart, Id)) -> Result<Order> {
    if order_id.is_empty() {
        return Err(EnergyError::BadRequest("orderId must not be empty".into()).into());
    }
    store::get_json(ctx, &keys::order(ctx, interval, &order_id)?, "order")?
        .ok_or(TradeError::NoOrder { interval, order_id })
}

/// `Orders(intervalStart)`: every order of the interval (cancelled ones too), in order id order.
pub fn orders(ctx: &Context<'_>, Int(interval): IntervalStart) -> Result<Vec<Order>> {
    let mut all = Vec::new();
    let (object_type, [attr]) = keys::orders_of(interval);
    for kv in ctx.get_state_by_partial_composite_key(object_type, &[&attr])? {
        all.push(store::decode(&kv?.value, "order")?);
    }
    Ok(all)
}

/// The open bids and asks of an interval (what `ClearMarket` reads).
pub fn open_orders(ctx: &Context<'_>, interval: i64) -> Result<(Vec<Order>, Vec<Order>)> {
    let (mut bids, mut asks) = (Vec::new(), Vec::new());
    for order in orders(ctx, Int(interval))? {
        match (order.status, order.side) {
            (OrderStatus::Open, Side::Buy) => bids.push(order),
            (OrderStatus::Open, Side::Sell) => asks.push(order),
            (OrderStatus::Cancelled, _) => {}
        }
    }
    Ok((bids, asks))
}

fn require_aggregator(ctx: &Context<'_>, caller: &Party, vpp_id: &str, action: &str) -> Result<()> {
    let vpp = calls::get_vpp(ctx, vpp_id)?;
    if vpp.aggregator == *caller {
        Ok(())
    } else {
        Err(EnergyError::Forbidden(format!(
            "{action} for VPP {vpp_id} is for its aggregator {}; the caller is {}",
            vpp.aggregator.account(),
            caller.account()
        ))
        .into())
    }
}
