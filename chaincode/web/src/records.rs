//! The routes of the registry, metering, certificates and flexibility pages: query parameters checked against the
//! contracts' bounds (400 otherwise), then the page or its error page.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::assets::{self, AssetFilter};
use crate::certs::{self, CertFilter};
use crate::flex;
use crate::json::url;
use crate::server::{AppState, bad_request, day_start, respond};
use crate::source::DataSource;

/// Longest record id taken from a URL (meter ids; asset, VPP, device, certificate and request ids are shorter).
pub const MAX_ID: usize = 128;
/// Longest MSP id.
pub const MAX_MSP: usize = 128;
/// Longest identity id (Fabric ids are base64 of a subject and issuer).
pub const MAX_PARTY_ID: usize = 1024;
/// Longest bookmark the contracts take back.
pub const MAX_BOOKMARK: usize = 2048;

/// Every query parameter these pages read; each is checked against its bound before use.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    owner_msp: Option<String>,
    owner_id: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    cp: Option<String>,
    device: Option<String>,
    hour: Option<String>,
    bookmark: Option<String>,
    day: Option<String>,
    id: Option<String>,
    msp: Option<String>,
    request: Option<String>,
}

/// Why a URL was refused: the 400 page's detail.
#[derive(Debug)]
struct Bad(String);

/// `value` when it is 1 to `max` bytes, else why not, naming `what`.
fn bounded<'a>(what: &str, value: &'a str, max: usize) -> Result<&'a str, Bad> {
    if value.is_empty() || value.len() > max {
        return Err(Bad(format!("{what} {} is empty or longer than {max} bytes", gridledger_text::quote(value))));
    }
    Ok(value)
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<String, Bad> {
    if allowed.contains(&value) {
        return Ok(value.to_string());
    }
    Err(Bad(format!("{what} {} is not one of {}", gridledger_text::quote(value), allowed.join(", "))))
}

fn bookmark(p: &Params) -> Result<String, Bad> {
    match p.bookmark.as_deref() {
        Some(b) if b.len() > MAX_BOOKMARK => Err(Bad(format!("bookmark longer than {MAX_BOOKMARK} bytes"))),
        other => Ok(other.unwrap_or_default().to_string()),
    }
}

fn owner(p: &Params) -> Result<Option<(String, String)>, Bad> {
    match (p.owner_msp.as_deref().filter(|s| !s.is_empty()), p.owner_id.as_deref().filter(|s| !s.is_empty())) {
        (None, None) => Ok(None),
        (Some(msp), Some(id)) => {
            Ok(Some((bounded("MSP", msp, MAX_MSP)?.to_string(), bounded("id", id, MAX_PARTY_ID)?.to_string())))
        }
        _ => Err(Bad("give both owner_msp and owner_id".into())),
    }
}

/// The day of `?day=` (today by default) and its first second.
fn day(state_now: i64, p: &Params) -> Result<(String, i64), Bad> {
    let day = p.day.clone().filter(|d| !d.is_empty());
    let day = day.unwrap_or_else(|| crate::html::utc(state_now).chars().take(10).collect());
    match day_start(&day) {
        Some(start) => Ok((day, start)),
        None => Err(Bad(format!("day {} is not YYYY-MM-DD", gridledger_text::quote(&day)))),
    }
}

/// The page, or the 400 page of a refused URL.
fn or_page(result: Result<Response, Bad>) -> Response {
    result.unwrap_or_else(|bad| bad_request(&bad.0))
}

/// The routes of these pages.
pub fn routes<D: DataSource>() -> Router<Arc<AppState<D>>> {
    Router::new()
        .route("/assets", get(assets_list::<D>))
        .route("/assets/{id}", get(asset::<D>))
        .route("/vpps/{id}", get(vpp::<D>))
        .route("/meters", get(meters))
        .route("/meters/{id}", get(meter::<D>))
        .route("/certificates", get(certificates_list::<D>))
        .route("/certificates/{id}", get(certificate::<D>))
        .route("/matching", get(matching::<D>))
        .route("/flexibility", get(flexibility_form))
        .route("/flexibility/{id}", get(flexibility::<D>))
}

async fn assets_list<D: DataSource>(State(state): State<Arc<AppState<D>>>, Query(p): Query<Params>) -> Response {
    or_page(
        async {
            let filter = if let Some((msp, id)) = owner(&p)? {
                Some(AssetFilter::Owner(msp, id))
            } else if let Some(k) = p.kind.as_deref() {
                Some(AssetFilter::Kind(one_of("kind", k, &assets::KINDS)?))
            } else if let Some(s) = p.status.as_deref() {
                Some(AssetFilter::Status(one_of("status", s, &assets::STATUSES)?))
            } else if let Some(cp) = p.cp.as_deref().filter(|c| !c.is_empty()) {
                Some(AssetFilter::ConnectionPoint(bounded("connection point", cp, MAX_ID)?.to_string()))
            } else {
                None
            };
            let Some(filter) = filter else { return Ok(Html(assets::assets_page(None, None)).into_response()) };
            let list = assets::assets(&state.source, &filter, &bookmark(&p)?).await;
            Ok(respond(list.map(|l| assets::assets_page(Some(&filter), Some(&l)))))
        }
        .await,
    )
}

