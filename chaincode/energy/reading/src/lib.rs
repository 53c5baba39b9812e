//! Signed meter readings, shared by the metering chaincode (which verifies them) and everything that produces
//! them (meters, gateways, `gridctl meter`): the JSON a gateway submits, the canonical bytes a meter signs,
//! [`Signer`] and [`MeterKey`]. No chaincode dependency (the `contract` feature adds the contract API's metadata
//! for chaincodes that return readings).
//!
//! The canonical encoding (`chaincode/energy/DESIGN.md`, big-endian, no padding):
//! `"GLR1"`, u16 length + meter id (UTF-8), i64 interval start, u32 interval length, u16 length + register
//! (ASCII), i64 Wh, u64 counter. The meter signs it with ECDSA P-256 over SHA-256, DER-encoded, base64 in JSON.
//! It is the on-ledger format: changing a byte of it invalidates every meter in the field, so a test vector
//! (fixed key, reading, encoding and signature) pins it.

mod keys;
mod point;

use serde::{Deserialize, Serialize};

pub use keys::{KeyError, MeterKey, Signer, sign, verify};
pub use point::is_on_p256;

/// The first four bytes of every encoded reading.
pub const MAGIC: [u8; 4] = *b"GLR1";
/// The length of an uncompressed P-256 public key: `0x04 || x || y`.
pub const PUBLIC_KEY_LEN: usize = 65;
/// The default meter interval, seconds (the metering contract's standard interval; it checks that the two agree).
pub const STANDARD_INTERVAL: u32 = 900;

/// One signed interval reading, as submitted and as stored in the `meterReadings` collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// The contract metadata (`GetReading`'s return type), with the `contract` feature.
#[cfg_attr(feature = "contract", derive(gridledger_contract::Object))]
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

/// The bytes a meter signs for `reading` (its `signature` is not part of them).
///
/// ```
/// use gridledger_reading::{Reading, canonical_bytes};
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

#[cfg(test)]
mod tests;
