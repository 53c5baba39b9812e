//! OCMF verification next to the native reading format, per core (process CPU time, `../../cpu_time.rs`):
//! (a) one native reading verified with a cached key, (b) one OCMF record verified (signature only, record parsed
//! once), (c) one OCMF record parsed, verified and mapped, as `SubmitOcmf` does.
//!
//! `cargo bench -p gridledger-metering --bench ocmf -- --quick`

use cpu_time::ProcessCpuTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridledger_metering::ocmf::OcmfRecord;
use gridledger_metering::reading::{MeterKey, Reading, Signer};

#[path = "../../cpu_time.rs"]
mod cpu_time;

const VECTORS: &str = include_str!("../testdata/ocmf/vectors.json");

fn comparison(c: &mut Criterion<ProcessCpuTime>) {
    let vectors: serde_json::Value = serde_json::from_str(VECTORS).expect("vectors");
    let text = vectors["records"][0]["record"].as_str().expect("a record").to_string();
    let key = MeterKey::from_base64(vectors["publicKey"].as_str().expect("key")).expect("a P-256 key");
    let record = OcmfRecord::parse(&text).expect("parses");

    let (signer, _) = Signer::generate().expect("key");
    let native_key = MeterKey::from_base64(&signer.public_key_base64()).expect("key");
    let mut reading = Reading {
        meter_id: "m-1".into(),
        interval_start: 1_700_000_100,
        register: "1.8.0".into(),
        wh: 1140,
        counter: 17,
        signature: String::new(),
    };
    reading.signature = signer.sign(&reading, 900).expect("signs");
    let mut scratch = Vec::new();

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("native reading (cached key)", |b| {
        b.iter(|| assert!(native_key.verify(&reading, 900, &mut scratch)))
    });
    group.bench_function("OCMF record, signature only", |b| b.iter(|| assert!(record.verify(key.as_bytes()).is_ok())));
    group.bench_function("OCMF record, parse + verify + map", |b| {
        b.iter(|| {
            let r = OcmfRecord::parse(&text).expect("parses");
            assert!(r.verify(key.as_bytes()).is_ok());
            assert_eq!(r.map(900).expect("maps").wh, 1140);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ProcessCpuTime);
    targets = comparison
}
criterion_main!(benches);
