//! Latency summaries.

use serde::Serialize;

/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    /// Number of samples.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest sample.
    pub max_us: f64,
}

impl Latency {
    /// Summarizes latencies given in nanoseconds (sorts them in place); nearest-rank percentiles.
    pub fn of(nanos: &mut [u64]) -> Self {
        if nanos.is_empty() {
            return Self::default();
        }
        nanos.sort_unstable();
        let n = nanos.len();
        let us = |ns: u64| ns as f64 / 1000.0;
        // `per_mille` in integers: 99.9 % of 1000 samples is rank 999, not float 999.0000000000001 rounded up.
        let rank = |per_mille: usize| {
            let r = (per_mille * n).div_ceil(1000);
            nanos[r.clamp(1, n) - 1]
        };
        let sum: u128 = nanos.iter().map(|&v| u128::from(v)).sum();
        Self {
            count: n as u64,
            mean_us: sum as f64 / n as f64 / 1000.0,
            p50_us: us(rank(500)),
            p90_us: us(rank(900)),
            p99_us: us(rank(990)),
            p999_us: us(rank(999)),
            max_us: us(nanos[n - 1]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=1000).rev().map(|i| i * 1000).collect();
        let l = Latency::of(&mut v);
        assert_eq!(l.count, 1000);
        assert_eq!(l.p50_us, 500.0);
        assert_eq!(l.p90_us, 900.0);
        assert_eq!(l.p99_us, 990.0);
        assert_eq!(l.p999_us, 999.0);
        assert_eq!(l.max_us, 1000.0);
        assert!((l.mean_us - 500.5).abs() < 1e-9);
    }

    #[test]
    fn empty_is_zero() {
        assert_eq!(Latency::of(&mut []).count, 0);
    }
}
