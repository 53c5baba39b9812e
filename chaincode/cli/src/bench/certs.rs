//! `gridctl bench --workload certificates`: certificates issued per second from authenticated readings, then the
//! latency of a `MatchingReport`.
//!
//! Fixture (untimed): `--devices` PV assets (owner `--owner`, connected by `--operator`), one 15-minute meter each
//! (`--installer`), signed export readings for every quarter hour of `--count / --devices` consecutive hours (as
//! the bench identity, a meter gateway), each asset registered as a certificate device (`--issuer`). Timed: one
//! `IssueCertificates(device, hour)` per device-hour, `--workers` in flight, as the owner. Then a day of
//! matching: a consumer (`--consumer`) with 96 fifteen-minute import readings receives device 0's 24 certificates of
//! the first day and claims each for its own consumption; `MatchingReport` is evaluated 50 times.

use std::time::Duration;

use anyhow::{Context as _, bail};
use gridledger_reading::{Reading, Signer};
use serde_json::{Value, json};

use super::args::BenchArgs;
use super::steps::{evaluate_json, submit_all, submit_json, submit_lanes, unix_now};
use crate::conn::{connect, connect_all, identity};
use crate::fleet::profile::mix;
use crate::fleet::register::registration;
use crate::fleet::submit_readings;
use crate::ledger::invocation;
use crate::load::driver::{self, Plan, Source, Tx, Worker};
use crate::load::stats::Stats;

const HOUR: i64 = 3600;
/// The meters' interval: the metering contract's standard quarter hour.
const QUARTER: u32 = 900;
/// Readings per `SubmitReadings` transaction.
const BATCH: usize = 500;
/// Meters per `RegisterMeters` transaction.
const METER_CHUNK: usize = 500;
/// `MatchingReport` evaluations timed.
const REPORTS: usize = 50;
/// The consumer's import per quarter hour: above any device's hour of export, so every claim fits.
const CONSUMER_QUARTER_WH: i64 = 600;

/// Export of device `d` in quarter `q` of hour `h` (hour index from the first), 250 to 499 Wh.
fn export_wh(d: usize, h: usize, q: usize) -> i64 {
    250 + (mix(((d as u64) << 40) ^ ((h as u64) << 8) ^ q as u64) % 250) as i64
}

fn signed(meter: &str, signer: &Signer, start: i64, register: &str, wh: i64) -> anyhow::Result<Reading> {
    signer
        .reading(meter, start, register, wh, (start / i64::from(QUARTER)) as u64, QUARTER)
        .context("signing a reading")
}

fn asset(id: &str, kind: &str, cp: &str) -> String {
    json!({"id": id, "kind": kind, "nameplateW": 10_000, "connectionPoint": cp,
           "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2024-01-01"})
    .to_string()
}

/// `IssueCertificates` for a list of (device, hour).
struct Issue {
    channel: String,
    pairs: std::vec::IntoIter<(String, i64)>,
}

impl Source for Issue {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        Ok(self.pairs.next().map(|(device, hour)| Tx {
            invocation: invocation(&self.channel, "certificates", "IssueCertificates", &[&device, &hour.to_string()]),
            units: 1,
        }))
    }
}

/// The fixture's names and what its meters exported.
struct Fixture {
    tag: String,
    devices: Vec<String>,
    first_hour: i64,
    hours: usize,
    /// Export per device and hour, Wh.
    export: Vec<Vec<i64>>,
}

