//! What each page needs, composed from [`DataSource`] queries (generic, so the fake source tests it too).

use crate::model::{IntervalDetail, IntervalState, IntervalSummary, IntervalTotals};
use crate::source::{DataSource, SourceError};

/// How many past intervals the market page lists, besides the current one and [`FUTURE`] ones.
pub const PAST: i64 = 8;
/// How many intervals after the current one the market page lists (orders are placed ahead of delivery).
pub const FUTURE: i64 = 3;

/// The intervals from `PAST` before the one holding `now` to `FUTURE` after it, newest first, with their state.
/// The trade contract has no query listing intervals, so the page shows a window around the clock.
pub async fn intervals<D: DataSource>(source: &D, now: i64) -> Result<Vec<IntervalSummary>, SourceError> {
    let config = source.market_config().await?;
    let length = i64::from(config.interval_seconds.max(60));
    let current = now.div_euclid(length) * length;
    let mut out = Vec::new();
    for k in (-PAST..=FUTURE).rev() {
        let start = current + k * length;
        if start < 0 {
            continue;
        }
        let orders = source.orders(start).await?;
        let open_orders = orders.iter().filter(|o| o.status == crate::model::OrderStatus::Open).count();
        let clearing = source.clearing(start).await?;
        let state = match &clearing {
            Some(_) if source.settlement(start).await?.is_some() => IntervalState::Settled,
            Some(_) => IntervalState::Cleared,
            None if now < start - config.gate_closure_seconds => IntervalState::Open,
            None => IntervalState::Closed,
        };
        let (price_per_kwh, volume_wh) = clearing.map_or((None, 0), |c| (c.price_per_kwh, c.volume_wh));
        out.push(IntervalSummary { start, state, open_orders, price_per_kwh, volume_wh });
    }
    Ok(out)
}

/// Everything about one interval.
pub async fn interval<D: DataSource>(source: &D, start: i64) -> Result<IntervalDetail, SourceError> {
    let orders = source.orders(start).await?;
    let clearing = source.clearing(start).await?;
    let settlement = if clearing.is_some() { source.settlement(start).await? } else { None };
    Ok(IntervalDetail { start, orders, clearing, settlement })
}

/// The metered totals of every interval of the day starting at `day_start` (one query per interval: metering has
/// no range query, so a day of 15-minute intervals is 96 evaluate calls).
pub async fn metering_day<D: DataSource>(
    source: &D,
    connection_point: &str,
    day_start: i64,
    interval_seconds: u32,
) -> Result<Vec<IntervalTotals>, SourceError> {
    let length = i64::from(interval_seconds.max(60));
    let mut out = Vec::new();
    let mut start = day_start;
    while start < day_start + 86_400 {
        out.push(source.interval_totals(connection_point, start).await?);
        start += length;
    }
    Ok(out)
}
