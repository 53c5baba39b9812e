//! Chaos with accounting (issue 14 part 3), on the SmartBFT network (`bft_` tests run only there): uniquely numbered
//! kv writes go through the Fabric Gateway (gridctl, Utility's peer) at a steady pace while the harness kills -9 and
//! restarts, in turn, the kv chaincode server, Prosumer's peer and Grid's consenter. Afterwards every write the client
//! saw commit VALID is on every peer, none it saw fail is on any, and all peers have the same height.
//!
//! It prints what it did: writes sent, committed, failed by cause, faults injected, and for each fault the recovery
//! time (from the restart until the first write sent after it commits). `CHAOS_ROUNDS` (default 1) repeats the three
//! faults for a longer run (`scripts/bench-chaos.sh` for BENCHMARKS.md).

use std::thread;
use std::time::{Duration, Instant};

use gridledger_e2e::load::{self, Load};
use gridledger_e2e::{Heal, network, network_sh as net_sh, run_dir, unique};

/// Concurrent writers, each pacing itself to one write per [`PACE`].
const WORKERS: usize = 3;
const PACE: Duration = Duration::from_millis(400);
/// A write is given up after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Commits wanted between faults, so each fault meets a running load.
const BETWEEN: usize = 6;
/// How long a node stays dead before its restart.
const DEAD_FOR: Duration = Duration::from_secs(3);
/// Longest acceptable recovery.
const RECOVERY_LIMIT: Duration = Duration::from_secs(90);

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1), BFT phase"]
fn bft_chaos_with_accounting() {
    let kind = std::fs::read_to_string(run_dir().join("orderer-type")).unwrap_or_default();
    assert_eq!(kind.trim(), "bft", "this test needs the BFT network (three consenters survive one loss)");
    let net = network();
    // Whatever happens below, every node comes back for the tests after this one.
    let _heal = Heal::on_drop();
    let rounds: usize = std::env::var("CHAOS_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let prefix = unique("chaos");
    let load = Load::new();
    let faults = [
        ("kv chaincode server", vec!["cc-stop", "kv", "--kill"], vec!["cc-start", "kv"]),
        ("Prosumer's peer", vec!["stop", "peer-prosumer", "--kill"], vec!["restart", "peer-prosumer"]),
        ("Grid's consenter", vec!["stop", "orderer-grid", "--kill"], vec!["restart", "orderer-grid"]),
    ];
    let mut recoveries: Vec<(&str, Duration)> = Vec::new();
    let started = Instant::now();

    thread::scope(|s| {
        for w in 0..WORKERS {
            let (load, prefix) = (&load, &prefix);
            s.spawn(move || load.writer("utility", prefix, w, PACE, WRITE_TIMEOUT));
        }
        let stopper = load.stopper();
        load.wait_commits(BETWEEN, "before the first fault", RECOVERY_LIMIT);
        for _ in 0..rounds {
            for (name, kill, restart) in &faults {
                net_sh(kill);
                thread::sleep(DEAD_FOR);
                net_sh(restart);
                let back = Instant::now();
                let deadline = back + RECOVERY_LIMIT;
                let recovered = loop {
                    if let Some(at) = load.committed_since(back) {
                        break at;
                    }
                    assert!(Instant::now() < deadline, "no write sent after restarting {name} committed");
                    thread::sleep(Duration::from_millis(100));
                };
                recoveries.push((name, recovered.saturating_duration_since(back)));
                load.wait_commits(load.commits() + BETWEEN, &format!("after {name}"), RECOVERY_LIMIT);
            }
        }
        drop(stopper);
    });

    let writes = load.writes();
    let (committed, failed_by_cause) = load::tally(&writes);
    println!(
        "chaos: {} s, {} writes sent, {} committed, failed by cause {failed_by_cause:?}, {} faults injected",
        started.elapsed().as_secs(),
        writes.len(),
        committed.len(),
        recoveries.len()
    );
    for (name, took) in &recoveries {
        println!("chaos: recovery after killing the {name}: {} ms", took.as_millis());
    }

    // Every peer converges on one height ...
    let orgs = ["utility", "grid", "prosumer"];
    let height = load::converged_height(net, &orgs, Duration::from_secs(60));
    println!("chaos: every peer at height {height}");
    // ... and holds exactly the writes the client saw commit, each with its own value.
    for org in orgs {
        load::assert_holds_exactly(net, org, &prefix, &committed);
    }
    assert!(committed.len() >= BETWEEN * (1 + 3 * rounds), "too few commits to prove anything");
}
