//! A simulated fleet, shared by `gridctl meter simulate` and `gridctl bench --workload metering`: meters with
//! keys ([`keys`]), the intervals they report with their energy ([`profile`]), registration through the gateway
//! ([`register`]), and the batch sources that sign readings (one source per worker, each owning a disjoint set of
//! meters). Readings are signed with `gridledger-reading`, the metering contract's own encoding and signer.

pub mod args;
pub mod keys;
pub mod profile;
pub mod register;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use gridledger_client::Invocation;
use gridledger_reading::{Reading, Signer};

use self::args::{BatchOrder, FleetArgs};
use crate::load::driver::{Source, Tx};

/// The registers every simulated meter reports, in counter order.
const REGISTERS: [&str; 2] = ["1.8.0", "2.8.0"];

/// One meter.
#[derive(Debug)]
pub struct SimMeter {
    /// Position in the fleet (selects its profile).
    pub index: usize,
    /// Meter id.
    pub id: String,
    /// Its key.
    pub signer: Signer,
}

/// Committed energy of one interval, summed over the batches that committed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IntervalSum {
    /// Import (1.8.0), Wh.
    pub import_wh: i64,
    /// Export (2.8.0), Wh.
    pub export_wh: i64,
    /// Readings.
    pub readings: u64,
}

/// Per interval start, what committed.
pub type Committed = Arc<Mutex<BTreeMap<i64, IntervalSum>>>;

/// The fleet.
#[derive(Debug)]
pub struct Fleet {
    /// Meter id prefix.
    pub prefix: String,
    /// The asset the meters measure.
    pub asset: String,
    /// Its connection point (known when this run registers the asset).
    pub connection_point: String,
    /// Interval length, seconds.
    pub interval_seconds: u32,
    /// Interval starts reported, ascending.
    pub intervals: Vec<i64>,
    /// How readings are cut into batches.
    pub order: BatchOrder,
    /// The meters.
    pub meters: Vec<Arc<SimMeter>>,
}

fn now() -> anyhow::Result<i64> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("clock before 1970")?;
    i64::try_from(d.as_secs()).context("clock out of range")
}

