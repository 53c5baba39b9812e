//! Building a benchmark's fixture through the gateway: many independent transactions as one identity, spread
//! over workers by the load loop, and one refusal fails the whole step (a half-built fixture measures nothing).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use gridledger_client::{Committed, Gateway, Invocation};
use serde_json::Value;

use crate::conn::{GatewayArgs, connect_all};
use crate::ledger::json_answer;
use crate::load::driver::{self, Plan, Source, Tx, Worker};

/// Attempts per fixture transaction: a batch endorsed by a peer that has not yet committed the one before it (same
/// meter) fails with mismatched endorsements, and goes again.
const ATTEMPTS: u32 = 4;

/// A fixed list of transactions, each retried in place (so a lane keeps its order) until it commits or has used
/// its [`ATTEMPTS`].
struct List {
    txs: VecDeque<(Tx, u32)>,
    current: Option<(Tx, u32)>,
    retried: Arc<AtomicUsize>,
    gave_up: Arc<AtomicUsize>,
}

impl Source for List {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        self.current = self.txs.pop_front();
        Ok(self.current.as_ref().map(|(tx, _)| tx.clone()))
    }

    fn finished(&mut self, committed: bool) {
        match self.current.take() {
            Some((tx, attempt)) if !committed && attempt + 1 < ATTEMPTS => {
                self.retried.fetch_add(1, Ordering::Relaxed);
                self.txs.push_front((tx, attempt + 1));
            }
            Some(_) if !committed => {
                self.gave_up.fetch_add(1, Ordering::Relaxed);
                // The rest of the lane depends on this one: drop it rather than send it out of order.
                self.gave_up.fetch_add(self.txs.len(), Ordering::Relaxed);
                self.txs.clear();
            }
            _ => {}
        }
    }
}

/// Submits every invocation as `who`, up to `workers` at a time; fails if any was refused or did not commit.
pub async fn submit_all(who: &GatewayArgs, label: &str, txs: Vec<Invocation>, workers: usize) -> anyhow::Result<()> {
    submit_lanes(who, label, txs.into_iter().map(|tx| vec![tx]).collect(), workers).await
}

/// Submits lanes of invocations as `who`: each lane in order on one worker (a meter's reading batches must commit
/// in counter order), up to `workers` lanes at a time; fails if any was refused or did not commit.
pub async fn submit_lanes(
    who: &GatewayArgs,
    label: &str,
    lanes: Vec<Vec<Invocation>>,
    workers: usize,
) -> anyhow::Result<()> {
    let total: usize = lanes.iter().map(Vec::len).sum();
    if total == 0 {
        return Ok(());
    }
    let n = workers.clamp(1, lanes.len());
    let mut lists: Vec<VecDeque<(Tx, u32)>> = (0..n).map(|_| VecDeque::new()).collect();
    for (i, lane) in lanes.into_iter().enumerate() {
        lists[i % n].extend(lane.into_iter().map(|invocation| (Tx { invocation, units: 1 }, 0)));
    }
    let (retried, gave_up) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let gateways = connect_all(who, n).await.with_context(|| format!("{label}: connecting"))?;
    let workers: Vec<Worker> = gateways
        .into_iter()
        .zip(lists)
        .map(|(gateway, txs)| {
            let list = List { txs, current: None, retried: retried.clone(), gave_up: gave_up.clone() };
            Worker { gateway, source: Box::new(list) }
        })
        .collect();
    let plan = Plan { rate: None, duration: None, count: None, timeout: Duration::from_secs(120), unit: "tx" };
    let (stats, elapsed) = driver::drive(workers, &plan).await;
    let (retried, gave_up) = (retried.load(Ordering::Relaxed), gave_up.load(Ordering::Relaxed));
    if gave_up > 0 {
        let report = stats.report(elapsed, "tx");
        bail!("{label}: {gave_up} of {total} did not commit: {}", report["failureSamples"]);
    }
    eprintln!("{label}: {total} transactions in {:.1} s ({retried} retried)", elapsed.as_secs_f64());
    Ok(())
}

/// Submits one transaction and returns the chaincode's JSON answer with the commit's timings.
pub async fn submit_json(gw: &mut Gateway, inv: &Invocation) -> anyhow::Result<(Value, Committed)> {
    let tx = String::from_utf8_lossy(&inv.args[0]).into_owned();
    let done = gw.submit(inv).await.with_context(|| format!("{} {tx}", inv.chaincode))?;
    Ok((json_answer(&inv.chaincode, &tx, &done.response)?, done))
}

/// Evaluates one query; its JSON answer and how long the round trip took.
pub async fn evaluate_json(gw: &mut Gateway, inv: &Invocation) -> anyhow::Result<(Value, Duration)> {
    let tx = String::from_utf8_lossy(&inv.args[0]).into_owned();
    let t0 = Instant::now();
    let r = gw.evaluate(inv).await.with_context(|| format!("{} {tx}", inv.chaincode))?;
    let took = t0.elapsed();
    Ok((json_answer(&inv.chaincode, &tx, &r)?, took))
}

/// Whole seconds since 1970 from the clock (fixtures pick past hours and future intervals from it).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Sleeps until the clock reaches `at` (Unix seconds).
pub async fn wait_until(at: i64, what: &str) {
    let left = at - unix_now();
    if left > 0 {
        eprintln!("waiting {left} s for {what}");
        tokio::time::sleep(Duration::from_secs(left as u64)).await;
    }
}
