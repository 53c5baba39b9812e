//! `gridctl bench --workload flex-settle`: settling one interval of a VPP of `--members` member meters.
//!
//! Fixture (untimed): a VPP of `--aggregator`; `--members` PV assets owned in turn by `--owner` and `--consumer`,
//! connected by `--operator`, consenting, added in one `AddVppMembers`, each with a one-minute meter
//! (`--installer`). A request for up-flexibility at their connection point in the next interval but one (schedule
//! baseline 0), the VPP's offer over every member meter, the award after gate closure; after the interval, one
//! export reading per meter (as the bench identity). Timed: `Deliveries` (the same reads as `Settle`, evaluated on
//! one peer) 5 times, then `Settle` once: its endorsement (every endorser runs the chaincode) and its ordering and
//! commit, from the client's side.

use anyhow::{Context as _, bail};
use gridledger_reading::Signer;
use serde_json::{Value, json};

use super::args::BenchArgs;
use super::steps::{evaluate_json, submit_all, submit_json, unix_now, wait_until};
use crate::conn::{GatewayArgs, connect, identity};
use crate::fleet::register::registration;
use crate::fleet::submit_readings;
use crate::ledger::invocation;
use crate::load::stats::Stats;

/// The meters' and the request's interval, seconds (the e2e market's minute).
const INTERVAL: i64 = 60;
/// Each member's nameplate: 1000 Wh in a minute, so the offer cap is 1000 Wh per member.
const NAMEPLATE_W: i64 = 60_000;
/// Meters per `RegisterMeters` transaction.
const METER_CHUNK: usize = 500;
/// `Deliveries` evaluations timed.
const PREVIEWS: usize = 5;

/// Member `i`'s export in the interval: 400 to 600 Wh, 500 on average, so the VPP delivers its 500 Wh a member.
fn export_wh(i: usize) -> i64 {
    400 + (i % 5) as i64 * 50
}

struct Who {
    owners: [GatewayArgs; 2],
    operator: GatewayArgs,
    installer: GatewayArgs,
    aggregator: GatewayArgs,
}

fn who(a: &BenchArgs) -> anyhow::Result<Who> {
    Ok(Who {
        owners: [identity(&a.gw, &a.fleet.owner, "--owner")?, identity(&a.gw, &a.consumer, "--consumer")?],
        operator: identity(&a.gw, &a.operator, "--operator")?,
        installer: identity(&a.gw, &a.fleet.installer, "--installer")?,
        aggregator: identity(&a.gw, &a.aggregator, "--aggregator")?,
    })
}