async fn build(a: &BenchArgs, count: usize) -> anyhow::Result<Fixture> {
    let channel = a.gw.channel.as_str();
    let n = a.devices;
    let hours = count.div_ceil(n);
    let tag = format!("cb{:x}", unix_now() % 0xff_ffff);
    // A UTC midnight at least a day before the last hour ends: every hour is over, device 0's first day is whole.
    let first_hour = (unix_now() / 86_400 - 1 - (hours as u64 * HOUR as u64).div_ceil(86_400) as i64) * 86_400;
    let devices: Vec<String> = (0..n).map(|d| format!("{tag}-pv-{d}")).collect();
    let meters: Vec<String> = (0..n).map(|d| format!("{tag}-m-{d}")).collect();
    let signers = (0..n)
        .map(|_| Signer::generate().map(|(s, _)| s).context("generating a P-256 key"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (owner, installer) =
        (identity(&a.gw, &a.fleet.owner, "--owner")?, identity(&a.gw, &a.fleet.installer, "--installer")?);
    let (operator, issuer) = (identity(&a.gw, &a.operator, "--operator")?, identity(&a.gw, &a.issuer, "--issuer")?);
    let w = a.workers;

    let calls = |cc: &str, f: &str, each: &dyn Fn(usize) -> Vec<String>| -> Vec<_> {
        (0..n).map(|d| invocation(channel, cc, f, &each(d).iter().map(String::as_str).collect::<Vec<_>>())).collect()
    };
    submit_all(
        &owner,
        "RegisterAsset",
        calls("registry", "RegisterAsset", &|d| vec![asset(&devices[d], "pv", &format!("cp-{tag}-{d}"))]),
        w,
    )
    .await?;
    submit_all(
        &operator,
        "ApproveConnection",
        calls("registry", "ApproveConnection", &|d| vec![devices[d].clone()]),
        w,
    )
    .await?;
    let regs: Vec<String> = (0..n).map(|d| registration(&meters[d], &devices[d], &signers[d], QUARTER)).collect();
    let chunks = regs
        .chunks(METER_CHUNK)
        .map(|c| invocation(channel, "metering", "RegisterMeters", &[&format!("[{}]", c.join(","))]));
    submit_all(&installer, "RegisterMeters", chunks.collect(), w).await?;

    // One lane per meter: its batches commit in counter order; meters go in parallel.
    let mut export = vec![vec![0i64; hours]; n];
    let (mut lanes, mut readings_sent) = (Vec::with_capacity(n), 0);
    for (d, (row, meter)) in export.iter_mut().zip(&meters).enumerate() {
        let mut mine = Vec::with_capacity(hours * 4);
        for (h, total) in row.iter_mut().enumerate() {
            for q in 0..4 {
                let wh = export_wh(d, h, q);
                *total += wh;
                let start = first_hour + h as i64 * HOUR + q as i64 * i64::from(QUARTER);
                mine.push(signed(meter, &signers[d], start, "2.8.0", wh)?);
            }
        }
        readings_sent += mine.len();
        lanes.push(
            mine.chunks(BATCH).map(|b| submit_readings(channel, "metering", b)).collect::<anyhow::Result<Vec<_>>>()?,
        );
    }
    submit_lanes(&a.gw, &format!("SubmitReadings ({readings_sent} readings)"), lanes, w).await?;
    let device_json = |d: usize| {
        json!({"assetId": devices[d], "technology": "T020001", "area": "10YNL----------L", "meters": [meters[d]]})
            .to_string()
    };
    submit_all(&issuer, "RegisterDevice", calls("certificates", "RegisterDevice", &|d| vec![device_json(d)]), w)
        .await?;
    Ok(Fixture { tag, devices, first_hour, hours, export })
}

/// The timed issuance: `count` device-hours, hour by hour over all devices.
async fn issue(a: &BenchArgs, f: &Fixture, count: usize) -> anyhow::Result<Value> {
    let owner = identity(&a.gw, &a.fleet.owner, "--owner")?;
    let pairs: Vec<(String, i64)> = (0..f.hours)
        .flat_map(|h| f.devices.iter().map(move |d| (d.clone(), f.first_hour + h as i64 * HOUR)))
        .take(count)
        .collect();
    let n = a.workers.clamp(1, pairs.len());
    let mut lists: Vec<Vec<(String, i64)>> = (0..n).map(|_| Vec::new()).collect();
    for (i, p) in pairs.into_iter().enumerate() {
        lists[i % n].push(p);
    }
    let gateways = connect_all(&owner, n).await?;
    let workers = gateways
        .into_iter()
        .zip(lists)
        .map(|(gateway, l)| Worker {
            gateway,
            source: Box::new(Issue { channel: a.gw.channel.clone(), pairs: l.into_iter() }) as Box<dyn Source>,
        })
        .collect();
    let plan =
        Plan { rate: None, duration: None, count: None, timeout: Duration::from_secs(a.timeout), unit: "certificates" };
    let (stats, elapsed) = driver::drive(workers, &plan).await;
    let report = stats.report(elapsed, "certificates");
    // Spot checks: the first and last device-hour carry exactly the export signed for them.
    let mut gw = connect(&owner).await?;
    for (d, h) in [(0, 0), (f.devices.len() - 1, f.hours - 1)] {
        let hour = (f.first_hour + h as i64 * HOUR).to_string();
        let inv = invocation(&a.gw.channel, "certificates", "GetIssuance", &[&f.devices[d], &hour]);
        let (got, _) = evaluate_json(&mut gw, &inv).await?;
        if got["issuedWh"].as_i64() != Some(f.export[d][h]) {
            bail!(
                "device {} hour {hour}: issued {} Wh, its meter exported {}",
                f.devices[d],
                got["issuedWh"],
                f.export[d][h]
            );
        }
    }
    Ok(report)
}

/// A consumer's day: device 0's 24 certificates of the first day transferred to it and claimed, then the report.
async fn matching(a: &BenchArgs, f: &Fixture) -> anyhow::Result<Value> {
    let channel = a.gw.channel.as_str();
    let (owner, consumer) = (identity(&a.gw, &a.fleet.owner, "--owner")?, identity(&a.gw, &a.consumer, "--consumer")?);
    let (operator, installer) =
        (identity(&a.gw, &a.operator, "--operator")?, identity(&a.gw, &a.fleet.installer, "--installer")?);
    let (load, meter) = (format!("{}-load", f.tag), format!("{}-m-load", f.tag));
    let mut gw = connect(&consumer).await?;
    let (registered, _) = submit_json(
        &mut gw,
        &invocation(
            channel,
            "registry",
            "RegisterAsset",
            &[&asset(&load, "flexible-load", &format!("cp-{}-load", f.tag))],
        ),
    )
    .await?;
    let party = &registered["owner"];
    let (msp, id) = (party["msp"].as_str().unwrap_or_default(), party["id"].as_str().unwrap_or_default());
    submit_all(
        &operator,
        "ApproveConnection (consumer)",
        vec![invocation(channel, "registry", "ApproveConnection", &[&load])],
        1,
    )
    .await?;
    let signer = Signer::generate().context("generating a P-256 key")?.0;
    let reg = registration(&meter, &load, &signer, QUARTER);
    submit_all(
        &installer,
        "RegisterMeter (consumer)",
        vec![invocation(channel, "metering", "RegisterMeter", &[&reg])],
        1,
    )
    .await?;
    let day: Vec<Reading> = (0..96)
        .map(|q| signed(&meter, &signer, f.first_hour + q * i64::from(QUARTER), "1.8.0", CONSUMER_QUARTER_WH))
        .collect::<anyhow::Result<_>>()?;
    submit_all(&a.gw, "SubmitReadings (consumer, 96)", vec![submit_readings(channel, "metering", &day)?], 1).await?;

    let mut owner_gw = connect(&owner).await?;
    let (mut transfers, mut claims, mut claimed) = (Vec::new(), Vec::new(), 0i64);
    for h in 0..24 {
        let hour = (f.first_hour + h * HOUR).to_string();
        let (issued, _) =
            evaluate_json(&mut owner_gw, &invocation(channel, "certificates", "GetIssuance", &[&f.devices[0], &hour]))
                .await?;
        let (cert, wh) =
            (issued["certificateId"].as_str().unwrap_or_default().to_string(), issued["issuedWh"].to_string());
        claimed += issued["issuedWh"].as_i64().unwrap_or_default();
        transfers.push(invocation(channel, "certificates", "TransferCertificate", &[&cert, msp, id, &wh]));
        claims.push(invocation(channel, "certificates", "ClaimCertificate", &[&cert, &wh, &hour, msp, id]));
    }
    submit_all(&owner, "TransferCertificate (24)", transfers, a.workers).await?;
    submit_all(&consumer, "ClaimCertificate (24)", claims, a.workers).await?;

    let report = invocation(channel, "certificates", "MatchingReport", &[msp, id, &f.first_hour.to_string()]);
    let (mut latency, mut last) = (Stats::default(), Value::Null);
    let t0 = std::time::Instant::now();
    for _ in 0..REPORTS {
        let (got, t) = evaluate_json(&mut gw, &report).await?;
        latency.ok(t, 1);
        last = got;
    }
    let latency = latency.report(t0.elapsed(), "reports");
    // The consumer's import may include an earlier run's on the same day; the claims are this run's alone.
    if last["claimedWh"].as_i64() != Some(claimed) || last["matchedWh"].as_i64() != Some(claimed) {
        bail!("MatchingReport claimed {} matched {}, expected {claimed} each", last["claimedWh"], last["matchedWh"]);
    }
    Ok(json!({
        "evaluations": REPORTS, "readings": 96, "claims": 24, "claimedWh": claimed,
        "consumptionWh": last["consumptionWh"], "scoreBasisPoints": last["scoreBasisPoints"],
        "latencyMs": latency["latencyMs"],
    }))
}

/// Runs the fixture, the timed issuance and the matching day; the JSON report.
pub async fn run(a: &BenchArgs) -> anyhow::Result<Value> {
    let count = usize::try_from(a.count.unwrap_or(10_000)).context("--count")?;
    if !(1..=1000).contains(&a.devices) || !(1..=1_000_000).contains(&count) {
        bail!("certificates: --devices 1 to 1000, --count (device-hours) 1 to 1000000");
    }
    let t0 = std::time::Instant::now();
    let f = build(a, count).await?;
    let setup = t0.elapsed().as_secs_f64();
    let issuance = issue(a, &f, count).await?;
    let matching =
        if f.hours >= 24 { matching(a, &f).await? } else { json!("skipped: fewer than 24 hours per device") };
    Ok(json!({
        "devices": f.devices.len(), "hoursPerDevice": f.hours, "firstHour": f.first_hour, "tag": f.tag,
        "setupSeconds": (setup * 10.0).round() / 10.0, "issuance": issuance, "matchingReport": matching,
    }))
}
