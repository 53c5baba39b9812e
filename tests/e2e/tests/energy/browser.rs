//! The web view (`gridledger-web`) in headless Chromium after the energy scenario: the scenario hands over what it
//! committed ([`Handoff`]), the test serves the web view as the supplier's operator on a free loopback port, and
//! drives Debian's Chromium through chromedriver's W3C WebDriver HTTP API (hyper, already in the tree: the WebDriver
//! client crates bring second copies of http, cookie, thiserror and the icu crates, which deny.toml refuses).

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use gridledger_e2e::{Identity, repo, unique};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// What the scenario committed, for the pages to show.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    /// The traded interval's start.
    pub interval: i64,
    /// Its clearing price per kWh and volume in Wh.
    pub price: i64,
    /// The traded volume, Wh.
    pub volume_wh: i64,
    /// Open orders at clearing (one step each in the chart).
    pub open_orders: usize,
    /// The scenario's accounts and their balances after settlement.
    pub balances: Vec<(String, i64)>,
    /// Whom the web view reads as (the supplier's operator).
    pub reader: Identity,
    /// The scenario's PV asset, VPP and alice's meter (readings of the traded interval).
    pub pv: String,
    /// The VPP.
    pub vpp: String,
    /// Alice's meter.
    pub meter: String,
    /// A prosumer who may not read alice's readings (bob): the meter page refuses him.
    pub outsider: Identity,
}

/// The scenario's result, handed to the browser test in the same test binary; `Err` when the scenario did not
/// finish.
#[derive(Debug)]
pub(crate) struct Handoff {
    result: Mutex<Option<Result<Scenario, String>>>,
    ready: Condvar,
}

impl Handoff {
    /// Nothing published yet.
    pub(crate) const fn new() -> Self {
        Handoff { result: Mutex::new(None), ready: Condvar::new() }
    }

    /// Publishes the outcome (the first one wins).
    pub(crate) fn publish(&self, outcome: Result<Scenario, String>) {
        let mut slot = self.result.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(outcome);
        }
        self.ready.notify_all();
    }

    /// Waits up to `timeout` for the scenario's outcome.
    pub(crate) fn wait(&self, timeout: Duration) -> Result<Scenario, String> {
        let slot = self.result.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (slot, _) = self
            .ready
            .wait_timeout_while(slot, timeout, |s| s.is_none())
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.clone().unwrap_or_else(|| Err(format!("the energy scenario gave no result within {timeout:?}")))
    }
}

/// Publishes a failure when dropped before [`Handoff::publish`] was called with the result (a panicking scenario).
pub(crate) struct FailOnDrop(pub &'static Handoff);

impl Drop for FailOnDrop {
    fn drop(&mut self) {
        self.0.publish(Err("the energy scenario failed before its end".into()));
    }
}

/// A free loopback port (bound and released; the race with another process is accepted in a test).
fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// chromedriver and one headless Chromium session; both end on drop.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: TempDir,
}

