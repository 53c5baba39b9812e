//! Private data, the transaction context from a real SignedProposal, and events.

use gridledger_shim::composite::create_composite_key;
use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_shim::protos::peer::{DelState, GetQueryResult, GetState, GetStateByRange, PutState};
use gridledger_shim::protos::prost::Message;
use gridledger_testkit::mock_peer::tls::TestPki;
use gridledger_testkit::mock_peer::{PeerOptions, ProposalBuilder, Tx, serialized_identity};
use ring::digest;

use crate::support::{BOTH, CH, Mode, start};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn private_data_round_trip_over_the_wire() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5().with_range_batch(2)).await;
    for k in ["k1", "k2", "k3"] {
        h.peer.ledger().put_private("c1", k, format!("{{\"p\":\"{k}\"}}").as_bytes());
    }
    h.peer.ledger().put_private("c1", &create_composite_key("deal", &["a", "1"]).unwrap(), b"d");
    h.peer.ledger().put("k1", b"public");

    assert_eq!(h.ok("t1", &["pget", "c1", "k1"]).await, r#"{"p":"k1"}"#);
    let get = GetState::decode(h.sent_by("t1", Type::GetState)[0].payload.as_slice()).unwrap();
    assert_eq!((get.collection.as_str(), get.key.as_str()), ("c1", "k1"));
    assert_eq!(
        h.ok("t2", &["phash", "c1", "k1"]).await,
        hex(digest::digest(&digest::SHA256, br#"{"p":"k1"}"#).as_ref())
    );
    assert_eq!(h.sent_by("t2", Type::GetPrivateDataHash).len(), 1);
    assert_eq!(h.ok("t3", &["phash", "c1", "nope"]).await, "");

    h.ok("t4", &["pput", "c1", "new", "n"]).await;
    let put = PutState::decode(h.sent_by("t4", Type::PutState)[0].payload.as_slice()).unwrap();
    assert_eq!((put.collection.as_str(), put.key.as_str(), put.value.as_slice()), ("c1", "new", &b"n"[..]));
    assert_eq!(h.peer.ledger().get_private("c1", "new"), Some(&b"n"[..]));
    assert_eq!(h.peer.ledger().get("new"), None, "private writes stay private");

    h.ok("t5", &["pdel", "c1", "k2"]).await;
    assert_eq!(h.sent_by("t5", Type::DelState).len(), 1);
    h.ok("t6", &["ppurge", "c1", "k3"]).await;
    let purge = DelState::decode(h.sent_by("t6", Type::PurgePrivateData)[0].payload.as_slice()).unwrap();
    assert_eq!((purge.collection.as_str(), purge.key.as_str()), ("c1", "k3"));
    assert_eq!(h.peer.ledger().get_private("c1", "k2"), None);
    assert_eq!(h.peer.ledger().get_private("c1", "k3"), None);

    assert_eq!(h.ok("t7", &["prange", "c1", "", ""]).await, "k1,new");
    assert_eq!(
        GetStateByRange::decode(h.sent_by("t7", Type::GetStateByRange)[0].payload.as_slice()).unwrap().collection,
        "c1"
    );
    assert_eq!(h.ok("t8", &["ppartial", "c1", "deal", "a"]).await, "deal[a/1]");
    assert_eq!(h.ok("t9", &["prich", "c1", "\"p\""]).await, "k1");
    assert_eq!(
        GetQueryResult::decode(h.sent_by("t9", Type::GetQueryResult)[0].payload.as_slice()).unwrap().collection,
        "c1"
    );

    h.ok("t10", &["psetvp", "c1", "k1", "pol"]).await;
    assert_eq!(h.ok("t11", &["pgetvp", "c1", "k1"]).await, "pol");
    assert_eq!(h.ok("t12", &["pmulti", "c1", "k1", "zz"]).await, r#"{"p":"k1"},<none>"#);
    let empty_collection = h.run("t13", &["pget", "", "k1"]).await;
    assert_eq!(empty_collection.status(), Some(500));
    h.assert_clean();
}

#[tokio::test]
async fn transaction_context_comes_from_a_real_signed_proposal() {
    let pki = TestPki::new().unwrap();
    let creator = serialized_identity("Org1MSP", pki.client.cert_pem.as_bytes());
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        let mut proposal = ProposalBuilder::new(CH, "p1");
        proposal.creator = creator.clone();
        proposal.epoch = 3;
        proposal.transient.insert("secret".into(), b"s3cr3t".to_vec());
        let tx = |id: &str, args: &[&str]| {
            Tx::new(CH, id, args).with_proposal(proposal.build()).with_decoration("deco", b"rated")
        };
        let out = h.conn.invoke(tx("p1", &["proposal"])).await.unwrap();
        let mut bound = proposal.nonce.clone();
        bound.extend_from_slice(&creator);
        bound.extend_from_slice(&3u64.to_le_bytes());
        let binding = hex(digest::digest(&digest::SHA256, &bound).as_ref());
        let expected = format!(
            "tx=p1 ch={CH} creator={} binding={binding} ts=1750000000.123000000 decorations=deco=rated signed=true",
            hex(&creator)
        );
        assert_eq!(out.payload_text(), expected, "{mode:?}");
        let out = h.conn.invoke(tx("p2", &["transient", "secret"])).await.unwrap();
        assert_eq!(out.payload_text(), "s3cr3t");

        let no_proposal = h.run("p3", &["proposal"]).await;
        assert_eq!(no_proposal.status(), Some(500), "no proposal, no timestamp");
        h.assert_clean();
    }
}

#[tokio::test]
async fn malformed_proposal_fails_the_transaction_only() {
    let h = start(Mode::Ccaas, PeerOptions::fabric_2_5()).await;
    let mut bad = ProposalBuilder::new(CH, "b1").build();
    bad.proposal_bytes = vec![0xff, 0xff];
    let out = h.conn.invoke(Tx::new(CH, "b1", ["get", "k"]).with_proposal(bad)).await.unwrap();
    assert!(out.message().contains("invalid proposal"), "{out:?}");
    assert_eq!(h.ok("b2", &["get", "k"]).await, "<none>");
    h.assert_clean();
}

#[tokio::test]
async fn events_travel_on_completed_with_txid_and_channel() {
    for mode in BOTH {
        let h = start(mode, PeerOptions::fabric_2_5()).await;
        let out = h.run("e1", &["event", "Transfer", "payload-1"]).await;
        let event = out.event().expect("event on COMPLETED");
        assert_eq!((event.event_name.as_str(), event.payload.as_slice()), ("Transfer", &b"payload-1"[..]));
        let completed = h.sent_by("e1", Type::Completed);
        assert_eq!((completed[0].txid.as_str(), completed[0].channel_id.as_str()), ("e1", CH));
        assert!(h.run("e2", &["get", "k"]).await.event().is_none());
        assert_eq!(h.run("e3", &["event", "", "x"]).await.status(), Some(500), "empty event name");
        h.assert_clean();
    }
}
