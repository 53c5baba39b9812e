use proptest::prelude::*;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

use super::*;

const CERT: &str = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";

fn signer() -> Signer {
    super::tests_support::signer("Org1MSP")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn signatures_are_low_s_and_verify(msg in proptest::collection::vec(any::<u8>(), 0..256)) {
        let s = signer();
        let sig = s.sign(&msg).expect("sign");
        let (_, low) = ecdsa::parse(&sig).expect("der");
        prop_assert!(ecdsa::is_low_s(&low));
        let pk = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, s.public_key());
        prop_assert!(pk.verify(&msg, &sig).is_ok());
    }
}

#[test]
fn creator_is_serialized_identity() {
    let s = signer();
    let id = SerializedIdentity::decode(s.creator().as_slice()).expect("decode");
    assert_eq!(id.mspid, "Org1MSP");
    assert_eq!(id.id_bytes, CERT.as_bytes());
}

/// A throwaway test key (openssl ecparam -genkey -name prime256v1), as SEC1 and as PKCS#8.
const SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKUt2AHj6xix4pYCK4aV+QlHQSJGbIqmIP9R55WPGNuVoAoGCCqGSM49
AwEHoUQDQgAE14Uh0TlhB8Z5EH21ZZQCYU/SjBTG3w95hwU7va7B5IQY2mytLM48
7l/WxL2KBBOdWTx6g2qqNdqepmRv2e7nyA==
-----END EC PRIVATE KEY-----
";
const PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpS3YAePrGLHilgIr
hpX5CUdBIkZsiqYg/1HnlY8Y25WhRANCAATXhSHROWEHxnkQfbVllAJhT9KMFMbf
D3mHBTu9rsHkhBjabK0szjzuX9bEvYoEE51ZPHqDaqo12p6mZG/Z7ufI
-----END PRIVATE KEY-----
";

#[test]
fn sec1_and_pkcs8_load_the_same_key() {
    let a = Signer::from_pem("M", CERT.as_bytes(), SEC1.as_bytes()).expect("SEC1");
    let b = Signer::from_pem("M", CERT.as_bytes(), PKCS8.as_bytes()).expect("PKCS#8");
    assert_eq!(a.public_key(), b.public_key());
    let sig = a.sign(b"msg").expect("sign");
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, b.public_key()).verify(b"msg", &sig).expect("verifies");
}

#[test]
fn pem_written_is_pem_read() {
    let text = to_pem("PRIVATE KEY", &[1, 2, 3]);
    assert_eq!(text, "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n");
    let two = format!("{CERT}{text}");
    assert_eq!(pem_blocks(two.as_bytes(), "PRIVATE KEY").expect("pem"), vec![vec![1, 2, 3]]);
    assert!(pem_blocks(b"-----BEGIN X-----\n!!\n-----END X-----\n", "X").is_err());
}

#[test]
fn missing_key_block_explained() {
    let err = Signer::from_pem("M", CERT.as_bytes(), b"nothing").expect_err("no key");
    assert!(err.to_string().contains("PKCS#8"), "{err}");
    let err = Signer::from_pem("M", b"nothing", PKCS8.as_bytes()).expect_err("no cert");
    assert!(err.to_string().contains("CERTIFICATE"), "{err}");
}

#[test]
fn msp_directories_hold_one_file() {
    let dir = std::env::temp_dir().join(format!("gridledger-client-msp-{}", std::process::id()));
    for sub in ["signcerts", "keystore"] {
        std::fs::create_dir_all(dir.join(sub)).expect("dir");
    }
    std::fs::write(dir.join("signcerts/cert.pem"), CERT).expect("cert");
    let err = Signer::from_msp_dir("M", &dir).expect_err("no key yet");
    assert!(err.to_string().ends_with("keystore: holds no file"), "{err}");
    std::fs::write(dir.join("keystore/a_sk"), PKCS8).expect("key");
    let s = Signer::from_msp_dir("M", &dir).expect("identity");
    assert_eq!(s.msp_id(), "M");
    std::fs::write(dir.join("keystore/b_sk"), SEC1).expect("key");
    assert!(Signer::from_msp_dir("M", &dir).expect_err("two keys").to_string().contains("holds 2 files"));
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