/// A fresh, empty Chromium profile directory, removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One WebDriver command: `method path` with a JSON body, the answer's `value`.
async fn command(port: u16, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("chromedriver: {e}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("127.0.0.1:{port}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.map(|b| b.to_string()).unwrap_or_default())))
        .map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| format!("{method} {path}: {e}"))?;
    let status = response.status();
    let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let answer: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{method} {path}: {status} {}", answer["value"]));
    }
    Ok(answer["value"].clone())
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session with a fresh profile and everything
    /// that would call Google hosts turned off (the CI network is closed).
    async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (scripts/install-deps.sh installs Debian's chromium-driver)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while command(port, "GET", "/status", None).await.map(|v| v["ready"] == true) != Ok(true) {
            assert!(Instant::now() < deadline, "chromedriver did not get ready on port {port}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let profile = std::env::temp_dir().join(unique("gridledger-chromium"));
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1100,1400",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let session = command(port, "POST", "/session", Some(caps)).await.expect("a Chromium session");
        let session = session["sessionId"].as_str().expect("a session id").to_string();
        Browser { driver, port, session, _profile: TempDir(profile) }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        command(self.port, method, &path, body).await.unwrap_or_else(|e| panic!("{e}"))
    }

    async fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    /// Runs `script` (a function body) in the page; its return value.
    async fn eval(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Saves a PNG of the page under `.cache/web/NAME.png` and prints the path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.call("GET", "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()).expect("PNG");
        let dir = repo().canonicalize().unwrap_or_else(|_| repo()).join(".cache/web");
        std::fs::create_dir_all(&dir).expect(".cache/web");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("writing the screenshot");
        eprintln!("web: screenshot {}", path.display());
        path
    }

    async fn quit(mut self) {
        let _ = command(self.port, "DELETE", &format!("/session/{}", self.session), None).await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The web view's configuration: the reader's peer, TLS and identity from its peer CLI environment.
fn config(reader: &Identity) -> gridledger_web::fabric::Config {
    let var = |k: &str| reader.var(k).unwrap_or_else(|e| panic!("{e}")).to_string();
    let msp = PathBuf::from(var("CORE_PEER_MSPCONFIGPATH"));
    let only = |sub: &str| {
        let file = gridledger_client::identity::only_file(&msp.join(sub)).expect("one file");
        std::fs::read(file).expect("readable")
    };
    let tls = gridledger_client::Tls::from_ca_file(&PathBuf::from(var("CORE_PEER_TLS_ROOTCERT_FILE"))).expect("TLS CA");
    gridledger_web::fabric::Config {
        target: gridledger_client::PeerTarget { address: var("CORE_PEER_ADDRESS"), tls: Some(tls) },
        msp_id: var("CORE_PEER_LOCALMSPID"),
        cert_pem: only("signcerts"),
        key_pem: only("keystore"),
        channel: var("CHANNEL"),
        trade: "trade".into(),
        metering: "metering".into(),
        registry: "registry".into(),
        certificates: "certificates".into(),
        flexibility: "flexibility".into(),
    }
}

/// Table rows of the page as `[first cell (its title when cut), second cell]` text.
const ROWS: &str = "return Array.from(document.querySelectorAll('tbody tr')).map(function(r){\
var c=r.querySelectorAll('td');var s=c[0].querySelector('span[title]');\
return [s?s.title:c[0].textContent, c.length>1?c[1].textContent:''];});";

/// An integer as the pages group it (`-1 234`, thin spaces).
fn number(text: &str) -> i64 {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
    digits.parse().unwrap_or_else(|_| panic!("{text:?} is not a number"))
}

/// A web view serving as `who` on a free loopback port, until its stop sender is used or dropped.
struct Server {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), gridledger_web::serve::ServeError>>,
}

impl Server {
    async fn start(who: &Identity) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(gridledger_web::serve::serve(config(who), listener, 60, async {
            let _ = stopped.await;
        }));
        eprintln!("web: serving on {base} as {}/{}", who.org, who.user);
        Server { base, stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(result) => result.expect("the web view served"),
            Err(e) => panic!("the web view's task: {e}"),
        }
    }
}

/// The text of the page's first `h1`.
async fn heading(browser: &Browser) -> String {
    browser.eval("return document.querySelector('h1').textContent;").await.as_str().unwrap_or_default().to_string()
}

/// The pages the issue names, checked against the scenario, with a screenshot of each.
pub(crate) async fn check_pages(s: &Scenario) {
    let server = Server::start(&s.reader).await;
    let base = server.base.clone();
    let browser = Browser::start().await;

    // The market page of the scenario's interval: clearing price and volume, one step per open order.
    browser.open(&format!("{base}/market/{}", s.interval)).await;
    let text = browser.eval("return document.querySelector('main p').textContent;").await;
    let want = format!("Cleared at {} per kWh, {} Wh traded.", s.price, gridledger_web::html::grouped(s.volume_wh));
    assert_eq!(text.as_str(), Some(want.as_str()), "the market page's clearing line");
    let steps = browser.eval("return document.querySelectorAll('svg polyline.step').length;").await;
    assert_eq!(steps, json!(s.open_orders), "one step per open order");
    browser.screenshot("market").await;

    // The market list shows the interval as settled.
    browser.open(&format!("{base}/market")).await;
    browser.screenshot("market-list").await;

    // Balances: the scenario's accounts hold what its settlement table says.
    browser.open(&format!("{base}/balances")).await;
    let rows = browser.eval(ROWS).await;
    let shown: Vec<(String, i64)> = rows
        .as_array()
        .map(|r| {
            r.iter().map(|c| (c[0].as_str().unwrap_or("").to_string(), number(c[1].as_str().unwrap_or("")))).collect()
        })
        .unwrap_or_default();
    for (account, want) in &s.balances {
        let got = shown.iter().find(|(a, _)| a == account).map(|(_, b)| *b);
        assert_eq!(got, Some(*want), "balance of {account} on /balances ({shown:?})");
    }
    browser.screenshot("balances").await;

    // Network: three peer organizations at the same height (a peer may commit the last block a moment later).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        browser.open(&format!("{base}/network")).await;
        let orgs = browser
            .eval("return Array.from(document.querySelectorAll('.org')).map(function(e){return e.textContent;});")
            .await;
        let heights = browser
            .eval(
                "return Array.from(document.querySelectorAll('.org-height')).map(function(e){return e.textContent;});",
            )
            .await;
        let (orgs, heights) =
            (orgs.as_array().cloned().unwrap_or_default(), heights.as_array().cloned().unwrap_or_default());
        let equal = heights.len() == 3 && heights.windows(2).all(|w| w[0] == w[1]);
        if orgs.len() == 3 && equal {
            eprintln!("web: /network lists {orgs:?} at heights {heights:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/network: want three organizations at one height, got {orgs:?} {heights:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let config = browser
        .eval(
            "return [document.body.textContent.includes(\"Listed from the channel's configuration\"), \
               Array.from(document.querySelectorAll('h2')).some(function(h){return h.textContent === 'Orderers';})];",
        )
        .await;
    assert_eq!(config, json!([true, true]), "organizations and orderer nodes from the channel configuration");
    let codes = browser.eval("return document.querySelectorAll('.code').length;").await;
    assert!(codes.as_u64().unwrap_or(0) > 0, "the latest blocks list their transactions");
    browser.screenshot("network").await;

    // The registry and metering pages: the scenario's asset, its VPP, alice's meter with the traded interval's
    // readings; then the same meter page as bob, whom metering refuses alice's readings: a 403 page.
    browser.open(&format!("{base}/assets/{}", s.pv)).await;
    assert_eq!(heading(&browser).await, format!("Asset {}", s.pv));
    browser.open(&format!("{base}/vpps/{}", s.vpp)).await;
    assert_eq!(heading(&browser).await, format!("VPP {}", s.vpp));
    let capacity = browser.eval("return document.getElementById('capacity').textContent;").await;
    assert!(number(capacity.as_str().unwrap_or("")) > 0, "the VPP's capacity: {capacity}");
    browser.screenshot("vpp").await;
    let day: String = gridledger_web::html::utc(s.interval).chars().take(10).collect();
    let meter_page = format!("/meters/{}?day={day}", s.meter);
    browser.open(&format!("{base}{meter_page}")).await;
    assert_eq!(heading(&browser).await, format!("Meter {}", s.meter));
    let rows = browser.eval("return document.querySelectorAll('tbody tr').length;").await;
    assert!(rows.as_u64().unwrap_or(0) >= 1, "alice's readings of the traded hour: {rows}");
    browser.screenshot("meter").await;
    let outsider = Server::start(&s.outsider).await;
    browser.open(&format!("{}{meter_page}", outsider.base)).await;
    assert_eq!(heading(&browser).await, "Not readable by this identity", "the meter page as bob");
    browser.screenshot("meter-refused").await;
    outsider.stop().await;

    browser.quit().await;
    server.stop().await;
}

/// One page to look at: its path, the text its body must contain, and the screenshot's name.
#[allow(dead_code)] // the certificates and flexibility tests' (the energy scenario has check_pages)
pub(crate) struct Page {
    pub path: String,
    pub contains: Vec<String>,
    pub shot: &'static str,
}

/// Serves the web view as `who` and checks each page in Chromium: its body holds every expected text; a
/// screenshot of each.
#[allow(dead_code)] // the certificates and flexibility tests' (the energy scenario has check_pages)
pub(crate) async fn visit(who: &Identity, pages: &[Page]) {
    let server = Server::start(who).await;
    let browser = Browser::start().await;
    for page in pages {
        browser.open(&format!("{}{}", server.base, page.path)).await;
        let body = browser.eval("return document.body.innerText;").await;
        let body = body.as_str().unwrap_or_default();
        for want in &page.contains {
            assert!(body.contains(want.as_str()), "{} shows no {want:?}:\n{body}", page.path);
        }
        browser.screenshot(page.shot).await;
    }
    browser.quit().await;
    server.stop().await;
}
