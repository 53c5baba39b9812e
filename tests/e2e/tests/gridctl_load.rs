//! `gridctl meter` and `gridctl bench` against the real network: simulated meters' readings show up in the
//! public interval totals, a reading signed by `gridctl meter sign` is accepted and a tampered one refused, and a
//! short bench run writes a report whose numbers add up.

use std::path::PathBuf;
use std::process::Output;

use gridledger_e2e::gridctl::run as gridctl;
use gridledger_e2e::{network, unique};
use serde_json::Value;

fn ok(o: Output) -> String {
    assert!(o.status.success(), "gridctl failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim_end().to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `gridctl meter simulate` as grid's gateway1, registering its meters (and their assets) first, with `args`; its
/// output, which must be a success.
fn simulate(args: &[&str]) -> String {
    let base = ["meter", "simulate", "--org", "grid", "--user", "gateway1", "--register"];
    ok(gridctl(&[&base[..], args].concat()))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(name));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn simulated_readings_show_in_the_interval_totals() {
    let net = network();
    let (meters, intervals) = (4, 2);
    let out = simulate(&["--meters", "4", "--intervals", "2", "--batch", "6", "--workers", "2"]);
    let summary = json(&out);
    let expected = meters * intervals * 2;
    assert_eq!(summary["report"]["units"], expected, "{summary}");
    assert_eq!(summary["report"]["failed"], 0, "{summary}");
    let cp = summary["connectionPoint"].as_str().expect("connectionPoint");
    let per_interval = summary["intervals"].as_array().expect("intervals");
    assert_eq!(per_interval.len(), intervals);
    for i in per_interval {
        let start = i["intervalStart"].to_string();
        let got = net.cli_query("metering", &["IntervalTotals", cp, &start]);
        assert!(got.ok, "IntervalTotals {cp} {start}: {}", got.error);
        let totals = got.json().expect("IntervalTotals JSON");
        assert_eq!(totals["readings"], i["readings"], "{totals} vs {i}");
        assert_eq!(totals["importWh"], i["importWh"], "{totals} vs {i}");
        assert_eq!(totals["exportWh"], i["exportWh"], "{totals} vs {i}");
        assert_eq!(totals["readings"], meters * 2);
    }
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn readings_signed_by_gridctl_accepted_tampered_refused() {
    let net = network();
    let dir = scratch("gridctl-meter");
    let keys = dir.to_string_lossy().into_owned();
    let prefix = unique("gm");
    // One meter registered (with its asset) by a one-interval simulation that keeps its key on disk.
    let setup = simulate(&["--meters", "1", "--intervals", "1", "--prefix", &prefix, "--keys-dir", &keys]);
    let last = json(&setup)["intervals"][0]["intervalStart"].as_i64().expect("interval");
    let (meter, key) = (format!("{prefix}-0"), dir.join(format!("{prefix}-0.key")));
    let earlier = (last - 900).to_string();
    // The simulation's counters derive from the interval number; the meter's next counter must be above them.
    let counter = "1000000000000";
    let key = key.to_string_lossy().into_owned();
    let good = ok(gridctl(&[
        "meter",
        "sign",
        "--key",
        &key,
        "--meter",
        &meter,
        "--interval-start",
        &earlier,
        "--wh",
        "7",
        "--counter",
        counter,
    ]));
    let mut forged = json(&good);
    forged["wh"] = 8.into();
    let submit = |r: &str| {
        let batch = format!("readings=[{r}]");
        let args = ["invoke", "--org", "grid", "--user", "gateway1", "-n", "metering", "--transient", &batch];
        gridctl(&[&args[..], &["SubmitReadings", ""]].concat())
    };
    let refused = submit(&forged.to_string());
    assert!(!refused.status.success(), "a tampered reading was accepted");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("signature does not verify"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let accepted = json(&ok(submit(&good)));
    assert_eq!(accepted["accepted"], 1);
    let got = net.cli_query("metering", &["GetReading", &meter, &earlier, "1.8.0"]);
    assert!(got.ok, "{}", got.error);
    assert_eq!(got.json().expect("reading")["wh"], 7);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn bench_report_adds_up() {
    network();
    let dir = scratch("gridctl-bench");
    let file = dir.join("report.json");
    let path = file.to_string_lossy().into_owned();
    ok(gridctl(&[
        "bench",
        "--org",
        "utility",
        "--workload",
        "kv",
        "-n",
        "kv",
        "--workers",
        "4",
        "--count",
        "24",
        "--report",
        &path,
    ]));
    let r = json(&std::fs::read_to_string(&file).expect("report file"));
    let (ok_n, failed) = (r["succeeded"].as_u64().expect("succeeded"), r["failed"].as_u64().expect("failed"));
    assert!(ok_n > 0, "{r}");
    assert_eq!(r["submitted"], 24);
    assert_eq!(ok_n + failed, 24);
    let by_cause: u64 = r["failures"].as_object().expect("failures").values().filter_map(Value::as_u64).sum();
    assert_eq!(by_cause, failed, "every failure has a cause: {r}");
    let lat = |p: &str| r["latencyMs"][p].as_f64().expect("latency");
    assert!(
        0.0 < lat("p50") && lat("p50") <= lat("p90") && lat("p90") <= lat("p99") && lat("p99") <= lat("max"),
        "{r}"
    );
    assert!(r["txPerSecond"].as_f64().expect("tx/s") > 0.0);
    assert_eq!(r["run"]["chaincode"], "kv");
    let _ = std::fs::remove_dir_all(dir);
}
