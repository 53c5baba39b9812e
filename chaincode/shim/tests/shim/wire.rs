//! The per-transaction wire counts logged on `gridledger_shim::wire`: the line must say exactly what the mock peer
//! received, with write batching advertised and without, and the ledger must end up the same either way.

use std::io::Write;
use std::sync::{Mutex, Once, PoisonError};
use std::time::Duration;

use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_testkit::mock_peer::PeerOptions;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::support::{Harness, Mode, start};

/// Everything logged in this test binary, under the filter a deployment would use.
static LOGGED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGGED.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the global subscriber once: the chaincode's stream loop runs on threads of its own, which a
/// thread-local default would not reach.
fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let filter: Targets = "info,gridledger_shim::wire=debug".parse().unwrap();
        let fmt = tracing_subscriber::fmt::layer().with_writer(|| Capture).with_ansi(false);
        tracing_subscriber::registry().with(fmt).with(filter).init();
    });
}

fn logged_lines() -> Vec<String> {
    let bytes = LOGGED.lock().unwrap_or_else(PoisonError::into_inner).clone();
    String::from_utf8_lossy(&bytes).lines().map(String::from).collect()
}

/// The wire line of a transaction (its first 8 characters identify it in this binary).
fn wire_line(tx_id: &str) -> String {
    let tag = format!("gridledger_shim::wire: wire tx={} ", &tx_id[..8]);
    let lines: Vec<String> = logged_lines().into_iter().filter(|l| l.contains(&tag)).collect();
    assert_eq!(lines.len(), 1, "one wire line per transaction for {tx_id}: {lines:?}");
    let at = lines[0].find("wire tx=").unwrap();
    lines[0][at..].to_string()
}

/// What the mock peer received from one transaction, in the line's terms.
fn received(h: &Harness, tx_id: &str) -> [usize; 5] {
    [Type::GetState, Type::PutState, Type::DelState, Type::WriteBatchState, Type::GetStateMultiple]
        .map(|kind| h.sent_by(tx_id, kind).len())
}

/// Runs 10,000 puts and a delete, then a 3-key read; returns the wire lines and the ledger's n00000..n09999.
async fn ten_thousand_puts(options: PeerOptions, put_tx: &str, get_tx: &str) -> (String, String, Vec<Option<Vec<u8>>>) {
    capture();
    // 10,000 single round trips take seconds in a debug build on a busy machine.
    let h = start(Mode::Ccaas, options.with_timeout(Duration::from_secs(120))).await;
    h.ok(put_tx, &["putdel", "10000"]).await;
    h.peer.ledger().put("x", b"X");
    assert_eq!(h.ok(get_tx, &["multi", "n00001", "x", "nope"]).await, "v,X,<none>");
    h.assert_clean();
    let ledger = (0..10_000).map(|i| h.peer.ledger().get(&format!("n{i:05}")).map(<[u8]>::to_vec)).collect();
    let (put_line, get_line) = (wire_line(put_tx), wire_line(get_tx));
    let counts = |line: &str| line.split_once(" sent ").map(|(_, c)| c.to_string()).unwrap();
    // The line agrees with what the peer saw.
    for (tx, line) in [(put_tx, &put_line), (get_tx, &get_line)] {
        let [get, put, del, batch, multi] = received(&h, tx);
        let expected_prefix =
            format!("GET_STATE={get} PUT_STATE={put} DEL_STATE={del} WRITE_BATCH_STATE={batch} records=");
        assert!(counts(line).starts_with(&expected_prefix), "{line} vs {expected_prefix}");
        assert!(counts(line).contains(&format!(" GET_STATE_MULTIPLE={multi} keys=")), "{line}");
    }
    (put_line, get_line, ledger)
}

/// The ledger both ways: n00000 deleted after its put, n00001..n09999 = "v".
fn assert_expected_ledger(ledger: &[Option<Vec<u8>>]) {
    assert_eq!(ledger[0], None, "the delete after the put wins");
    assert!(ledger[1..].iter().all(|v| v.as_deref() == Some(&b"v"[..])));
}

/// The filter turns on the wire lines and no other debug output.
fn assert_only_wire_lines_at_debug() {
    let debug: Vec<String> = logged_lines().into_iter().filter(|l| l.contains("DEBUG")).collect();
    assert!(debug.iter().all(|l| l.contains("gridledger_shim::wire: wire tx=")), "{debug:?}");
}

/// Runs [`ten_thousand_puts`] against `peer` and checks the two transactions' wire lines, the ledger and the log.
async fn ten_thousand_puts_send(peer: PeerOptions, txids: (&str, &str), put_line: &str, get_line: &str) {
    let (put, get, ledger) = ten_thousand_puts(peer, txids.0, txids.1).await;
    assert_eq!(put, put_line);
    assert_eq!(get, get_line);
    assert_expected_ledger(&ledger);
    assert_only_wire_lines_at_debug();
}

#[tokio::test]
async fn with_batching_advertised_10000_puts_are_10_write_batches() {
    ten_thousand_puts_send(
        PeerOptions::fabric_3_1(),
        ("wirebatch-put", "wirebget-get"),
        "wire tx=wirebatc channel=energy sent GET_STATE=0 PUT_STATE=0 DEL_STATE=0 WRITE_BATCH_STATE=10 \
         records=10000 GET_STATE_MULTIPLE=0 keys=0 total=11",
        "wire tx=wirebget channel=energy sent GET_STATE=0 PUT_STATE=0 DEL_STATE=0 WRITE_BATCH_STATE=0 records=0 \
         GET_STATE_MULTIPLE=1 keys=3 total=2",
    )
    .await;
}

#[tokio::test]
async fn without_batching_10000_puts_are_10000_put_states_with_the_same_ledger() {
    ten_thousand_puts_send(
        PeerOptions::fabric_2_5(),
        ("wireoneb-put", "wireoneg-get"),
        "wire tx=wireoneb channel=energy sent GET_STATE=0 PUT_STATE=10000 DEL_STATE=1 WRITE_BATCH_STATE=0 \
         records=0 GET_STATE_MULTIPLE=0 keys=0 total=10002",
        "wire tx=wireoneg channel=energy sent GET_STATE=3 PUT_STATE=0 DEL_STATE=0 WRITE_BATCH_STATE=0 records=0 \
         GET_STATE_MULTIPLE=0 keys=0 total=4",
    )
    .await;
}