async fn asset<D: DataSource>(State(state): State<Arc<AppState<D>>>, Path(id): Path<String>) -> Response {
    if let Err(bad) = bounded("asset id", &id, MAX_ID) {
        return bad_request(&bad.0);
    }
    respond(assets::asset(&state.source, &id).await.map(|(a, h)| assets::asset_page(&a, &h)))
}

async fn vpp<D: DataSource>(State(state): State<Arc<AppState<D>>>, Path(id): Path<String>) -> Response {
    if let Err(bad) = bounded("VPP id", &id, MAX_ID) {
        return bad_request(&bad.0);
    }
    respond(assets::vpp(&state.source, &id).await.map(|(v, m)| assets::vpp_page(&v, &m)))
}

async fn meters(Query(p): Query<Params>) -> Response {
    match p.id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            let day =
                p.day.as_deref().filter(|d| !d.is_empty()).map(|d| format!("?day={}", url(d))).unwrap_or_default();
            Redirect::to(&format!("/meters/{}{day}", url(id))).into_response()
        }
        None => Html(assets::meters_form()).into_response(),
    }
}

async fn meter<D: DataSource>(
    State(state): State<Arc<AppState<D>>>,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    or_page(
        async {
            bounded("meter id", &id, MAX_ID)?;
            let (day, start) = day((state.now)(), &p)?;
            Ok(respond(assets::meter(&state.source, &id, start).await.map(|(m, h)| assets::meter_page(&m, &day, &h))))
        }
        .await,
    )
}

async fn certificates_list<D: DataSource>(State(state): State<Arc<AppState<D>>>, Query(p): Query<Params>) -> Response {
    or_page(
        async {
            let filter = if let Some((msp, id)) = owner(&p)? {
                Some(CertFilter::Owner(msp, id))
            } else if let Some(d) = p.device.as_deref().filter(|d| !d.is_empty()) {
                Some(CertFilter::Device(bounded("device id", d, MAX_ID)?.to_string()))
            } else if let Some(h) = p.hour.as_deref().filter(|h| !h.is_empty()) {
                match h.parse::<i64>() {
                    Ok(h) if (0..=crate::server::MAX_INTERVAL_START).contains(&h) && h % 3600 == 0 => {
                        Some(CertFilter::Hour(h))
                    }
                    _ => {
                        return Err(Bad(format!("hour {} is not a Unix hour start", gridledger_text::quote(h))));
                    }
                }
            } else if let Some(s) = p.status.as_deref() {
                Some(CertFilter::Status(one_of("status", s, &certs::STATUSES)?))
            } else {
                None
            };
            let Some(filter) = filter else { return Ok(Html(certs::certificates_page(None, None)).into_response()) };
            let list = certs::certificates(&state.source, &filter, &bookmark(&p)?).await;
            Ok(respond(list.map(|l| certs::certificates_page(Some(&filter), Some(&l)))))
        }
        .await,
    )
}

async fn certificate<D: DataSource>(State(state): State<Arc<AppState<D>>>, Path(id): Path<String>) -> Response {
    if let Err(bad) = bounded("certificate id", &id, MAX_ID) {
        return bad_request(&bad.0);
    }
    respond(certs::certificate(&state.source, &id).await.map(|(c, h)| certs::certificate_page(&c, &h)))
}

async fn matching<D: DataSource>(State(state): State<Arc<AppState<D>>>, Query(p): Query<Params>) -> Response {
    or_page(
        async {
            let msp = bounded("MSP", p.msp.as_deref().unwrap_or_default(), MAX_MSP)?;
            let id = bounded("id", p.id.as_deref().unwrap_or_default(), MAX_PARTY_ID)?;
            let (day, start) = day((state.now)(), &p)?;
            Ok(respond(certs::matching(&state.source, msp, id, start).await.map(|r| certs::matching_page(&r, &day))))
        }
        .await,
    )
}

async fn flexibility_form(Query(p): Query<Params>) -> Response {
    match p.request.as_deref().filter(|r| !r.is_empty()) {
        Some(id) => Redirect::to(&format!("/flexibility/{}", url(id))).into_response(),
        None => Html(flex::flexibility_form()).into_response(),
    }
}

async fn flexibility<D: DataSource>(State(state): State<Arc<AppState<D>>>, Path(id): Path<String>) -> Response {
    if let Err(bad) = bounded("request id", &id, MAX_ID) {
        return bad_request(&bad.0);
    }
    respond(flex::flexibility(&state.source, &id).await.map(|f| flex::flexibility_page(&f)))
}
