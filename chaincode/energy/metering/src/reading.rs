//! Readings: the JSON a gateway submits, the canonical bytes a meter signs, and signing and verification.
//!
//! The canonical encoding (DESIGN.md, big-endian, no padding):
//! `"GLR1"`, u16 length + meter id (UTF-8), i64 interval start, u32 interval length, u16 length + register
//! (ASCII), i64 Wh, u64 counter. The meter signs it with ECDSA P-256 over SHA-256, DER-encoded.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridledger_contract::{Fields, Object};
use ring::rand::SystemRandom;
use ring::signature::UnparsedPublicKey;
use ring::signature::{ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};

use crate::point;

/// The first four bytes of every encoded reading.
pub const MAGIC: [u8; 4] = *b"GLR1";
/// The length of an uncompressed P-256 public key: `0x04 || x || y`.
pub const PUBLIC_KEY_LEN: usize = 65;
/// The default meter interval, seconds (a meter's `intervalSeconds` is one of
/// [`ALLOWED_LENGTHS`](gridledger_energy_common::interval::ALLOWED_LENGTHS)).
pub const STANDARD_INTERVAL: u32 = gridledger_energy_common::interval::DEFAULT_LENGTH;
/// The longest DER ECDSA P-256 signature is 72 bytes; room to spare for the base64 decoder's estimate.
const SIGNATURE_BUFFER: usize = 96;

/// One signed interval reading, as submitted and as stored in the `meterReadings` collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reading {
    /// The meter that measured it.
    pub meter_id: String,
    /// The interval's start, Unix seconds, aligned to the meter's interval.
    pub interval_start: i64,
    /// The OBIS register: `1.8.0` (import) or `2.8.0` (export).
    pub register: String,
    /// The energy in the interval, Wh.
    pub wh: i64,
    /// The meter's message counter: strictly increasing per meter.
    pub counter: u64,
    /// Base64 of the DER ECDSA P-256 signature over [`canonical_bytes`].
    pub signature: String,
}

impl Object for Reading {
    const NAME: &'static str = "Reading";
    fn describe(fields: &mut Fields<'_>) {
        fields
            .field::<String>("meterId")
            .field::<i64>("intervalStart")
            .field::<String>("register")
            .field::<i64>("wh")
            .field::<u64>("counter")
            .field::<String>("signature");
    }
}

/// The bytes a meter signs for `reading` (its `signature` is not part of them).
///
/// ```
/// use gridledger_metering::reading::{Reading, canonical_bytes};
/// let r = Reading { meter_id: "m-1".into(), interval_start: 900, register: "1.8.0".into(), wh: 5, counter: 7,
///                   signature: String::new() };
/// let bytes = canonical_bytes(&r, 900);
/// assert_eq!(&bytes[..4], b"GLR1");
/// assert_eq!(bytes.len(), 4 + 2 + 3 + 8 + 4 + 2 + 5 + 8 + 8);
/// ```
///
/// # Panics
/// If the meter id or the register is longer than 65,535 bytes (their lengths are u16). The contract never gets
/// here with such a reading: it refuses ids longer than 128 bytes and registers other than the OBIS codes it knows.
pub fn canonical_bytes(reading: &Reading, interval_seconds: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(reading));
    encode_into(reading, interval_seconds, &mut out);
    out
}

fn encoded_len(r: &Reading) -> usize {
    4 + 2 + r.meter_id.len() + 8 + 4 + 2 + r.register.len() + 8 + 8
}

/// Writes the canonical bytes into `out` (cleared first), so a caller can reuse one buffer for a whole batch.
///
/// # Panics
/// As [`canonical_bytes`].
pub fn encode_into(reading: &Reading, interval_seconds: u32, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(encoded_len(reading));
    out.extend_from_slice(&MAGIC);
    push_text(out, &reading.meter_id);
    out.extend_from_slice(&reading.interval_start.to_be_bytes());
    out.extend_from_slice(&interval_seconds.to_be_bytes());
    push_text(out, &reading.register);
    out.extend_from_slice(&reading.wh.to_be_bytes());
    out.extend_from_slice(&reading.counter.to_be_bytes());
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    let len = u16::try_from(text.len()).expect("text fields of a reading are at most 65,535 bytes");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// What went wrong with a key or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The public key is not base64.
    #[error("public key is not base64: {0}")]
    Base64(String),
    /// The public key is not 65 bytes starting with 0x04.
    #[error("public key must be a 65-byte uncompressed P-256 point (0x04 || x || y), got {0} bytes")]
    Shape(usize),
    /// The coordinates are not a point of P-256.
    #[error("public key is not a point on the P-256 curve")]
    NotOnCurve,
    /// The PKCS#8 document is not a P-256 ECDSA key.
    #[error("not a PKCS#8 P-256 ECDSA private key: {0}")]
    Pkcs8(String),
    /// Signing failed (the system random generator failed).
    #[error("signing failed")]
    Sign,
}

