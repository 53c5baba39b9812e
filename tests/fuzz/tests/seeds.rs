//! Writes the seed corpora (`corpus/<target>/`): `cargo test -p gridledger-fuzz --test seeds -- --ignored`.
//! Seeds are valid inputs that reach deep: a whole handshake and transaction, a real creator, a policy we encode, a
//! registry → metering → trade session with a signed reading. Regenerating changes keys and certificates, not what
//! the seeds exercise.

use std::fs;
use std::path::{Path, PathBuf};

use gridledger_fuzz::contracts::{CAST, CHAINCODES, call_byte};
use gridledger_metering::{Reading, Signer};
use gridledger_protos::common::{ChannelHeader, Header, HeaderType, SignatureHeader};
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    ChaincodeAdditionalParams, ChaincodeInput, ChaincodeMessage, ChaincodeProposalPayload, Proposal,
};
use gridledger_protos::prost::Message as _;
use gridledger_shim::statebased::{KeyEndorsementPolicy, RoleType};
use serde_json::json;

fn dir(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    fs::create_dir_all(&dir).expect("corpus folder");
    dir
}

fn msg(kind: Type, txid: &str, payload: Vec<u8>) -> ChaincodeMessage {
    ChaincodeMessage {
        r#type: kind as i32,
        txid: txid.into(),
        channel_id: "energy".into(),
        payload,
        ..Default::default()
    }
}

fn stream(messages: &[ChaincodeMessage]) -> Vec<u8> {
    messages.iter().flat_map(|m| m.encode_length_delimited_to_vec()).collect()
}

fn who(name: &str) -> usize {
    CAST.iter().position(|(_, n, _)| *n == name).expect("a cast member")
}

fn cc(name: &str) -> usize {
    CHAINCODES.iter().position(|n| *n == name).expect("a chaincode")
}

fn call(chaincode: &str, caller: &str, args: &[&str]) -> Vec<u8> {
    let mut out = vec![call_byte(cc(chaincode), who(caller))];
    out.extend(args.join("\u{0}").into_bytes());
    out
}

fn session(calls: &[Vec<u8>]) -> Vec<u8> {
    calls.join(&0xFF)
}

const MARKET: &str =
    r#"{"gateClosureSeconds":300,"gridFeePerKwh":2,"imbalanceShortPerKwh":30,"imbalanceLongPerKwh":5}"#;

