//! Private data stays physically off the peers of organizations outside its collection (issue 14 part 5).
//!
//! kv's `utilityGrid` collection (network/collections-kv.json) has Utility and Grid as members, not Prosumer. A
//! value with a unique marker is written to it, endorsed by Utility's and Grid's peers. Then every file of
//! Prosumer's peer ledger is read: LevelDB stores (private data store, state database, transient store, block
//! index) decoded record by record with rusty-leveldb, since goleveldb compresses its tables with Snappy and a byte
//! search could miss a marker split by compression, and every other file (the block files) byte for byte. The marker
//! must be nowhere; its SHA-256 must be what Prosumer's peer knows of the value (GetPrivateHash). Grid's peer, a
//! member, is searched the same way as the control: there the marker must be found, so the search itself is proven
//! to see private values.

use std::fs;
use std::path::{Path, PathBuf};

use gridledger_e2e::{eventually, network, run_dir, unique};
use ring::digest::{SHA256, digest};

/// A copy of a peer's ledger directory, so LevelDB stores can be opened while the peer holds their locks.
fn snapshot(org: &str) -> PathBuf {
    let from = run_dir().join("data").join(format!("peer-{org}"));
    assert!(from.is_dir(), "no ledger directory {}", from.display());
    let to = run_dir().join(unique(&format!("privacy-{org}")));
    let status = std::process::Command::new("cp").arg("-a").arg(&from).arg(&to).status();
    assert!(status.is_ok_and(|s| s.success()), "copying {}", from.display());
    to
}

/// Every regular file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() { files(&path, out) } else { out.push(path) }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Where `needle` occurs in a ledger directory: LevelDB records (decoded) and raw files, as readable places.
fn find(ledger: &Path, needle: &[u8]) -> Vec<String> {
    let mut all = Vec::new();
    files(ledger, &mut all);
    let mut found = Vec::new();
    let mut leveldbs: Vec<PathBuf> = all
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "CURRENT"))
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    leveldbs.sort();
    let mut records = 0usize;
    for db in &leveldbs {
        let options = rusty_leveldb::Options { create_if_missing: false, ..Default::default() };
        let mut store = rusty_leveldb::DB::open(db, options).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
        let mut it = store.new_iter().unwrap_or_else(|e| panic!("{}: {e}", db.display()));
        use rusty_leveldb::LdbIterator as _;
        while it.advance() {
            let Some((key, value)) = it.current() else { break };
            records += 1;
            if contains(&key, needle) || contains(&value, needle) {
                found.push(format!("{} record {:?}", db.display(), String::from_utf8_lossy(&key)));
            }
        }
    }
    assert!(records > 0, "{}: no LevelDB records read from {} stores", ledger.display(), leveldbs.len());
    for file in all.iter().filter(|f| !leveldbs.iter().any(|db| f.starts_with(db))) {
        if contains(&fs::read(file).unwrap_or_default(), needle) {
            found.push(file.display().to_string());
        }
    }
    found
}

#[test]
#[ignore = "needs the running network (scripts/e2e.sh)"]
fn private_values_never_reach_a_non_member_peer() {
    let net = network();
    let key = unique("privacy");
    let marker = format!("{}-{}", unique("secret"), hex::encode(digest(&SHA256, key.as_bytes())));
    let put = net
        .submit("kv", &["PutPrivate", "utilityGrid", &key])
        .endorsers(&["utility", "grid"])
        .transient("value", marker.as_bytes())
        .run();
    assert!(put.ok, "PutPrivate: {}", put.error);
    let expected = hex::encode(digest(&SHA256, marker.as_bytes()));

    // Prosumer's peer has the block once its hash query answers; the hash is all it may know.
    let prosumer = net.admin("prosumer");
    let hash = eventually("Prosumer's peer has the private hash", || {
        net.evaluate_as(prosumer, "kv", &["GetPrivateHash", "utilityGrid", &key])
    });
    assert_eq!(String::from_utf8_lossy(&hash.payload), expected);
    let read = net.evaluate_as(prosumer, "kv", &["GetPrivate", "utilityGrid", &key]);
    assert!(!read.ok, "Prosumer's peer served the private value");

    let outsider = snapshot("prosumer");
    let member = snapshot("grid");
    let leaked = find(&outsider, marker.as_bytes());
    let control = find(&member, marker.as_bytes());
    let _ = (fs::remove_dir_all(&outsider), fs::remove_dir_all(&member));
    assert!(leaked.is_empty(), "the private value is on Prosumer's peer: {leaked:?}");
    assert!(!control.is_empty(), "the search did not find the value on Grid's peer, a member: it proves nothing");
    println!("private value found on the member's peer in {control:?}; on the non-member's peer nowhere");
}
