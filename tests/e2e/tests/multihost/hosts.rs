//! The hosts of the multi-host consortium, seen from the client host: cutting one off (`scripts/multihost.sh`),
//! checking an address is in the benchmarking range, and what a peer's discovery service knows.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;

use gridledger_e2e::{Network, repo};
use serde_json::Value;

pub(crate) fn multihost(args: &[&str]) -> bool {
    let status = Command::new(repo().join("scripts/multihost.sh")).args(args).current_dir(repo()).status();
    status.is_ok_and(|s| s.success())
}

/// An org's host cut off; reconnected by [`Cut::heal`], or when dropped, so a failed assertion never leaves it cut.
pub(crate) struct Cut<'a> {
    org: &'a str,
    healed: bool,
}

impl<'a> Cut<'a> {
    pub(crate) fn new(org: &'a str) -> Self {
        assert!(multihost(&["partition", org]), "multihost.sh partition {org} failed");
        Cut { org, healed: false }
    }

    pub(crate) fn heal(&mut self) {
        assert!(multihost(&["heal-partition", self.org]), "multihost.sh heal-partition {} failed", self.org);
        self.healed = true;
    }
}

impl Drop for Cut<'_> {
    fn drop(&mut self) {
        if !self.healed && !multihost(&["heal-partition", self.org]) {
            eprintln!("multihost.sh heal-partition {} failed: the host may still be cut off", self.org);
        }
    }
}

/// Is `ip` in the benchmarking range 198.18.0.0/15?
pub(crate) fn in_bench_range(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.octets()[0] == 198 && v4.octets()[1] & 0xfe == 18)
}

/// `org`'s peer as `discover peers` on it sees the channel: (MSP id, endpoint) of every peer gossip told it about.
pub(crate) fn discovered(net: &Network, org: &str) -> BTreeSet<(String, String)> {
    let admin = net.admin(org);
    let var = |k: &str| admin.var(k).unwrap_or_else(|e| panic!("{e}")).to_string();
    let msp = std::path::PathBuf::from(var("CORE_PEER_MSPCONFIGPATH"));
    let key = std::fs::read_dir(msp.join("keystore"))
        .ok()
        .and_then(|mut d| d.next())
        .and_then(Result::ok)
        .map(|e| e.path().display().to_string())
        .unwrap_or_else(|| panic!("no key in {}/keystore", msp.display()));
    let cert = msp.join("signcerts/cert.pem").display().to_string();
    let args = [
        "peers",
        "--channel",
        &net.channel(),
        "--server",
        &var("CORE_PEER_ADDRESS"),
        "--peerTLSCA",
        &var("CORE_PEER_TLS_ROOTCERT_FILE"),
        "--userKey",
        &key,
        "--userCert",
        &cert,
        "--MSP",
        &var("CORE_PEER_LOCALMSPID"),
    ]
    .map(String::from);
    let Ok(out) = admin.command("discover", &args) else { return BTreeSet::new() };
    let peers: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let peers = peers.as_array().cloned().unwrap_or_default();
    peers
        .iter()
        .map(|p| (p["MSPID"].as_str().unwrap_or("").to_string(), p["Endpoint"].as_str().unwrap_or("").to_string()))
        .collect()
}
