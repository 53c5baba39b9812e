//! Steady load with accounting, shared by the fault tests (`tests/chaos.rs`, `tests/multihost.rs`): writers send
//! uniquely numbered kv writes through the Fabric Gateway (gridctl) at a fixed pace and record, for each, when it was
//! sent and ended and whether the client saw it commit VALID or why not; afterwards the peers are asked what they
//! hold.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::Network;
use crate::gridctl::run as gridctl;

/// One write: its key, when it was sent and ended, and how (None: committed VALID; Some: the failure's cause).
#[derive(Debug, Clone)]
pub struct Write {
    /// The key, also its value.
    pub key: String,
    /// The transaction id gridctl reported ("transaction ID committed in block N"), when it reported one.
    pub txid: Option<String>,
    /// The block it committed in, as gridctl reported it.
    pub block: Option<u64>,
    /// When it was sent.
    pub sent: Instant,
    /// When the client had its answer.
    pub ended: Instant,
    /// None: committed VALID; Some: the failure's cause ([`cause`]).
    pub failure: Option<String>,
}

/// The failure's cause, from gridctl's message, coarse enough to count.
pub fn cause(stderr: &str) -> String {
    let s = stderr.to_lowercase();
    let cause = if s.contains("endorse") || s.contains("chaincode") && s.contains("unavailable") {
        "endorsement"
    } else if s.contains("no combination of peers") || s.contains("discovery") {
        "discovery"
    } else if s.contains("order") || s.contains("broadcast") || s.contains("submit") {
        "ordering"
    } else if s.contains("timeout") || s.contains("deadline") || s.contains("timed out") {
        "timeout"
    } else if s.contains("commit") || s.contains("invalid") {
        "commit"
    } else {
        "other"
    };
    cause.to_string()
}

/// The transaction id and block in gridctl's "transaction TXID committed in block N".
pub fn committed_in(stderr: &str) -> (Option<String>, Option<u64>) {
    let Some(line) = stderr.lines().find(|l| l.contains(" committed in block ")) else { return (None, None) };
    let txid = line.split("transaction ").nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_string);
    let block = line.rsplit(' ').next().and_then(|b| b.trim().parse().ok());
    (txid, block)
}

/// The writes of a running load, and the flag that stops its writers.
#[derive(Debug, Default)]
pub struct Load {
    writes: Mutex<Vec<Write>>,
    stop: AtomicBool,
}

impl Load {
    /// A load with no writes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One writer: `kv Put KEY KEY` through `org`'s Gateway, keys `{prefix}-{worker}-{i:05}`, one write per `pace`
    /// at most, each given up after `timeout` (gridctl's --timeout), until [`Load::stop`].
    pub fn writer(&self, org: &str, prefix: &str, worker: usize, pace: Duration, timeout: Duration) {
        let timeout = timeout.as_secs().to_string();
        for i in 0.. {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let key = format!("{prefix}-{worker}-{i:05}");
            let sent = Instant::now();
            let out = gridctl(&["invoke", "--org", org, "-n", "kv", "--timeout", &timeout, "Put", &key, &key]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let failure = (!out.status.success()).then(|| cause(&stderr));
            let (txid, block) = committed_in(&stderr);
            let ended = Instant::now();
            self.lock().push(Write { key, txid, block, sent, ended, failure });
            if let Some(rest) = pace.checked_sub(ended - sent) {
                thread::sleep(rest);
            }
        }
    }

    /// Tells the writers to stop after their current write.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether [`Load::stop`] was called.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// A guard that stops the writers when dropped, so a failed assertion does not leave them writing forever.
    pub fn stopper(&self) -> impl Drop + '_ {
        struct Guard<'a>(&'a Load);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                self.0.stop();
            }
        }
        Guard(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Write>> {
        self.writes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many writes the client saw commit so far.
    pub fn commits(&self) -> usize {
        self.lock().iter().filter(|w| w.failure.is_none()).count()
    }

    /// When the first write sent at or after `since` committed, if one has.
    pub fn committed_since(&self, since: Instant) -> Option<Instant> {
        self.lock().iter().filter(|w| w.failure.is_none() && w.sent >= since).map(|w| w.ended).min()
    }

    /// Waits until `target` writes have committed; panics after `limit`.
    pub fn wait_commits(&self, target: usize, what: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.commits() < target {
            assert!(Instant::now() < deadline, "{what}: {} of {target} writes committed", self.commits());
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every write so far.
    pub fn writes(&self) -> Vec<Write> {
        self.lock().clone()
    }
}

/// The keys the client saw commit, and the failures by cause.
pub fn tally(writes: &[Write]) -> (BTreeSet<&str>, BTreeMap<&str, usize>) {
    let committed = writes.iter().filter(|w| w.failure.is_none()).map(|w| w.key.as_str()).collect();
    let mut failed_by_cause: BTreeMap<&str, usize> = BTreeMap::new();
    for w in writes.iter().filter_map(|w| w.failure.as_deref()) {
        *failed_by_cause.entry(w).or_default() += 1;
    }
    (committed, failed_by_cause)
}

/// `peer channel getinfo` height on `org`'s peer.
pub fn peer_height(net: &Network, org: &str) -> Option<u64> {
    let args = ["channel", "getinfo", "-c", &net.channel()].map(String::from);
    let out = net.admin(org).peer(&args).ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text.split_once("Blockchain info: ")?.1.trim();
    serde_json::from_str::<serde_json::Value>(json).ok()?["height"].as_u64()
}

/// Waits until every one of `orgs`' peers answers with one same height, and returns it; panics after `limit`.
pub fn converged_height(net: &Network, orgs: &[&str], limit: Duration) -> u64 {
    let deadline = Instant::now() + limit;
    loop {
        let heights: Vec<Option<u64>> = orgs.iter().map(|o| peer_height(net, o)).collect();
        let first = heights.first().copied().flatten();
        if let Some(h) = first.filter(|h| heights.iter().all(|x| *x == Some(*h))) {
            return h;
        }
        assert!(Instant::now() < deadline, "peer heights never converged: {heights:?}");
        thread::sleep(Duration::from_millis(500));
    }
}

/// The keys under `prefix` on `org`'s peer, with their values.
pub fn keys_on(net: &Network, org: &str, prefix: &str) -> BTreeMap<String, String> {
    let range = net.cli_query_as(net.admin(org), "kv", &["Range", &format!("{prefix}-"), &format!("{prefix}.")]);
    assert!(range.ok, "Range on {org}: {}", range.error);
    let records = range.json().unwrap_or_else(|e| panic!("Range JSON on {org}: {e}"));
    let records = records.as_array().cloned().unwrap_or_default();
    records
        .iter()
        .map(|r| {
            (r["key"].as_str().unwrap_or_default().to_string(), r["value"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// Panics unless `org`'s peer holds exactly the `committed` keys under `prefix`, each with its own key as value.
pub fn assert_holds_exactly(net: &Network, org: &str, prefix: &str, committed: &BTreeSet<&str>) {
    let on_peer = keys_on(net, org, prefix);
    let present: BTreeSet<&str> = on_peer.keys().map(String::as_str).collect();
    let missing: Vec<_> = committed.difference(&present).collect();
    let extra: Vec<_> = present.difference(committed).collect();
    assert!(missing.is_empty(), "{org}'s peer lacks writes the client saw commit: {missing:?}");
    assert!(extra.is_empty(), "{org}'s peer holds writes the client saw fail: {extra:?}");
    assert!(on_peer.iter().all(|(k, v)| k == v), "{org}'s peer holds a wrong value");
}
