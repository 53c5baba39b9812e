//! Signed meter readings written under load into metering's private collection, and read back from one peer.

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use gridledger_e2e::gridctl::run as gridctl;
use gridledger_e2e::load::{self, Load};
use gridledger_e2e::{Identity, Network, unique};
use serde_json::Value;

/// One signed reading submitted through the grid operator's Gateway.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub(crate) interval_start: i64,
    pub(crate) wh: i64,
    /// The block it committed in (None: the client saw it fail).
    pub(crate) block: Option<u64>,
    /// Why it failed: the end of gridctl's stderr.
    pub(crate) error: String,
}

/// The meter the readings writer reports for: registered (with its asset) before the load, its key kept on disk.
pub(crate) struct Meter {
    pub(crate) id: String,
    pub(crate) key: String,
    /// The last interval the registering run reported; the writer reports the ones before it.
    pub(crate) last_interval: i64,
}

pub(crate) fn register_meter(grid: &str, prefix: &str) -> Meter {
    let dir = std::env::temp_dir().join(unique("multihost-keys"));
    std::fs::create_dir_all(&dir).expect("a key directory");
    let keys = dir.display().to_string();
    let mut args: Vec<&str> = "meter simulate --user gateway1 --register --meters 1 --intervals 1".split(' ').collect();
    args.extend(["--org", grid, "--prefix", prefix, "--keys-dir", &keys]);
    let out = gridctl(&args);
    assert!(out.status.success(), "registering a meter: {}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let last_interval = summary["intervals"][0]["intervalStart"].as_i64().expect("the run's interval");
    let key = dir.join(format!("{prefix}-0.key")).display().to_string();
    Meter { id: format!("{prefix}-0"), key, last_interval }
}

/// The readings writer: one reading of `meter` per round, a new interval each (counting back from the registering
/// run's), signed by the meter's key and submitted as the grid operator's gateway user, endorsed by exactly
/// `endorsers` (MSP ids: the orgs that stay connected), so that a reading endorsed during the cut is certainly
/// not pushed to the cut peer: it must pull it or reconcile it later.
pub(crate) fn readings_writer(load: &Load, grid: &str, meter: &Meter, endorsers: &[String], out: &Mutex<Vec<Reading>>) {
    for j in 1_i64.. {
        if load.stopped() {
            break;
        }
        let (interval_start, wh) = (meter.last_interval - 900 * j, j);
        let (start, wh_s, counter) = (interval_start.to_string(), wh.to_string(), (1_000_000_000_000 + j).to_string());
        let sign = ["meter", "sign", "--key", &meter.key, "--meter", &meter.id, "--interval-start", &start];
        let signed = gridctl(&[&sign[..], &["--wh", &wh_s, "--counter", &counter]].concat());
        assert!(signed.status.success(), "meter sign: {}", String::from_utf8_lossy(&signed.stderr));
        let batch = format!("readings=[{}]", String::from_utf8_lossy(&signed.stdout).trim());
        let mut args = vec!["invoke", "--org", grid, "--user", "gateway1", "-n", "metering", "--timeout", "90"];
        for msp in endorsers {
            args.extend(["--endorsing-org", msp.as_str()]);
        }
        args.extend(["--transient", &batch, "SubmitReadings", ""]);
        let done = gridctl(&args);
        let stderr = String::from_utf8_lossy(&done.stderr);
        let (block, error) = if done.status.success() {
            (load::committed_in(&stderr).1, String::new())
        } else {
            (None, stderr.chars().rev().take(300).collect::<Vec<_>>().into_iter().rev().collect())
        };
        let reading = Reading { interval_start, wh, block, error };
        lock(out).push(reading);
        thread::sleep(Duration::from_millis(500));
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `GetReading` of one meter's interval and register on `org`'s peer, as the supplier's admin (entitled to read
/// every reading); the reading JSON, or None while that peer does not have it.
pub(crate) fn reading_on(
    net: &Network,
    reader: &Identity,
    org: &str,
    meter: &str,
    start: i64,
    register: &str,
) -> Option<Value> {
    let at = reader.at_peer_of(net.admin(org)).unwrap_or_else(|e| panic!("{e}"));
    let got = net.evaluate_as(&at, "metering", &["GetReading", meter, &start.to_string(), register]);
    if got.ok { got.json().ok() } else { None }
}
