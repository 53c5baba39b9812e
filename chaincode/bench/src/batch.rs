//! The write-batching scenario: one large transaction at a time against a chaincode that believes it talks to a
//! Fabric 3.1 peer.
//!
//! READY carries `ChaincodeAdditionalParams` as a 3.1 peer's core.yaml defaults send them (`usePeerWriteBatch`,
//! `maxSizeWriteBatch` 1000, `usePeerGetMultipleKeys`, `maxSizeGetMultipleKeys` 1000; `--max-write-batch 0` /
//! `--max-get-multiple 0` leave a feature out, as a 2.5 peer does). Each round runs, on every target in turn (the
//! order reversed every round), `PutMany <puts> p` and then `GetMany p0000 .. p<keys-1>` from
//! chaincode/examples/kv/SPEC.md, serving GET_STATE, PUT_STATE, DEL_STATE, WRITE_BATCH_STATE and
//! GET_STATE_MULTIPLE from an in-memory world state as the peer would. Per transaction it records the wall time from
//! TRANSACTION to COMPLETED, the chaincode process's CPU time (schedstat, nanoseconds; from just before TRANSACTION
//! to `settle` after COMPLETED, so garbage collection or frees that trail the reply count too), and what the
//! chaincode sent, by message type.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    ChaincodeAdditionalParams, ChaincodeId, ChaincodeInput, ChaincodeMessage, DelState, GetState, GetStateMultiple,
    GetStateMultipleResult, PutState, SignedProposal, WriteBatchState, write_record,
};
use gridledger_protos::prost::Message;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::Streaming;

use crate::{dial::dial, fixture, procfs};

mod report;

pub use report::{Report, table};

/// What the scenario runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rounds, transaction sizes and what READY advertises (the report repeats them).
    pub shape: Shape,
    /// How long after COMPLETED the chaincode's CPU time is still counted to the transaction.
    pub settle: Duration,
    /// Bound on connecting and on each transaction.
    pub timeout: Duration,
    /// Channel of the transactions.
    pub channel: String,
}

/// The scenario's rounds, transaction sizes and READY parameters.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Shape {
    /// Measured rounds (each: one PutMany and one GetMany per target).
    pub rounds: usize,
    /// Rounds run first and not counted (first-touch allocations, lazy initialisation).
    pub warmup_rounds: usize,
    /// Puts of the PutMany transaction.
    pub puts: u32,
    /// Keys of the GetMany transaction (at most `puts`: they are keys PutMany wrote).
    pub get_keys: u32,
    /// `maxSizeWriteBatch` advertised in READY; 0 does not advertise write batching.
    pub max_write_batch: u32,
    /// `maxSizeGetMultipleKeys` advertised in READY; 0 does not advertise multi-key reads.
    pub max_get_multiple: u32,
}

/// A chaincode to measure.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its name in the report.
    pub label: String,
    /// host:port of its server.
    pub address: String,
    /// Its process, for CPU time; without it only wall time is reported.
    pub pid: Option<u32>,
}

/// Chaincode-to-peer messages of one transaction, by type (COMPLETED not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Wire {
    /// GET_STATE messages.
    pub get_state: u64,
    /// PUT_STATE messages.
    pub put_state: u64,
    /// DEL_STATE messages.
    pub del_state: u64,
    /// WRITE_BATCH_STATE messages.
    pub write_batch_state: u64,
    /// Records in them.
    pub records: u64,
    /// GET_STATE_MULTIPLE messages.
    pub get_state_multiple: u64,
    /// Keys in them.
    pub keys: u64,
    /// Any other request.
    pub other: u64,
}

/// The two transactions of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    PutMany,
    GetMany,
}

/// One transaction's measurements.
#[derive(Debug, Clone)]
pub(crate) struct TxRun {
    pub(crate) kind: Kind,
    pub(crate) wall_ns: u64,
    pub(crate) cpu_ns: Option<u64>,
    pub(crate) wire: Wire,
    /// Why the result was wrong, if it was.
    pub(crate) error: Option<String>,
}

/// Runs the scenario on every target, alternating, and reports.
pub async fn run(targets: &[Target], opts: &Options) -> Result<Report> {
    if targets.is_empty() {
        bail!("no target");
    }
    if opts.shape.get_keys > opts.shape.puts || opts.shape.get_keys == 0 {
        bail!("--get-keys must be 1..=--puts (GetMany reads keys PutMany wrote)");
    }
    let mut sessions = Vec::with_capacity(targets.len());
    for target in targets {
        sessions.push(Session::open(target, opts).await?);
    }
    let mut runs: Vec<Vec<TxRun>> = vec![Vec::new(); targets.len()];
    let mut order: Vec<usize> = (0..targets.len()).collect();
    let mut stat_start = vec![None; targets.len()];
    for round in 0..opts.shape.warmup_rounds + opts.shape.rounds {
        let measured = round >= opts.shape.warmup_rounds;
        for &i in &order {
            let session = &mut sessions[i];
            if measured && stat_start[i].is_none() {
                stat_start[i] = session.stat_cpu_s()?;
            }
            let put = session.put_many(opts).await?;
            let get = session.get_many(opts).await?;
            if measured {
                runs[i].extend([put, get]);
            }
        }
        // Alternate, so no target always runs first or right after the same neighbour.
        order.reverse();
    }
    let mut per_target = Vec::with_capacity(targets.len());
    for ((session, runs), start) in sessions.iter().zip(runs).zip(stat_start) {
        let stat_cpu_s = match (start, session.stat_cpu_s()?) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        per_target.push(report::TargetRuns {
            label: session.label.clone(),
            chaincode_id: session.chaincode_id.clone(),
            runs,
            stat_cpu_s,
        });
    }
    Ok(Report::new(opts, per_target))
}