#[test]
#[ignore = "writes the seed corpora; run by hand"]
fn write_seed_corpora() {
    let input = ChaincodeInput { args: vec![b"Put".to_vec(), b"k".to_vec(), b"v".to_vec()], ..Default::default() };
    let params = ChaincodeAdditionalParams {
        use_write_batch: true,
        max_size_write_batch: 1000,
        use_get_multiple_keys: true,
        max_size_get_multiple_keys: 1000,
    };
    let d = dir("shim-messages");
    let handshake = [msg(Type::Registered, "", vec![]), msg(Type::Ready, "", params.encode_to_vec())];
    let mut tx = handshake.to_vec();
    tx.extend([
        msg(Type::Transaction, "tx1", input.encode_to_vec()),
        msg(Type::Response, "tx1", b"value".to_vec()),
        msg(Type::Keepalive, "", vec![]),
        msg(Type::Error, "tx1", b"no".to_vec()),
    ]);
    fs::write(d.join("handshake-and-transaction"), stream(&tx)).unwrap();
    fs::write(d.join("transaction-before-ready"), stream(&[msg(Type::Transaction, "tx0", vec![1, 2])])).unwrap();
    fs::write(d.join("empty-ready"), stream(&[msg(Type::Registered, "", vec![]), msg(Type::Ready, "", vec![])]))
        .unwrap();

    let d = dir("shim-proposal");
    let channel = ChannelHeader {
        r#type: HeaderType::EndorserTransaction as i32,
        channel_id: "energy".into(),
        tx_id: "tx1".into(),
        epoch: 3,
        timestamp: Some(gridledger_protos::prost_types::Timestamp { seconds: 1_704_067_200, nanos: 5 }),
        ..Default::default()
    };
    let signature = SignatureHeader { creator: b"creator bytes".to_vec(), nonce: vec![7; 24] };
    let header = Header { channel_header: channel.encode_to_vec(), signature_header: signature.encode_to_vec() };
    let payload = ChaincodeProposalPayload {
        input: b"input".to_vec(),
        transient_map: [("price".to_string(), b"12".to_vec())].into_iter().collect(),
    };
    let proposal = Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), extension: vec![] };
    fs::write(d.join("endorser-transaction"), proposal.encode_to_vec()).unwrap();

    let d = dir("shim-identity");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["peer0".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "alice");
    params.distinguished_name.push(rcgen::DnType::OrganizationalUnitName, "client");
    let attrs = serde_json::to_vec(&json!({"attrs": {"gridledger.role": "prosumer", "hf.EnrollmentID": "alice"}}));
    params.custom_extensions =
        vec![rcgen::CustomExtension::from_oid_content(&[1, 2, 3, 4, 5, 6, 7, 8, 1], attrs.unwrap())];
    let pem = params.self_signed(&key).unwrap().pem();
    let creator = SerializedIdentity { mspid: "ProsumerMSP".into(), id_bytes: pem.into_bytes() };
    fs::write(d.join("fabric-ca-user"), creator.encode_to_vec()).unwrap();

    let d = dir("ocmf-record");
    let vectors =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../chaincode/energy/metering/testdata/ocmf/vectors.json");
    let vectors: serde_json::Value = serde_json::from_slice(&fs::read(vectors).unwrap()).unwrap();
    for v in vectors["records"].as_array().unwrap() {
        fs::write(d.join(v["name"].as_str().unwrap()), v["record"].as_str().unwrap()).unwrap();
    }

    let d = dir("client-identity");
    let user_key = rcgen::KeyPair::generate().unwrap();
    let mut user = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    user.distinguished_name.push(rcgen::DnType::CommonName, "user1");
    let mut both = user.self_signed(&user_key).unwrap().pem().into_bytes();
    both.push(0xFF);
    both.extend(user_key.serialize_pem().into_bytes());
    fs::write(d.join("cert-and-pkcs8-key"), both).unwrap();

    let d = dir("shim-key-policy");
    let mut policy = KeyEndorsementPolicy::new(None).unwrap();
    policy.add_orgs(RoleType::Member, &["GridMSP", "UtilityMSP"]).unwrap();
    policy.add_orgs(RoleType::Peer, &["ProsumerMSP"]).unwrap();
    fs::write(d.join("three-orgs"), policy.policy()).unwrap();

    let d = dir("shim-composite-key");
    fs::write(d.join("asset-by-owner"), "owner\u{1}ProsumerMSP\u{1}alice\u{1}pv-1").unwrap();

    let d = dir("contract-calls");
    let asset = json!({"id": "pv-1", "kind": "pv", "nameplateW": 4000, "connectionPoint": "cp-1",
        "location": {"lat": "52.52", "lon": "13.40"}, "commissioned": "2024-01-01"});
    let (signer, _pkcs8) = Signer::generate().unwrap();
    let meter = json!({"id": "m-1", "assetId": "pv-1", "publicKey": signer.public_key_base64(),
        "registers": ["1.8.0", "2.8.0"], "intervalSeconds": 900});
    let mut reading = Reading {
        meter_id: "m-1".into(),
        interval_start: 1_704_066_300,
        register: "2.8.0".into(),
        wh: 900,
        counter: 1,
        signature: String::new(),
    };
    reading.signature = signer.sign(&reading, 900).unwrap();
    let batch = serde_json::to_string(&[reading]).unwrap();
    fs::write(
        d.join("asset-meter-reading"),
        session(&[
            call("registry", "alice", &["RegisterAsset", &asset.to_string()]),
            call("registry", "gridop", &["ApproveConnection", "pv-1"]),
            call("metering", "installer", &["RegisterMeter", &meter.to_string()]),
            call("metering", "head-end", &["SubmitReadings", &batch]),
        ]),
    )
    .unwrap();
    fs::write(
        d.join("queries"),
        session(&[
            call("registry", "alice", &["GetRoles"]),
            call("registry", "alice", &["AssetsByOwner", "ProsumerMSP", "x", "10", ""]),
            call("trade", "alice", &["Balance", "alice"]),
            call("metering", "alice", &["org.hyperledger.fabric:GetMetadata"]),
        ]),
    )
    .unwrap();
    fs::write(
        d.join("order"),
        session(&[
            call("trade", "gridop", &["SetMarketConfig", MARKET]),
            call("trade", "alice", &["PlaceOrder", "1704068100", "sell", "1000", "12"]),
        ]),
    )
    .unwrap();
}
