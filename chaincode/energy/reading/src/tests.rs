use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

fn sample() -> Reading {
    Reading {
        meter_id: "m-1".into(),
        interval_start: 1_700_000_100,
        register: "1.8.0".into(),
        wh: 250,
        counter: 42,
        signature: String::new(),
    }
}

#[test]
fn encoding_is_the_documented_layout() {
    let hex: String = canonical_bytes(&sample(), 900).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "474c5231\
         0003 6d2d31\
         000000006553f164\
         00000384\
         0005 312e382e30\
         00000000000000fa\
         000000000000002a"
            .replace(' ', "")
    );
}

#[test]
fn sign_then_verify() {
    let (signer, pkcs8) = Signer::generate().unwrap();
    let mut r = sample();
    r.signature = sign(&r, &pkcs8).unwrap();
    let key = signer.public_key_base64();
    assert!(verify(&r, 900, &key));
    assert!(!verify(&r, 300, &key), "the interval length is signed");
    let mut changed = r.clone();
    changed.wh += 1;
    assert!(!verify(&changed, 900, &key));
    assert!(MeterKey::from_base64(&key).is_ok());
}

#[test]
fn bad_keys() {
    assert!(matches!(MeterKey::from_base64("!!"), Err(KeyError::Base64(_))));
    assert_eq!(MeterKey::from_base64(&STANDARD.encode([4u8; 33])).unwrap_err(), KeyError::Shape(33));
    assert!(matches!(MeterKey::from_base64(&STANDARD.encode([4u8; 200])), Err(KeyError::Shape(_))));
    let (signer, _) = Signer::generate().unwrap();
    let mut raw = STANDARD.decode(signer.public_key_base64()).unwrap();
    raw[0] = 0x03;
    assert_eq!(MeterKey::from_base64(&STANDARD.encode(&raw)).unwrap_err(), KeyError::Shape(65));
    raw[0] = 0x04;
    raw[64] ^= 1;
    assert_eq!(MeterKey::from_base64(&STANDARD.encode(&raw)).unwrap_err(), KeyError::NotOnCurve);
    assert!(matches!(Signer::from_pkcs8(b"nope"), Err(KeyError::Pkcs8(_))));
}

/// The test vector: a fixed key (the PKCS#8 below, an openssl-generated throwaway), a reading with a non-ASCII
/// meter id, a negative Wh, a counter above 2^32 and a 300 s interval, its canonical bytes, and a signature made
/// and verified by the metering crate's own signer and verifier before this crate existed (main at 4d56bc1).
/// ECDSA signatures are randomized, so the pinned signature proves verification; signing is proven by verifying
/// what this crate signs under the pinned public key.
mod vector {
    use super::*;

    const PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpS3YAePrGLHilgIrhpX5CUdBIkZsiqYg/1HnlY8Y25WhRANCAATXhSHROWEHxnkQfbVllAJhT9KMFMbfD3mHBTu9rsHkhBjabK0szjzuX9bEvYoEE51ZPHqDaqo12p6mZG/Z7ufI";
    const PUBLIC_KEY: &str = "BNeFIdE5YQfGeRB9tWWUAmFP0owUxt8PeYcFO72uweSEGNpsrSzOPO5f1sS9igQTnVk8eoNqqjXanqZkb9nu58g=";
    const CANONICAL: &str = "474c523100096d657465722dc3a431000000006553f1640000012c0005322e382e30fffffffffffffb2e\
                             0000000218711a01";
    const JSON: &str = r#"{"meterId":"meter-ä1","intervalStart":1700000100,"register":"2.8.0","wh":-1234,"counter":9000000001,"signature":"MEYCIQDkg2SNhVE4Z0UOFH1MIq/IMrjP/YShAJ57Avy4//Cy6QIhAN15A6JJrrE/WN5EyNx9I1cdWEom64DLgSG7DvwQqtkP"}"#;

    fn reading() -> Reading {
        serde_json::from_str(JSON).expect("the reading JSON")
    }

    #[test]
    fn the_encoding_and_json_are_the_ledgers() {
        let r = reading();
        assert_eq!((r.meter_id.as_str(), r.wh, r.counter), ("meter-ä1", -1234, 9_000_000_001));
        let hex: String = canonical_bytes(&r, 300).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, CANONICAL);
        assert_eq!(serde_json::to_string(&r).expect("json"), JSON, "field names and order as stored");
    }

    #[test]
    fn the_old_signature_verifies_and_nothing_else_does() {
        let r = reading();
        assert!(verify(&r, 300, PUBLIC_KEY));
        assert!(!verify(&r, 900, PUBLIC_KEY), "the interval length is signed");
        let key = MeterKey::from_base64(PUBLIC_KEY).expect("key on the curve");
        assert!(key.verify(&r, 300, &mut Vec::new()));
        let mut other = r.clone();
        other.counter += 1;
        assert!(!key.verify(&other, 300, &mut Vec::new()));
    }

    #[test]
    fn the_fixed_key_signs_what_the_old_verifier_accepted() {
        let signer = Signer::from_pkcs8(&STANDARD.decode(PKCS8).expect("base64")).expect("key");
        assert_eq!(signer.public_key_base64(), PUBLIC_KEY);
        let mut r = reading();
        r.signature = signer.sign(&r, 300).expect("sign");
        assert!(verify(&r, 300, PUBLIC_KEY));
    }
}

#[test]
fn a_signed_reading_verifies_and_carries_its_fields() {
    let (signer, _) = Signer::generate().unwrap();
    let r = signer.reading("m-1", 1_700_000_100, "1.8.0", 250, 42, 900).unwrap();
    assert_eq!(Reading { signature: String::new(), ..r.clone() }, sample());
    assert!(verify(&r, 900, &signer.public_key_base64()));
    assert!(!verify(&r, 60, &signer.public_key_base64()), "the interval length is part of what is signed");
}
