use std::collections::HashMap;

use base64::Engine;

use super::*;

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

fn mode(vars: &[(&str, &str)], args: &[&str]) -> Result<Mode> {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let files = |path: &str| -> Result<Vec<u8>> {
        match path {
            "/pem" => Ok(PEM.as_bytes().to_vec()),
            "/b64" => Ok(base64::engine::general_purpose::STANDARD.encode(PEM).into_bytes()),
            "/junk" => Ok(b"hello".to_vec()),
            other => Err(Error::Config(format!("cannot read {other}: no such file"))),
        }
    };
    Mode::from_lookup(|n| vars.get(n).cloned(), &args, &files)
}

fn err(vars: &[(&str, &str)], args: &[&str]) -> String {
    mode(vars, args).unwrap_err().to_string()
}

#[test]
fn server_mode_plaintext() {
    let Mode::Server(cfg) =
        mode(&[("CHAINCODE_SERVER_ADDRESS", "127.0.0.1:9999"), ("CHAINCODE_ID", "kv:1")], &[]).unwrap()
    else {
        panic!("expected server mode")
    };
    assert_eq!(cfg.chaincode_id, "kv:1");
    assert_eq!(cfg.address.port(), 9999);
    assert!(cfg.tls.is_none());
}

#[test]
fn server_mode_mutual_tls_from_fabric_samples_names() {
    let vars = [
        ("CHAINCODE_SERVER_ADDRESS", "0.0.0.0:7052"),
        ("CORE_CHAINCODE_ID_NAME", "kv:1"),
        ("CHAINCODE_TLS_CERT", "/pem"),
        ("CHAINCODE_TLS_KEY", PEM),
        ("CHAINCODE_CLIENT_CA_CERT", "/pem"),
    ];
    let Mode::Server(cfg) = mode(&vars, &[]).unwrap() else { panic!("expected server mode") };
    let tls = cfg.tls.unwrap();
    assert!(tls.client_ca.is_some());
    assert_eq!(tls.key, PEM.as_bytes());
}

#[test]
fn server_tls_disabled_wins() {
    let vars = [
        ("CHAINCODE_SERVER_ADDRESS", "127.0.0.1:1"),
        ("CHAINCODE_ID", "kv:1"),
        ("CHAINCODE_TLS_DISABLED", "true"),
        ("CHAINCODE_TLS_CERT", "/pem"),
    ];
    let Mode::Server(cfg) = mode(&vars, &[]).unwrap() else { panic!("expected server mode") };
    assert!(cfg.tls.is_none());
}

#[test]
fn server_errors_are_clear() {
    let base = [("CHAINCODE_SERVER_ADDRESS", "127.0.0.1:1"), ("CHAINCODE_ID", "kv:1")];
    assert!(err(&[("CHAINCODE_SERVER_ADDRESS", "127.0.0.1:1")], &[]).contains("CHAINCODE_ID"));
    assert!(err(&[("CHAINCODE_SERVER_ADDRESS", "nowhere"), ("CHAINCODE_ID", "a")], &[]).contains("ip:port"));
    let cert_only = [base[0], base[1], ("CHAINCODE_TLS_CERT", "/pem")];
    assert!(err(&cert_only, &[]).contains("CHAINCODE_TLS_KEY is not"));
    let key_only = [base[0], base[1], ("CHAINCODE_TLS_KEY", "/pem")];
    assert!(err(&key_only, &[]).contains("CHAINCODE_TLS_CERT is not"));
    let missing = [base[0], base[1], ("CHAINCODE_TLS_CERT", "/nope"), ("CHAINCODE_TLS_KEY", "/pem")];
    assert!(err(&missing, &[]).contains("cannot read /nope"));
    let junk = [base[0], base[1], ("CHAINCODE_TLS_CERT", "/junk"), ("CHAINCODE_TLS_KEY", "/pem")];
    assert!(err(&junk, &[]).contains("does not contain PEM"));
}

