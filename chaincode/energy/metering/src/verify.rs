//! Checking a batch's signatures on every core.
//!
//! Verification is most of a batch's CPU (a P-256 verification is ~57 us; a full batch of 2000 is ~0.1 s). The
//! chaincode runs on the coroutine executor, where a stream's transactions take turns on one thread, because every
//! other step of a batch is a cheap ledger call that the threads executor would pay for with two thread switches.
//! So the one expensive step fans out here instead: the readings are split into one chunk per core and verified on
//! scoped threads. The outcome is a pure function of the readings and keys, so the chaincode stays deterministic.

use std::num::NonZeroUsize;

use crate::reading::{MeterKey, Reading};

/// Below this many signatures a batch is verified on the calling thread: starting threads would cost more.
const PARALLEL_FROM: usize = 64;

/// What to check one reading against: its meter's key and interval length (`None` when the meter could not be
/// loaded; the batch is refused for that before its signature would matter).
pub(crate) type Job<'k> = Option<(&'k MeterKey, u32)>;

/// Whether each reading's signature verifies under its job's key (`false` where there is no job).
pub(crate) fn verify_all(readings: &[Reading], jobs: &[Job<'_>]) -> Vec<bool> {
    let pairs: Vec<_> = readings.iter().zip(jobs).collect();
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if cores == 1 || pairs.len() < PARALLEL_FROM {
        return verify_chunk(&pairs);
    }
    let chunk = pairs.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pairs.chunks(chunk).map(|part| scope.spawn(move || verify_chunk(part))).collect();
        // A verifier thread only panics if ring does; count its readings as not verified rather than abort.
        handles
            .into_iter()
            .zip(pairs.chunks(chunk))
            .flat_map(|(h, part)| h.join().unwrap_or_else(|_| vec![false; part.len()]))
            .collect()
    })
}

fn verify_chunk(pairs: &[(&Reading, &Job<'_>)]) -> Vec<bool> {
    let mut scratch = Vec::with_capacity(64);
    pairs.iter().map(|(r, job)| job.is_some_and(|(key, len)| key.verify(r, len, &mut scratch))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::Signer;

    #[test]
    fn results_keep_the_readings_order_across_threads() {
        let (signer, _) = Signer::generate().unwrap();
        let key = MeterKey::from_base64(&signer.public_key_base64()).unwrap();
        let readings: Vec<Reading> = (0..300)
            .map(|i| {
                let mut r = Reading {
                    meter_id: "m-1".into(),
                    interval_start: 900 * i,
                    register: "1.8.0".into(),
                    wh: i,
                    counter: i as u64,
                    signature: String::new(),
                };
                r.signature = signer.sign(&r, 900).unwrap();
                // Every seventh is tampered with after signing.
                if i % 7 == 0 {
                    r.wh += 1;
                }
                r
            })
            .collect();
        let mut jobs: Vec<Job<'_>> = vec![Some((&key, 900)); readings.len()];
        jobs[10] = None;
        let verified = verify_all(&readings, &jobs);
        let want: Vec<bool> = (0..300).map(|i| i % 7 != 0 && i != 10).collect();
        assert_eq!(verified, want);
        // The same answer on one thread.
        assert_eq!(verify_all(&readings[..20], &jobs[..20]), want[..20]);
    }
}
