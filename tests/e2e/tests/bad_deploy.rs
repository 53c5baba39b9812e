//! Bad deployments give clear errors: the chaincode server not running, started with the wrong package id, or with
//! TLS off while the package asks for TLS. Each case replaces `kv`'s server by a misconfigured one, asks the real
//! peer, checks what the invoker and the chaincode's log say, and puts the right server back. Its own test binary,
//! so no other test's transactions run while `kv` is broken (cargo runs test binaries one after another).
//!
//! The misconfigured servers are started here from the environment file `network.sh deploy` wrote for `kv`
//! (`<run dir>/chaincode/kv/env`), so this test needs the native launcher.

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gridledger_e2e::{Heal, Network, Outcome, eventually, network, network_sh as net_sh, repo, run_dir};

/// The kv server binary `scripts/e2e.sh` deployed (`build-chaincodes.sh path kv-ccaas`).
fn kv_binary() -> String {
    let out = Command::new(repo().join("scripts/build-chaincodes.sh"))
        .args(["path", "kv-ccaas"])
        .output()
        .expect("build-chaincodes.sh runs");
    String::from_utf8(out.stdout).expect("utf-8 path").trim().to_string()
}

/// `kv`'s deployed environment (KEY=VALUE lines), with `overrides` applied.
fn kv_env(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(run_dir().join("chaincode/kv/env")).expect("kv was deployed by network.sh");
    let mut env: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
        .collect();
    env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// A kv server with a bad setting, logging to a file the test reads afterwards; killed on drop.
struct BadServer {
    child: Child,
    log: std::path::PathBuf,
}

impl BadServer {
    fn start(case: &str, overrides: &[(&str, &str)]) -> Self {
        let log = run_dir().join(format!("logs/bad-deploy-{case}.log"));
        let file = File::create(&log).expect("log file");
        let child = Command::new(kv_binary())
            .env_clear()
            .envs(kv_env(overrides))
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("kv-ccaas starts");
        // Give it a moment to listen; the peer retries its dial anyway.
        std::thread::sleep(Duration::from_millis(500));
        BadServer { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for BadServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A query that must fail, and the time it took.
fn failing_query(net: &Network) -> (Outcome, Duration) {
    let started = Instant::now();
    let o = net.cli_query("kv", &["Get", "bad-deploy"]);
    assert!(!o.ok, "the query succeeded against a misconfigured chaincode server");
    (o, started.elapsed())
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn bad_deployments_give_clear_errors() {
    let net = network();
    let put = net.cli_invoke("kv", &["Put", "bad-deploy", "served"]).run();
    assert!(put.ok, "{}", put.error);
    // Whatever fails below, kv's real server comes back before the next test binary runs.
    let _heal = Heal::on_drop();
    net_sh(&["cc-stop", "kv"]);

    // 1. Nothing listens: the peer says it cannot connect to the address in connection.json.
    let (o, _) = failing_query(net);
    assert!(
        o.error.contains("could not launch chaincode") && o.error.contains("error creating grpc connection"),
        "{}",
        o.error
    );

    // 2. The wrong package id: the peer never answers REGISTER (it would wait out its 5-minute launch timeout); the
    //    shim names the cause in its log and ends the stream, so the invoker's error comes within seconds. A 2.5 peer
    //    says "chaincode registration failed"; a 3.1 peer passes the shim's own message on ("did not acknowledge
    //    chaincode id ... set CHAINCODE_ID to ..."), which names the cause to the invoker too.
    {
        let server =
            BadServer::start("wrong-id", &[("CHAINCODE_ID", "kv_1.0:0000"), ("CORE_CHAINCODE_ID_NAME", "kv_1.0:0000")]);
        let (o, took) = failing_query(net);
        assert!(
            o.error.contains("chaincode registration failed") || o.error.contains("did not acknowledge chaincode id"),
            "the invoker is not told that registration failed: {}",
            o.error
        );
        assert!(took < Duration::from_secs(60), "took {took:?}: the peer waited for its launch timeout");
        let log = server.log();
        assert!(
            log.contains("did not acknowledge chaincode id \"kv_1.0:0000\"") && log.contains("queryinstalled"),
            "{log}"
        );
    }

    // 3. TLS off while the package asks for TLS: the shim sees the peer's TLS handshake and says which setting to fix.
    {
        let server = BadServer::start("no-tls", &[("CHAINCODE_TLS_DISABLED", "true")]);
        let (o, _) = failing_query(net);
        assert!(o.error.contains("could not launch chaincode"), "{}", o.error);
        let log = server.log();
        assert!(log.contains("opened a TLS connection, but this chaincode server runs without TLS"), "{log}");
    }

    net_sh(&["cc-start", "kv"]);
    eventually("kv serving again", || net.cli_query("kv", &["Get", "bad-deploy"]));
}
