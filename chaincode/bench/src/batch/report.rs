//! The batch scenario's summary: per target and transaction, medians of wall and CPU time, the messages sent, and
//! the ratios against the baseline target (the one labelled `go`, if any).

use serde::Serialize;

use super::{Kind, Options, Shape, TxRun, Wire};

/// Everything measured for one target, before summarizing.
pub(crate) struct TargetRuns {
    pub(crate) label: String,
    pub(crate) chaincode_id: String,
    pub(crate) runs: Vec<TxRun>,
    /// CPU seconds from `/proc/PID/stat` over the measured rounds (10 ms ticks; a cross-check of schedstat).
    pub(crate) stat_cpu_s: Option<f64>,
}

/// Median, mean and range of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Millis {
    /// Median (the lower one of an even count).
    pub median: f64,
    /// Mean.
    pub mean: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Millis {
    fn of(nanos: impl Iterator<Item = u64>) -> Option<Self> {
        let mut v: Vec<u64> = nanos.collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        let ms = |ns: u64| ns as f64 / 1e6;
        let sum: u128 = v.iter().map(|&n| u128::from(n)).sum();
        Some(Self {
            median: ms(v[(v.len() - 1) / 2]),
            mean: sum as f64 / v.len() as f64 / 1e6,
            min: ms(v[0]),
            max: ms(v[v.len() - 1]),
        })
    }
}

/// One transaction type on one target.
#[derive(Debug, Clone, Serialize)]
pub struct TxSummary {
    /// Measured transactions.
    pub count: usize,
    /// TRANSACTION to COMPLETED.
    pub wall_ms: Option<Millis>,
    /// The chaincode process's CPU time per transaction (schedstat).
    pub cpu_ms: Option<Millis>,
    /// Messages the chaincode sent in the first measured transaction.
    pub wire: Wire,
    /// Whether every transaction sent the same messages.
    pub wire_stable: bool,
    /// Transactions with a wrong result.
    pub errors: usize,
    /// The first wrong result.
    pub first_error: Option<String>,
}

impl TxSummary {
    fn of(runs: &[&TxRun]) -> Self {
        let wire = runs.first().map(|r| r.wire).unwrap_or_default();
        Self {
            count: runs.len(),
            wall_ms: Millis::of(runs.iter().map(|r| r.wall_ns)),
            cpu_ms: Millis::of(runs.iter().filter_map(|r| r.cpu_ns)),
            wire,
            wire_stable: runs.iter().all(|r| r.wire == wire),
            errors: runs.iter().filter(|r| r.error.is_some()).count(),
            first_error: runs.iter().find_map(|r| r.error.clone()),
        }
    }
}

/// One target's results.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSummary {
    /// Its name.
    pub label: String,
    /// The package id it registered with.
    pub chaincode_id: String,
    /// `PutMany <puts> p`.
    pub put_many: TxSummary,
    /// `GetMany` of `get_keys` keys.
    pub get_many: TxSummary,
    /// `/proc/PID/stat` CPU over the measured rounds divided by their transactions, in ms (10 ms ticks).
    pub stat_cpu_ms_per_tx: Option<f64>,
    /// The same from schedstat, for comparison with the line above.
    pub schedstat_cpu_ms_per_tx: Option<f64>,
}

/// A target's medians divided by the baseline's.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    /// The target.
    pub label: String,
    /// The baseline.
    pub baseline: String,
    /// PutMany CPU median / baseline's.
    pub put_many_cpu: Option<f64>,
    /// PutMany wall median / baseline's.
    pub put_many_wall: Option<f64>,
    /// GetMany CPU median / baseline's.
    pub get_many_cpu: Option<f64>,
    /// GetMany wall median / baseline's.
    pub get_many_wall: Option<f64>,
}

/// The scenario's report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Rounds, sizes and READY parameters, as run.
    #[serde(flatten)]
    pub shape: Shape,
    /// CPU counted after COMPLETED, ms.
    pub settle_ms: f64,
    /// Per target, in the order given.
    pub targets: Vec<TargetSummary>,
    /// Against the target labelled `go`.
    pub ratios: Vec<Ratio>,
    /// Transactions with a wrong result, over all targets.
    pub error_count: usize,
}

impl Report {
    pub(crate) fn new(opts: &Options, per_target: Vec<TargetRuns>) -> Self {
        let targets: Vec<TargetSummary> = per_target.into_iter().map(summarize).collect();
        let ratios = match targets.iter().find(|t| t.label == "go") {
            Some(base) => targets.iter().filter(|t| t.label != base.label).map(|t| ratio(t, base)).collect(),
            None => Vec::new(),
        };
        let error_count = targets.iter().map(|t| t.put_many.errors + t.get_many.errors).sum();
        Self { shape: opts.shape, settle_ms: opts.settle.as_secs_f64() * 1e3, targets, ratios, error_count }
    }
}

