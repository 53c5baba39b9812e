//! Go-compatibility vectors (`testdata/cid_vectors.json`, written by `tests/go-vectors`), edge cases and
//! property tests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gridledger_protos::msp::{SerializedIdemixIdentity, SerializedIdentity};
use gridledger_protos::prost::Message as _;
use proptest::prelude::*;
use serde_json::Value;

use super::ClientIdentity;
use crate::Error;
use crate::context::TxContext;
use crate::response::Response;
use crate::stub::{ChaincodeStub, HistoryIter, Page, Query, StateIter, WriteOp};

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}

fn creator(mspid: &str, id_bytes: &[u8]) -> Vec<u8> {
    SerializedIdentity { mspid: mspid.into(), id_bytes: id_bytes.to_vec() }.encode_to_vec()
}

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(testdata("cid_vectors.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Go's answers for every fixture certificate and odd creator, reproduced exactly.
#[test]
fn matches_go_cid_vectors() {
    let vectors = vectors();
    assert!(vectors.len() >= 20, "vectors missing: run tests/go-vectors/regen.sh");
    for v in &vectors {
        let name = s(v, "name");
        let creator = match v["pem_file"].as_str() {
            Some(file) => creator(s(v, "mspid"), &std::fs::read(testdata(file)).unwrap()),
            None => hex::decode(s(v, "creator_hex")),
        };
        let ok = v["ok"].as_bool().unwrap();
        let is_idemix = s(v, "error").starts_with("accepted as idemix");
        let got = ClientIdentity::new(&creator);
        if !ok || is_idemix {
            // Go refuses these too, except idemix, which is not supported here.
            let err = got.expect_err(name);
            assert!(matches!(err, Error::InvalidIdentity(_)), "{name}: {err:?}");
            continue;
        }
        let id = got.unwrap_or_else(|e| panic!("{name}: Go accepts it, we said {e}"));
        assert_eq!(id.msp_id(), s(v, "mspid"), "{name}");
        assert_eq!(id.id_unencoded(), s(v, "id_decoded"), "{name}");
        assert_eq!(id.id(), s(v, "id"), "{name}");
        for q in v["attrs"].as_array().unwrap() {
            let want = q["found"].as_bool().unwrap().then(|| s(q, "value").to_owned());
            assert_eq!(id.attribute(s(q, "name")), want, "{name}: attribute {}", s(q, "name"));
        }
        for q in v["has_ou"].as_array().unwrap() {
            assert_eq!(id.has_ou(s(q, "ou")), q["found"].as_bool().unwrap(), "{name}: OU {:?}", s(q, "ou"));
        }
        for q in v["assert"].as_array().unwrap() {
            let got = match id.assert_attribute(s(q, "name"), s(q, "value")) {
                Ok(()) => String::new(),
                Err(e) => e.to_string(),
            };
            assert_eq!(got, s(q, "error"), "{name}: assert {} = {}", s(q, "name"), s(q, "value"));
        }
        assert!(id.certificate().is_ok(), "{name}");
    }
}

/// Tiny local hex decoder (the crate has no hex dependency).
mod hex {
    pub(super) fn decode(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}

#[test]
fn fabric_ca_like_certificate() {
    let pem = std::fs::read(testdata("cid/user1.pem")).unwrap();
    let id = ClientIdentity::new(&creator("Org1MSP", &pem)).unwrap();
    assert_eq!(id.msp_id(), "Org1MSP");
    assert_eq!(id.subject_dn(), "CN=user1,OU=client+OU=org1+OU=department1,O=Hyperledger,ST=North Carolina,C=US");
    assert_eq!(id.issuer_dn(), "CN=ca.org1.example.com,O=org1.example.com,L=Durham,ST=North Carolina,C=US");
    assert_eq!(id.organizational_units(), ["client", "org1", "department1"]);
    assert_eq!(id.attribute("hf.EnrollmentID").as_deref(), Some("user1"));
    assert_eq!(id.attributes().len(), 4);
    assert!(id.assert_attribute("role", "auditor").is_ok());
    let err = id.assert_attribute("role", "admin").unwrap_err();
    assert!(matches!(err, Error::Attribute(_)));
    assert_eq!(err.to_string(), "attribute 'role' equals 'auditor', not 'admin'");
    assert!(id.has_ou("org1") && !id.has_ou("Org1"));
}

#[test]
fn pem_with_leading_text_and_crlf() {
    let pem = std::fs::read_to_string(testdata("cid/ca.pem")).unwrap();
    let messy = format!("subject=whatever\r\n{}", pem.replace('\n', "\r\n"));
    let a = ClientIdentity::new(&creator("M", messy.as_bytes())).unwrap();
    let b = ClientIdentity::new(&creator("M", pem.as_bytes())).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(a.certificate_der(), b.certificate_der());
}

#[test]
fn idemix_and_other_non_x509_creators_are_refused_clearly() {
    let idemix = SerializedIdemixIdentity { nym_x: vec![1], ou: vec![2], ..Default::default() }.encode_to_vec();
    let err = ClientIdentity::new(&creator("IdemixMSP", &idemix)).unwrap_err().to_string();
    assert!(err.contains("idemix") && err.contains("only X.509"), "{err}");
    let err = ClientIdentity::new(&creator("Org1MSP", b"")).unwrap_err().to_string();
    assert!(err.contains("empty id_bytes"), "{err}");
    let err = ClientIdentity::new(&[0xff, 0xff]).unwrap_err().to_string();
    assert!(err.contains("failed to unmarshal transaction invoker's identity"), "{err}");
}

#[test]
fn trailing_data_after_the_der_is_refused() {
    use base64::Engine as _;
    let pem = std::fs::read(testdata("cid/ca.pem")).unwrap();
    let mut der = super::pem::first_block(&pem).unwrap();
    der.push(0);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
    let err = ClientIdentity::new(&creator("M", pem.as_bytes())).unwrap_err().to_string();
    assert!(err.contains("trailing data"), "{err}");
}

#[test]
fn rcgen_certificate_with_attributes() {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CountryName, "US");
    params.distinguished_name.push(rcgen::DnType::OrganizationalUnitName, "admin");
    params.distinguished_name.push(rcgen::DnType::CommonName, "Admin@org1.example.com");
    params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
        &[1, 2, 3, 4, 5, 6, 7, 8, 1],
        br#"{"attrs":{"x":"y"}}"#.to_vec(),
    )];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let id = ClientIdentity::new(&creator("Org1MSP", cert.pem().as_bytes())).unwrap();
    assert_eq!(id.subject_dn(), "CN=Admin@org1.example.com,OU=admin,C=US");
    assert_eq!(id.subject_dn(), id.issuer_dn());
    assert_eq!(id.attribute("x").as_deref(), Some("y"));
    assert!(id.has_ou("admin"));
}

