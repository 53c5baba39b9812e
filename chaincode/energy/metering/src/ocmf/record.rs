//! OCMF records, pure: the `OCMF|{payload}|{signature}` triple, its signature, and its readings mapped onto
//! metering's reading model (see [`super`] for the mapping).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridledger_contract::quote;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::fields::{decode_signature, parse_pagination, parse_time, register, to_wh};

/// The longest OCMF record accepted, bytes (a charging session with begin, end and a few intermediate readings is
/// well under 2 KiB).
pub const MAX_RECORD_BYTES: usize = 16 * 1024;
/// The most readings (`RD` entries) in one record.
pub const MAX_READINGS: usize = 64;
/// The signature algorithm metering verifies: a meter's registered key is a P-256 point.
pub const SUPPORTED_ALGORITHM: &str = "ECDSA-secp256r1-SHA256";

/// Why an OCMF record was refused. Messages quote input only through [`quote()`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcmfError {
    /// Not `OCMF|{payload}|{signature}`.
    #[error("not an OCMF record (expected OCMF|{{payload}}|{{signature}}): {0}")]
    Shape(String),
    /// A section is not the JSON OCMF defines.
    #[error("OCMF {section} section: {detail}")]
    Section {
        /// `payload` or `signature`.
        section: &'static str,
        /// What is wrong, clipped.
        detail: String,
    },
    /// A reading cannot be used.
    #[error("OCMF reading {index}: {detail}")]
    Reading {
        /// Its 0-based position in `RD`.
        index: usize,
        /// What is wrong.
        detail: String,
    },
    /// The signature algorithm is not one metering verifies.
    #[error(
        "OCMF signature algorithm {0} is not supported (metering verifies ECDSA-secp256r1-SHA256: meter keys are P-256)"
    )]
    Algorithm(String),
    /// The signature does not verify under the meter's key.
    #[error("OCMF signature does not verify under the meter's public key")]
    BadSignature,
    /// The readings do not describe one interval of the meter.
    #[error("OCMF readings: {0}")]
    Mapping(String),
}

/// One OCMF reading, after fields omitted as "same as the previous reading" were filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcmfReading {
    /// Unix milliseconds of `TM`.
    pub time_ms: i64,
    /// `TM`'s synchronisation state: `S` (synchronised), `I` (informative), `U` (unknown), `R` (relative).
    pub sync: char,
    /// `TX`, if any (`B` begin, `C` charging, `E` end, ...).
    pub transaction: Option<String>,
    /// `RV` converted exactly to Wh.
    pub value_wh: i64,
    /// The metering register `RI` names: `1.8.0` or `2.8.0`.
    pub register: String,
    /// `ST`, the meter status (`G`: good).
    pub status: String,
    /// `EF`, error flags (`E`: energy unusable).
    pub error_flags: String,
}

/// A parsed OCMF record: the payload exactly as signed, the signature, and the readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcmfRecord {
    /// The payload section, byte for byte: what the signature covers.
    pub payload: String,
    /// `PG`: the context letter (`T` transaction, `F` fiscal) and its counter.
    pub pagination: (char, u64),
    /// `MS`, the meter serial.
    pub meter_serial: String,
    /// `SA`.
    pub algorithm: String,
    /// The DER signature bytes (`SD`, decoded per `SE`).
    pub signature: Vec<u8>,
    /// The readings, in record order.
    pub readings: Vec<OcmfReading>,
}

/// What one OCMF record contributes to metering: one reading of one register for one interval of the meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The meter interval holding every reading of the record.
    pub interval_start: i64,
    /// `1.8.0` or `2.8.0`.
    pub register: String,
    /// Last minus first register value, Wh.
    pub wh: i64,
    /// The pagination counter: metering's strictly increasing counter.
    pub counter: u64,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(rename = "PG")]
    pg: String,
    #[serde(rename = "MS")]
    ms: String,
    #[serde(rename = "RD", borrow)]
    rd: Vec<RawReading<'a>>,
}

#[derive(Deserialize)]
struct RawReading<'a> {
    #[serde(rename = "TM")]
    tm: Option<String>,
    #[serde(rename = "TX")]
    tx: Option<String>,
    #[serde(rename = "RV", borrow)]
    rv: Option<&'a RawValue>,
    #[serde(rename = "RI")]
    ri: Option<String>,
    #[serde(rename = "RU")]
    ru: Option<String>,
    #[serde(rename = "ST")]
    st: Option<String>,
    #[serde(rename = "EF")]
    ef: Option<String>,
}

#[derive(Deserialize)]
struct SignatureSection {
    #[serde(rename = "SA", default = "default_algorithm")]
    sa: String,
    #[serde(rename = "SE")]
    se: Option<String>,
    #[serde(rename = "SM")]
    sm: Option<String>,
    #[serde(rename = "SD")]
    sd: String,
}

fn default_algorithm() -> String {
    SUPPORTED_ALGORITHM.to_string()
}

fn section(section: &'static str, detail: impl std::fmt::Display) -> OcmfError {
    let detail = detail.to_string();
    OcmfError::Section { section, detail: gridledger_contract::clip(&detail, 200).into_owned() }
}