fn summarize(t: TargetRuns) -> TargetSummary {
    let of = |kind: Kind| TxSummary::of(&t.runs.iter().filter(|r| r.kind == kind).collect::<Vec<_>>());
    let txs = t.runs.len() as f64;
    let sched_ns: Option<u64> = t.runs.iter().map(|r| r.cpu_ns).sum();
    TargetSummary {
        put_many: of(Kind::PutMany),
        get_many: of(Kind::GetMany),
        stat_cpu_ms_per_tx: t.stat_cpu_s.filter(|_| txs > 0.0).map(|s| s * 1e3 / txs),
        schedstat_cpu_ms_per_tx: sched_ns.filter(|_| txs > 0.0).map(|ns| ns as f64 / 1e6 / txs),
        label: t.label,
        chaincode_id: t.chaincode_id,
    }
}

fn ratio(t: &TargetSummary, base: &TargetSummary) -> Ratio {
    let r = |a: Option<Millis>, b: Option<Millis>| match (a, b) {
        (Some(a), Some(b)) if b.median > 0.0 => Some((a.median / b.median * 100.0).round() / 100.0),
        _ => None,
    };
    Ratio {
        label: t.label.clone(),
        baseline: base.label.clone(),
        put_many_cpu: r(t.put_many.cpu_ms, base.put_many.cpu_ms),
        put_many_wall: r(t.put_many.wall_ms, base.put_many.wall_ms),
        get_many_cpu: r(t.get_many.cpu_ms, base.get_many.cpu_ms),
        get_many_wall: r(t.get_many.wall_ms, base.get_many.wall_ms),
    }
}

/// The report as markdown tables.
pub fn table(r: &Report) -> String {
    let mut s = format!(
        "batch scenario: PutMany {} p, GetMany of {} keys; READY maxSizeWriteBatch {} maxSizeGetMultipleKeys {} \
         (0 = not advertised); {} rounds after {} warmup, targets alternating\n\n",
        r.shape.puts,
        r.shape.get_keys,
        r.shape.max_write_batch,
        r.shape.max_get_multiple,
        r.shape.rounds,
        r.shape.warmup_rounds
    );
    s += "| target | tx | CPU ms median (min-max) | wall ms median (min-max) | sent | errors |\n";
    s += "|---|---|---:|---:|---|---:|\n";
    let ms = |m: Option<Millis>| m.map_or("-".into(), |m| format!("{:.2} ({:.2}-{:.2})", m.median, m.min, m.max));
    for t in &r.targets {
        for (name, tx) in [("PutMany", &t.put_many), ("GetMany", &t.get_many)] {
            let w = &tx.wire;
            let sent = format!(
                "GET_STATE={} PUT_STATE={} DEL_STATE={} WRITE_BATCH_STATE={} records={} GET_STATE_MULTIPLE={} keys={}{}",
                w.get_state,
                w.put_state,
                w.del_state,
                w.write_batch_state,
                w.records,
                w.get_state_multiple,
                w.keys,
                if tx.wire_stable { "" } else { " (varied)" }
            );
            s += &format!(
                "| {} | {name} | {} | {} | {sent} | {} |\n",
                t.label,
                ms(tx.cpu_ms),
                ms(tx.wall_ms),
                tx.errors
            );
        }
    }
    s += "\n| target | CPU ms/tx, schedstat | CPU ms/tx, /proc stat (10 ms ticks) |\n|---|---:|---:|\n";
    let opt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.2}"));
    for t in &r.targets {
        s += &format!("| {} | {} | {} |\n", t.label, opt(t.schedstat_cpu_ms_per_tx), opt(t.stat_cpu_ms_per_tx));
    }
    if !r.ratios.is_empty() {
        s += "\n| target / baseline (medians) | PutMany CPU | PutMany wall | GetMany CPU | GetMany wall |\n";
        s += "|---|---:|---:|---:|---:|\n";
        for q in &r.ratios {
            s += &format!(
                "| {} / {} | {} | {} | {} | {} |\n",
                q.label,
                q.baseline,
                opt(q.put_many_cpu),
                opt(q.put_many_wall),
                opt(q.get_many_cpu),
                opt(q.get_many_wall)
            );
        }
    }
    for t in &r.targets {
        for tx in [&t.put_many, &t.get_many] {
            if let Some(e) = &tx.first_error {
                s += &format!("\n{}: first error: {e}\n", t.label);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ranges() {
        let m = Millis::of([3_000_000u64, 1_000_000, 2_000_000, 10_000_000].into_iter()).unwrap();
        assert_eq!((m.median, m.min, m.max, m.mean), (2.0, 1.0, 10.0, 4.0));
        assert!(Millis::of(std::iter::empty()).is_none());
    }
}
