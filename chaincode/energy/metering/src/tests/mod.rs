//! Unit tests on the testkit's MemoryLedger.

mod bounds;
mod fixture;
mod hours;
mod ingest;
mod intervals;
mod meters;
mod ocmf;
mod props;
mod queries;
mod real_registry;
mod rejections;

use std::collections::BTreeMap;

use gridledger_shim::Chaincode as _;

use fixture::World;

/// Everything metering has committed: public state and the readings collection.
type Snapshot = (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>);

fn snapshot(w: &World) -> Snapshot {
    (w.ledger.state("metering"), w.ledger.collection("metering", crate::keys::READINGS_COLLECTION))
}

/// Runs a call that must fail with `status` and a message containing `text`; asserts it wrote nothing (not even
/// in its uncommitted write set: the handlers validate everything first) and that committed state is unchanged.
fn rejects(w: &World, creator: &[u8], args: &[&str], status: i32, text: &str) -> String {
    let before = snapshot(w);
    let tx = w.ledger.tx(args).with_creator(creator.to_vec());
    let r = w.cc.invoke(&tx);
    assert_eq!(r.status, status, "{}: {}", args[0], r.message);
    assert!(r.message.contains(text), "{:?} does not contain {text:?}", r.message);
    let writes: Vec<_> = tx.writes().into_keys().filter(|k| k.namespace == "metering").collect();
    assert!(writes.is_empty(), "a rejected {} wrote {writes:?}", args[0]);
    tx.commit().expect("an empty write set commits");
    assert_eq!(snapshot(w), before, "state changed");
    r.message
}

/// [`rejects`] for a batch submitted by the gateway.
fn rejects_batch(w: &World, batch: &[crate::Reading], status: i32, text: &str) -> String {
    let json = serde_json::to_string(batch).unwrap();
    rejects(w, &fixture::cast().gateway, &["SubmitReadings", &json], status, text)
}

/// The whole `GetMetadata` document, pinned in `testdata/metadata.json`: a change to any schema shows up there
/// as a diff (`GRIDLEDGER_BLESS=1 cargo test` rewrites it; review that diff).
#[test]
fn metadata_is_pinned() {
    // Byte for byte what the peer is given (one line; `jq -S . <file>` to read it).
    let metadata = format!("{}\n", crate::chaincode().metadata());
    gridledger_testkit::golden::assert_pinned(
        &metadata,
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/metadata.json"),
    );
}
