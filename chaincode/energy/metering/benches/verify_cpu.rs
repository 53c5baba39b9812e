//! Readings verified per second per core, by CPU time: on a machine shared with other work a wall-clock benchmark
//! counts the time the thread waited for a core; this one divides by the process's own CPU time (user + system,
//! `/proc/self/stat`), which is what a core spends. Single-threaded, as a transaction is.
//!
//! 1000 readings of 50 meters (each with its own key, decoded once, as `SubmitReadings` does per transaction) are
//! verified over and over for about `SECONDS` of CPU time.
//!
//! Then the same signatures through `ring` alone (message encoded and signature decoded beforehand): the floor this
//! contract's verification cannot go below without another P-256 implementation.
//!
//! `cargo bench -p gridledger-metering --bench verify_cpu` (optional argument: seconds per phase, default 10)

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridledger_metering::reading::{MeterKey, Reading, Signer, canonical_bytes};
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

const METERS: usize = 50;
const READINGS: usize = 1000;
const INTERVAL: u32 = 900;

/// This process's CPU time so far, seconds (`utime + stime` in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are space-separated.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

fn main() {
    let seconds: f64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10.0);
    let signers: Vec<Signer> = (0..METERS).map(|_| Signer::generate().expect("key").0).collect();
    let keys: Vec<MeterKey> =
        signers.iter().map(|s| MeterKey::from_base64(&s.public_key_base64()).expect("key")).collect();
    let readings: Vec<(usize, Reading)> = (0..READINGS)
        .map(|i| {
            let m = i % METERS;
            let mut r = Reading {
                meter_id: format!("meter-{m:05}"),
                interval_start: 1_700_000_100 - 900 * (i / METERS) as i64,
                register: "2.8.0".into(),
                wh: 100 + i as i64,
                counter: 1 + i as u64,
                signature: String::new(),
            };
            r.signature = signers[m].sign(&r, INTERVAL).expect("sign");
            (m, r)
        })
        .collect();

    let mut scratch = Vec::with_capacity(64);
    report("MeterKey::verify (what SubmitReadings runs)", seconds, || {
        for (m, r) in &readings {
            assert!(keys[*m].verify(r, INTERVAL, &mut scratch), "reading {} verifies", r.counter);
        }
    });

    let ring_keys: Vec<UnparsedPublicKey<Vec<u8>>> =
        keys.iter().map(|k| UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, k.as_bytes().to_vec())).collect();
    let prepared: Vec<(usize, Vec<u8>, Vec<u8>)> = readings
        .iter()
        .map(|(m, r)| (*m, canonical_bytes(r, INTERVAL), STANDARD.decode(&r.signature).expect("base64")))
        .collect();
    report("ring alone (pre-encoded, pre-decoded)", seconds, || {
        for (m, message, signature) in &prepared {
            assert!(ring_keys[*m].verify(message, signature).is_ok());
        }
    });
}

/// Runs `round` (one pass over every reading) for `seconds` of CPU time and prints the rates.
fn report(what: &str, seconds: f64, mut round: impl FnMut()) {
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    let mut verified = 0u64;
    while cpu_seconds() - cpu0 < seconds {
        round();
        verified += READINGS as u64;
    }
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    println!("{what}: {verified} readings of {METERS} meters in {cpu:.2} s CPU, {wall:.2} s wall");
    println!("  per reading: {:.1} us CPU, {:.1} us wall", cpu * 1e6 / verified as f64, wall * 1e6 / verified as f64);
    println!("  readings/s/core (CPU time): {:.0}", verified as f64 / cpu);
}