/// A stub that only has a context: enough for [`ClientIdentity::from_stub`].
struct CreatorOnly(TxContext);

impl ChaincodeStub for CreatorOnly {
    fn context(&self) -> &TxContext {
        &self.0
    }
    fn read(&self, _: &str, _: &[&str]) -> crate::Result<Vec<Option<Vec<u8>>>> {
        unreachable!()
    }
    fn write(&self, _: &str, _: &str, _: WriteOp) -> crate::Result<()> {
        unreachable!()
    }
    fn read_private_hash(&self, _: &str, _: &str) -> crate::Result<Option<Vec<u8>>> {
        unreachable!()
    }
    fn read_metadata(&self, _: &str, _: &str) -> crate::Result<BTreeMap<String, Vec<u8>>> {
        unreachable!()
    }
    fn scan(&self, _: &str, _: Query) -> crate::Result<StateIter<'_>> {
        unreachable!()
    }
    fn scan_page(&self, _: Query, _: i32, _: &str) -> crate::Result<Page> {
        unreachable!()
    }
    fn history(&self, _: &str) -> crate::Result<HistoryIter<'_>> {
        unreachable!()
    }
    fn invoke_chaincode(&self, _: &str, _: &[Vec<u8>], _: &str) -> crate::Result<Response> {
        unreachable!()
    }
    fn set_event(&self, _: &str, _: &[u8]) -> crate::Result<()> {
        unreachable!()
    }
}

#[test]
fn from_stub_reads_the_creator() {
    let pem = std::fs::read(testdata("cid/user1.pem")).unwrap();
    let stub = CreatorOnly(TxContext::new("ch", "tx1", vec![]).with_creator(creator("Org1MSP", &pem)));
    let id = ClientIdentity::from_stub(&stub).unwrap();
    assert_eq!(id.msp_id(), "Org1MSP");
    assert!(ClientIdentity::from_stub(&CreatorOnly(TxContext::new("ch", "tx2", vec![]))).is_err());
}

proptest! {
    #[test]
    fn arbitrary_creators_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = ClientIdentity::new(&bytes);
    }

    #[test]
    fn arbitrary_id_bytes_never_panic(mspid in ".{0,8}", id_bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = ClientIdentity::new(&creator(&mspid, &id_bytes));
    }

    /// A real certificate, corrupted: flipped bytes in the DER, re-wrapped as PEM.
    #[test]
    fn corrupted_certificates_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                                          cut in any::<prop::sample::Index>()) {
        use base64::Engine as _;
        let pem = std::fs::read(testdata("cid/escaping.pem")).unwrap();
        let mut der = super::pem::first_block(&pem).unwrap();
        for (at, byte) in flips {
            let i = at.index(der.len());
            der[i] ^= byte;
        }
        der.truncate(cut.index(der.len() + 1));
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        if let Ok(id) = ClientIdentity::new(&creator("M", pem.as_bytes())) {
            let _ = (id.id(), id.certificate());
        }
    }

    #[test]
    fn arbitrary_attribute_json_never_panics(json in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = super::attrs::parse(&json);
    }
}
