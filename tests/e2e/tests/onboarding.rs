//! Onboarding, revoking and removing an organization on the running network, only through `scripts/org.sh` (so it
//! runs the same under either launcher): a fourth org (`storage`, StorageMSP, network/orgs/storage.env) is created,
//! voted in by a majority of admins, joins and approves the chaincodes, and its prosumer trades; one of its users is
//! revoked; then it is voted out, its identities are refused, and its nodes are stopped. The refusals along the way:
//! too few signatures (by org.sh, and by the orderer when forced), a non-admin signature, a stale proposal, a name
//! already present.
//!
//! One test in its own binary, as the steps depend on each other; it leaves the channel with its three founding
//! orgs (and metering's collection without StorageMSP again), so it can run again on the same network: the second
//! run re-admits the same org, whose nodes kept their ledger. A run that died half way is cleaned up first.

use std::path::Path;
use std::process::{Command, Output};

use gridledger_e2e::{Identity, Network, Outcome, network, repo, run_dir, unique};

const FOUNDERS: [&str; 3] = ["utility", "grid", "prosumer"];

/// `scripts/org.sh ARGS...` with the caller's environment (GRIDLEDGER_RUN, GL_* overrides, GL_LAUNCHER).
fn org_sh(args: &[&str]) -> Output {
    match Command::new(repo().join("scripts/org.sh")).args(args).output() {
        Ok(out) => out,
        Err(e) => panic!("running scripts/org.sh: {e}"),
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `org.sh ARGS` must succeed; its stdout lines (proposal directories and the like).
fn ok(args: &[&str]) -> Vec<String> {
    let out = org_sh(args);
    assert!(out.status.success(), "org.sh {args:?} failed:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// `org.sh ARGS` must fail, saying `expected`.
fn refused(args: &[&str], expected: &str) -> String {
    let out = org_sh(args);
    let all = text(&out);
    assert!(!out.status.success(), "org.sh {args:?} should have been refused:\n{all}");
    assert!(all.contains(expected), "org.sh {args:?}: expected {expected:?} in:\n{all}");
    all
}

/// A proposal directory: the last stdout line of `propose`/`revoke`.
fn proposal(args: &[&str]) -> String {
    match ok(args).pop() {
        Some(dir) => dir,
        None => panic!("org.sh {args:?} printed no proposal directory"),
    }
}

/// A copy of a proposal directory, as another person would receive it.
fn copy(dir: &str, name: &str) -> String {
    let to = run_dir().join("proposals").join(unique(name));
    let status = Command::new("cp").arg("-r").arg(dir).arg(&to).status();
    assert!(status.is_ok_and(|s| s.success()), "copying {dir}");
    to.display().to_string()
}

fn members() -> Vec<String> {
    ok(&["members"])
}

/// Next-sequence chaincode definitions (the directories `chaincodes`/`cc-drop` printed): every founding org
/// approves each one that it has not yet, then it is committed.
fn approve_and_commit(dirs: &[String]) {
    for dir in dirs.iter().filter(|d| Path::new(d).join("definition.json").is_file()) {
        for org in FOUNDERS {
            ok(&["cc-approve", dir, "--as", org]);
        }
        ok(&["cc-commit", dir]);
    }
}

/// Votes StorageMSP out (all three founders sign: a majority of four), drops it from metering's collection and stops
/// its nodes here (they keep their state, so the next run re-admits the same org); also undoes a run that stopped
/// half way.
fn remove_storage(net: &Network) {
    if members().iter().any(|m| m == "StorageMSP") {
        let dir = proposal(&["propose", "remove", "storage"]);
        for org in FOUNDERS {
            ok(&["sign", &dir, "--as", org]);
        }
        ok(&["submit", &dir]);
    }
    approve_and_commit(&ok(&["cc-drop", "storage"]));
    ok(&["leave", "storage"]);
    assert!(!members().iter().any(|m| m == "StorageMSP"));
    // The founders still transact.
    let asset = unique("pv-after");
    assert!(net.cli_invoke("registry", &["RegisterAsset", &asset_json(&asset)]).run().ok);
}

/// `kvor`: the kv chaincode, peer-launched, with an explicit endorsement policy naming each member org's peer, so
/// that onboarding has to give it a new sequence. Native only (the Docker launcher has no exec builder); deployed
/// once per network.
const EXPLICIT: &str = "kvor";
const EXPLICIT_POLICY: &str = "OR('UtilityMSP.peer','GridMSP.peer','ProsumerMSP.peer')";

fn native() -> bool {
    std::env::var("GL_LAUNCHER").map_or(true, |l| l != "docker")
}

fn deploy_explicit(net: &Network) {
    let query = ["lifecycle", "chaincode", "querycommitted", "-C", &net.channel(), "-n", EXPLICIT].map(String::from);
    if net.admin("utility").peer(&query).is_ok_and(|o| o.status.success()) {
        return;
    }
    let path = Command::new(repo().join("scripts/build-chaincodes.sh")).args(["path", "kv-classic"]).output();
    let program = match path {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        other => panic!("no kv-classic: {other:?}"),
    };
    let args = ["deploy", "--name", EXPLICIT, "--classic", "--cmd", &program, "--policy", EXPLICIT_POLICY];
    let status = Command::new(repo().join("scripts/network.sh")).args(args).status();
    assert!(status.is_ok_and(|s| s.success()), "deploying {EXPLICIT}");
}

/// `peer chaincode invoke` endorsed by `who`'s own org peer alone; true when it committed VALID there.
fn invoke_on_own_peer(who: &Identity, chaincode: &str, args: &[&str]) -> (bool, String) {
    let var = |k: &str| who.var(k).map(str::to_string).unwrap_or_default();
    let ctor = serde_json::json!({ "Args": args }).to_string();
    let cli = [
        "chaincode",
        "invoke",
        "-o",
        &var("ORDERER_ADDRESS"),
        "--tls",
        "--cafile",
        &var("ORDERER_CA"),
        "-C",
        &var("CHANNEL"),
        "-n",
        chaincode,
        "--peerAddresses",
        &var("CORE_PEER_ADDRESS"),
        "--tlsRootCertFiles",
        &var("CORE_PEER_TLS_ROOTCERT_FILE"),
        "-c",
        &ctor,
        "--waitForEvent",
    ]
    .map(String::from);
    match who.peer(&cli) {
        Ok(out) => (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned()),
        Err(e) => (false, e),
    }
}

fn asset_json(id: &str) -> String {
    serde_json::json!({
        "id": id, "kind": "storage", "nameplateW": 5000, "storageWh": 13500, "connectionPoint": "cp-storage-1",
        "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2024-03-01"
    })
    .to_string()
}

/// An interval whose gate is still open for a while (two intervals ahead).
fn open_interval() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    ((now / 900 + 2) * 900).to_string()
}

/// A sell order by `who`, endorsed by the founders' peers (3 of 4 is a majority with StorageMSP in).
fn place_order(net: &Network, who: &Identity) -> Outcome {
    net.cli_invoke("trade", &["PlaceOrder", &open_interval(), "sell", "1000", "20"])
        .submitter(who)
        .peers(&FOUNDERS)
        .run()
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn onboard_trade_revoke_remove() {
    let net = network();
    if members().iter().any(|m| m == "StorageMSP") || run_dir().join("orgs/storage").exists() {
        remove_storage(net);
    }
    if native() {
        deploy_explicit(net);
    }

    // The new org: CA, identities, org definition. Its name and MSP id must be new to the channel.
    ok(&["create", "storage"]);
    refused(&["propose", "add", "prosumer"], "already");
    let add = proposal(&["propose", "add", "storage"]);
    let stale_dir = run_dir().join("proposals").join(unique("stale"));
    let stale = proposal(&["propose", "add", "storage", "--out", &stale_dir.display().to_string()]);

    // One admin of three is below the MAJORITY of /Channel/Application/Admins: org.sh refuses, and when forced
    // the orderer rejects it.
    ok(&["sign", &add, "--as", "utility"]);
    refused(&["submit", &add], "too few signatures");
    let forced = copy(&add, "forced");
    let rejected = refused(&["submit", &forced, "--force"], "the orderer rejected the update");
    assert!(rejected.contains("policy for [Group]  /Channel/Application not satisfied"), "{rejected}");

    // A client (non-admin) signature does not count.
    let tainted = copy(&add, "tainted");
    ok(&["sign", &tainted, "--as", "grid", "--user", "operator1"]);
    refused(&["submit", &tainted], "signature by a non-admin");

    // Two admins: accepted. The proposal computed from the same config is stale now.
    ok(&["sign", &add, "--as", "grid"]);
    ok(&["submit", &add]);
    assert!(members().iter().any(|m| m == "StorageMSP"));
    for org in ["utility", "grid"] {
        ok(&["sign", &stale, "--as", org]);
    }
    refused(&["submit", &stale], "stale");
    refused(&["propose", "add", "storage"], "already a member");

    // Its peer joins (anchor peer included), installs and approves; metering's collection gets StorageMSP in a
    // new sequence the founders approve.
    ok(&["join", "storage"]);
    let prepared = ok(&["chaincodes", "storage"]);
    assert!(prepared.iter().any(|d| d.contains("cc-metering-")), "no new metering definition: {prepared:?}");
    approve_and_commit(&prepared);
    if native() {
        // kvor's policy now names StorageMSP's peer too: that peer's endorsement alone is enough.
        assert!(prepared.iter().any(|d| d.contains("cc-kvor-")), "no new kvor definition: {prepared:?}");
        let admin = net.user("storage", "admin").expect("storage admin");
        let (valid, log) = invoke_on_own_peer(&admin, EXPLICIT, &["Put", &unique("storage"), "endorsed by storage"]);
        assert!(valid, "kvor endorsed by peer-storage alone:\n{log}");
    }

    // Its prosumer registers a battery (read back on its own peer) and sells energy.
    let prosumer1 = net.user("storage", "prosumer1").expect("storage prosumer1");
    let asset = unique("bat-storage");
    let reg = net
        .cli_invoke("registry", &["RegisterAsset", &asset_json(&asset)])
        .submitter(&prosumer1)
        .peers(&FOUNDERS)
        .run();
    assert!(reg.ok, "RegisterAsset by StorageMSP prosumer: {}\n{}", reg.error, reg.stderr);
    let read = net.cli_query_as(&prosumer1, "registry", &["GetAsset", &asset]);
    assert!(read.ok, "GetAsset on peer-storage: {}\n{}", read.error, read.stderr);
    let got = read.json().expect("asset JSON");
    assert_eq!(got["owner"]["msp"], "StorageMSP");
    let order = place_order(net, &prosumer1);
    assert!(order.ok, "PlaceOrder by StorageMSP prosumer: {}\n{}", order.error, order.stderr);
    assert_eq!(order.json().expect("order")["party"]["msp"], "StorageMSP");

    // Revoking a user: StorageMSP's own admin signs its new CRL; the user's next transaction is refused.
    let name = unique("prosumer");
    ok(&["user", "storage", &name, "prosumer"]);
    let revoked = net.user("storage", &name).expect("the new storage user");
    assert!(place_order(net, &revoked).ok);
    let revoke = proposal(&["revoke", "storage", &name]);
    ok(&["sign", &revoke, "--as", "utility"]);
    refused(&["submit", &revoke], "/Channel/Application/StorageMSP/Admins is OR('StorageMSP.admin')");
    ok(&["sign", &revoke, "--as", "storage"]);
    ok(&["submit", &revoke]);
    let denied = place_order(net, &revoked);
    assert!(!denied.ok && denied.error.contains("access denied"), "revoked user: {denied:?}");
    assert!(place_order(net, &prosumer1).ok, "prosumer1 is not revoked");

    // Removal needs 3 of the 4 admins now; afterwards StorageMSP identities are refused.
    let remove = proposal(&["propose", "remove", "storage"]);
    for org in ["utility", "grid"] {
        ok(&["sign", &remove, "--as", org]);
    }
    refused(&["submit", &remove], "MAJORITY Admins (3 of 4), 1 more needed");
    ok(&["sign", &remove, "--as", "prosumer"]);
    ok(&["submit", &remove]);
    let gone = place_order(net, &prosumer1);
    assert!(!gone.ok && gone.error.contains("access denied"), "removed org's prosumer: {gone:?}");
    remove_storage(net);
}
