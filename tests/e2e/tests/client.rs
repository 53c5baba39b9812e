//! `gridledger-client`, the library applications embed, against the real network: an identity from an MSP
//! directory, TLS to the org's gateway peer, submit and evaluate, chaincode events, typed errors for a chaincode
//! error, tampered signatures and too few endorsers. (`gridctl.rs` proves the same through the binary and against
//! the peer CLI; this is the library without the binary in between.)

use std::path::PathBuf;
use std::time::Duration;

use gridledger_client::{Error, Gateway, Invocation, PeerTarget, Signer, Tamper, Tls};
use gridledger_e2e::{Identity, network, unique};

const CC: &str = "kv";

/// A gateway connection as `who`, configured from the same environment the peer CLI gets (`scripts/env.sh`).
async fn gateway(who: &Identity) -> Gateway {
    let var = |k: &str| who.var(k).expect("env.sh variable").to_string();
    let signer = Signer::from_msp_dir(&var("CORE_PEER_LOCALMSPID"), &PathBuf::from(var("CORE_PEER_MSPCONFIGPATH")))
        .expect("identity from the MSP directory");
    let tls = Tls::from_ca_file(&PathBuf::from(var("CORE_PEER_TLS_ROOTCERT_FILE"))).expect("TLS CA");
    let target = PeerTarget { address: var("CORE_PEER_ADDRESS"), tls: Some(tls) };
    Gateway::connect(&target, signer).await.expect("connecting to the gateway peer")
}

/// Submits `inv`, retrying while the gateway's discovery does not yet know enough peers for the endorsement
/// policy (right after a deploy it learns of the other orgs' peers a little later than the peers start).
async fn submit_when_discovered(gw: &mut Gateway, inv: &Invocation) -> gridledger_client::Committed {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        match gw.submit(inv).await {
            Err(e) if e.to_string().contains("no combination of peers") && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            other => return other.expect("submit"),
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn client_library_submits_evaluates_and_streams_events() {
    let net = network();
    let channel = net.channel();
    let key = unique("client-lib");
    runtime().block_on(async {
        let mut utility = gateway(net.admin("utility")).await;
        let done =
            submit_when_discovered(&mut utility, &Invocation::new(&channel, CC, ["Put", &key, "via-library"])).await;
        assert_eq!(done.response.status, 200);
        assert!(done.block > 0);
        // The peer CLI sees it on another org's peer, and so does the library through that org's gateway.
        let got = net.cli_query_as(net.admin("grid"), CC, &["Get", &key]);
        assert!(got.ok, "{}", got.error);
        assert_eq!(got.text(), "via-library");
        let mut grid = gateway(net.admin("grid")).await;
        let r = grid.evaluate(&Invocation::new(&channel, CC, ["Get", &key])).await.expect("evaluate");
        assert_eq!((r.status, r.payload.as_slice()), (200, b"via-library".as_slice()));

        // A chaincode error is a typed gateway error that carries the chaincode's message.
        let err = grid.evaluate(&Invocation::new(&channel, CC, ["Get", &format!("{key}-missing")])).await;
        let err = err.expect_err("a missing key is a chaincode error");
        assert!(err.status().is_some(), "{err}");
        assert!(err.to_string().contains(&format!("key not found: {key}-missing")), "{err}");

        // Events: the block of an Event transaction holds it.
        let name = unique("client-ev");
        let ev = utility.submit(&Invocation::new(&channel, CC, ["Event", &name, "payload-1"])).await.expect("event");
        let mut stream = grid.events(&channel, CC, Some(ev.block)).await.expect("event stream");
        let block = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .expect("an event within 30 s")
            .expect("stream")
            .expect("a block");
        assert_eq!(block.block_number, ev.block);
        let event = block.events.iter().find(|e| e.event_name == name).expect("our event");
        assert_eq!((event.tx_id.as_str(), event.payload.as_slice()), (ev.tx_id.as_str(), b"payload-1".as_slice()));
    });
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn client_library_errors_are_typed() {
    let net = network();
    let channel = net.channel();
    runtime().block_on(async {
        let mut gw = gateway(net.admin("utility")).await;
        submit_when_discovered(&mut gw, &Invocation::new(&channel, CC, ["Put", &unique("client-ready"), "x"])).await;
        for tamper in [Tamper::Proposal, Tamper::Transaction] {
            let key = unique("client-tamper");
            let err = gw
                .submit_tampered(&Invocation::new(&channel, CC, ["Put", &key, "forged"]), Some(tamper))
                .await
                .expect_err("a broken signature is refused");
            match tamper {
                Tamper::Proposal => assert!(matches!(&err, Error::Rpc { call, .. } if call == "endorse"), "{err}"),
                Tamper::Transaction => assert!(err.to_string().starts_with("submit "), "{err}"),
            }
            assert_eq!(net.cli_query(CC, &["Get", &key]).message(), format!("key not found: {key}"), "{tamper:?}");
        }
        // One org's endorsement under MAJORITY: ordered, committed invalid.
        let key = unique("client-policy");
        let inv = Invocation {
            endorsing_orgs: vec!["UtilityMSP".into()],
            ..Invocation::new(&channel, CC, ["Put", &key, "x"])
        };
        match gw.submit(&inv).await {
            Err(Error::Invalid { code, .. }) => assert_eq!(code, "ENDORSEMENT_POLICY_FAILURE"),
            other => panic!("expected an invalid commit, got {other:?}"),
        }
    });
}
