//! What each page needs, composed from [`DataSource`] queries (generic, so the fake source tests it too).

use futures_util::future::try_join_all;
use futures_util::{StreamExt as _, TryStreamExt as _};

use crate::model::{IntervalDetail, IntervalState, IntervalSummary, IntervalTotals};
use crate::source::{DataSource, SourceError};

/// How many past intervals the market page lists, besides the current one and [`FUTURE`] ones.
pub const PAST: i64 = 8;
/// How many intervals after the current one the market page lists (orders are placed ahead of delivery).
pub const FUTURE: i64 = 3;

/// The intervals from `PAST` before the one holding `now` to `FUTURE` after it, newest first, with their state.
/// The trade contract has no query listing intervals, so the page shows a window around the clock. The intervals
/// are read at once (each its `Orders` and `GetClearing` together, then `GetSettlement` when cleared): up to 36
/// evaluate calls in flight on the one gateway connection, not one after another.
pub async fn intervals<D: DataSource>(source: &D, now: i64) -> Result<Vec<IntervalSummary>, SourceError> {
    let config = source.market_config().await?;
    let length = i64::from(config.interval_seconds.max(60));
    let current = now.div_euclid(length) * length;
    let starts = (-PAST..=FUTURE).rev().map(|k| current + k * length).filter(|s| *s >= 0);
    let summary = |start: i64| async move {
        let (orders, clearing) = tokio::try_join!(source.orders(start), source.clearing(start))?;
        let open_orders = orders.iter().filter(|o| o.status == crate::model::OrderStatus::Open).count();
        let state = match &clearing {
            Some(_) if source.settlement(start).await?.is_some() => IntervalState::Settled,
            Some(_) => IntervalState::Cleared,
            None if now < start - config.gate_closure_seconds => IntervalState::Open,
            None => IntervalState::Closed,
        };
        let (price_per_kwh, volume_wh) = clearing.map_or((None, 0), |c| (c.price_per_kwh, c.volume_wh));
        Ok::<_, SourceError>(IntervalSummary { start, state, open_orders, price_per_kwh, volume_wh })
    };
    try_join_all(starts.map(summary)).await
}

/// Everything about one interval.
pub async fn interval<D: DataSource>(source: &D, start: i64) -> Result<IntervalDetail, SourceError> {
    let (orders, clearing) = tokio::try_join!(source.orders(start), source.clearing(start))?;
    let settlement = if clearing.is_some() { source.settlement(start).await? } else { None };
    Ok(IntervalDetail { start, orders, clearing, settlement })
}

/// Most metering calls of one page in flight at once.
pub const METERING_IN_FLIGHT: usize = 16;

/// The metered totals of every interval of the day starting at `day_start` (one query per interval: metering has
/// no range query, so a day of 15-minute intervals is 96 evaluate calls, [`METERING_IN_FLIGHT`] at a time), in
/// order.
pub async fn metering_day<D: DataSource>(
    source: &D,
    connection_point: &str,
    day_start: i64,
    interval_seconds: u32,
) -> Result<Vec<IntervalTotals>, SourceError> {
    let length = i64::from(interval_seconds.max(60));
    let starts = (0..86_400 / length).map(|i| day_start + i * length);
    futures_util::stream::iter(starts.map(|start| source.interval_totals(connection_point, start)))
        .buffered(METERING_IN_FLIGHT)
        .try_collect()
        .await
}
