//! Running the `gridctl` binary against the network, as a user's terminal would.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::{repo, run_dir};

/// Builds `gridctl` once per test binary (cargo releases the target dir lock while tests run) and returns its path.
pub fn bin() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "-q", "-p", "gridctl", "--bin", "gridctl"])
            .current_dir(repo())
            .output()
            .expect("running cargo build -p gridctl");
        assert!(out.status.success(), "cargo build -p gridctl: {}", String::from_utf8_lossy(&out.stderr));
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
        target.join("debug/gridctl")
    })
}

/// `gridctl ARGS...` with the network's run directory.
pub fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("GRIDLEDGER_RUN", run_dir()).output().expect("running gridctl")
}

/// `gridctl COMMAND... --org ORG --user USER ARGS...`: a subcommand as one identity of the network.
pub fn run_as(command: &[&str], who: &crate::Identity, args: &[&str]) -> Output {
    let mut all: Vec<&str> = command.to_vec();
    all.extend(["--org", who.org.as_str(), "--user", who.user.as_str()]);
    all.extend(args);
    run(&all)
}

/// [`run_as`] with `--json`: the chaincode's answer, parsed; panics with gridctl's error output when it fails.
pub fn json_as(command: &[&str], who: &crate::Identity, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend(args);
    let out = run_as(command, who, &all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "gridctl {command:?} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("gridctl {command:?} printed no JSON ({e}): {stdout}"))
}
