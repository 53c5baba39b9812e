//! What a load run measured: latencies of committed transactions, failures by cause, and the JSON report.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

/// Why a transaction did not commit VALID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Committed invalid: a key it read changed before it committed.
    MvccReadConflict,
    /// Committed invalid: the endorsements do not satisfy the policy.
    EndorsementPolicyFailure,
    /// The endorsers returned different results (non-determinism, or state that differs between peers).
    EndorsementMismatch,
    /// No commit within the per-transaction timeout.
    Timeout,
    /// The chaincode answered with an error status.
    ChaincodeError,
    /// Anything else (connection, ordering, other validation codes).
    Other,
}

impl Cause {
    /// The name in reports (Fabric's own code where there is one).
    pub fn name(self) -> &'static str {
        match self {
            Cause::MvccReadConflict => "MVCC_READ_CONFLICT",
            Cause::EndorsementPolicyFailure => "ENDORSEMENT_POLICY_FAILURE",
            Cause::EndorsementMismatch => "ENDORSEMENT_MISMATCH",
            Cause::Timeout => "TIMEOUT",
            Cause::ChaincodeError => "CHAINCODE_ERROR",
            Cause::Other => "OTHER",
        }
    }
}

/// The cause of a failed submit, from the gateway client's error text.
pub fn classify(message: &str) -> Cause {
    if message.contains("MVCC_READ_CONFLICT") || message.contains("PHANTOM_READ_CONFLICT") {
        Cause::MvccReadConflict
    } else if message.contains("ENDORSEMENT_POLICY_FAILURE") {
        Cause::EndorsementPolicyFailure
    } else if message.contains("do not match") || message.contains("ProposalResponsePayloads") {
        Cause::EndorsementMismatch
    } else if message.contains("DeadlineExceeded") || message.contains("timed out") || message.contains("timeout") {
        Cause::Timeout
    } else if message.contains("chaincode response") || message.contains("chaincode error") {
        Cause::ChaincodeError
    } else {
        Cause::Other
    }
}

/// Counts and latencies of one worker, or of a whole run once merged.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    latencies_us: Vec<u64>,
    units: u64,
    failures: BTreeMap<Cause, u64>,
    samples: BTreeMap<Cause, String>,
}

/// `p`-th percentile (nearest rank) of sorted values, in ms.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

impl Stats {
    /// A transaction committed VALID after `latency`, carrying `units` (readings, orders...).
    pub fn ok(&mut self, latency: Duration, units: u64) {
        self.latencies_us.push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        self.units += units;
    }

    /// A transaction failed; the first message of each cause is kept as a sample.
    pub fn fail(&mut self, cause: Cause, message: String) {
        *self.failures.entry(cause).or_default() += 1;
        self.samples.entry(cause).or_insert(message);
    }

    /// Adds another worker's numbers.
    pub fn merge(&mut self, other: Stats) {
        self.latencies_us.extend(other.latencies_us);
        self.units += other.units;
        for (cause, n) in other.failures {
            *self.failures.entry(cause).or_default() += n;
        }
        for (cause, m) in other.samples {
            self.samples.entry(cause).or_insert(m);
        }
    }

    /// Committed transactions.
    pub fn succeeded(&self) -> u64 {
        self.latencies_us.len() as u64
    }

    /// Failed transactions.
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// Units (readings, orders...) in committed transactions.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// The report: counts, rates over `elapsed`, latency percentiles in ms, failures by cause.
    pub fn report(&self, elapsed: Duration, unit: &str) -> Value {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mean = if sorted.is_empty() { 0.0 } else { sorted.iter().sum::<u64>() as f64 / sorted.len() as f64 };
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let failures: serde_json::Map<String, Value> =
            self.failures.iter().map(|(c, n)| (c.name().to_string(), json!(n))).collect();
        let samples: serde_json::Map<String, Value> =
            self.samples.iter().map(|(c, m)| (c.name().to_string(), json!(m))).collect();
        json!({
            "submitted": self.succeeded() + self.failed(),
            "succeeded": self.succeeded(),
            "failed": self.failed(),
            "elapsedSeconds": round(secs),
            "txPerSecond": round(self.succeeded() as f64 / secs),
            "unit": unit,
            "units": self.units,
            "unitsPerSecond": round(self.units as f64 / secs),
            "latencyMs": {
                "p50": round(percentile(&sorted, 50.0)),
                "p90": round(percentile(&sorted, 90.0)),
                "p99": round(percentile(&sorted, 99.0)),
                "max": round(percentile(&sorted, 100.0)),
                "mean": round(mean / 1000.0),
            },
            "failures": failures,
            "failureSamples": samples,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_from_gateway_errors() {
        let c = |m: &str| classify(m);
        assert_eq!(c("transaction ab committed in block 9 as invalid: MVCC_READ_CONFLICT"), Cause::MvccReadConflict);
        assert_eq!(c("committed in block 3 as invalid: ENDORSEMENT_POLICY_FAILURE"), Cause::EndorsementPolicyFailure);
        assert_eq!(
            c("endorse: Aborted: failed to assemble transaction: ProposalResponsePayloads do not match"),
            Cause::EndorsementMismatch
        );
        assert_eq!(c("endorse: Aborted: chaincode response 500, key not found"), Cause::ChaincodeError);
        assert_eq!(c("no commit within 60 s (timeout)"), Cause::Timeout);
        assert_eq!(c("cannot reach the gateway peer"), Cause::Other);
    }

    #[test]
    fn percentiles_are_ordered_and_failures_counted() {
        let mut a = Stats::default();
        for ms in 1..=100 {
            a.ok(Duration::from_millis(ms), 2);
        }
        let mut b = Stats::default();
        b.fail(Cause::Timeout, "t".into());
        b.fail(Cause::Timeout, "u".into());
        a.merge(b);
        let r = a.report(Duration::from_secs(10), "tx");
        assert_eq!(r["succeeded"], 100);
        assert_eq!(r["failed"], 2);
        assert_eq!(r["submitted"], 102);
        assert_eq!(r["units"], 200);
        assert_eq!(r["txPerSecond"], 10.0);
        assert_eq!(r["latencyMs"]["p50"], 50.0);
        assert_eq!(r["latencyMs"]["p90"], 90.0);
        assert_eq!(r["latencyMs"]["p99"], 99.0);
        assert_eq!(r["latencyMs"]["max"], 100.0);
        assert_eq!(r["failures"]["TIMEOUT"], 2);
        assert_eq!(r["failureSamples"]["TIMEOUT"], "t");
    }
}
