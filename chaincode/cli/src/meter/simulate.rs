//! `gridctl meter simulate` (and the setup of `bench --workload metering`): register the fleet, then drive its
//! batches through the gateway.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::bench::driver::{self, Plan, Worker};
use crate::cli::{GatewayArgs, Org};
use crate::gateway::Gateway;
use crate::meter::args::{FleetArgs, SimulateArgs};
use crate::meter::fleet::{Committed, Fleet};
use crate::proposal::Invocation;

/// The identity `ORG/USER` of the test network's run directory, through its own org's peer.
pub fn identity(base: &GatewayArgs, spec: &str, flag: &str) -> anyhow::Result<GatewayArgs> {
    let Some((org, user)) = spec.split_once('/') else {
        bail!("{flag} {}: expected ORG/USER, e.g. grid/installer1", gridledger_contract::quote(spec));
    };
    let org = match org {
        "utility" => Org::Utility,
        "grid" => Org::Grid,
        "prosumer" => Org::Prosumer,
        _ => bail!("{flag} {}: the org is utility, grid or prosumer", gridledger_contract::quote(spec)),
    };
    Ok(GatewayArgs {
        org: Some(org),
        user: user.into(),
        peer: None,
        tls_ca: None,
        tls_hostname: None,
        msp_id: None,
        cert: None,
        key: None,
        ..base.clone()
    })
}

/// `n` gateway connections as `who`.
pub async fn connect_all(who: &GatewayArgs, n: usize) -> anyhow::Result<Vec<Gateway>> {
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        all.push(crate::run::connect(who).await?);
    }
    Ok(all)
}

async fn submit(gw: &mut Gateway, channel: &str, chaincode: &str, args: &[&str]) -> anyhow::Result<()> {
    let inv = Invocation {
        channel: channel.into(),
        chaincode: chaincode.into(),
        args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
        ..Invocation::default()
    };
    let done = gw.submit(&inv, None).await?;
    if done.response.status >= 400 {
        let message = crate::gateway::peer_message(&done.response.message);
        bail!("{chaincode} {}: {} {message}", args[0], done.response.status);
    }
    Ok(())
}

/// Meters per `RegisterMeters` transaction.
const REGISTRATION_CHUNK: usize = 500;

/// Registers the asset (as `--owner`) and the meters (as `--installer`, in `RegisterMeters` batches, `workers`
/// batches at a time).
pub async fn register(fleet: &Fleet, a: &FleetArgs, base: &GatewayArgs, workers: usize) -> anyhow::Result<()> {
    let owner = identity(base, &a.owner, "--owner")?;
    let installer = identity(base, &a.installer, "--installer")?;
    let mut gw = crate::run::connect(&owner).await?;
    submit(&mut gw, &base.channel, "registry", &["RegisterAsset", &fleet.asset_json()])
        .await
        .with_context(|| format!("registering asset {} as {}", fleet.asset, a.owner))?;
    // RegisterMeters takes up to 1000 meters a transaction; chunks of 500 keep each one's endorsement short and let
    // the workers' chunks commit in parallel.
    let chunks: Vec<(String, String)> = fleet
        .meters
        .chunks(REGISTRATION_CHUNK)
        .map(|chunk| {
            let each: Vec<String> = chunk
                .iter()
                .map(|m| crate::meter::registration(&m.id, &fleet.asset, &m.signer, fleet.interval_seconds))
                .collect();
            let first_last = format!("{} to {}", chunk[0].id, chunk[chunk.len() - 1].id);
            (first_last, format!("[{}]", each.join(",")))
        })
        .collect();
    let gateways = connect_all(&installer, workers.clamp(1, chunks.len())).await?;
    let n = gateways.len();
    let tasks: Vec<_> = gateways
        .into_iter()
        .enumerate()
        .map(|(w, mut gw)| {
            let jobs: Vec<(String, String)> = chunks.iter().skip(w).step_by(n).cloned().collect();
            let channel = base.channel.clone();
            tokio::spawn(async move {
                for (which, json) in jobs {
                    submit(&mut gw, &channel, "metering", &["RegisterMeters", &json])
                        .await
                        .with_context(|| format!("registering meters {which}"))?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await.context("a registration task stopped")??;
    }
    Ok(())
}

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
