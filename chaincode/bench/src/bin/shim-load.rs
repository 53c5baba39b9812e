//! shim-load: plays the Fabric peer against a chaincode-as-a-service over loopback gRPC.
//!
//! It dials `protos.Chaincode/Connect`, answers REGISTER with REGISTERED and READY, then keeps `--concurrency`
//! `GetPut key value` transactions in flight on the one stream, serving the chaincode's GET_STATE and PUT_STATE
//! (and WRITE_BATCH_STATE after `--ready-params`) from an in-memory world state. The latency of a transaction runs
//! from sending TRANSACTION to receiving COMPLETED. After `--warmup` seconds it measures for `--duration` seconds,
//! then stops issuing, lets the in-flight transactions finish and reports.
//!
//! One task reads the stream and reacts to each message; everything it sends goes through one unbounded channel
//! that the HTTP/2 connection task drains (the single writer). By default the driver runs on a current-thread
//! runtime, so it costs one core at most and its CPU time is easy to compare with the chaincode's (`--pid`).
//!
//! `--scenario batch` measures something else: one large transaction at a time against a chaincode told it talks
//! to a Fabric 3.1 peer (write batching and multi-key reads advertised), `PutMany` of 9999 keys and `GetMany` of
//! 1000, with per-transaction wall and CPU time and the messages the chaincode sent (see
//! `gridledger_bench::batch`). `--spawn label=binary` (repeatable) starts the chaincodes itself and alternates
//! between them, so Rust and Go are measured in one run:
//!
//! ```text
//! shim-load --scenario batch --spawn rust=target/release/kv-ccaas --spawn go=$(scripts/build-go-reference.sh)
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use gridledger_bench::procfs::{self, Sample, Usage};
use gridledger_bench::{batch, dial::dial, fixture, spawn, stats::Latency};
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    ChaincodeAdditionalParams, ChaincodeId, ChaincodeInput, ChaincodeMessage, GetState, PutState, SignedProposal,
    WriteBatchState, write_record,
};
use gridledger_protos::prost::Message;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

/// Load driver playing the peer against a CCaaS chaincode (GetPut transactions, or the batch scenario).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The chaincode server, host:port (or use --spawn with --scenario batch).
    #[arg(long, required_unless_present = "spawn", default_value = "")]
    address: String,
    /// `getput`: GetPut transactions under load; `batch`: PutMany / GetMany against a 3.1 peer, one at a time.
    #[arg(long, value_enum, default_value_t = Scenario::Getput)]
    scenario: Scenario,
    /// Batch scenario: start this chaincode (`label=path`) on a free port and measure it; repeat to alternate
    /// between several (the one labelled `go` is the baseline of the ratios).
    #[arg(long)]
    spawn: Vec<String>,
    /// Batch scenario: where the spawned chaincodes' output goes (`<label>.log`); discarded if unset.
    #[arg(long)]
    logs: Option<PathBuf>,
    /// Batch scenario: measured rounds (one PutMany and one GetMany per target each).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Batch scenario: rounds before measuring.
    #[arg(long, default_value_t = 2)]
    warmup_rounds: usize,
    /// Batch scenario: puts of the PutMany transaction.
    #[arg(long, default_value_t = 9999)]
    puts: u32,
    /// Batch scenario: keys of the GetMany transaction.
    #[arg(long, default_value_t = 1000)]
    get_keys: u32,
    /// Batch scenario: maxSizeWriteBatch in READY; 0 leaves write batching unadvertised (a 2.5 peer).
    #[arg(long, default_value_t = 1000)]
    max_write_batch: u32,
    /// Batch scenario: maxSizeGetMultipleKeys in READY; 0 leaves multi-key reads unadvertised.
    #[arg(long, default_value_t = 1000)]
    max_get_multiple: u32,
    /// Batch scenario: milliseconds after COMPLETED whose chaincode CPU still counts to the transaction.
    #[arg(long, default_value_t = 20)]
    settle_ms: u64,
    /// Transactions kept in flight on the one stream.
    #[arg(long, default_value_t = 20)]
    concurrency: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Size of the key space; keys are drawn uniformly.
    #[arg(long, default_value_t = 10_000)]
    keys: u32,
    /// Bytes per value written (and read back).
    #[arg(long, default_value_t = 64)]
    value_size: usize,
    /// Channel id of the transactions.
    #[arg(long, default_value = "mychannel")]
    channel: String,
    /// Send ChaincodeAdditionalParams in READY (Fabric 3.1: write batching, multi-key reads) instead of an empty one.
    #[arg(long)]
    ready_params: bool,
    /// Send transactions without a signed proposal (peers always send one).
    #[arg(long)]
    no_proposal: bool,
    /// The chaincode's process id: report its CPU time, threads, context switches and memory.
    #[arg(long)]
    pid: Option<u32>,
    /// Name of the target in the report.
    #[arg(long, default_value = "")]
    label: String,
    /// Print the report as JSON on stdout (the table then goes to stderr).
    #[arg(long)]
    json: bool,
    /// Seconds to keep retrying the connection while the chaincode starts.
    #[arg(long, default_value_t = 10.0)]
    connect_timeout: f64,
    /// Seconds to wait for in-flight transactions after the measurement.
    #[arg(long, default_value_t = 10.0)]
    drain_timeout: f64,
    /// Runtime worker threads; 0 runs the driver on one current-thread runtime.
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Getput,
    Batch,
}

