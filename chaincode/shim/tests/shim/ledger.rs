//! The world-state ledger API over the wire: one test per row of the API.

use gridledger_shim::composite::create_composite_key;
use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_shim::protos::peer::{GetStateByRange, PutStateMetadata, QueryMetadata, QueryStateClose};
use gridledger_shim::protos::prost::Message;
use gridledger_testkit::mock_peer::{PeerOptions, Reply};

use crate::support::{Harness, Mode, start};

async fn seeded(options: PeerOptions, keys: &[&str]) -> Harness {
    let h = start(Mode::Ccaas, options).await;
    for k in keys {
        h.peer.ledger().put(k, format!("val-{k}").as_bytes());
    }
    h
}

fn ranges(h: &Harness, tx: &str) -> Vec<GetStateByRange> {
    h.sent_by(tx, Type::GetStateByRange)
        .iter()
        .map(|m| GetStateByRange::decode(m.payload.as_slice()).unwrap())
        .collect()
}

#[tokio::test]
async fn get_put_del_state() {
    let h = seeded(PeerOptions::fabric_2_5(), &["a"]).await;
    assert_eq!(h.ok("t1", &["get", "a"]).await, "val-a");
    assert_eq!(h.ok("t2", &["get", "missing"]).await, "<none>");
    h.ok("t3", &["put", "b", "2"]).await;
    h.ok("t4", &["del", "a"]).await;
    assert_eq!(h.peer.ledger().get("b"), Some(&b"2"[..]));
    assert_eq!(h.peer.ledger().get("a"), None);
    assert_eq!(h.sent_by("t3", Type::PutState).len(), 1);
    assert_eq!(h.sent_by("t4", Type::DelState).len(), 1);
    let empty_key = h.run("t5", &["put", "", "x"]).await;
    assert_eq!(empty_key.status(), Some(500));
    assert!(h.sent_by("t5", Type::PutState).is_empty(), "rejected locally");
    h.assert_clean();
}

#[tokio::test]
async fn range_pages_through_batches_and_early_drop_closes_the_iterator() {
    let keys = ["k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10"];
    let h = seeded(PeerOptions::fabric_2_5().with_range_batch(3), &keys).await;
    assert_eq!(h.ok("t1", &["range", "k01", "k10"]).await, keys[..9].join(","));
    assert_eq!(h.sent_by("t1", Type::QueryStateNext).len(), 2, "batches of 3: 3 + 3 + 3");
    assert!(h.sent_by("t1", Type::QueryStateClose).is_empty(), "an exhausted iterator needs no close");
    assert_eq!(h.ok("t2", &["range", "", ""]).await, keys.join(","));
    assert_eq!(ranges(&h, "t2")[0].start_key, "\u{1}", "empty start key is sent as Go's substitute");

    assert_eq!(h.ok("t3", &["range_first", "k01", ""]).await, "k01");
    let close = h.sent_by("t3", Type::QueryStateClose);
    assert_eq!(close.len(), 1, "dropping a live iterator sends QUERY_STATE_CLOSE");
    assert!(QueryStateClose::decode(close[0].payload.as_slice()).unwrap().id.starts_with("iter-"));
    assert_eq!(h.conn.open_iterators(), 0);

    let composite = h.run("t4", &["range", "\u{0}x", ""]).await;
    assert_eq!(composite.status(), Some(500), "composite start key rejected locally");
    h.assert_clean();
}

#[tokio::test]
async fn range_pagination_sends_query_metadata_and_returns_the_bookmark() {
    let keys = ["k1", "k2", "k3", "k4", "k5", "k6"];
    let h = seeded(PeerOptions::fabric_2_5(), &keys).await;
    assert_eq!(h.ok("t1", &["page", "k1", "", "4", ""]).await, "k1,k2,k3,k4|k5|4");
    assert_eq!(h.ok("t2", &["page", "k1", "", "4", "k5"]).await, "k5,k6||2");
    let meta = QueryMetadata::decode(ranges(&h, "t2")[0].metadata.as_slice()).unwrap();
    assert_eq!((meta.page_size, meta.bookmark.as_str()), (4, "k5"));
    h.assert_clean();
}

#[tokio::test]
async fn partial_composite_keys_including_empty_attributes() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5()).await;
    for (kind, attrs) in [
        ("asset", vec!["red", "1"]),
        ("asset", vec!["red", "2"]),
        ("asset", vec!["blue", "1"]),
        ("asset", vec!["", "x"]),
        ("other", vec!["a"]),
    ] {
        h.peer.ledger().put(&create_composite_key(kind, &attrs).unwrap(), b"v");
    }
    h.peer.ledger().put("plain", b"v");
    assert_eq!(h.ok("t1", &["partial", "asset", "red"]).await, "asset[red/1],asset[red/2]");
    let wire = &ranges(&h, "t1")[0];
    assert_eq!(wire.start_key, "\u{0}asset\u{0}red\u{0}");
    assert_eq!(wire.end_key, "\u{0}asset\u{0}red\u{0}\u{10FFFF}");
    assert_eq!(h.ok("t2", &["partial", "asset", ""]).await, "asset[/x]", "empty attribute, as Go allows");
    assert_eq!(h.ok("t3", &["partial", "asset"]).await, "asset[/x],asset[blue/1],asset[red/1],asset[red/2]");
    assert_eq!(h.ok("t4", &["partial_page", "asset", "2", "", "red"]).await, "asset[red/1],asset[red/2]||2");
    assert_eq!(
        h.ok("t5", &["partial_page", "asset", "3", ""]).await,
        "asset[/x],asset[blue/1],asset[red/1]|asset[red/2]|3"
    );

    assert_eq!(
        h.ok("t6", &["all_composite_page", "3", ""]).await,
        "asset[/x],asset[blue/1],asset[red/1]|asset[red/2]|3"
    );
    let wire = &ranges(&h, "t6")[0];
    assert_eq!((wire.start_key.as_str(), wire.end_key.as_str()), ("\u{0}", "\u{0}\u{10FFFF}"));
    let bookmark = create_composite_key("asset", &["red", "2"]).unwrap();
    assert_eq!(
        h.ok("t7", &["all_composite_page", "3", &bookmark]).await,
        "asset[red/2],other[a]||2",
        "simple keys excluded"
    );
    h.assert_clean();
}

