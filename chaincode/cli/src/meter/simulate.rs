//! `gridctl meter simulate`: register the fleet, then drive its batches through the gateway.

use std::process::ExitCode;
use std::time::Duration;

use super::args::SimulateArgs;
use crate::conn::connect_all;
use crate::fleet::register::register;
use crate::fleet::{Committed, Fleet};
use crate::load::driver::{self, Plan, Worker};

/// `gridctl meter simulate`.
pub async fn simulate(a: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let fleet = Fleet::new(&a.fleet)?;
    let n_workers = a.workers.clamp(1, fleet.meters.len());
    if a.fleet.register {
        let t = std::time::Instant::now();
        register(&fleet, &a.fleet, &a.gw, n_workers).await?;
        eprintln!(
            "registered asset {} and {} meters in {:.1} s",
            fleet.asset,
            fleet.meters.len(),
            t.elapsed().as_secs_f64()
        );
    }
    let committed = Committed::default();
    let sources = fleet.sources((&a.gw.channel, "metering"), n_workers, a.fleet.batch, &committed);
    let gateways = connect_all(&a.gw, n_workers).await?;
    let workers: Vec<Worker> =
        gateways.into_iter().zip(sources).map(|(gateway, source)| Worker { gateway, source }).collect();
    let plan =
        Plan { rate: None, duration: None, count: None, timeout: Duration::from_secs(a.timeout), unit: "readings" };
    let (stats, elapsed) = driver::drive(workers, &plan).await;
    let report = stats.report(elapsed, "readings");
    let totals = committed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let intervals: Vec<_> = totals
        .iter()
        .map(|(start, s)| {
            serde_json::json!({"intervalStart": start, "importWh": s.import_wh,
            "exportWh": s.export_wh, "readings": s.readings})
        })
        .collect();
    eprintln!(
        "{} readings in {} transactions committed in {:.1} s: {} readings/s (batch {}, {} workers); {} failed",
        stats.units(),
        stats.succeeded(),
        elapsed.as_secs_f64(),
        report["unitsPerSecond"],
        a.fleet.batch,
        n_workers,
        stats.failed()
    );
    let summary = serde_json::json!({
        "prefix": fleet.prefix, "asset": fleet.asset, "connectionPoint": fleet.connection_point,
        "meters": fleet.meters.len(), "batch": a.fleet.batch, "readingsPerSecond": report["unitsPerSecond"],
        "report": report, "intervals": intervals,
    });
    println!("{summary}");
    Ok(if stats.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