#[test]
fn server_tls_from_core_names() {
    let vars = [
        ("CHAINCODE_SERVER_ADDRESS", "127.0.0.1:1"),
        ("CHAINCODE_ID", "kv:1"),
        ("CORE_PEER_TLS_ENABLED", "TRUE"),
        ("CORE_TLS_CLIENT_CERT_PATH", "/b64"),
        ("CORE_TLS_CLIENT_KEY_FILE", "/pem"),
    ];
    let Mode::Server(cfg) = mode(&vars, &[]).unwrap() else { panic!("expected server mode") };
    let tls = cfg.tls.unwrap();
    assert_eq!(tls.cert, PEM.as_bytes());
    assert!(tls.client_ca.is_none());
}

#[test]
fn client_mode_reads_every_flag_spelling() {
    for args in [
        &["-peer.address=peer0:7052"][..],
        &["-peer.address", "peer0:7052"],
        &["--peer.address", "peer0:7052"],
        &["--peerAddress=peer0:7052"],
    ] {
        let Mode::Client(cfg) = mode(&[("CORE_CHAINCODE_ID_NAME", "kv:1")], args).unwrap() else {
            panic!("expected client mode")
        };
        assert_eq!(cfg.peer_address, "peer0:7052", "{args:?}");
    }
    let Mode::Client(cfg) = mode(&[("CORE_CHAINCODE_ID_NAME", "kv:1"), ("CORE_PEER_ADDRESS", "p:1")], &[]).unwrap()
    else {
        panic!("expected client mode")
    };
    assert_eq!(cfg.peer_address, "p:1");
}

#[test]
fn client_mutual_tls_prefers_raw_pem_files() {
    let vars = [
        ("CORE_CHAINCODE_ID_NAME", "kv:1"),
        ("CORE_PEER_TLS_ENABLED", "true"),
        ("CORE_PEER_TLS_ROOTCERT_FILE", "/pem"),
        ("CORE_TLS_CLIENT_CERT_FILE", "/pem"),
        ("CORE_TLS_CLIENT_CERT_PATH", "/junk"),
        ("CORE_TLS_CLIENT_KEY_PATH", "/b64"),
    ];
    let Mode::Client(cfg) = mode(&vars, &["-peer.address=p:7052"]).unwrap() else { panic!("expected client mode") };
    let tls = cfg.tls.unwrap();
    assert_eq!((tls.cert.as_slice(), tls.key.as_slice()), (PEM.as_bytes(), PEM.as_bytes()));
}

#[test]
fn client_errors_are_clear() {
    assert!(err(&[("CORE_CHAINCODE_ID_NAME", "kv:1")], &[]).contains("no peer address"));
    assert!(err(&[("CORE_CHAINCODE_ID_NAME", "kv:1")], &["-peer.address"]).contains("needs a value"));
    assert!(err(&[("CORE_CHAINCODE_ID_NAME", "a")], &["-peer.address=nohost"]).contains("host:port"));
    assert!(err(&[], &["-peer.address=p:1"]).contains("CHAINCODE_ID"));
    let bad_bool = [("CORE_CHAINCODE_ID_NAME", "a"), ("CORE_PEER_TLS_ENABLED", "yes")];
    assert!(err(&bad_bool, &["-peer.address=p:1"]).contains("not a boolean"));
    let no_root = [("CORE_CHAINCODE_ID_NAME", "a"), ("CORE_PEER_TLS_ENABLED", "true")];
    assert!(err(&no_root, &["-peer.address=p:1"]).contains("ROOTCERT"));
    let no_pair = [no_root[0], no_root[1], ("CORE_PEER_TLS_ROOTCERT_FILE", "/pem")];
    assert!(err(&no_pair, &["-peer.address=p:1"]).contains("certificate or key is missing"));
    let bad_b64 = [
        no_pair[0],
        no_pair[1],
        no_pair[2],
        ("CORE_TLS_CLIENT_CERT_PATH", "/pem"),
        ("CORE_TLS_CLIENT_KEY_FILE", "/pem"),
    ];
    assert!(err(&bad_b64, &["-peer.address=p:1"]).contains("not base64"));
}