#[tokio::test]
async fn rich_queries_with_and_without_pagination() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5().with_range_batch(1)).await;
    for (k, v) in [("a", r#"{"color":"red"}"#), ("b", r#"{"color":"blue"}"#), ("c", r#"{"color":"red"}"#)] {
        h.peer.ledger().put(k, v.as_bytes());
    }
    // The mock's "rich query" matches values containing the query text.
    assert_eq!(h.ok("t1", &["rich", r#""color":"red""#]).await, "a,c");
    assert_eq!(h.sent_by("t1", Type::GetQueryResult).len(), 1);
    assert_eq!(h.sent_by("t1", Type::QueryStateNext).len(), 1);
    assert_eq!(h.ok("t2", &["rich_page", "color", "2", ""]).await, "a,b|c|2");
    h.assert_clean();
}

#[tokio::test]
async fn history_for_key() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5().with_range_batch(2)).await;
    h.ok("w1", &["put", "h", "1"]).await;
    h.ok("w2", &["put", "h", "2"]).await;
    h.ok("w3", &["del", "h"]).await;
    assert_eq!(h.ok("t1", &["history", "h"]).await, "w1=1,w2=2,w3=(deleted)");
    assert_eq!(h.sent_by("t1", Type::GetHistoryForKey).len(), 1);
    assert_eq!(h.sent_by("t1", Type::QueryStateNext).len(), 1);
    h.assert_clean();
}

#[tokio::test]
async fn state_validation_parameter_set_and_get() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5()).await;
    h.ok("t1", &["setvp", "k", "policy-bytes"]).await;
    let put = PutStateMetadata::decode(h.sent_by("t1", Type::PutStateMetadata)[0].payload.as_slice()).unwrap();
    let entry = put.metadata.unwrap();
    assert_eq!(
        (put.key.as_str(), entry.metakey.as_str(), entry.value.as_slice()),
        ("k", "VALIDATION_PARAMETER", &b"policy-bytes"[..])
    );
    assert_eq!(h.ok("t2", &["getvp", "k"]).await, "policy-bytes");
    assert_eq!(h.sent_by("t2", Type::GetStateMetadata).len(), 1);
    assert_eq!(h.ok("t3", &["getvp", "other"]).await, "<none>");
    h.assert_clean();
}

#[tokio::test]
async fn invoke_chaincode_success_and_failures() {
    let options = PeerOptions::fabric_2_5().with_responder(|req| match req.invoked() {
        Some((name, args)) => match name.as_str() {
            "other" => Reply::invoke_completed(200, "", format!("pong {}", args.len()).as_bytes()),
            "other/ch2" => Reply::invoke_completed(200, "", b"cross-channel"),
            "failing" => Reply::invoke_completed(500, "callee said no", b""),
            "erroring" => Reply::invoke_failed("callee crashed"),
            _ => Reply::Error(format!("chaincode {name} not found")),
        },
        None => Reply::Ledger,
    });
    let h = start(Mode::Ccaas, options).await;
    assert_eq!(h.ok("t1", &["invoke", "other", "", "ping", "x"]).await, "200||pong 2");
    assert_eq!(h.ok("t2", &["invoke", "other", "ch2"]).await, "200||cross-channel");
    assert_eq!(h.ok("t3", &["invoke", "failing", ""]).await, "500|callee said no|");
    // As in Go's shim, a callee ERROR or a refused call is a 500 response with the peer's text as payload.
    assert_eq!(h.ok("t4", &["invoke", "erroring", ""]).await, "500||callee crashed");
    assert_eq!(h.ok("t5", &["invoke", "nope", ""]).await, "500||chaincode nope not found");
    h.assert_clean();
}

#[tokio::test]
async fn peer_error_reply_reaches_the_chaincode_as_error_peer() {
    let options = PeerOptions::fabric_2_5().with_responder(|req| match req.get_state_key().as_deref() {
        Some("denied") => Reply::Error("access denied".into()),
        _ => Reply::Ledger,
    });
    let h = start(Mode::Ccaas, options).await;
    let out = h.run("t1", &["get", "denied"]).await;
    assert_eq!((out.status(), out.message()), (Some(500), "Error::Peer GET_STATE: access denied"));
    assert_eq!(h.ok("t2", &["get", "fine"]).await, "<none>");
    h.assert_clean();
}
