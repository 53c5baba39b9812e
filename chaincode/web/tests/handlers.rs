//! The routes over a fake data source: pages, statuses, error pages and the live event stream, without a network.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt as _;
use gridledger_web::model::{
    Balances, Clearing, Fill, IntervalTotals, MarketConfig, NetworkInfo, Order, OrderStatus, Party, Settlement, Side,
    Timestamp,
};
use gridledger_web::server::{AppState, router};
use gridledger_web::{Contract, DataSource, SourceError};
use serde_json::json;
use tokio::sync::broadcast;
use tower::ServiceExt as _;

/// Makes the error the fake source fails with.
type MakeError = fn() -> SourceError;

/// 2026-01-01 00:00 UTC: the interval the fake market cleared.
const T: i64 = 1_767_225_600;

/// An in-memory ledger; `fail` makes every query fail with the given error.
#[derive(Default)]
struct Fake {
    orders: BTreeMap<i64, Vec<Order>>,
    clearings: BTreeMap<i64, Clearing>,
    settlements: BTreeMap<i64, Settlement>,
    balances: Balances,
    fail: Mutex<Option<MakeError>>,
    totals_calls: AtomicUsize,
    /// Registry, metering, certificates and flexibility answers by `"{contract:?} {args…}"`; absent is a 404.
    records: BTreeMap<String, serde_json::Value>,
    /// Keys (prefixes) this identity may not read: a 403, as metering answers for another party's readings.
    refused: Vec<String>,
}

impl Fake {
    fn check(&self) -> Result<(), SourceError> {
        match *self.fail.lock().map_err(|_| SourceError::Failed("poisoned".into()))? {
            Some(make) => Err(make()),
            None => Ok(()),
        }
    }
}

impl DataSource for Fake {
    async fn market_config(&self) -> Result<MarketConfig, SourceError> {
        self.check()?;
        Ok(MarketConfig { gate_closure_seconds: 300, interval_seconds: 900 })
    }
    async fn orders(&self, start: i64) -> Result<Vec<Order>, SourceError> {
        self.check()?;
        Ok(self.orders.get(&start).cloned().unwrap_or_default())
    }
    async fn clearing(&self, start: i64) -> Result<Option<Clearing>, SourceError> {
        self.check()?;
        Ok(self.clearings.get(&start).cloned())
    }
    async fn settlement(&self, start: i64) -> Result<Option<Settlement>, SourceError> {
        self.check()?;
        Ok(self.settlements.get(&start).cloned())
    }
    async fn balances(&self) -> Result<Balances, SourceError> {
        self.check()?;
        Ok(self.balances.clone())
    }
    async fn interval_totals(&self, _cp: &str, start: i64) -> Result<IntervalTotals, SourceError> {
        self.check()?;
        self.totals_calls.fetch_add(1, Ordering::SeqCst);
        let import_wh = if start == T + 3600 { 1234 } else { 0 };
        Ok(IntervalTotals { interval_start: start, import_wh, export_wh: 0, readings: u64::from(import_wh > 0) })
    }
    async fn query(&self, contract: Contract, args: Vec<String>) -> Result<serde_json::Value, SourceError> {
        self.check()?;
        let key = format!("{contract:?} {}", args.join(" "));
        if self.refused.iter().any(|r| key.starts_with(r.as_str())) {
            return Err(SourceError::Refused(format!("chaincode response 403, {key}")));
        }
        match self.records.get(&key) {
            Some(value) => Ok(value.clone()),
            None => Err(SourceError::NotFound(key)),
        }
    }
    async fn network(&self) -> NetworkInfo {
        NetworkInfo { channel: "energy".into(), height: Some(7), ..NetworkInfo::default() }
    }
}

fn party(name: &str) -> Party {
    Party { msp: "OrgMSP".into(), id: name.into() }
}

fn order(id: &str, side: Side, wh: i64, limit: i64) -> Order {
    Order {
        id: id.into(),
        side,
        wh,
        limit_per_kwh: limit,
        party: party(id),
        placed_at: Timestamp::default(),
        status: OrderStatus::Open,
    }
}

fn market() -> Fake {
    let orders = vec![
        order("b1", Side::Buy, 3000, 30),
        order("b2", Side::Buy, 2000, 25),
        order("a1", Side::Sell, 2500, 12),
        order("a2", Side::Sell, 2000, 20),
    ];
    let fill = |id: &str, side, wh| Fill { order_id: id.into(), party: party(id), side, wh };
    let clearing = Clearing {
        interval_start: T,
        price_per_kwh: Some(22),
        volume_wh: 4500,
        fills: vec![
            fill("b1", Side::Buy, 3000),
            fill("b2", Side::Buy, 1500),
            fill("a1", Side::Sell, 2500),
            fill("a2", Side::Sell, 2000),
        ],
    };
    Fake {
        orders: [(T, orders), (T + 1800, vec![order("b9", Side::Buy, 1, 1)])].into(),
        clearings: [(T, clearing)].into(),
        balances: [("GRID".into(), 49), ("OrgMSP/alice".into(), -89), ("OrgMSP/carol".into(), 40)].into(),
        ..Fake::default()
    }
}

