//! Write batching and multi-key reads on the real peer. A Fabric 3.1 peer offers WRITE_BATCH_STATE and
//! GET_STATE_MULTIPLE (its core.yaml `chaincode.runtimeParams`: `useWriteBatch`, `maxSizeWriteBatch` 1000,
//! `useGetMultipleKeys`, `maxSizeGetMultipleKeys` 1000); a 2.5 peer does not, and the same calls must fall back to
//! single-key messages with identical results.
//!
//! Which messages a transaction sent is read from the kv server's own log: the shim writes one `wire` line per
//! transaction on the `gridledger_shim::wire` target, which `scripts/e2e.sh` turns on (`GL_CC_LOG`). Every endorsing
//! peer runs the transaction, so each of the three endorsements has its line. Native launcher only (the log is a file
//! in the run directory).

use std::collections::BTreeMap;

use gridledger_e2e::{Network, Outcome, network, run_dir, unique};

const CC: &str = "kv";
/// Puts in the write transaction: ten full batches at the peer's `maxSizeWriteBatch` of 1000.
const PUTS: usize = 10_000;
/// Keys in the multi-get: one full GET_STATE_MULTIPLE at the peer's `maxSizeGetMultipleKeys`.
const GETS: usize = 1_000;

fn ok(o: &Outcome) -> &Outcome {
    assert!(o.ok, "{}\n{}", o.error, o.stderr);
    o
}

/// The peer's major version, from `peer version` (the binaries the network runs).
fn fabric_major(net: &Network) -> u32 {
    let out = net.admin("utility").command("peer", &["version".into()]).expect("peer version runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.lines().find_map(|l| l.trim().strip_prefix("Version:")).expect("peer version prints Version:");
    version.trim().split('.').next().and_then(|m| m.parse().ok()).expect("a numeric major version")
}

/// The counters of every `wire` line the kv server logged for `txid`: one map per endorsement.
fn wire_counts(txid: &str) -> Vec<BTreeMap<String, u64>> {
    let log = std::fs::read_to_string(run_dir().join("logs/cc-kv.log")).expect("kv's log (native launcher)");
    let tag = format!("tx={}", &txid[..8]);
    log.lines()
        .filter(|l| l.contains("wire ") && l.contains(&tag))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.split_once('='))
                .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
                .collect()
        })
        .collect()
}

/// The counters of one transaction, the same on every endorsement (endorsers must send identical messages).
fn sent(o: &Outcome) -> BTreeMap<String, u64> {
    let txid = o.txid.as_deref().expect("the invoke's txid");
    let mut lines = wire_counts(txid);
    // The line is written when the transaction completes, right before the peer gets its answer.
    if lines.len() < 3 {
        std::thread::sleep(std::time::Duration::from_millis(500));
        lines = wire_counts(txid);
    }
    assert_eq!(lines.len(), 3, "one wire line per endorsing peer for {txid}; is GL_CC_LOG on for kv?");
    assert!(lines.iter().all(|l| *l == lines[0]), "endorsers sent different messages: {lines:?}");
    lines.swap_remove(0)
}

fn count(counts: &BTreeMap<String, u64>, name: &str) -> u64 {
    *counts.get(name).unwrap_or_else(|| panic!("no {name} in the wire line {counts:?}"))
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn ten_thousand_puts_and_a_thousand_key_read() {
    let net = network();
    let batching = fabric_major(net) >= 3;
    let p = unique("batch");

    // 10,000 puts in one transaction.
    let put = net.cli_invoke(CC, &["PutMany", &PUTS.to_string(), &format!("{p}/")]).run();
    let w = sent(ok(&put));
    if batching {
        assert_eq!((count(&w, "WRITE_BATCH_STATE"), count(&w, "records")), (10, PUTS as u64), "{w:?}");
        assert_eq!(count(&w, "PUT_STATE"), 0, "{w:?}");
    } else {
        assert_eq!((count(&w, "PUT_STATE"), count(&w, "WRITE_BATCH_STATE")), (PUTS as u64, 0), "{w:?}");
    }

    // 1,000 keys read in one call: 999 written above and one that does not exist, in a scrambled order.
    let mut keys: Vec<String> = (0..GETS - 1).map(|i| format!("{p}/{:04}", (i * 7919) % PUTS)).collect();
    keys.insert(GETS / 2, format!("{p}/absent"));
    let mut args = vec!["GetMany"];
    args.extend(keys.iter().map(String::as_str));
    let get = net.cli_invoke(CC, &args).run();
    let w = sent(ok(&get));
    if batching {
        assert_eq!((count(&w, "GET_STATE_MULTIPLE"), count(&w, "keys")), (1, GETS as u64), "{w:?}");
        assert_eq!(count(&w, "GET_STATE"), 0, "{w:?}");
    } else {
        assert_eq!((count(&w, "GET_STATE"), count(&w, "GET_STATE_MULTIPLE")), (GETS as u64, 0), "{w:?}");
    }
    // The same answer whichever way it was read: values in argument order, "" for the absent key.
    let values = get.json().expect("GetMany returns JSON");
    let mut want = vec![serde_json::json!("v"); GETS - 1];
    want.insert(GETS / 2, serde_json::json!(""));
    assert_eq!(values, serde_json::json!(want));

    // Everything committed: a range over the prefix sees all 10,000 keys.
    let page = ok(&net.cli_query(CC, &["RangePage", &format!("{p}/"), &format!("{p}0"), "10000", ""])).json();
    assert_eq!(page.expect("RangePage JSON")["count"], PUTS);
}
