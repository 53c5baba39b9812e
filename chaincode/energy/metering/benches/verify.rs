//! Metering throughput: (a) signature verification of one reading, (b) `SubmitReadings` of 500 readings through
//! the MemoryLedger (parse, checks, verification, private and public writes, commit), in readings per second.
//! Times are the benchmark process's CPU time (`../../cpu_time.rs`, verifier threads included), so the rates are
//! per core even on a busy machine.
//!
//! `cargo bench -p gridledger-metering --bench verify -- --quick`

use cpu_time::ProcessCpuTime;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gridledger_metering::reading::{MeterKey, Reading};

#[allow(dead_code)]
#[path = "../src/tests/fixture.rs"]
mod fixture;

#[path = "../../cpu_time.rs"]
mod cpu_time;

use fixture::{T0, World, cast, public_key, signed_by};

const BATCH: usize = 500;

fn verification(c: &mut Criterion<ProcessCpuTime>) {
    let readings: Vec<Reading> =
        (0..1000).map(|i| signed_by("m-1", "m-1", T0 - 900 * i, "1.8.0", 7, 1 + i as u64)).collect();
    let key = MeterKey::from_base64(&public_key("m-1")).expect("key");
    let mut scratch = Vec::new();
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("one reading (cached key)", |b| {
        b.iter(|| {
            i = (i + 1) % readings.len();
            assert!(key.verify(&readings[i], 900, &mut scratch));
        })
    });
    let text = public_key("m-1");
    group.bench_function("one reading (key decoded each time)", |b| {
        b.iter(|| {
            i = (i + 1) % readings.len();
            assert!(gridledger_metering::reading::verify(&readings[i], 900, &text));
        })
    });
    group.finish();
}

/// A fresh world with `meters` meters `b-<n>` on pv-2, all signing with cast key m-1.
fn world(meters: usize) -> World {
    let w = World::new();
    for m in 0..meters {
        let meter = serde_json::json!({"id": format!("b-{m}"), "assetId": "pv-2", "publicKey": public_key("m-1"),
                                       "registers": ["1.8.0", "2.8.0"], "intervalSeconds": 900});
        w.ok(&cast().installer, &["RegisterMeter", &meter.to_string()]);
    }
    w
}

/// A batch of [`BATCH`] readings spread evenly over `meters` meters, as JSON.
fn batch(meters: usize) -> String {
    let batch: Vec<Reading> = (0..BATCH)
        .map(|i| {
            let (meter, round) = (i % meters, i / meters);
            signed_by("m-1", &format!("b-{meter}"), T0 - 900 * round as i64, "2.8.0", 100, 1 + round as u64)
        })
        .collect();
    serde_json::to_string(&batch).expect("json")
}

fn ingestion(c: &mut Criterion<ProcessCpuTime>) {
    let mut group = c.benchmark_group("SubmitReadings");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    for meters in [50, 500] {
        // Signed once: every iteration gets a fresh world, where the same batch is new again.
        let json = batch(meters);
        group.bench_function(format!("{BATCH} readings of {meters} meters"), |b| {
            b.iter_batched(
                || world(meters),
                |w| {
                    let tx = w.ledger.tx(["SubmitReadings", &json]).with_creator(cast().gateway.clone());
                    let r = tx.invoke(&w.cc);
                    assert_eq!(r.status, 200, "{}", r.message);
                    w
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ProcessCpuTime);
    targets = verification, ingestion
}
criterion_main!(benches);
