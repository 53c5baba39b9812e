//! The routes: each handler gathers its data from the [`DataSource`], builds its page, and maps a failure to an
//! error page with the matching HTTP status.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::source::{DataSource, SourceError};
use crate::{gather, pages};

/// Largest interval start the trade contract accepts (12 digits).
pub const MAX_INTERVAL_START: i64 = 999_999_999_999;
/// Longest connection point id taken from a URL (the registry's bound on ids).
pub const MAX_CONNECTION_POINT: usize = 128;

/// Longest error detail shown on a page, bytes (the client library already clips each peer message).
const MAX_ERROR: usize = 2048;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState<D> {
    /// Where the data comes from.
    pub source: D,
    /// Ledger changes the market pages reload on (from trade's chaincode events).
    pub market_events: broadcast::Sender<String>,
    /// The current Unix time (a parameter so tests fix it).
    pub now: fn() -> i64,
    /// The meters' interval length the metering page queries, seconds.
    pub metering_interval: u32,
}

/// The wall clock, Unix seconds.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The web view's routes over `state`.
pub fn router<D: DataSource>(state: Arc<AppState<D>>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/market") }))
        .route("/market", get(market::<D>))
        .route("/market/{start}", get(interval::<D>))
        .route("/balances", get(balances::<D>))
        .route("/metering/{connection_point}", get(metering::<D>))
        .route("/network", get(network::<D>))
        .route(pages::MARKET_EVENTS, get(market_events::<D>))
        .merge(crate::records::routes::<D>())
        .with_state(state)
}

/// A failed query as an error page.
fn failure(error: &SourceError) -> Response {
    let (status, title, hint) = match error {
        SourceError::Unreachable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Network unreachable",
            "The gateway peer did not answer. Is the network up, and are the peer address and TLS CA right?",
        ),
        SourceError::Refused(_) => (
            StatusCode::FORBIDDEN,
            "Not readable by this identity",
            "The chaincode or the peer refused this identity; the private-data and role rules decide what it may read.",
        ),
        SourceError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found", "The ledger holds no such record."),
        SourceError::Failed(_) | SourceError::Malformed(_) => (
            StatusCode::BAD_GATEWAY,
            "The network could not answer",
            "The query failed on the peer; the detail above is its message.",
        ),
    };
    // The client library puts each peer's detail on its own line; one line reads better than an escaped "\n".
    let text = error.to_string();
    let detail = text.lines().map(str::trim).collect::<Vec<_>>().join("; ");
    (status, Html(pages::error(title, &gridledger_text::clip(&detail, MAX_ERROR), hint))).into_response()
}

pub(crate) fn bad_request(detail: &str) -> Response {
    (StatusCode::BAD_REQUEST, Html(pages::error("Bad request", detail, "Check the address."))).into_response()
}

pub(crate) fn respond(result: Result<String, SourceError>) -> Response {
    match result {
        Ok(html) => Html(html).into_response(),
        Err(e) => failure(&e),
    }
}

async fn market<D: DataSource>(State(state): State<Arc<AppState<D>>>) -> Response {
    respond(gather::intervals(&state.source, (state.now)()).await.map(|list| pages::market(&list)))
}

async fn interval<D: DataSource>(State(state): State<Arc<AppState<D>>>, Path(start): Path<String>) -> Response {
    let start = match start.parse::<i64>() {
        Ok(s) if (0..=MAX_INTERVAL_START).contains(&s) => s,
        _ => {
            return bad_request(&format!(
                "interval start {} is not 0 to {MAX_INTERVAL_START}",
                gridledger_text::quote(&start)
            ));
        }
    };
    respond(gather::interval(&state.source, start).await.map(|detail| pages::interval(&detail)))
}

async fn balances<D: DataSource>(State(state): State<Arc<AppState<D>>>) -> Response {
    respond(state.source.balances().await.map(|b| pages::balances(&b)))
}

/// `?day=YYYY-MM-DD` (UTC); today when absent.
#[derive(Debug, Deserialize)]
struct DayQuery {
    day: Option<String>,
}

/// The first second of `YYYY-MM-DD` (UTC).
pub fn day_start(day: &str) -> Option<i64> {
    let mut parts = day.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

async fn metering<D: DataSource>(
    State(state): State<Arc<AppState<D>>>,
    Path(connection_point): Path<String>,
    Query(query): Query<DayQuery>,
) -> Response {
    if connection_point.is_empty() || connection_point.len() > MAX_CONNECTION_POINT {
        return bad_request(&format!(
            "connection point {} is empty or longer than {MAX_CONNECTION_POINT} bytes",
            gridledger_text::quote(&connection_point)
        ));
    }
    let day = query.day.unwrap_or_else(|| crate::html::utc((state.now)()).chars().take(10).collect());
    let Some(start) = day_start(&day) else {
        return bad_request(&format!("day {} is not YYYY-MM-DD", gridledger_text::quote(&day)));
    };
    let totals = gather::metering_day(&state.source, &connection_point, start, state.metering_interval).await;
    respond(totals.map(|t| pages::metering(&connection_point, &day, start, state.metering_interval, &t)))
}

async fn network<D: DataSource>(State(state): State<Arc<AppState<D>>>) -> Response {
    Html(pages::network(&state.source.network().await)).into_response()
}

async fn market_events<D: DataSource>(
    State(state): State<Arc<AppState<D>>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.market_events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let data = match receiver.recv().await {
            Ok(what) => what,
            // A slow page missed some changes: one reload shows them all.
            Err(broadcast::error::RecvError::Lagged(_)) => "lagged".to_string(),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data)), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