impl Fleet {
    /// Checks the arguments and makes (or loads) the meters' keys.
    pub fn new(a: &FleetArgs) -> anyhow::Result<Self> {
        if a.meters == 0 || a.intervals == 0 {
            bail!("--meters and --intervals must be at least 1");
        }
        if !(1..=2000).contains(&a.batch) {
            bail!("--batch {}: the metering contract takes 1 to 2000 readings per transaction", a.batch);
        }
        if a.interval_seconds == 0 || 86_400 % a.interval_seconds != 0 {
            bail!("--interval-seconds {}: use a length that divides a day, e.g. 900", a.interval_seconds);
        }
        if !a.register && (a.keys_dir.is_none() || a.prefix.is_none()) {
            bail!(
                "without --register the meters must exist: pass --keys-dir and --prefix of the run that registered them"
            );
        }
        let len = i64::from(a.interval_seconds);
        let last = match a.last_interval {
            Some(s) if s.rem_euclid(len) != 0 => bail!("--last-interval {s} is not aligned to {len} s"),
            Some(s) => s,
            None => now()?.div_euclid(len) * len - len,
        };
        let first = last - (i64::from(a.intervals) - 1) * len;
        if first <= 0 {
            bail!("--intervals {} reaches back before 1970", a.intervals);
        }
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let prefix = a.prefix.clone().unwrap_or_else(|| format!("sim-{:x}", nanos % 0xff_ffff_ffff));
        if let Some(dir) = &a.keys_dir {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let meters = (0..a.meters)
            .map(|index| {
                let id = format!("{prefix}-{index}");
                let signer = match &a.keys_dir {
                    Some(dir) => keys::load_or_create(dir, &id)?,
                    None => Signer::generate().context("generating a P-256 key")?.0,
                };
                Ok(Arc::new(SimMeter { index, id, signer }))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Fleet {
            asset: a.asset.clone().unwrap_or_else(|| format!("{prefix}-asset")),
            connection_point: a.connection_point.clone().unwrap_or_else(|| format!("cp-{prefix}")),
            prefix,
            interval_seconds: a.interval_seconds,
            intervals: (0..i64::from(a.intervals)).map(|k| first + k * len).collect(),
            order: a.order,
            meters,
        })
    }

    /// `RegisterAsset`'s argument: a PV asset large enough for every simulated reading.
    pub fn asset_json(&self) -> String {
        let nameplate = profile::max_wh(self.interval_seconds) * 3600 / i64::from(self.interval_seconds) * 4;
        serde_json::json!({"id": self.asset, "kind": "pv", "nameplateW": nameplate,
            "connectionPoint": self.connection_point, "location": {"lat": "52.3702", "lon": "4.8952"},
            "commissioned": "2024-01-01"})
        .to_string()
    }

    /// One batch source per worker: meter `i` belongs to worker `i % workers`.
    pub fn sources(
        &self,
        target: (&str, &str),
        workers: usize,
        batch: usize,
        committed: &Committed,
    ) -> Vec<Box<dyn Source>> {
        let (channel, chaincode) = target;
        (0..workers)
            .map(|w| {
                let meters = self.meters.iter().skip(w).step_by(workers).cloned().collect();
                Box::new(Batches {
                    channel: channel.into(),
                    chaincode: chaincode.into(),
                    meters,
                    intervals: self.intervals.clone(),
                    interval_seconds: self.interval_seconds,
                    order: self.order,
                    batch,
                    cursor: 0,
                    pending: BTreeMap::new(),
                    committed: committed.clone(),
                }) as Box<dyn Source>
            })
            .collect()
    }
}

/// `SubmitReadings` of `batch` on the metering chaincode `chaincode`: the batch travels in the transient map, so the
/// readings never appear in a block.
pub fn submit_readings(channel: &str, chaincode: &str, batch: &[Reading]) -> anyhow::Result<Invocation> {
    let json = serde_json::to_vec(batch).context("encoding the batch")?;
    Ok(Invocation {
        channel: channel.into(),
        chaincode: chaincode.into(),
        args: vec![b"SubmitReadings".to_vec(), Vec::new()],
        transient: HashMap::from([("readings".to_string(), json)]),
        endorsing_orgs: vec![],
    })
}

/// Signed batches of one worker's meters, interval by interval.
struct Batches {
    channel: String,
    chaincode: String,
    meters: Vec<Arc<SimMeter>>,
    intervals: Vec<i64>,
    interval_seconds: u32,
    order: BatchOrder,
    batch: usize,
    /// Position in (interval, meter, register) or (meter, interval, register) order.
    cursor: usize,
    pending: BTreeMap<i64, IntervalSum>,
    committed: Committed,
}

impl Batches {
    fn reading(&self, at: usize) -> anyhow::Result<Reading> {
        let (slot, reg) = (at / REGISTERS.len(), at % REGISTERS.len());
        let (meter, interval) = match self.order {
            BatchOrder::Interval => (slot % self.meters.len(), slot / self.meters.len()),
            BatchOrder::Meter => (slot / self.intervals.len(), slot % self.intervals.len()),
        };
        let (meter, interval) = (&self.meters[meter], self.intervals[interval]);
        let (import, export) = profile::energy(meter.index, interval, self.interval_seconds);
        let wh = if reg == 0 { import } else { export };
        // Strictly increasing per meter across runs too, with no state: derived from the interval.
        let counter = (interval / i64::from(self.interval_seconds)) as u64 * REGISTERS.len() as u64 + reg as u64;
        let signer = &meter.signer;
        signer
            .reading(&meter.id, interval, REGISTERS[reg], wh, counter, self.interval_seconds)
            .context("signing a reading")
    }
}

impl Source for Batches {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        let total = self.intervals.len() * self.meters.len() * REGISTERS.len();
        let end = (self.cursor + self.batch).min(total);
        if self.cursor >= end {
            return Ok(None);
        }
        let readings = (self.cursor..end).map(|i| self.reading(i)).collect::<anyhow::Result<Vec<_>>>()?;
        self.cursor = end;
        self.pending.clear();
        for r in &readings {
            let sum = self.pending.entry(r.interval_start).or_default();
            if r.register == REGISTERS[0] {
                sum.import_wh += r.wh
            } else {
                sum.export_wh += r.wh
            }
            sum.readings += 1;
        }
        let invocation = submit_readings(&self.channel, &self.chaincode, &readings)?;
        Ok(Some(Tx { invocation, units: readings.len() as u64 }))
    }

    fn finished(&mut self, committed: bool) {
        if !committed {
            return;
        }
        // A poisoned lock only means another worker panicked; the sums are still the best we have.
        let mut all = self.committed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (start, s) in &self.pending {
            let t = all.entry(*start).or_default();
            t.import_wh += s.import_wh;
            t.export_wh += s.export_wh;
            t.readings += s.readings;
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        fleet: FleetArgs,
    }

    #[test]
    fn reading_batches_travel_in_the_transient_map() {
        let inv = submit_readings("energy", "metering", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inv.args, vec![b"SubmitReadings".to_vec(), Vec::new()]);
        assert_eq!((inv.chaincode.as_str(), inv.transient["readings"].as_slice()), ("metering", b"[]".as_slice()));
    }

    /// Every batch of one worker, as (meter, interval index, register) per reading.
    fn batches(order: &str) -> Vec<Vec<(String, i64, String, u64)>> {
        let args = ["t", "--meters", "2", "--intervals", "3", "--batch", "4", "--order", order, "--prefix", "p"];
        // --register only lets the fleet make fresh in-memory keys; nothing is registered here.
        let a = Cli::parse_from(args.into_iter().chain(["--register"])).fleet;
        let fleet = Fleet::new(&a).unwrap();
        let first = fleet.intervals[0];
        let mut source = fleet.sources(("ch", "metering"), 1, 4, &Committed::default()).remove(0);
        let mut all = Vec::new();
        while let Some(tx) = source.next_tx().unwrap() {
            let readings: Vec<Reading> = serde_json::from_slice(&tx.invocation.transient["readings"]).unwrap();
            assert_eq!(tx.units, readings.len() as u64);
            all.push(
                readings
                    .into_iter()
                    .map(|r| (r.meter_id, (r.interval_start - first) / 900, r.register, r.counter))
                    .collect(),
            );
        }
        all
    }

    #[test]
    fn interval_order_sends_every_meter_of_an_interval_before_the_next_interval() {
        let b = batches("interval");
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 4]);
        let slots: Vec<_> = b[0].iter().map(|(m, i, reg, _)| (m.as_str(), *i, reg.as_str())).collect();
        assert_eq!(slots, [("p-0", 0, "1.8.0"), ("p-0", 0, "2.8.0"), ("p-1", 0, "1.8.0"), ("p-1", 0, "2.8.0")]);
    }

    #[test]
    fn meter_order_sends_a_meters_intervals_together_with_rising_counters() {
        let b = batches("meter");
        let flat: Vec<_> = b.concat();
        let slots: Vec<_> = b[0].iter().map(|(m, i, reg, _)| (m.as_str(), *i, reg.as_str())).collect();
        assert_eq!(slots, [("p-0", 0, "1.8.0"), ("p-0", 0, "2.8.0"), ("p-0", 1, "1.8.0"), ("p-0", 1, "2.8.0")]);
        assert_eq!(flat.len(), 12);
        for meter in ["p-0", "p-1"] {
            let counters: Vec<u64> = flat.iter().filter(|r| r.0 == meter).map(|r| r.3).collect();
            assert_eq!(counters.len(), 6);
            assert!(counters.windows(2).all(|w| w[0] < w[1]), "{meter}: {counters:?}");
        }
    }
}
