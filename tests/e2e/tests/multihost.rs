//! A consortium on several hosts, cut in two (issue 14 part 4). `scripts/multihost.sh run` puts each organization
//! on its own host (a network namespace with an address in 198.18.0.0/15 and host names in its /etc/hosts), runs
//! this test on a client host with `GRIDLEDGER_MULTIHOST=1`, and tears it all down; elsewhere the test skips.
//!
//! First it shows the consortium really is spread out: every peer is addressed by a host name in 198.18.0.0/15
//! (the TLS connections to it check that name), and every peer's discovery view, which gossip between the
//! organizations fills (anchor peers), names every org's peer. Then, under a steady load through the Gateway (kv
//! writes at the supplier's peer, as in `tests/chaos.rs`, and meter readings into metering's private collection at
//! the grid operator's peer), the Prosumer host loses its link for 30 s and gets it back. Afterwards: Prosumer's
//! peer catches up to the height the others had at the heal, every peer reaches one height and holds exactly the
//! kv writes the client saw commit VALID, Prosumer's peer has each of them exactly once (its key's history is that
//! one transaction), and every reading committed during the cut is readable on Prosumer's peer (a member of the
//! collection), equal to the grid operator's copy: it pulled (or reconciled) the private data nobody could push to
//! it while it was cut off.

mod multihost {
    pub(crate) mod hosts;
    pub(crate) mod readings;
}

use std::collections::BTreeSet;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use gridledger_e2e::load::{self, Load};
use gridledger_e2e::{network, unique};
use multihost::hosts::{Cut, discovered, in_bench_range};
use multihost::readings::{Reading, lock, reading_on, readings_writer, register_meter};

