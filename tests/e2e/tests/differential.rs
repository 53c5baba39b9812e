//! Differential test: one sequence of calls against `kv` (Rust) and `kvgo` (Go reference, fabric-chaincode-go v2)
//! on the same network must give byte-identical payloads and errors. History entries differ per transaction in
//! `txId` and timestamp, so there only the structure and the values are compared.

use gridledger_e2e::{Network, Outcome, network, unique};

/// What a call returned, reduced to what must match across implementations.
fn observed(o: &Outcome) -> String {
    if o.ok { format!("ok {}", o.text()) } else { format!("err {}", o.error) }
}

/// History with the per-transaction fields masked.
fn history_shape(o: &Outcome) -> String {
    match o.json() {
        Ok(serde_json::Value::Array(items)) => {
            let masked: Vec<_> = items
                .into_iter()
                .map(|mut e| {
                    for (field, mask) in [("txId", "<txid>"), ("seconds", "<s>"), ("nanos", "<ns>")] {
                        if e.get(field).is_some() {
                            e[field] = mask.into();
                        }
                    }
                    e
                })
                .collect();
            format!("ok {}", serde_json::Value::Array(masked))
        }
        _ => observed(o),
    }
}

enum Step<'a> {
    Invoke(&'a [&'a str]),
    Query(&'a [&'a str]),
    QueryAs(&'a str, &'a [&'a str]),
    History(&'a str),
    Private(&'a [&'a str], &'a [u8]),
}

/// `{self}` and `{other}` in an argument name the chaincode under test and its counterpart.
fn resolve<'a>(args: &[&'a str], cc: &'a str, other: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|a| {
            if *a == SELF {
                cc
            } else if *a == OTHER {
                other
            } else {
                a
            }
        })
        .collect()
}

const SELF: &str = "{self}";
const OTHER: &str = "{other}";

/// Peer messages name the chaincode (`chaincodeName:kv`, `energy/kv/...`): mask it so both compare.
/// And kv's own message names the callee (`invoke kvgo failed`): mask that as the other chaincode.
fn normalize(observed: String, cc: &str, other: &str) -> String {
    observed
        .replace(&format!("chaincodeName:{cc} "), "chaincodeName:<cc> ")
        .replace(&format!("/{cc}/"), "/<cc>/")
        .replace(&format!("invoke {other} failed"), "invoke <other> failed")
        .replace(&format!("invoke {cc} failed"), "invoke <self> failed")
}

