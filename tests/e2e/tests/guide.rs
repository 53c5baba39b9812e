//! No network needed: the operator guide (`network/EXISTING-NETWORK.md`) shows exactly the commands the foreign
//! consortium test runs (`scripts/existing-network.sh guide-check`), and the foreign consortium definition
//! (`network/consortiums/samples.env`) shares no port with ours, so neither can answer for the other.

use std::collections::BTreeSet;
use std::process::Command;

use gridledger_e2e::repo;

#[test]
fn guide_blocks_are_the_scripts_steps() {
    let out = Command::new("bash")
        .arg(repo().join("scripts/existing-network.sh"))
        .arg("guide-check")
        .current_dir(repo())
        .output()
        .expect("running scripts/existing-network.sh guide-check");
    assert!(out.status.success(), "the guide drifted from the script:\n{}", String::from_utf8_lossy(&out.stderr));
}

/// Every `GL_*PORT` value a consortium definition sets (with no variable of the environment in the way).
fn ports(definition: &str) -> BTreeSet<u16> {
    let script = format!("source {definition}; for v in ${{!GL_@}}; do [[ $v != *PORT ]] || echo \"${{!v}}\"; done");
    let out = Command::new("env")
        .args(["-i", "PATH=/usr/bin:/bin", "bash", "-c", &script])
        .current_dir(repo())
        .output()
        .expect("running bash");
    assert!(out.status.success(), "sourcing {definition}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap_or_else(|e| panic!("{definition}: port {l:?}: {e}")))
        .collect()
}

#[test]
fn foreign_consortium_ports_are_its_own() {
    let ours = ports("network/consortium.env");
    let theirs = ports("network/consortiums/samples.env");
    assert!(ours.len() > 20 && theirs.len() > 20, "ours {ours:?}, theirs {theirs:?}");
    let shared: Vec<_> = ours.intersection(&theirs).collect();
    assert!(shared.is_empty(), "ports in both consortium definitions: {shared:?}");
    // The chaincode servers take GL_CC_PORT and the few ports below it.
    let cc = |set: &BTreeSet<u16>| set.iter().copied().filter(|p| p % 1000 == 999).max().unwrap_or(0);
    let (a, b) = (cc(&ours), cc(&theirs));
    assert!(a.abs_diff(b) > 10, "chaincode ports {a} and {b} are too close");
}
