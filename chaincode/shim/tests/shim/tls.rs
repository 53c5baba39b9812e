//! TLS and mutual TLS in both modes.

use gridledger_testkit::mock_peer::PeerOptions;
use gridledger_testkit::mock_peer::tls::TestPki;

use crate::support::{Mode, TlsSetup, connect};

async fn serves(mode: Mode, tls: TlsSetup) {
    let h = connect(mode, PeerOptions::fabric_2_5(), Some(tls)).await.expect("TLS connection");
    h.conn.handshake().await.unwrap();
    h.ok("t1", &["put", "k", "v"]).await;
    assert_eq!(h.ok("t2", &["get", "k"]).await, "v");
    h.assert_clean();
}

fn ccaas(pki: &TestPki, mutual: bool, peer_cert: bool) -> TlsSetup {
    TlsSetup {
        server: Some(pki.chaincode_server_tls(mutual)),
        dial: Some(pki.dial_tls(peer_cert)),
        client: None,
        listen: None,
    }
}

#[tokio::test]
async fn ccaas_over_tls_and_mutual_tls() {
    let pki = TestPki::new().unwrap();
    serves(Mode::Ccaas, ccaas(&pki, false, false)).await;
    serves(Mode::Ccaas, ccaas(&pki, true, true)).await;
}

#[tokio::test]
async fn mutual_tls_ccaas_refuses_a_peer_without_a_certificate() {
    let pki = TestPki::new().unwrap();
    let refused = match connect(Mode::Ccaas, PeerOptions::fabric_2_5(), Some(ccaas(&pki, true, false))).await {
        Err(_) => true,
        // With TLS 1.3 the client may finish its handshake before the server rejects it: then the stream fails.
        Ok(h) => h.conn.handshake().await.is_err(),
    };
    assert!(refused, "a mutual-TLS chaincode server must refuse a client without a certificate");

    let stranger = TestPki::new().unwrap();
    let mut wrong_ca = ccaas(&pki, true, true);
    wrong_ca.dial.as_mut().unwrap().identity = Some(stranger.client.clone());
    let refused = match connect(Mode::Ccaas, PeerOptions::fabric_2_5(), Some(wrong_ca)).await {
        Err(_) => true,
        Ok(h) => h.conn.handshake().await.is_err(),
    };
    assert!(refused, "a client certificate from another CA is refused");
}

#[tokio::test]
async fn ccaas_tls_server_refuses_plaintext() {
    let pki = TestPki::new().unwrap();
    let plain = TlsSetup { server: Some(pki.chaincode_server_tls(false)), dial: None, client: None, listen: None };
    let refused = match connect(Mode::Ccaas, PeerOptions::fabric_2_5(), Some(plain)).await {
        Err(_) => true,
        Ok(h) => h.conn.handshake().await.is_err(),
    };
    assert!(refused);
}

fn classic(pki: &TestPki, chaincode: &TestPki) -> TlsSetup {
    TlsSetup {
        server: None,
        dial: None,
        client: Some(chaincode.chaincode_client_tls()),
        listen: Some(pki.listen_tls(true)),
    }
}

#[tokio::test]
async fn classic_mode_over_mutual_tls() {
    let pki = TestPki::new().unwrap();
    serves(Mode::Classic, classic(&pki, &pki)).await;
    let server_only = TlsSetup { listen: Some(pki.listen_tls(false)), ..classic(&pki, &pki) };
    serves(Mode::Classic, server_only).await;
}

#[tokio::test]
async fn classic_mode_is_refused_with_a_client_certificate_from_another_ca() {
    let pki = TestPki::new().unwrap();
    let stranger = TestPki::new().unwrap();
    let mut setup = classic(&pki, &pki);
    let mut client = stranger.chaincode_client_tls();
    client.root_cert = pki.ca_pem.clone().into_bytes();
    setup.client = Some(client);
    let refused = match connect(Mode::Classic, PeerOptions::fabric_2_5(), Some(setup)).await {
        Err(_) => true,
        Ok(h) => h.conn.handshake().await.is_err(),
    };
    assert!(refused, "the peer's listener requires a certificate from its CA");
}
