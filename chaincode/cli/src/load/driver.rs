//! The load loop: N workers, each with its own gateway connection and transaction source, submitting at a fixed
//! total rate or as fast as they can, until a duration or a count is reached (or the sources run dry).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gridledger_client::{Gateway, Invocation, peer_message};

use crate::load::progress::Progress;
use crate::load::stats::{Cause, Stats, classify};

/// One transaction to submit.
#[derive(Debug, Clone)]
pub struct Tx {
    /// What to invoke.
    pub invocation: Invocation,
    /// How many units it carries (readings in a batch, orders...), for units/s.
    pub units: u64,
}

/// Where a worker's transactions come from.
pub trait Source: Send {
    /// The next transaction, or `None` when there is nothing left.
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>>;
    /// The transaction last returned by `next_tx` committed VALID (`true`) or failed.
    fn finished(&mut self, _committed: bool) {}
}

/// A worker: a connection and a source.
pub struct Worker {
    /// Its own gateway connection.
    pub gateway: Gateway,
    /// Its transactions.
    pub source: Box<dyn Source>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

/// How hard and how long to push.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Total transactions per second over all workers (`None`: as fast as possible).
    pub rate: Option<f64>,
    /// Stop starting transactions after this long.
    pub duration: Option<Duration>,
    /// Stop after this many transactions.
    pub count: Option<u64>,
    /// Per-transaction limit (endorse, order, commit).
    pub timeout: Duration,
    /// Name of what a transaction carries (`tx`, `readings`, `orders`).
    pub unit: &'static str,
}

/// Runs the workers to completion; returns the merged numbers and the elapsed time.
pub async fn drive(workers: Vec<Worker>, plan: &Plan) -> (Stats, Duration) {
    let start = Instant::now();
    let issued = Arc::new(AtomicU64::new(0));
    let progress = Progress::start(plan.clone(), start);
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|w| tokio::spawn(work(w, plan.clone(), issued.clone(), progress.clone(), start)))
        .collect();
    let mut total = Stats::default();
    for task in tasks {
        match task.await {
            Ok(stats) => total.merge(stats),
            Err(e) => total.fail(Cause::Other, format!("a worker stopped: {e}")),
        }
    }
    let elapsed = start.elapsed();
    progress.finish();
    (total, elapsed)
}

async fn work(mut w: Worker, plan: Plan, issued: Arc<AtomicU64>, progress: Progress, start: Instant) -> Stats {
    let mut stats = Stats::default();
    loop {
        let slot = issued.fetch_add(1, Ordering::Relaxed);
        if plan.count.is_some_and(|c| slot >= c) {
            break;
        }
        if let Some(rate) = plan.rate {
            tokio::time::sleep_until((start + Duration::from_secs_f64(slot as f64 / rate)).into()).await;
        }
        if plan.duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        let tx = match w.source.next_tx() {
            Ok(Some(tx)) => tx,
            Ok(None) => break,
            Err(e) => {
                stats.fail(Cause::Other, format!("preparing a transaction: {e:#}"));
                break;
            }
        };
        let t0 = Instant::now();
        let outcome = tokio::time::timeout(plan.timeout, w.gateway.submit(&tx.invocation)).await;
        let latency = t0.elapsed();
        let committed = match outcome {
            Ok(Ok(_)) => {
                stats.ok(latency, tx.units);
                true
            }
            Ok(Err(e)) => {
                // Classified on the whole text; kept (and later printed) cut short.
                let message = format!("{e:#}");
                let cause = classify(&message);
                let message = peer_message(&message).into_owned();
                stats.fail(cause, message);
                false
            }
            Err(_) => {
                stats.fail(Cause::Timeout, format!("no commit within {} s", plan.timeout.as_secs()));
                false
            }
        };
        w.source.finished(committed);
        progress.record(committed, if committed { tx.units } else { 0 });
    }
    stats
}