impl OcmfRecord {
    /// Parses `OCMF|{payload}|{signature}` (at most [`MAX_RECORD_BYTES`]).
    pub fn parse(text: &str) -> Result<Self, OcmfError> {
        if text.len() > MAX_RECORD_BYTES {
            return Err(OcmfError::Shape(format!("{} bytes; at most {MAX_RECORD_BYTES}", text.len())));
        }
        // OCMF forbids '|' inside the sections, so the record splits into exactly three.
        let parts: Vec<&str> = text.split('|').collect();
        let [header, payload, signature] = parts.as_slice() else {
            return Err(OcmfError::Shape(format!("{} sections in {}", parts.len(), quote(text))));
        };
        if *header != "OCMF" {
            return Err(OcmfError::Shape(format!("header {} is not OCMF", quote(header))));
        }
        let parsed: Payload<'_> = serde_json::from_str(payload).map_err(|e| section("payload", e))?;
        let sig: SignatureSection = serde_json::from_str(signature).map_err(|e| section("signature", e))?;
        let pagination = parse_pagination(&parsed.pg)?;
        if parsed.rd.is_empty() || parsed.rd.len() > MAX_READINGS {
            return Err(section("payload", format!("RD needs 1 to {MAX_READINGS} readings, got {}", parsed.rd.len())));
        }
        let readings = readings(&parsed.rd)?;
        if sig.sm.as_deref().is_some_and(|m| m != "application/x-der") {
            return Err(section(
                "signature",
                format!("SM {} is not application/x-der", quote(sig.sm.as_deref().unwrap_or(""))),
            ));
        }
        let signature = decode_signature(sig.se.as_deref(), &sig.sd)?;
        Ok(Self {
            payload: (*payload).to_string(),
            pagination,
            meter_serial: parsed.ms,
            algorithm: sig.sa,
            signature,
            readings,
        })
    }

    /// Verifies the signature over the payload with `public_key`, a 65-byte uncompressed P-256 point.
    pub fn verify(&self, public_key: &[u8]) -> Result<(), OcmfError> {
        if self.algorithm != SUPPORTED_ALGORITHM {
            return Err(OcmfError::Algorithm(quote(&self.algorithm).to_string()));
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
            .verify(self.payload.as_bytes(), &self.signature)
            .map_err(|_| OcmfError::BadSignature)
    }

    /// Maps the record onto one reading of a meter with `interval_seconds` intervals (see [`super`]).
    pub fn map(&self, interval_seconds: u32) -> Result<Mapped, OcmfError> {
        let bad = |m: String| Err(OcmfError::Mapping(m));
        let (Some(first), Some(last)) = (self.readings.first(), self.readings.last()) else {
            return bad("no readings".into());
        };
        if self.readings.len() < 2 {
            return bad("one reading measures no energy: a record needs a first and a last register value".into());
        }
        for (i, r) in self.readings.iter().enumerate() {
            let fail = |detail: String| Err(OcmfError::Reading { index: i, detail });
            if r.sync != 'S' {
                return fail(format!(
                    "time sync state {} is not S (synchronised): it cannot place energy in an interval",
                    r.sync
                ));
            }
            if r.status != "G" {
                return fail(format!("meter status {} is not G (good)", quote(&r.status)));
            }
            if r.error_flags.contains('E') {
                return fail("error flag E: the energy is not usable".into());
            }
            if r.register != first.register {
                return fail(format!("register {} differs from the first reading's {}", r.register, first.register));
            }
            if i > 0 {
                let prev = &self.readings[i - 1];
                if r.time_ms < prev.time_ms || r.value_wh < prev.value_wh {
                    return fail("time and register value must not decrease".into());
                }
            }
        }
        let len_ms = i64::from(interval_seconds) * 1000;
        let start_ms = first.time_ms - first.time_ms.rem_euclid(len_ms);
        // A reading exactly at the interval's end still closes this interval: register values are instants.
        if last.time_ms > start_ms + len_ms {
            return bad(format!(
                "they span more than one {interval_seconds} s interval of the meter (from {} ms to {} ms); \
                 apportioning energy between intervals would credit energy no reading measured in them",
                first.time_ms, last.time_ms
            ));
        }
        Ok(Mapped {
            interval_start: start_ms / 1000,
            register: first.register.clone(),
            wh: last.value_wh - first.value_wh,
            counter: self.pagination.1,
        })
    }

    /// The signature as the stored reading carries it: base64 of the DER bytes.
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.signature)
    }
}

fn readings(raw: &[RawReading<'_>]) -> Result<Vec<OcmfReading>, OcmfError> {
    let mut out: Vec<OcmfReading> = Vec::with_capacity(raw.len());
    let (mut ri, mut ru, mut tx, mut st, mut ef) = (None, None, None, None, None::<String>);
    for (index, r) in raw.iter().enumerate() {
        let fail = |detail: String| OcmfError::Reading { index, detail };
        // OCMF omits a field whose value equals the previous reading's: carry them forward.
        ri = r.ri.clone().or(ri);
        ru = r.ru.clone().or(ru);
        tx = r.tx.clone().or(tx);
        st = r.st.clone().or(st);
        ef = r.ef.clone().or(ef);
        let tm = r.tm.as_deref().ok_or_else(|| fail("TM is missing".into()))?;
        let (time_ms, sync) = parse_time(tm).map_err(fail)?;
        let unit = ru.as_deref().ok_or_else(|| fail("RU is missing".into()))?;
        let rv = r.rv.ok_or_else(|| fail("RV is missing (an error event carries no energy)".into()))?;
        let value_wh = to_wh(rv.get(), unit).map_err(fail)?;
        let register = register(ri.as_deref().ok_or_else(|| fail("RI is missing".into()))?).map_err(fail)?;
        let status = st.clone().ok_or_else(|| fail("ST is missing".into()))?;
        out.push(OcmfReading {
            time_ms,
            sync,
            transaction: tx.clone(),
            value_wh,
            register,
            status,
            error_flags: ef.clone().unwrap_or_default(),
        });
    }
    Ok(out)
}
