//! Registering a simulated fleet through the gateway: its asset (registry `RegisterAsset`, as the owner) and its
//! meters (metering `RegisterMeters`, as the installer, in parallel chunks).

use anyhow::{Context as _, bail};
use gridledger_client::{Gateway, Invocation, peer_message};
use gridledger_reading::Signer;

use super::Fleet;
use super::args::FleetArgs;
use crate::conn::{GatewayArgs, connect, connect_all, identity};

/// `RegisterMeter`'s argument for a meter reporting import and export.
pub fn registration(id: &str, asset: &str, signer: &Signer, interval_seconds: u32) -> String {
    serde_json::json!({
        "id": id, "assetId": asset, "publicKey": signer.public_key_base64(),
        "registers": ["1.8.0", "2.8.0"], "intervalSeconds": interval_seconds,
    })
    .to_string()
}

async fn submit(gw: &mut Gateway, channel: &str, chaincode: &str, args: &[&str]) -> anyhow::Result<()> {
    let inv = Invocation {
        channel: channel.into(),
        chaincode: chaincode.into(),
        args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
        ..Invocation::default()
    };
    let done = gw.submit(&inv).await?;
    if done.response.status >= 400 {
        let message = peer_message(&done.response.message);
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
    let mut gw = connect(&owner).await?;
    submit(&mut gw, &base.channel, "registry", &["RegisterAsset", &fleet.asset_json()])
        .await
        .with_context(|| format!("registering asset {} as {}", fleet.asset, a.owner))?;
    // RegisterMeters takes up to 1000 meters a transaction; chunks of 500 keep each one's endorsement short and let
    // the workers' chunks commit in parallel.
    let chunks: Vec<(String, String)> = fleet
        .meters
        .chunks(REGISTRATION_CHUNK)
        .map(|chunk| {
            let each: Vec<String> =
                chunk.iter().map(|m| registration(&m.id, &fleet.asset, &m.signer, fleet.interval_seconds)).collect();
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
