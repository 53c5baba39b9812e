//! Building a benchmark's fixture through the gateway: many independent transactions as one identity, spread
//! over workers by the load loop, and one refusal fails the whole step (a half-built fixture measures nothing).

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use gridledger_client::{Committed, Gateway, Invocation, peer_message};
use gridledger_reading::Reading;
use serde_json::Value;

use crate::conn::{GatewayArgs, connect_all};
use crate::load::driver::{self, Plan, Source, Tx, Worker};
use crate::load::stats::Stats;

/// An invocation of `function(args)` on `chaincode`.
pub fn call(channel: &str, chaincode: &str, function: &str, args: &[&str]) -> Invocation {
    let mut all = vec![function.as_bytes().to_vec()];
    all.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    Invocation { channel: channel.into(), chaincode: chaincode.into(), args: all, ..Invocation::default() }
}

/// `SubmitReadings` with the batch in the transient map (readings never appear in a block).
pub fn readings(channel: &str, batch: &[Reading]) -> anyhow::Result<Invocation> {
    let json = serde_json::to_vec(batch).context("encoding a reading batch")?;
    Ok(Invocation {
        transient: std::collections::HashMap::from([("readings".to_string(), json)]),
        ..call(channel, "metering", "SubmitReadings", &[""])
    })
}

/// A fixed list of transactions.
struct List(std::vec::IntoIter<Tx>);

impl Source for List {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        Ok(self.0.next())
    }
}

/// Submits every invocation as `who`, up to `workers` at a time; fails if any was refused or did not commit.
pub async fn submit_all(who: &GatewayArgs, label: &str, txs: Vec<Invocation>, workers: usize) -> anyhow::Result<()> {
    if txs.is_empty() {
        return Ok(());
    }
    let n = workers.clamp(1, txs.len());
    let total = txs.len();
    let mut lists: Vec<Vec<Tx>> = (0..n).map(|_| Vec::new()).collect();
    for (i, invocation) in txs.into_iter().enumerate() {
        lists[i % n].push(Tx { invocation, units: 1 });
    }
    let gateways = connect_all(who, n).await.with_context(|| format!("{label}: connecting"))?;
    let workers: Vec<Worker> = gateways
        .into_iter()
        .zip(lists)
        .map(|(gateway, list)| Worker { gateway, source: Box::new(List(list.into_iter())) })
        .collect();
    let plan = Plan { rate: None, duration: None, count: None, timeout: Duration::from_secs(120), unit: "tx" };
    let (stats, elapsed) = driver::drive(workers, &plan).await;
    require_all(label, total, &stats)?;
    eprintln!("{label}: {total} transactions in {:.1} s", elapsed.as_secs_f64());
    Ok(())
}

/// Fails unless all `total` transactions committed.
pub fn require_all(label: &str, total: usize, stats: &Stats) -> anyhow::Result<()> {
    if stats.failed() > 0 || stats.succeeded() != total as u64 {
        let report = stats.report(Duration::from_secs(1), "tx");
        bail!("{label}: {} of {total} failed: {}", stats.failed(), report["failureSamples"]);
    }
    Ok(())
}

/// Submits one transaction and returns the chaincode's JSON answer with the commit's timings.
pub async fn submit_json(gw: &mut Gateway, inv: &Invocation) -> anyhow::Result<(Value, Committed)> {
    let what = String::from_utf8_lossy(&inv.args[0]).into_owned();
    let done = gw.submit(inv).await.with_context(|| format!("{} {what}", inv.chaincode))?;
    if done.response.status >= 400 {
        bail!("{} {what}: {} {}", inv.chaincode, done.response.status, peer_message(&done.response.message));
    }
    let value = serde_json::from_slice(&done.response.payload)
        .with_context(|| format!("{} {what} did not answer JSON", inv.chaincode))?;
    Ok((value, done))
}

/// Evaluates one query; its JSON answer and how long the round trip took.
pub async fn evaluate_json(gw: &mut Gateway, inv: &Invocation) -> anyhow::Result<(Value, Duration)> {
    let what = String::from_utf8_lossy(&inv.args[0]).into_owned();
    let t0 = Instant::now();
    let r = gw.evaluate(inv).await.with_context(|| format!("{} {what}", inv.chaincode))?;
    let took = t0.elapsed();
    if r.status >= 400 {
        bail!("{} {what}: {} {}", inv.chaincode, r.status, peer_message(&r.message));
    }
    let value =
        serde_json::from_slice(&r.payload).with_context(|| format!("{} {what} did not answer JSON", inv.chaincode))?;
    Ok((value, took))
}

/// Sorted durations' nearest-rank percentile, in ms.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let ms = sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0;
    (ms * 100.0).round() / 100.0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!((percentile_ms(&d, 50.0), percentile_ms(&d, 99.0)), (50.0, 99.0));
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
    }

    #[test]
    fn calls_carry_the_function_first() {
        let inv = call("energy", "registry", "GetVpp", &["v1"]);
        assert_eq!(inv.args, vec![b"GetVpp".to_vec(), b"v1".to_vec()]);
        let r = readings("energy", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.chaincode.as_str(), r.transient["readings"].as_slice()), ("metering", b"[]".as_slice()));
    }
}