fn app(fake: Fake) -> (Arc<AppState<Fake>>, broadcast::Sender<String>) {
    let (tx, _) = broadcast::channel(4);
    // The clock: 15 minutes into the cleared interval.
    let state = Arc::new(AppState { source: fake, market_events: tx.clone(), now: || T + 900, metering_interval: 900 });
    (state, tx)
}

async fn get(state: &Arc<AppState<Fake>>, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let response = router(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8(bytes.to_vec()).expect("utf-8"))
}

#[tokio::test]
async fn market_pages() {
    let (state, _) = app(market());
    let (status, html) = get(&state, "/market").await;
    assert_eq!(status, StatusCode::OK);
    // 8 past intervals, the current one, 3 future ones.
    assert_eq!(html.matches("<a href=\"/market/").count(), 12, "{html}");
    assert!(
        html.contains(&format!(
            "<a href=\"/market/{T}\">2026-01-01 00:00 UTC</a></td><td class=\"t\">cleared</td><td>4</td><td>22</td>"
        )),
        "{html}"
    );
    assert!(html.contains("2026-01-01 00:30 UTC</a></td><td class=\"t\">open</td><td>1</td>"), "{html}");
    assert!(html.contains("2026-01-01 00:15 UTC</a></td><td class=\"t\">closed</td>"), "{html}");

    let (status, html) = get(&state, &format!("/market/{T}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Cleared at <b>22</b> per kWh") && html.contains("Not settled yet."));
    assert_eq!(html.matches("class=\"step ").count(), 4);

    let (status, html) = get(&state, "/balances").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td class=\"t\">OrgMSP/alice</td><td>-89</td>") && html.contains("Sum of all balances: 0"));

    for bad in ["/market/-1", "/market/1000000000000", "/market/%3Cscript%3E"] {
        let (status, html) = get(&state, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(!html.contains("<script>"), "{html}");
    }
}

#[tokio::test]
async fn metering_and_network_pages() {
    let (state, _) = app(market());
    let (status, html) = get(&state, "/metering/cp-1?day=2026-01-01").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(state.source.totals_calls.load(Ordering::SeqCst), 96);
    assert!(html.contains("import 1\u{202f}234 Wh") && html.matches("<rect class=\"import\"").count() == 1, "{html}");
    for bad in
        ["/metering/cp-1?day=2026-13-01", "/metering/cp-1?day=2026-1-1", &format!("/metering/{}", "x".repeat(129))]
    {
        assert_eq!(get(&state, bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, html) = get(&state, "/network").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<b id=\"height\">7</b>"));
}

#[tokio::test]
async fn failures_are_error_pages_with_their_status() {
    let (state, _) = app(market());
    let cases: [(MakeError, StatusCode, &str); 4] = [
        (
            || SourceError::Unreachable("cannot reach the gateway peer at <peer>".into()),
            StatusCode::SERVICE_UNAVAILABLE,
            "Network unreachable",
        ),
        (
            || SourceError::Refused("chaincode response 403\n  127.0.0.1:9051 (ProsumerMSP): refused".into()),
            StatusCode::FORBIDDEN,
            "Not readable by this identity",
        ),
        (|| SourceError::NotFound("gone".into()), StatusCode::NOT_FOUND, "Not found"),
        (|| SourceError::Malformed("x".into()), StatusCode::BAD_GATEWAY, "The network could not answer"),
    ];
    for (make, status, title) in cases {
        *state.source.fail.lock().expect("lock") = Some(make);
        for uri in ["/market", "/balances", &format!("/market/{T}")] {
            let (got, html) = get(&state, uri).await;
            assert_eq!(got, status, "{uri}");
            assert!(html.contains(&format!("<h1>{title}</h1>")) && html.contains("class=\"error\""), "{html}");
            assert!(!html.contains("<peer>") && !html.contains("\\n"), "{html}");
        }
    }
}

#[tokio::test]
async fn market_events_reach_the_stream() {
    let (state, tx) = app(market());
    let request = Request::get("/events/market").body(Body::empty()).expect("request");
    let response = router(state.clone()).oneshot(request).await.expect("infallible");
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
    let mut body = response.into_body().into_data_stream();
    assert_eq!(tx.send(format!("MarketCleared {T}")).ok(), Some(1), "the page's stream subscribed");
    let frame = body.next().await.expect("a frame").expect("data");
    assert_eq!(String::from_utf8_lossy(&frame), format!("data: MarketCleared {T}\n\n"));
}