fn run(net: &Network, cc: &str, other: &str, steps: &[Step<'_>]) -> Vec<String> {
    steps
        .iter()
        .map(|step| match step {
            Step::Invoke(args) => observed(&net.cli_invoke(cc, &resolve(args, cc, other)).run()),
            Step::Query(args) => observed(&net.cli_query(cc, &resolve(args, cc, other))),
            Step::QueryAs(org, args) => observed(&net.cli_query_as(net.admin(org), cc, args)),
            Step::History(key) => history_shape(&net.cli_query(cc, &["History", key])),
            Step::Private(args, value) => {
                observed(&net.cli_invoke(cc, args).peers(&["utility", "grid"]).transient("value", value).run())
            }
        })
        .map(|o| normalize(o, cc, other))
        .collect()
}

/// Whether a (rust, go) pair of outputs differs in one known way.
type Matcher = fn(&str, &str) -> bool;

/// Differences between the Rust shim and the Go shim that this suite found and that are not fixed yet. Each is a
/// predicate on (rust, go) outputs of one step; a step that differs only in a known way is reported, not failed.
/// Remove an entry when the shim is fixed (the test prints when an entry no longer matches anything).
// Differences between the Rust and Go shims that are accepted; empty since the Rust shim reports peer errors with
// the peer's own text and refused chaincode calls as Go does.
const KNOWN: &[(&str, Matcher)] = &[];

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn rust_and_go_answer_byte_for_byte() {
    let net = network();
    let p = unique("diff");
    let (k1, k2, k3) = (format!("{p}/a"), format!("{p}/b"), format!("{p}/c"));
    // Outside the ranges the steps list, since the other chaincode writes it mid-sequence.
    let kx = format!("{p}x");
    let (start, end) = (format!("{p}/"), format!("{p}0"));
    let ty = format!("{p}T");
    let steps = [
        Step::Invoke(&["Put", &k1, "1"]),
        Step::Invoke(&["Put", &k2, "<&>\"quoted\"\u{e9}"]),
        Step::Invoke(&["GetPut", &k2, "2"]),
        Step::Invoke(&["GetPut", &k3, "3"]),
        Step::Query(&["Get", &k1]),
        Step::Query(&["Get", &format!("{p}/missing")]),
        Step::Query(&["Range", &start, &end]),
        Step::Query(&["Range", &format!("{p}~"), &format!("{p}~~")]),
        Step::Query(&["RangePage", &start, &end, "2", ""]),
        Step::Query(&["RangePage", &start, &end, "0", ""]),
        Step::Query(&["RangePage", &start, &end, "-1", ""]),
        Step::Query(&["RangePage", &start, &end, "two", ""]),
        Step::Invoke(&["PutComposite", &ty, "x", "n", ""]),
        Step::Invoke(&["PutComposite", &ty, "y", "n", "m1"]),
        Step::Invoke(&["PutComposite", &ty, "z"]),
        Step::Query(&["ByPartial", &ty]),
        Step::Query(&["ByPartial", &ty, "n"]),
        Step::Query(&["ByPartialPage", "1", "", &ty, "n"]),
        Step::Invoke(&["Del", &k1]),
        Step::History(&k1),
        Step::History(&k2),
        Step::Query(&["GetMany", &k1, &k2, &k3]),
        Step::Invoke(&["PutMany", "3", &format!("{p}m")]),
        Step::Query(&["GetMany", &format!("{p}m0000"), &format!("{p}m0002"), &format!("{p}m0003")]),
        Step::Invoke(&["PutMany", "x", &p]),
        Step::Invoke(&["SetEndorsers", &k3, "ProsumerMSP", "GridMSP"]),
        Step::Query(&["Endorsers", &k3]),
        Step::Query(&["Endorsers", &k2]),
        Step::Private(&["PutPrivate", "utilityGrid", &k1], b"secret"),
        Step::Query(&["GetPrivate", "utilityGrid", &k1]),
        Step::QueryAs("prosumer", &["GetPrivateHash", "utilityGrid", &k1]),
        Step::QueryAs("prosumer", &["GetPrivate", "utilityGrid", &k1]),
        Step::Query(&["GetPrivate", "utilityGrid", &k2]),
        Step::Query(&["GetPrivate", "noSuchCollection", &k2]),
        Step::Query(&["WhoAmI"]),
        Step::QueryAs("prosumer", &["WhoAmI"]),
        Step::Invoke(&["Event", "E", "payload"]),
        // kv writes kvgo's key x and reads it back through kvgo; kvgo does the same with kv's x, later.
        Step::Invoke(&["Invoke", OTHER, "Put", &kx, "via-other"]),
        Step::Query(&["Invoke", OTHER, "Get", &kx]),
        Step::Query(&["Invoke", OTHER, "Get", &format!("{p}/missing")]),
        Step::Query(&["Invoke", SELF, "Get", &k2]),
        Step::Query(&["Get"]),
        Step::Query(&["PutComposite", "t"]),
        Step::Query(&["GetMany"]),
        Step::Query(&["Nope", "x"]),
        Step::Query(&[]),
    ];
    // Each implementation gets its own namespace, so running the same keys on both is the point.
    let rust = run(net, "kv", "kvgo", &steps);
    let go = run(net, "kvgo", "kv", &steps);
    let mut diffs = Vec::new();
    let mut known_seen = vec![false; KNOWN.len()];
    for (i, (r, g)) in rust.iter().zip(&go).enumerate() {
        if r == g {
            continue;
        }
        match KNOWN.iter().position(|(_, matches)| matches(r, g)) {
            Some(k) => {
                known_seen[k] = true;
                eprintln!("step {i}: known difference ({}):\n  rust: {r}\n  go:   {g}", KNOWN[k].0);
            }
            None => diffs.push(format!("step {i}:\n  rust: {r}\n  go:   {g}")),
        }
    }
    for (seen, (what, _)) in known_seen.iter().zip(KNOWN) {
        if !seen {
            eprintln!("known difference no longer seen, remove it from KNOWN: {what}");
        }
    }
    assert!(diffs.is_empty(), "{} of {} steps differ:\n{}", diffs.len(), steps.len(), diffs.join("\n"));
    // The comparison is only worth something if the sequence exercised both outcomes.
    assert!(rust.iter().filter(|o| o.starts_with("ok")).count() > 20, "{rust:#?}");
    assert!(rust.iter().filter(|o| o.starts_with("err")).count() > 5, "{rust:#?}");
}