/// One chaincode's stream, with the peer's side of its world state.
struct Session {
    label: String,
    chaincode_id: String,
    pid: Option<u32>,
    out: mpsc::UnboundedSender<ChaincodeMessage>,
    incoming: Streaming<ChaincodeMessage>,
    state: HashMap<String, Vec<u8>>,
    proposal: SignedProposal,
    channel: String,
    seq: u64,
    timeout: Duration,
}

impl Session {
    /// Dials the target and plays the peer's handshake: REGISTER in, REGISTERED and READY (3.1 parameters) out.
    async fn open(target: &Target, opts: &Options) -> Result<Self> {
        let mut client = dial(&target.address, opts.timeout).await?;
        let (out, requests) = mpsc::unbounded_channel();
        let mut incoming = client.connect(UnboundedReceiverStream::new(requests)).await?.into_inner();
        let register = incoming.message().await?.context("stream ended before REGISTER")?;
        if register.r#type != Type::Register as i32 {
            bail!("{}: expected REGISTER, got message type {}", target.label, register.r#type);
        }
        let chaincode_id = ChaincodeId::decode(register.payload.as_slice()).context("REGISTER payload")?.name;
        let params = ChaincodeAdditionalParams {
            use_write_batch: opts.shape.max_write_batch > 0,
            max_size_write_batch: opts.shape.max_write_batch,
            use_get_multiple_keys: opts.shape.max_get_multiple > 0,
            max_size_get_multiple_keys: opts.shape.max_get_multiple,
        };
        // A peer before 3.1 sends an empty READY; so do we when nothing is advertised.
        let ready = if params == ChaincodeAdditionalParams::default() { Vec::new() } else { params.encode_to_vec() };
        for (kind, payload) in [(Type::Registered, Vec::new()), (Type::Ready, ready)] {
            out.send(ChaincodeMessage { r#type: kind as i32, payload, ..Default::default() })
                .map_err(|_| anyhow!("{}: the request stream is closed", target.label))?;
        }
        Ok(Self {
            label: target.label.clone(),
            proposal: fixture::signed_proposal(&opts.channel, &chaincode_id, 1),
            chaincode_id,
            pid: target.pid,
            out,
            incoming,
            state: HashMap::new(),
            channel: opts.channel.clone(),
            seq: 0,
            timeout: opts.timeout,
        })
    }

    fn stat_cpu_s(&self) -> Result<Option<f64>> {
        self.pid.map(|pid| procfs::sample(Some(pid)).map(|s| s.cpu_s)).transpose()
    }

    fn cpu_ns(&self) -> Result<Option<u64>> {
        self.pid.map(procfs::cpu_ns).transpose()
    }

    async fn put_many(&mut self, opts: &Options) -> Result<TxRun> {
        for i in 0..opts.shape.puts {
            self.state.remove(&put_key(i));
        }
        let args = vec![b"PutMany".to_vec(), opts.shape.puts.to_string().into_bytes(), b"p".to_vec()];
        let (mut run, payload) = self.transact(Kind::PutMany, args, opts.settle).await?;
        let missing =
            (0..opts.shape.puts).filter(|&i| self.state.get(&put_key(i)).map(Vec::as_slice) != Some(b"v")).count();
        if run.error.is_none() && missing > 0 {
            run.error = Some(format!("{missing} of {} keys not written", opts.shape.puts));
        }
        if run.error.is_none() && !payload.is_empty() {
            run.error = Some("PutMany returned a payload".into());
        }
        Ok(run)
    }

    async fn get_many(&mut self, opts: &Options) -> Result<TxRun> {
        let mut args = vec![b"GetMany".to_vec()];
        args.extend((0..opts.shape.get_keys).map(|i| put_key(i).into_bytes()));
        let (mut run, payload) = self.transact(Kind::GetMany, args, opts.settle).await?;
        // Every key was just written with "v" by PutMany.
        let expected = format!("[{}]", vec!["\"v\""; opts.shape.get_keys as usize].join(","));
        if run.error.is_none() && payload != expected.as_bytes() {
            run.error = Some(format!("GetMany returned {}", String::from_utf8_lossy(&payload)));
        }
        Ok(run)
    }

    /// Sends one TRANSACTION, serves its requests until COMPLETED or ERROR, and measures it.
    async fn transact(&mut self, kind: Kind, args: Vec<Vec<u8>>, settle: Duration) -> Result<(TxRun, Vec<u8>)> {
        self.seq += 1;
        let txid = format!("{:064x}", self.seq);
        let msg = ChaincodeMessage {
            r#type: Type::Transaction as i32,
            payload: ChaincodeInput { args, ..Default::default() }.encode_to_vec(),
            txid: txid.clone(),
            channel_id: self.channel.clone(),
            proposal: Some(Box::new(self.proposal.clone())),
            ..Default::default()
        };
        let cpu_before = self.cpu_ns()?;
        let started = Instant::now();
        self.send(msg)?;
        let mut wire = Wire::default();
        let deadline = tokio::time::Instant::now() + self.timeout;
        let (wall, outcome) = loop {
            let msg = tokio::time::timeout_at(deadline, self.incoming.message())
                .await
                .map_err(|_| anyhow!("{}: no COMPLETED within {:?}", self.label, self.timeout))??
                .with_context(|| format!("{}: the chaincode ended the stream", self.label))?;
            if msg.txid != txid {
                bail!("{}: message type {} for unknown transaction {:?}", self.label, msg.r#type, msg.txid);
            }
            match Type::try_from(msg.r#type) {
                Ok(Type::Completed) => break (started.elapsed(), completed(&msg)),
                Ok(Type::Error) => {
                    break (started.elapsed(), Err(format!("ERROR: {}", String::from_utf8_lossy(&msg.payload))));
                }
                _ => self.serve(msg, &mut wire)?,
            }
        };
        tokio::time::sleep(settle).await;
        let cpu_ns = match (cpu_before, self.cpu_ns()?) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a)),
            _ => None,
        };
        let wall_ns = u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX);
        let (payload, error) = match outcome {
            Ok(payload) => (payload, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        Ok((TxRun { kind, wall_ns, cpu_ns, wire, error }, payload))
    }

    /// Answers one ledger request as a 3.1 peer would (requests it does not serve get ERROR).
    fn serve(&mut self, msg: ChaincodeMessage, wire: &mut Wire) -> Result<()> {
        let kind = Type::try_from(msg.r#type);
        let payload = match kind {
            Ok(Type::GetState) => {
                wire.get_state += 1;
                let req = GetState::decode(msg.payload.as_slice()).context("GET_STATE payload")?;
                self.state.get(&req.key).cloned().unwrap_or_default()
            }
            Ok(Type::PutState) => {
                wire.put_state += 1;
                let req = PutState::decode(msg.payload.as_slice()).context("PUT_STATE payload")?;
                self.state.insert(req.key, req.value);
                Vec::new()
            }
            Ok(Type::DelState) => {
                wire.del_state += 1;
                let req = DelState::decode(msg.payload.as_slice()).context("DEL_STATE payload")?;
                self.state.remove(&req.key);
                Vec::new()
            }
            Ok(Type::WriteBatchState) => {
                wire.write_batch_state += 1;
                let batch = WriteBatchState::decode(msg.payload.as_slice()).context("WRITE_BATCH_STATE payload")?;
                wire.records += batch.rec.len() as u64;
                for rec in batch.rec {
                    match write_record::Type::try_from(rec.r#type) {
                        Ok(write_record::Type::PutState) => drop(self.state.insert(rec.key, rec.value)),
                        Ok(write_record::Type::DelState) => drop(self.state.remove(&rec.key)),
                        _ => {}
                    }
                }
                Vec::new()
            }
            Ok(Type::GetStateMultiple) => {
                wire.get_state_multiple += 1;
                let req = GetStateMultiple::decode(msg.payload.as_slice()).context("GET_STATE_MULTIPLE payload")?;
                wire.keys += req.keys.len() as u64;
                let values = req.keys.iter().map(|k| self.state.get(k).cloned().unwrap_or_default()).collect();
                GetStateMultipleResult { values }.encode_to_vec()
            }
            _ => {
                wire.other += 1;
                return self.reply(msg, Type::Error, b"not served by shim-load's batch scenario".to_vec());
            }
        };
        self.reply(msg, Type::Response, payload)
    }

    fn reply(&self, request: ChaincodeMessage, kind: Type, payload: Vec<u8>) -> Result<()> {
        self.send(fixture::reply_to(request, kind, payload))
    }

    fn send(&self, msg: ChaincodeMessage) -> Result<()> {
        self.out.send(msg).map_err(|_| anyhow!("{}: the request stream is closed", self.label))
    }
}

/// The payload of a successful COMPLETED, or what was wrong with it.
fn completed(msg: &ChaincodeMessage) -> Result<Vec<u8>, String> {
    let response = gridledger_protos::peer::Response::decode(msg.payload.as_slice())
        .map_err(|e| format!("COMPLETED payload: {e}"))?;
    if response.status != 200 {
        return Err(format!("status {}: {}", response.status, response.message));
    }
    Ok(response.payload)
}

/// The kv chaincode's PutMany key format (SPEC.md): prefix and a 4-digit zero-padded index.
fn put_key(i: u32) -> String {
    format!("p{i:04}")
}