/// The registry, metering, certificates and flexibility records of a small consortium.
fn ledger() -> Fake {
    let pv = |id: &str| {
        json!({"id": id, "owner": {"msp": "ProsumerMSP", "id": "alice"}, "kind": "pv", "nameplateW": 4000,
               "connectionPoint": "cp-1", "status": "active", "vpp": "vpp-n"})
    };
    let hour = |h: i64| {
        json!({"meterId": "m-1", "hourStart": T + h * 3600, "importWh": 0, "importReadings": 0,
               "exportWh": if h == 9 { 700 } else { 0 }, "exportReadings": i64::from(h == 9), "owners": []})
    };
    let mut records: BTreeMap<String, serde_json::Value> = [
        ("Registry AssetsByKind pv 100 ".into(), json!({"records": [pv("pv-1"), pv("pv-2")], "bookmark": "next"})),
        ("Registry AssetsByKind pv 100 next".into(), json!({"records": [], "bookmark": ""})),
        ("Registry GetAsset pv-1".into(), pv("pv-1")),
        ("Registry GetAsset pv-2".into(), pv("pv-2")),
        ("Registry AssetHistory pv-1".into(), json!([{"txId": "t1", "timestamp": {"seconds": T}, "asset": pv("pv-1")}])),
        (
            "Registry GetVpp vpp-n".into(),
            json!({"id": "vpp-n", "name": "North", "aggregator": {"msp": "AggMSP", "id": "agg"},
                   "members": ["pv-1", "pv-2"], "capacityW": 8000}),
        ),
        (
            "Metering GetMeter m-1".into(),
            json!({"id": "m-1", "assetId": "pv-1", "registers": ["export"], "intervalSeconds": 900, "status": "active"}),
        ),
        ("Metering GetMeter m-2".into(), json!({"id": "m-2", "assetId": "pv-2", "status": "inactive"})),
        (
            "Certificates CertificatesByStatus active 100 ".into(),
            json!({"records": [{"id": "c1", "hourStart": T, "wh": 700, "status": "active"}], "bookmark": ""}),
        ),
        ("Flexibility GetRequest r1".into(), json!({"id": "r1", "status": "open", "direction": "up", "wh": 500})),
        ("Flexibility Offers r1".into(), json!([])),
    ]
    .into();
    records.extend((0..24).map(|h| (format!("Metering MeterHour m-1 {}", T + h * 3600), hour(h))));
    Fake { records, refused: vec!["Metering MeterHour m-2".into()], ..Fake::default() }
}

#[tokio::test]
async fn registry_metering_certificate_and_flexibility_pages() {
    let (state, _) = app(ledger());
    let (status, html) = get(&state, "/assets?kind=pv").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2 records") && html.contains("href=\"/assets?kind=pv&amp;bookmark=next\""), "{html}");
    assert!(html.contains("<a href=\"/certificates\">Certificates</a>"), "the nav bar links every page");
    assert!(get(&state, "/assets?kind=pv&bookmark=next").await.1.contains("0 records"));
    let (status, html) = get(&state, "/assets/pv-1").await;
    assert!(status == StatusCode::OK && html.contains("<td class=\"t\">t1</td>"), "{html}");
    let (status, html) = get(&state, "/vpps/vpp-n").await;
    assert!(status == StatusCode::OK && html.contains("<b id=\"capacity\">8\u{202f}000</b> W from 2 members"));

    let (status, html) = get(&state, "/meters/m-1?day=2026-01-01").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<td class=\"t\">2026-01-01 09:00 UTC</td><td>0</td><td>0</td><td>700</td><td>1</td>"));
    // The private readings of another owner's meter: a 403 page, not a crash.
    let (status, html) = get(&state, "/meters/m-2?day=2026-01-01").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("<h1>Not readable by this identity</h1>"));
    assert_eq!(get(&state, "/meters/m-9?day=2026-01-01").await.0, StatusCode::NOT_FOUND);
    let (status, html) = get(&state, "/meters?id=m%2F1&day=2026-01-01").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");

    let (status, html) = get(&state, "/certificates?status=active").await;
    assert!(status == StatusCode::OK && html.contains("<a href=\"/certificates/c1\">c1</a>"), "{html}");
    let (status, html) = get(&state, "/flexibility/r1").await;
    assert!(status == StatusCode::OK && html.contains("Not awarded yet."), "{html}");

    for form in ["/assets", "/meters", "/certificates", "/flexibility"] {
        assert_eq!(get(&state, form).await.0, StatusCode::OK, "{form}");
    }
    let long = "x".repeat(129);
    for bad in [
        "/assets?kind=coal".to_string(),
        "/assets?owner_msp=M".to_string(),
        format!("/assets/{long}"),
        "/certificates?hour=3601".to_string(),
        "/certificates?status=%3Cb%3E".to_string(),
        "/matching?msp=M".to_string(),
        "/meters/m-1?day=2026-02-30".to_string(),
        format!("/flexibility/{long}"),
    ] {
        let (status, html) = get(&state, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(!html.contains("<b>"), "{html}");
    }
}