/// The VPP, its members and meters; returns the meters and their keys.
async fn build(a: &BenchArgs, w: &Who, tag: &str, vpp: &str) -> anyhow::Result<(Vec<String>, Vec<Signer>)> {
    let (channel, n, workers) = (a.gw.channel.as_str(), a.members, a.workers);
    let assets: Vec<String> = (0..n).map(|i| format!("{tag}-pv-{i}")).collect();
    let meters: Vec<String> = (0..n).map(|i| format!("{tag}-m-{i}")).collect();
    let signers = (0..n)
        .map(|_| Signer::generate().map(|(s, _)| s).context("generating a P-256 key"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut agg = connect(&w.aggregator).await?;
    submit_json(&mut agg, &invocation(channel, "registry", "CreateVpp", &[vpp, "bench VPP"])).await?;
    // A connection point per member (a home each), all under the request's area `cp-<tag>-*`.
    let record = |id: &str| {
        json!({"id": id, "kind": "pv", "nameplateW": NAMEPLATE_W, "connectionPoint": format!("cp-{id}"),
               "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2024-01-01"})
        .to_string()
    };
    for (k, owner) in w.owners.iter().enumerate() {
        let mine = assets.iter().skip(k).step_by(2);
        let txs = mine.map(|id| invocation(channel, "registry", "RegisterAsset", &[&record(id)])).collect();
        submit_all(owner, "RegisterAsset", txs, workers).await?;
    }
    let approve = assets.iter().map(|id| invocation(channel, "registry", "ApproveConnection", &[id])).collect();
    submit_all(&w.operator, "ApproveConnection", approve, workers).await?;
    for (k, owner) in w.owners.iter().enumerate() {
        let mine = assets.iter().skip(k).step_by(2);
        let txs = mine.map(|id| invocation(channel, "registry", "ConsentToVpp", &[id, vpp])).collect();
        submit_all(owner, "ConsentToVpp", txs, workers).await?;
    }
    let regs: Vec<String> =
        (0..n).map(|i| registration(&meters[i], &assets[i], &signers[i], INTERVAL as u32)).collect();
    let chunks = regs
        .chunks(METER_CHUNK)
        .map(|c| invocation(channel, "metering", "RegisterMeters", &[&format!("[{}]", c.join(","))]));
    submit_all(&w.installer, "RegisterMeters", chunks.collect(), workers).await?;
    let ids = serde_json::to_string(&assets)?;
    let (joined, _) = submit_json(&mut agg, &invocation(channel, "registry", "AddVppMembers", &[vpp, &ids])).await?;
    eprintln!("VPP {vpp}: {} members, {} W", joined["members"].as_array().map_or(0, Vec::len), joined["capacityW"]);
    Ok((meters, signers))
}

/// Builds the fixture, runs the request to the award and the readings, then times `Deliveries` and `Settle`.
pub async fn run(a: &BenchArgs) -> anyhow::Result<Value> {
    if !(1..=1000).contains(&a.members) {
        bail!("flex-settle: --members 1 to 1000 (an offer names at most 1000 meters)");
    }
    let channel = a.gw.channel.as_str();
    let w = who(a)?;
    let tag = format!("fb{:x}", unix_now() % 0xff_ffff);
    let vpp = format!("{tag}-vpp");
    let t0 = std::time::Instant::now();
    let (meters, signers) = build(a, &w, &tag, &vpp).await?;
    let setup = t0.elapsed().as_secs_f64();

    // The request: its gate closes 40 s before an interval that starts at least 100 s from now.
    let interval = ((unix_now() + 100) / INTERVAL + 1) * INTERVAL;
    let gate = interval - 40;
    let wanted = 500 * meters.len() as i64;
    let spec = json!({"connectionPoints": [format!("cp-{tag}-*")], "intervalStart": interval, "intervalSeconds": INTERVAL,
                      "intervals": 1, "direction": "up", "wh": wanted, "priceCapPerKwh": 200, "gateClosure": gate,
                      "baseline": {"method": "schedule"}, "toleranceBps": 1000, "penaltyPerKwh": 300});
    let mut op = connect(&w.operator).await?;
    let (request, _) =
        submit_json(&mut op, &invocation(channel, "flexibility", "CreateRequest", &[&spec.to_string()])).await?;
    let id = request["id"].as_str().unwrap_or_default().to_string();
    let offer = json!({"vppId": vpp, "wh": wanted, "pricePerKwh": 120, "meters": meters, "schedule": [0]});
    let mut agg = connect(&w.aggregator).await?;
    submit_json(&mut agg, &invocation(channel, "flexibility", "SubmitOffer", &[&id, &offer.to_string()])).await?;
    wait_until(gate + 1, "gate closure").await;
    submit_json(&mut op, &invocation(channel, "flexibility", "Award", &[&id])).await?;
    wait_until(interval + INTERVAL + 1, "the delivery interval's end").await;

    let exported: i64 = (0..meters.len()).map(export_wh).sum();
    let batch = meters
        .iter()
        .zip(&signers)
        .enumerate()
        .map(|(i, (m, s))| {
            s.reading(m, interval, "2.8.0", export_wh(i), 1, INTERVAL as u32).context("signing a reading")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let txs = batch.chunks(500).map(|b| submit_readings(channel, "metering", b)).collect::<anyhow::Result<Vec<_>>>()?;
    submit_all(&a.gw, "SubmitReadings", txs, a.workers).await?;

    let preview = invocation(channel, "flexibility", "Deliveries", &[&id, &vpp]);
    let (mut previews, t0) = (Stats::default(), std::time::Instant::now());
    for _ in 0..PREVIEWS {
        previews.ok(evaluate_json(&mut op, &preview).await?.1, 1);
    }
    let previews = previews.report(t0.elapsed(), "evaluations");
    let (settled, done) = submit_json(&mut op, &invocation(channel, "flexibility", "Settle", &[&id, &vpp])).await?;
    let delivered = &settled["intervals"][0];
    if delivered["measuredWh"].as_i64() != Some(exported) {
        bail!("Settle measured {} Wh, the meters exported {exported}", delivered["measuredWh"]);
    }
    let ms = |d: std::time::Duration| (d.as_secs_f64() * 100_000.0).round() / 100.0;
    Ok(json!({
        "members": meters.len(), "readings": meters.len(), "request": id, "vpp": vpp,
        "setupSeconds": (setup * 10.0).round() / 10.0,
        "measuredWh": exported, "deliveredWh": delivered["deliveredWh"], "payment": delivered["payment"],
        "postings": settled["postings"].as_array().map_or(0, Vec::len),
        "deliveriesEvaluateMs": previews["latencyMs"],
        "settle": {"endorseMs": ms(done.endorsed_in), "orderAndCommitMs": ms(done.committed_in),
                   "totalMs": ms(done.endorsed_in + done.committed_in), "block": done.block},
    }))
}
