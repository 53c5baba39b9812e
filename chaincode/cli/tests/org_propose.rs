//! `gridctl org propose` on the governance crate's recorded config block (no network): what `scripts/org.sh`
//! relies on, the `config block N` line, and `anchor` writing nothing when the anchor peer is already set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn recorded_block() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../governance/testdata/energy-config-block.pb")
}

fn gridctl(args: &[&str]) -> Output {
    let block = recorded_block();
    Command::new(env!("CARGO_BIN_EXE_gridctl"))
        .args(args)
        .arg("--config-block")
        .arg(&block)
        .output()
        .expect("runs gridctl")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridctl-propose-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn anchor_already_set_writes_nothing() {
    let dir = scratch("anchor");
    let out_file = dir.join("anchor.pb");
    let out = out_file.to_string_lossy().into_owned();
    let same = gridctl(&["org", "propose", "anchor", "UtilityMSP", "--anchor-peer", "127.0.0.1:7051", "-o", &out]);
    assert!(same.status.success(), "{same:?}");
    assert!(String::from_utf8_lossy(&same.stdout).starts_with("unchanged: UtilityMSP"), "{same:?}");
    assert!(!out_file.exists());
    let moved = gridctl(&["org", "propose", "anchor", "UtilityMSP", "--anchor-peer", "127.0.0.1:7052", "-o", &out]);
    assert!(moved.status.success(), "{moved:?}");
    let said = String::from_utf8_lossy(&moved.stdout).into_owned();
    assert!(said.contains("(config block 0)") && said.contains("/Channel/Application/UtilityMSP/Admins"), "{said}");
    assert!(out_file.is_file());
    std::fs::remove_dir_all(&dir).expect("cleans up");
}

#[test]
fn removing_a_non_member_is_refused() {
    let dir = scratch("remove");
    let out = dir.join("remove.pb").to_string_lossy().into_owned();
    let refused = gridctl(&["org", "propose", "remove", "StorageMSP", "-o", &out]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("StorageMSP is not a member of the channel"));
    let removed = gridctl(&["org", "propose", "remove", "GridMSP", "-o", &out]);
    assert!(removed.status.success(), "{removed:?}");
    assert!(String::from_utf8_lossy(&removed.stdout).contains("needs /Channel/Application/Admins"));
    std::fs::remove_dir_all(&dir).expect("cleans up");
}