/// A meter's public key, ready to verify readings. Build it once per meter and transaction.
#[derive(Debug, Clone)]
pub struct MeterKey {
    key: UnparsedPublicKey<[u8; PUBLIC_KEY_LEN]>,
}

impl MeterKey {
    /// Decodes a base64 key and checks that it is a point of P-256 (what `RegisterMeter` requires).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let key = Self::decode(text)?;
        if !point::is_on_p256(key.key.as_ref()) {
            return Err(KeyError::NotOnCurve);
        }
        Ok(key)
    }

    /// Decodes a base64 key without the curve check: for keys already checked at registration (ring still
    /// refuses a bad point when verifying, so this cannot accept a forged reading).
    pub fn from_base64_unchecked(text: &str) -> Result<Self, KeyError> {
        Self::decode(text)
    }

    fn decode(text: &str) -> Result<Self, KeyError> {
        let mut bytes = [0u8; PUBLIC_KEY_LEN + 3];
        let n = STANDARD.decode_slice(text, &mut bytes).map_err(|e| match e {
            base64::DecodeSliceError::OutputSliceTooSmall => KeyError::Shape(text.len() * 3 / 4),
            base64::DecodeSliceError::DecodeError(e) => KeyError::Base64(e.to_string()),
        })?;
        if n != PUBLIC_KEY_LEN || bytes[0] != 0x04 {
            return Err(KeyError::Shape(n));
        }
        let mut key = [0u8; PUBLIC_KEY_LEN];
        key.copy_from_slice(&bytes[..PUBLIC_KEY_LEN]);
        Ok(Self { key: UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key) })
    }

    /// The raw 65-byte point.
    pub fn as_bytes(&self) -> &[u8] {
        self.key.as_ref()
    }

    /// Whether `reading.signature` is this key's signature of the reading; `scratch` holds the encoding (reuse
    /// it across readings to avoid an allocation each).
    pub fn verify(&self, reading: &Reading, interval_seconds: u32, scratch: &mut Vec<u8>) -> bool {
        let mut signature = [0u8; SIGNATURE_BUFFER];
        let Ok(n) = STANDARD.decode_slice(&reading.signature, &mut signature) else {
            return false;
        };
        encode_into(reading, interval_seconds, scratch);
        self.key.verify(scratch, &signature[..n]).is_ok()
    }
}

/// Signs readings with a meter's private key (gateways, simulators, `gridctl` and tests; never the chaincode).
#[derive(Debug)]
pub struct Signer {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl Signer {
    /// A fresh random key, with its PKCS#8 document (keep it to load the key again with [`Signer::from_pkcs8`]).
    pub fn generate() -> Result<(Self, Vec<u8>), KeyError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).map_err(|_| KeyError::Sign)?;
        let pkcs8 = doc.as_ref().to_vec();
        Ok((Self::from_pkcs8(&pkcs8)?, pkcs8))
    }

    /// Loads a PKCS#8 (v1 or v2) P-256 key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|e| KeyError::Pkcs8(e.to_string()))?;
        Ok(Self { pair, rng })
    }

    /// The public key as `RegisterMeter` takes it: base64 of the 65-byte uncompressed point.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.pair.public_key().as_ref())
    }

    /// The base64 DER signature of `reading` for a meter with `interval_seconds`.
    pub fn sign(&self, reading: &Reading, interval_seconds: u32) -> Result<String, KeyError> {
        let signature =
            self.pair.sign(&self.rng, &canonical_bytes(reading, interval_seconds)).map_err(|_| KeyError::Sign)?;
        Ok(STANDARD.encode(signature.as_ref()))
    }
}

/// Signs `reading` for a 900-second meter with a PKCS#8 key; returns the base64 DER signature for
/// `reading.signature`. (Parses the key on every call: use [`Signer`] for many readings, and
/// [`Signer::sign`] for meters of other interval lengths.)
pub fn sign(reading: &Reading, pkcs8: &[u8]) -> Result<String, KeyError> {
    Signer::from_pkcs8(pkcs8)?.sign(reading, STANDARD_INTERVAL)
}

/// Verifies one reading against a base64 public key (convenience; the contract uses [`MeterKey::verify`]).
pub fn verify(reading: &Reading, interval_seconds: u32, public_key_base64: &str) -> bool {
    MeterKey::from_base64_unchecked(public_key_base64)
        .is_ok_and(|key| key.verify(reading, interval_seconds, &mut Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Reading {
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
}
