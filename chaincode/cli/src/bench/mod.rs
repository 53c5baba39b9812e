//! `gridctl bench`: a Caliper-style load driver over the Fabric Gateway. Workers each hold a gateway connection
//! and one transaction in flight ([`driver`]); the run reports tx/s, units/s, latency percentiles and failures by
//! cause ([`stats`](crate::load::stats)) as JSON.

pub mod args;
pub mod certs;
pub mod flexsettle;
pub mod steps;
pub mod workload;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::json;

use args::{BenchArgs, Workload};
use gridledger_client::Invocation;

use crate::conn::{connect, connect_all};
use crate::fleet::args::BatchOrder;
use crate::fleet::profile::mix;
use crate::fleet::register::register;
use crate::fleet::{Committed, Fleet};
use crate::load::driver::{self, Plan, Source, Worker};
use steps::unix_now;

/// The market interval to place orders for: `--interval`, or the first whose gate closure leaves `margin` s.
async fn market_interval(a: &BenchArgs, chaincode: &str, margin: i64) -> anyhow::Result<i64> {
    let gw = connect(&a.gw).await?;
    let inv = Invocation {
        channel: a.gw.channel.clone(),
        chaincode: chaincode.into(),
        args: vec![b"GetMarketConfig".to_vec()],
        ..Invocation::default()
    };
    let r = gw.evaluate(&inv).await.context("reading the market config")?;
    let config: serde_json::Value = serde_json::from_slice(&r.payload).context("GetMarketConfig is not JSON")?;
    let gate = config["gateClosureSeconds"].as_i64().context("GetMarketConfig has no gateClosureSeconds")?;
    let len = config["intervalSeconds"].as_i64().unwrap_or(900);
    if let Some(i) = a.interval {
        if i.rem_euclid(len) != 0 {
            bail!("--interval {i} is not aligned to the market's {len} s intervals");
        }
        return Ok(i);
    }
    Ok(((unix_now() + gate + margin) / len + 1) * len)
}

async fn sources(
    a: &BenchArgs,
    chaincode: &str,
    run: &str,
) -> anyhow::Result<(Vec<Box<dyn Source>>, serde_json::Value)> {
    let target = (a.gw.channel.clone(), chaincode.to_string());
    Ok(match a.workload {
        Workload::Kv => {
            let value = "v".repeat(a.value_size);
            let make = |w: usize| -> Box<dyn Source> {
                let prefix = format!("{run}-{w}");
                Box::new(workload::Kv { target: target.clone(), prefix, keys: a.keys, value: value.clone(), n: 0 })
            };
            ((0..a.workers).map(make).collect(), json!({"valueSize": a.value_size, "keysPerWorker": a.keys}))
        }
        Workload::Market => {
            let margin = a.duration.map_or(300, |d| d as i64) + 60;
            let interval = market_interval(a, chaincode, margin).await?;
            let make = |w: usize| -> Box<dyn Source> {
                let seed = mix(run.len() as u64 ^ (w as u64) << 32 ^ unix_now() as u64);
                Box::new(workload::Orders { target: target.clone(), interval, seed, n: 0 })
            };
            eprintln!("placing orders for interval {interval}");
            ((0..a.workers).map(make).collect(), json!({"intervalStart": interval}))
        }
        Workload::Certificates | Workload::FlexSettle => bail!("a scenario workload has no load sources"),
        Workload::Metering => {
            let fleet = Fleet::new(&a.fleet)?;
            if a.fleet.register {
                let t = std::time::Instant::now();
                register(&fleet, &a.fleet, &a.gw, a.workers).await?;
                let took = t.elapsed().as_secs_f64();
                eprintln!("registered {} meters ({}) in {took:.1} s", fleet.meters.len(), fleet.prefix);
            }
            let all = fleet.sources((&a.gw.channel, chaincode), a.workers, a.fleet.batch, &Committed::default());
            let order = if fleet.order == BatchOrder::Meter { "meter" } else { "interval" };
            let meta = json!({"batch": a.fleet.batch, "order": order, "meters": fleet.meters.len(),
                "intervals": fleet.intervals.len(), "prefix": fleet.prefix, "connectionPoint": fleet.connection_point});
            (all, meta)
        }
    })
}

/// Prints (and with --report writes) a scenario bench's report.
fn scenario(a: &BenchArgs, mut report: serde_json::Value) -> anyhow::Result<ExitCode> {
    report["run"] = json!({"workload": format!("{:?}", a.workload).to_lowercase(), "channel": a.gw.channel,
        "workers": a.workers, "count": a.count, "startedAt": unix_now(), "gridctl": env!("CARGO_PKG_VERSION")});
    let text = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &a.report {
        std::fs::write(path, &text).with_context(|| format!("writing the report {}", path.display()))?;
    }
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `gridctl bench`.
pub async fn bench(a: &BenchArgs) -> anyhow::Result<ExitCode> {
    if a.workers == 0 || a.workers > 1024 {
        bail!("--workers {}: use 1 to 1024", a.workers);
    }
    if a.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        bail!("--rate must be a positive number of transactions per second");
    }
    let (chaincode, unit) = match a.workload {
        Workload::Kv => ("kv", "tx"),
        Workload::Metering => ("metering", "readings"),
        Workload::Market => ("trade", "orders"),
        Workload::Certificates => return scenario(a, certs::run(a).await?),
        Workload::FlexSettle => return scenario(a, flexsettle::run(a).await?),
    };
    let chaincode = a.chaincode.clone().unwrap_or_else(|| chaincode.into());
    let count = match (a.count, a.duration, a.workload) {
        (None, None, Workload::Kv | Workload::Market) => Some(1000),
        (c, _, _) => c,
    };
    let run = format!("bench-{:x}", unix_now());
    let (sources, workload_meta) = sources(a, &chaincode, &run).await?;
    let gateways = connect_all(&a.gw, sources.len()).await?;
    let workers: Vec<Worker> =
        gateways.into_iter().zip(sources).map(|(gateway, source)| Worker { gateway, source }).collect();
    let plan = Plan {
        rate: a.rate,
        duration: a.duration.map(Duration::from_secs),
        count,
        timeout: Duration::from_secs(a.timeout),
        unit,
    };
    let started = unix_now();
    let (stats, elapsed) = driver::drive(workers, &plan).await;
    let mut report = stats.report(elapsed, unit);
    report["run"] = json!({
        "workload": format!("{:?}", a.workload).to_lowercase(), "chaincode": chaincode, "channel": a.gw.channel,
        "workers": a.workers, "rate": a.rate, "durationSeconds": a.duration, "count": count,
        "timeoutSeconds": a.timeout, "startedAt": started, "gridctl": env!("CARGO_PKG_VERSION"),
        "workloadParams": workload_meta,
    });
    let text = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &a.report {
        std::fs::write(path, &text).with_context(|| format!("writing the report {}", path.display()))?;
    }
    println!("{text}");
    let units = if unit == "tx" { String::new() } else { format!(", {} {unit}/s", report["unitsPerSecond"]) };
    eprintln!(
        "{chaincode}: {} committed, {} failed in {:.1} s: {} tx/s{units}, latency p50 {} ms p99 {} ms",
        stats.succeeded(),
        stats.failed(),
        elapsed.as_secs_f64(),
        report["txPerSecond"],
        report["latencyMs"]["p50"],
        report["latencyMs"]["p99"],
    );
    Ok(if stats.succeeded() > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
