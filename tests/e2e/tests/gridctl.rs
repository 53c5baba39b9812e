//! `gridctl` (chaincode/cli) against the real network: its package ids (CCaaS and peer-launched exec) equal
//! `peer lifecycle chaincode calculatepackageid`, and its Fabric Gateway client (`query`, `invoke`, `events`) is
//! accepted by the peers, seen by the peer CLI, and refused when a signature is tampered with. The identities are
//! the org users of the run directory (`--org ORG --user NAME`); `GL_*` port overrides are inherited.

use std::process::Output;

use gridledger_e2e::gridctl::run as gridctl;
use gridledger_e2e::{network, unique};

const CC: &str = "kv";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim_end().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "gridctl failed: {}", stderr(&o));
    o
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn package_id_matches_peer_calculatepackageid() {
    let net = network();
    let dir = std::env::temp_dir().join(unique("gridctl-pkg"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases: [&[&str]; 4] = [
        &["--address", "127.0.0.1:9999", "--client-auth"],
        &["--address", "cc.example:7052", "--tls"],
        &["--address", "10.0.0.1:9000"],
        // The classic kind network.sh deploy --classic installs (network/builders/exec).
        &["--exec", "/opt/chaincode/kv-classic"],
    ];
    for (i, flags) in cases.iter().enumerate() {
        let file = dir.join(format!("pkg{i}.tar.gz"));
        let path = file.to_string_lossy().into_owned();
        let label = format!("gridctl_{i}.0");
        let mut args = vec!["package", "--label", &label, "-o", &path];
        args.extend_from_slice(flags);
        let ours = stdout(&ok(gridctl(&args)));
        let calc = net.admin("utility").peer(&[
            "lifecycle".into(),
            "chaincode".into(),
            "calculatepackageid".into(),
            path.clone(),
        ]);
        let calc = calc.expect("peer lifecycle chaincode calculatepackageid");
        assert!(calc.status.success(), "calculatepackageid: {}", String::from_utf8_lossy(&calc.stderr));
        assert_eq!(ours, String::from_utf8_lossy(&calc.stdout).trim(), "{flags:?}");
        // Deterministic: the same flags give the same bytes.
        let again = stdout(&ok(gridctl(&args)));
        assert_eq!(again, ours);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn invoke_and_query_through_the_gateway() {
    let net = network();
    let key = unique("gridctl");
    let put = ok(gridctl(&["invoke", "--org", "utility", "--user", "operator1", "-n", CC, "Put", &key, "via-gateway"]));
    assert!(stderr(&put).contains("committed in block"), "{}", stderr(&put));
    // The peer CLI sees the committed value on every org's peer, and so does gridctl on another org's gateway.
    for org in ["utility", "grid", "prosumer"] {
        let got = net.cli_query_as(net.admin(org), CC, &["Get", &key]);
        assert!(got.ok, "{org}: {}", got.error);
        assert_eq!(got.text(), "via-gateway", "peer CLI on {org}");
    }
    let got = ok(gridctl(&["query", "--org", "grid", "--user", "operator1", "-n", CC, "Get", &key]));
    assert_eq!(stdout(&got), "via-gateway");
    // The creator is the user's own identity, and a chaincode error fails the command with its message.
    let me = ok(gridctl(&["query", "--org", "prosumer", "--user", "prosumer1", "-n", CC, "WhoAmI"]));
    let me: serde_json::Value = serde_json::from_str(&stdout(&me)).expect("WhoAmI JSON");
    assert_eq!(me["mspId"], "ProsumerMSP");
    let missing = gridctl(&["query", "--org", "utility", "-n", CC, "Get", &format!("{key}-missing")]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains(&format!("key not found: {key}-missing")), "{}", stderr(&missing));
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn private_data_through_transient() {
    let net = network();
    let key = unique("gridctl-pd");
    ok(gridctl(&[
        "invoke",
        "--org",
        "utility",
        "-n",
        CC,
        "--transient",
        "value=s3cret",
        "PutPrivate",
        "utilityGrid",
        &key,
    ]));
    let got = net.cli_query_as(net.admin("grid"), CC, &["GetPrivate", "utilityGrid", &key]);
    assert!(got.ok, "{}", got.error);
    assert_eq!(got.text(), "s3cret");
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn tampered_signatures_are_refused() {
    let net = network();
    for (tamper, expect) in [("proposal", "endorse"), ("transaction", "submit")] {
        let key = unique(&format!("gridctl-{tamper}"));
        let out = gridctl(&["invoke", "--org", "utility", "-n", CC, "--tamper", tamper, "Put", &key, "forged"]);
        assert!(!out.status.success(), "{tamper}: a tampered signature was accepted");
        assert!(stderr(&out).contains(expect), "{tamper}: {}", stderr(&out));
        let got = net.cli_query(CC, &["Get", &key]);
        assert_eq!(got.message(), format!("key not found: {key}"), "{tamper}: nothing was written");
    }
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn chaincode_events_stream() {
    network();
    let name = unique("gridctl-ev");
    let put = ok(gridctl(&["invoke", "--org", "grid", "--user", "operator1", "-n", CC, "Event", &name, "payload-1"]));
    let block = stderr(&put)
        .split("committed in block ")
        .nth(1)
        .and_then(|rest| rest.trim().parse::<u64>().ok())
        .expect("block number in the invoke output");
    let txid = stderr(&put).split("transaction ").nth(1).and_then(|r| r.split(' ').next()).map(str::to_string);
    let start = block.to_string();
    let args = ["events", "--org", "utility", "-n", CC, "--start-block", &start, "--count", "1", "--timeout", "30"];
    let out = ok(gridctl(&args));
    let ev: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON event line");
    assert_eq!(ev["name"], name.as_str());
    assert_eq!(ev["payload"], "payload-1");
    assert_eq!(ev["block"], block);
    assert_eq!(ev["txId"].as_str().map(str::to_string), txid);
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn too_few_endorsers_commit_as_invalid() {
    let net = network();
    let key = unique("gridctl-policy");
    // kv runs under the channel default (MAJORITY): one org's endorsement is ordered but not valid.
    let out = gridctl(&["invoke", "--org", "utility", "-n", CC, "--endorsing-org", "UtilityMSP", "Put", &key, "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("as invalid: ENDORSEMENT_POLICY_FAILURE"), "{}", stderr(&out));
    assert_eq!(net.cli_query(CC, &["Get", &key]).message(), format!("key not found: {key}"));
}