/// How long the Prosumer host is cut off.
const PARTITION: Duration = Duration::from_secs(30);
/// kv writers, each pacing itself to one write per [`PACE`].
const WORKERS: usize = 2;
const PACE: Duration = Duration::from_millis(400);
/// A kv write is given up after this long (the Gateway waits 30 s for an endorser that went silent, then tries
/// another): longer, so that a write the client gives up on was never submitted.
const WRITE_TIMEOUT: Duration = Duration::from_secs(90);
/// Commits wanted before the cut and after the heal.
const BETWEEN: usize = 6;
/// Longest acceptable catch-up (blocks, then private data).
const CATCH_UP_LIMIT: Duration = Duration::from_secs(120);
#[test]
#[ignore = "needs the multi-host network: scripts/multihost.sh run (GRIDLEDGER_E2E=1, GRIDLEDGER_MULTIHOST=1)"]
fn prosumer_host_partitioned_under_load_catches_up() {
    if std::env::var("GRIDLEDGER_MULTIHOST").as_deref() != Ok("1") {
        eprintln!("skipped: no multi-host network (scripts/multihost.sh run sets GRIDLEDGER_MULTIHOST=1)");
        return;
    }
    let net = network();
    let orgs = net.orgs();
    let market = net.market();
    let (cut_org, supplier, grid) = (market.prosumer.as_str(), market.supplier.as_str(), market.grid_operator.as_str());

    // Each org's peer is a host of its own, addressed by name, in the benchmarking range.
    let mut addresses = BTreeSet::new();
    for org in &orgs {
        let endpoint = net.admin(org).var("CORE_PEER_ADDRESS").unwrap_or_else(|e| panic!("{e}")).to_string();
        let host = endpoint.rsplit_once(':').map_or(endpoint.as_str(), |(h, _)| h);
        assert!(host.parse::<IpAddr>().is_err(), "{org}'s peer is addressed by IP ({endpoint}), not by host name");
        let ips: Vec<IpAddr> = endpoint.to_socket_addrs().map(|a| a.map(|s| s.ip()).collect()).unwrap_or_default();
        assert!(!ips.is_empty() && ips.iter().all(|ip| in_bench_range(*ip)), "{endpoint} resolves to {ips:?}");
        addresses.extend(ips);
    }
    assert_eq!(addresses.len(), orgs.len(), "the peers share hosts: {addresses:?}");

    // Gossip between the organizations (through the anchor peers) tells every peer about every other org's peer.
    let endpoints: BTreeSet<String> =
        orgs.iter().map(|o| net.admin(o).var("CORE_PEER_ADDRESS").unwrap_or_default().to_string()).collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    for org in &orgs {
        loop {
            let seen: BTreeSet<String> = discovered(net, org).into_iter().map(|(_, e)| e).collect();
            if seen == endpoints {
                break;
            }
            assert!(Instant::now() < deadline, "{org}'s peer knows {seen:?}, not every org's peer {endpoints:?}");
            thread::sleep(Duration::from_secs(1));
        }
    }
    println!("multihost: {} peers on hosts {addresses:?}; each one's discovery names all of {endpoints:?}", orgs.len());

    let prefix = unique("mh");
    let meter = register_meter(grid, &format!("{prefix}-m"));
    let endorsers: Vec<String> = [grid, supplier]
        .iter()
        .map(|o| net.admin(o).var("CORE_PEER_LOCALMSPID").unwrap_or_else(|e| panic!("{e}")).to_string())
        .collect();
    let load = Load::new();
    let readings = Mutex::new(Vec::<Reading>::new());
    let reader = net.admin(supplier).clone();
    // Heights: the cut peer's when it was cut off, the supplier's when it came back; blocks in between are the
    // ones the cut peer missed.
    let (cut_at, healed_at, catch_up, reconciled, height_at_cut, height_at_heal) = thread::scope(|s| {
        for w in 0..WORKERS {
            let (load, prefix) = (&load, &prefix);
            s.spawn(move || load.writer(supplier, prefix, w, PACE, WRITE_TIMEOUT));
        }
        s.spawn(|| readings_writer(&load, grid, &meter, &endorsers, &readings));
        let stopper = load.stopper();
        load.wait_commits(BETWEEN, "before the cut", CATCH_UP_LIMIT);

        let height_at_cut = load::peer_height(net, cut_org).expect("the peer to cut off answers");
        let mut cut = Cut::new(cut_org);
        let cut_at = Instant::now();
        thread::sleep(PARTITION / 2);
        assert!(load::peer_height(net, cut_org).is_none(), "{cut_org}'s peer still answers while cut off");
        thread::sleep(PARTITION.saturating_sub(cut_at.elapsed()));
        let height_at_heal = load::peer_height(net, supplier).expect("the supplier's peer answers");
        cut.heal();
        let healed_at = Instant::now();

        // Catch-up: the cut peer reaches the height the others had when it came back.
        let deadline = healed_at + CATCH_UP_LIMIT;
        while load::peer_height(net, cut_org).is_none_or(|h| h < height_at_heal) {
            assert!(Instant::now() < deadline, "{cut_org}'s peer did not reach height {height_at_heal}");
            thread::sleep(Duration::from_millis(250));
        }
        let catch_up = healed_at.elapsed();
        // Private data: the readings committed in blocks the cut peer missed were endorsed while it was cut off,
        // so nobody pushed them to it; as a member of the collection it must pull or reconcile them. Until when
        // it has them all (an upper bound: a poll round is a few queries).
        let mut pending: Vec<Reading> = lock(&readings)
            .iter()
            .filter(|r| r.block.is_some_and(|b| b >= height_at_cut && b < height_at_heal))
            .cloned()
            .collect();
        while !pending.is_empty() {
            assert!(Instant::now() < deadline, "{cut_org}'s peer still lacks {} readings", pending.len());
            pending.retain(|r| reading_on(net, &reader, cut_org, &meter.id, r.interval_start, "1.8.0").is_none());
        }
        let reconciled = healed_at.elapsed();
        load.wait_commits(load.commits() + BETWEEN, "after the heal", CATCH_UP_LIMIT);
        drop(stopper);
        (cut_at, healed_at, catch_up, reconciled, height_at_cut, height_at_heal)
    });
    let partitioned = healed_at - cut_at;
    let missed = |block: Option<u64>| block.is_some_and(|b| b >= height_at_cut && b < height_at_heal);

    let writes = load.writes();
    let (committed, failed_by_cause) = load::tally(&writes);
    let during = writes.iter().filter(|w| w.failure.is_none() && missed(w.block)).count();
    let height = load::converged_height(net, &orgs, Duration::from_secs(60));
    for org in &orgs {
        load::assert_holds_exactly(net, org, &prefix, &committed);
    }
    // Exactly once on the peer that was cut off: each key's history is the one transaction the client saw commit.
    let cut_admin = net.admin(cut_org);
    for w in writes.iter().filter(|w| w.failure.is_none()) {
        let history = net.cli_query_as(cut_admin, "kv", &["History", &w.key]);
        assert!(history.ok, "History {} on {cut_org}: {}", w.key, history.error);
        let entries = history.json().unwrap_or_else(|e| panic!("{e}"));
        let txids: Vec<&str> = entries.as_array().into_iter().flatten().filter_map(|e| e["txId"].as_str()).collect();
        assert_eq!(txids.len(), 1, "{} on {cut_org}: {entries}", w.key);
        if let Some(t) = &w.txid {
            assert_eq!(txids[0], t, "{} on {cut_org} was written by another transaction", w.key);
        }
    }

    // Every reading that committed is on every member's peer with the value sent, equal to the grid operator's.
    let readings = readings.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let good: Vec<&Reading> = readings.iter().filter(|r| r.block.is_some()).collect();
    let in_cut = good.iter().filter(|r| missed(r.block)).count();
    for r in &good {
        let want = reading_on(net, &reader, grid, &meter.id, r.interval_start, "1.8.0");
        let want = want.unwrap_or_else(|| panic!("reading {} not on {grid}'s peer", r.interval_start));
        assert_eq!(want["wh"], r.wh, "reading {} on {grid}'s peer: {want}", r.interval_start);
        for org in &orgs {
            let got = reading_on(net, &reader, org, &meter.id, r.interval_start, "1.8.0");
            assert_eq!(got.as_ref(), Some(&want), "reading {} on {org}'s peer", r.interval_start);
        }
    }

    println!(
        "multihost: {} writes sent, {} committed ({during} in blocks {cut_org} missed), failed by cause \
         {failed_by_cause:?}; {} readings sent, {} committed ({} in blocks {cut_org} missed)",
        writes.len(),
        committed.len(),
        readings.len(),
        good.len(),
        in_cut
    );
    for r in readings.iter().filter(|r| r.block.is_none()) {
        println!("multihost: reading {} failed: {}", r.interval_start, r.error);
    }
    println!(
        "multihost: {cut_org} cut off for {:.1} s (blocks {height_at_cut}..{height_at_heal} missed); caught up in \
         {} ms; its private data reconciled within {} ms of the heal; every peer at height {height}",
        partitioned.as_secs_f64(),
        catch_up.as_millis(),
        reconciled.as_millis()
    );
    // The kv writers may all wait on the silent peer for most of the cut (the Gateway's plan still includes it);
    // the readings name their endorsers, so they must have gone on.
    assert!(in_cut > 0, "no reading committed while {cut_org} was cut off: the others did not carry on");
    assert!(partitioned >= PARTITION, "the cut lasted {partitioned:?}");
}
