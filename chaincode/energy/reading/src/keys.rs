//! Meter keys: [`MeterKey`] verifies (the contract), [`Signer`] signs (meters, gateways, simulators, tests).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::UnparsedPublicKey;
use ring::signature::{ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};

use crate::{PUBLIC_KEY_LEN, Reading, STANDARD_INTERVAL, canonical_bytes, encode_into, point};

/// The longest DER ECDSA P-256 signature is 72 bytes; room to spare for the base64 decoder's estimate.
const SIGNATURE_BUFFER: usize = 96;

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

    /// A reading of `meter_id` for the interval at `interval_start`, signed for a meter with `interval_seconds`.
    pub fn reading(
        &self,
        meter_id: &str,
        interval_start: i64,
        register: &str,
        wh: i64,
        counter: u64,
        interval_seconds: u32,
    ) -> Result<Reading, KeyError> {
        let mut reading = Reading {
            meter_id: meter_id.into(),
            interval_start,
            register: register.into(),
            wh,
            counter,
            signature: String::new(),
        };
        reading.signature = self.sign(&reading, interval_seconds)?;
        Ok(reading)
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