/// Counts of what went wrong.
#[derive(Debug, Default, Serialize)]
struct Errors {
    /// COMPLETED with a status other than 200, or ERROR, for a transaction.
    failed: u64,
    /// Status 200 but the payload was not the value we served for the GET_STATE.
    wrong_payload: u64,
    /// Messages we did not expect (unknown type, unknown transaction).
    unexpected: u64,
    /// Transactions still unanswered at the end of the drain.
    timed_out: u64,
    /// The first failure's text.
    first: Option<String>,
}

impl Errors {
    fn total(&self) -> u64 {
        self.failed + self.wrong_payload + self.unexpected + self.timed_out
    }

    fn note(&mut self, what: impl FnOnce() -> String) {
        if self.first.is_none() {
            self.first = Some(what());
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    label: String,
    address: String,
    /// The package id the chaincode sent in REGISTER.
    chaincode_id: String,
    concurrency: usize,
    warmup_s: f64,
    duration_s: f64,
    keys: u32,
    value_size: usize,
    ready_params: bool,
    proposal: bool,
    /// Transactions completed inside the measurement window.
    completed: u64,
    tx_per_s: f64,
    latency: Latency,
    /// Chaincode-to-peer messages per completed transaction in the window (3 for GetPut: GET, PUT, COMPLETED).
    messages_per_tx: f64,
    errors: Errors,
    error_count: u64,
    driver: Usage,
    chaincode: Option<Usage>,
}

/// One in-flight transaction per slot; the slot number is the last 4 hex digits of the txid.
#[derive(Debug, Clone, Copy)]
struct Slot {
    started: Instant,
    busy: bool,
    /// FNV-1a of the value served for this transaction's GET_STATE: the payload its COMPLETED must carry.
    expect: u64,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// xorshift64*: keys only need to be spread, not unpredictable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn key_name(i: u64) -> String {
    format!("key{i:06}")
}

struct Driver {
    out: mpsc::UnboundedSender<ChaincodeMessage>,
    channel: String,
    proposal: Option<SignedProposal>,
    value_size: usize,
    keys: u64,
    rng: Rng,
    seq: u64,
    slots: Vec<Slot>,
    in_flight: usize,
    state: HashMap<String, Vec<u8>>,
    /// Set while transactions are counted.
    measuring: bool,
    latencies: Vec<u64>,
    received: u64,
    errors: Errors,
}

impl Driver {
    fn send(&self, msg: ChaincodeMessage) -> Result<()> {
        self.out.send(msg).map_err(|_| anyhow!("the request stream is closed"))
    }

    fn start_tx(&mut self, slot: usize) -> Result<()> {
        self.seq += 1;
        let key = key_name(self.rng.next() % self.keys);
        // Distinct values, so a wrong payload is caught.
        let mut value = vec![b'v'; self.value_size];
        for (i, byte) in value.iter_mut().take(16).enumerate() {
            *byte = b"0123456789abcdef"[(self.seq >> (60 - 4 * i)) as usize & 0xf];
        }
        let input = ChaincodeInput { args: vec![b"GetPut".to_vec(), key.into_bytes(), value], ..Default::default() };
        let msg = ChaincodeMessage {
            r#type: Type::Transaction as i32,
            payload: input.encode_to_vec(),
            txid: format!("{:060x}{slot:04x}", self.seq),
            channel_id: self.channel.clone(),
            proposal: self.proposal.clone().map(Box::new),
            ..Default::default()
        };
        self.slots[slot] = Slot { started: Instant::now(), busy: true, expect: 0 };
        self.in_flight += 1;
        self.send(msg)
    }

    fn slot_of(&self, msg: &ChaincodeMessage) -> Option<usize> {
        let hex = msg.txid.get(60..)?;
        let slot = usize::from_str_radix(hex, 16).ok()?;
        (msg.txid.len() == 64 && self.slots.get(slot)?.busy).then_some(slot)
    }

    fn reply(&self, request: ChaincodeMessage, kind: Type, payload: Vec<u8>) -> Result<()> {
        self.send(fixture::reply_to(request, kind, payload))
    }

    /// Handles one message of the chaincode; `issue` says whether a finished slot starts a new transaction.
    fn on_message(&mut self, msg: ChaincodeMessage, now: Instant, issue: bool) -> Result<()> {
        if self.measuring {
            self.received += 1;
        }
        let Some(slot) = self.slot_of(&msg) else {
            self.errors.unexpected += 1;
            let what = format!("message type {} for unknown transaction {:?}", msg.r#type, msg.txid);
            self.errors.note(|| what);
            return Ok(());
        };
        match Type::try_from(msg.r#type) {
            Ok(Type::GetState) => {
                let req = GetState::decode(msg.payload.as_slice()).context("GET_STATE payload")?;
                let value = self.state.get(&req.key).cloned().unwrap_or_default();
                self.slots[slot].expect = fnv1a(&value);
                self.reply(msg, Type::Response, value)
            }
            Ok(Type::PutState) => {
                let req = PutState::decode(msg.payload.as_slice()).context("PUT_STATE payload")?;
                self.state.insert(req.key, req.value);
                self.reply(msg, Type::Response, Vec::new())
            }
            Ok(Type::WriteBatchState) => {
                let batch = WriteBatchState::decode(msg.payload.as_slice()).context("WRITE_BATCH_STATE payload")?;
                for rec in batch.rec {
                    match write_record::Type::try_from(rec.r#type) {
                        Ok(write_record::Type::PutState) => {
                            self.state.insert(rec.key, rec.value);
                        }
                        Ok(write_record::Type::DelState) => {
                            self.state.remove(&rec.key);
                        }
                        _ => {}
                    }
                }
                self.reply(msg, Type::Response, Vec::new())
            }
            Ok(kind @ (Type::Completed | Type::Error)) => {
                let elapsed = now.duration_since(self.slots[slot].started);
                if kind == Type::Error {
                    self.errors.failed += 1;
                    self.errors.note(|| format!("ERROR: {}", String::from_utf8_lossy(&msg.payload)));
                } else {
                    let resp = gridledger_protos::peer::Response::decode(msg.payload.as_slice())
                        .context("COMPLETED payload")?;
                    if resp.status != 200 {
                        self.errors.failed += 1;
                        self.errors.note(|| format!("status {}: {}", resp.status, resp.message));
                    } else if fnv1a(&resp.payload) != self.slots[slot].expect {
                        self.errors.wrong_payload += 1;
                        self.errors.note(|| "GetPut returned a value other than the one served".into());
                    }
                }
                if self.measuring {
                    self.latencies.push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
                }
                self.slots[slot].busy = false;
                self.in_flight -= 1;
                if issue { self.start_tx(slot) } else { Ok(()) }
            }
            _ => {
                self.errors.unexpected += 1;
                let what = format!("unexpected message type {}", msg.r#type);
                self.errors.note(|| what);
                // A peer answers what it does not understand with ERROR; do the same so the transaction ends.
                self.reply(msg, Type::Error, b"unsupported by shim-load".to_vec())
            }
        }
    }
}

fn sample_pid(pid: Option<u32>) -> Result<Option<Sample>> {
    pid.map(|p| procfs::sample(Some(p))).transpose()
}

async fn run(args: &Args) -> Result<Report> {
    if args.concurrency == 0 || args.concurrency > 0xffff {
        bail!("--concurrency must be 1..=65535");
    }
    if args.keys == 0 {
        bail!("--keys must be at least 1");
    }
    let mut client = dial(&args.address, Duration::from_secs_f64(args.connect_timeout)).await?;
    let (out, requests) = mpsc::unbounded_channel();
    let mut incoming = client.connect(UnboundedReceiverStream::new(requests)).await?.into_inner();

    // Handshake: the chaincode speaks first.
    let register = incoming.message().await?.context("stream ended before REGISTER")?;
    if register.r#type != Type::Register as i32 {
        bail!("expected REGISTER, got message type {}", register.r#type);
    }
    let chaincode_id = ChaincodeId::decode(register.payload.as_slice()).context("REGISTER payload")?.name;
    let ready_payload = if args.ready_params {
        ChaincodeAdditionalParams {
            use_write_batch: true,
            max_size_write_batch: 1000,
            use_get_multiple_keys: true,
            max_size_get_multiple_keys: 1000,
        }
        .encode_to_vec()
    } else {
        Vec::new()
    };
    for (kind, payload) in [(Type::Registered, Vec::new()), (Type::Ready, ready_payload)] {
        out.send(ChaincodeMessage { r#type: kind as i32, payload, ..Default::default() })
            .map_err(|_| anyhow!("the request stream is closed"))?;
    }

    let mut driver = Driver {
        out,
        channel: args.channel.clone(),
        proposal: (!args.no_proposal).then(|| fixture::signed_proposal(&args.channel, &chaincode_id, args.value_size)),
        value_size: args.value_size,
        keys: u64::from(args.keys),
        rng: Rng(0x9e37_79b9_7f4a_7c15),
        seq: 0,
        slots: vec![Slot { started: Instant::now(), busy: false, expect: 0 }; args.concurrency],
        in_flight: 0,
        state: HashMap::with_capacity(args.keys as usize * 2),
        measuring: false,
        latencies: Vec::with_capacity(1 << 20),
        received: 0,
        errors: Errors::default(),
    };
    // Every key starts with a value, so each GET_STATE returns data.
    for i in 0..u64::from(args.keys) {
        driver.state.insert(key_name(i), format!("initial-{i:06}").into_bytes());
    }

    let begin = Instant::now();
    let measure_from = begin + Duration::from_secs_f64(args.warmup);
    let measure_to = measure_from + Duration::from_secs_f64(args.duration);
    let drain_to = measure_to + Duration::from_secs_f64(args.drain_timeout);
    for slot in 0..args.concurrency {
        driver.start_tx(slot)?;
    }

    let mut start_samples = None;
    let mut end_samples = None;
    let timer = tokio::time::sleep_until(measure_from.into());
    tokio::pin!(timer);
    loop {
        tokio::select! {
            msg = incoming.message() => {
                let msg = msg?.context("the chaincode ended the stream")?;
                let now = Instant::now();
                let issue = now < measure_to;
                driver.on_message(msg, now, issue)?;
                if !issue && driver.in_flight == 0 {
                    if start_samples.is_some() && end_samples.is_none() {
                        end_samples = Some((now, procfs::sample(None)?, sample_pid(args.pid)?));
                    }
                    break;
                }
            }
            () = &mut timer => {
                let now = Instant::now();
                if start_samples.is_none() {
                    start_samples = Some((now, procfs::sample(None)?, sample_pid(args.pid)?));
                    driver.measuring = true;
                    timer.as_mut().reset(measure_to.into());
                } else if end_samples.is_none() {
                    end_samples = Some((now, procfs::sample(None)?, sample_pid(args.pid)?));
                    driver.measuring = false;
                    timer.as_mut().reset(drain_to.into());
                } else {
                    driver.errors.timed_out = driver.in_flight as u64;
                    driver.errors.note(|| "transactions unanswered at the end of the drain".into());
                    break;
                }
            }
        }
    }
    let (Some((t0, d0, c0)), Some((t1, d1, c1))) = (start_samples, end_samples) else {
        bail!("the run ended before the measurement window closed");
    };
    let wall = t1.duration_since(t0).as_secs_f64();
    let completed = driver.latencies.len() as u64;
    let latency = Latency::of(&mut driver.latencies);
    let chaincode = match (c0, c1) {
        (Some(c0), Some(c1)) => Some(Usage::between(&c0, &c1, wall, completed)),
        _ => None,
    };
    let error_count = driver.errors.total();
    let errors = std::mem::take(&mut driver.errors);
    let messages_per_tx = if completed == 0 { 0.0 } else { driver.received as f64 / completed as f64 };
    // End our side of the stream and give the chaincode a moment to end its side, as a peer would on shutdown.
    drop(driver);
    let closed = async { while let Ok(Some(_)) = incoming.message().await {} };
    if tokio::time::timeout(Duration::from_secs(1), closed).await.is_err() {
        eprintln!("shim-load: the chaincode kept the stream open after ours ended");
    }
    Ok(Report {
        label: args.label.clone(),
        address: args.address.clone(),
        chaincode_id,
        concurrency: args.concurrency,
        warmup_s: args.warmup,
        duration_s: wall,
        keys: args.keys,
        value_size: args.value_size,
        ready_params: args.ready_params,
        proposal: !args.no_proposal,
        completed,
        tx_per_s: completed as f64 / wall,
        latency,
        messages_per_tx,
        error_count,
        errors,
        driver: Usage::between(&d0, &d1, wall, completed),
        chaincode,
    })
}

fn table(r: &Report) -> String {
    let mut s = String::new();
    let name = if r.label.is_empty() { r.chaincode_id.as_str() } else { r.label.as_str() };
    s += &format!("shim-load: {name} at {} (chaincode id {:?})\n", r.address, r.chaincode_id);
    s += &format!(
        "  concurrency {}, {:.1} s measured after {:.1} s warmup, {} keys, {}-byte values, proposal {}, READY params {}\n",
        r.concurrency, r.duration_s, r.warmup_s, r.keys, r.value_size, r.proposal, r.ready_params
    );
    s += &format!("  {:<22}{:>12.0}\n", "tx/s", r.tx_per_s);
    s += &format!("  {:<22}{:>12}\n", "completed", r.completed);
    let l = &r.latency;
    for (name, v) in [("p50", l.p50_us), ("p90", l.p90_us), ("p99", l.p99_us), ("p99.9", l.p999_us), ("max", l.max_us)]
    {
        s += &format!("  {:<22}{v:>12.1} us\n", format!("latency {name}"));
    }
    s += &format!("  {:<22}{:>12.2}\n", "messages/tx", r.messages_per_tx);
    s += &format!("  {:<22}{:>12}", "errors", r.error_count);
    if let Some(first) = &r.errors.first {
        s += &format!("  (first: {first})");
    }
    s += "\n";
    let mut usage = |who: &str, u: &Usage| {
        s += &format!(
            "  {:<22}{:>10.1} %  ({:.1} us/tx, {} threads, {:.2} vol + {:.2} invol switches/tx, RSS {} KiB, HWM {} KiB)\n",
            format!("{who} CPU"),
            u.cpu_pct,
            u.cpu_us_per_tx,
            u.threads,
            u.voluntary_switches_per_tx,
            u.involuntary_switches_per_tx,
            u.vm_rss_kb,
            u.vm_hwm_kb
        );
    };
    usage("driver", &r.driver);
    if let Some(c) = &r.chaincode {
        usage("chaincode", c);
    }
    s
}

/// The batch scenario: spawns the `--spawn` targets (or measures `--address`), alternating between them.
async fn run_batch(args: &Args) -> Result<batch::Report> {
    let mut spawned = Vec::new();
    for spec in &args.spawn {
        let (label, cmd) = spawn::parse_spec(spec)?;
        spawned.push(spawn::spawn(&label, &cmd, args.logs.as_deref())?);
    }
    let mut targets: Vec<batch::Target> = spawned
        .iter()
        .map(|s| batch::Target { label: s.label.clone(), address: s.address.to_string(), pid: Some(s.pid()) })
        .collect();
    if !args.address.is_empty() {
        let label = if args.label.is_empty() { args.address.clone() } else { args.label.clone() };
        targets.push(batch::Target { label, address: args.address.clone(), pid: args.pid });
    }
    let opts = batch::Options {
        shape: batch::Shape {
            rounds: args.rounds,
            warmup_rounds: args.warmup_rounds,
            puts: args.puts,
            get_keys: args.get_keys,
            max_write_batch: args.max_write_batch,
            max_get_multiple: args.max_get_multiple,
        },
        settle: Duration::from_millis(args.settle_ms),
        timeout: Duration::from_secs_f64(args.connect_timeout.max(args.drain_timeout)),
        channel: args.channel.clone(),
    };
    // The spawned processes live until here: dropping them stops them.
    batch::run(&targets, &opts).await
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = match args.threads {
        0 => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        n => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build()?,
    };
    if args.scenario == Scenario::Batch {
        let report = runtime.block_on(run_batch(&args))?;
        if args.json {
            eprint!("{}", batch::table(&report));
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", batch::table(&report));
        }
        if report.error_count > 0 {
            bail!("{} transactions returned a wrong result", report.error_count);
        }
        return Ok(());
    }
    if args.address.is_empty() {
        bail!("--address is required for --scenario getput");
    }
    let report = runtime.block_on(run(&args))?;
    if args.json {
        eprint!("{}", table(&report));
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(())
}
