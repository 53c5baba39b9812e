//! The fields of an OCMF record, pure: pagination, reading times, register values in Wh, OBIS registers and the
//! signature's encoding.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridledger_contract::quote;
use time::OffsetDateTime;
use time::macros::format_description;

use super::record::OcmfError;

/// The longest DER ECDSA P-256 signature, bytes.
pub const MAX_SIGNATURE_BYTES: usize = 72;

fn section(section: &'static str, detail: impl std::fmt::Display) -> OcmfError {
    let detail = detail.to_string();
    OcmfError::Section { section, detail: gridledger_contract::clip(&detail, 200).into_owned() }
}

/// `PG`: `T17` -> (`T`, 17); a number without leading zeros.
pub fn parse_pagination(pg: &str) -> Result<(char, u64), OcmfError> {
    let mut chars = pg.chars();
    let context = chars.next();
    let digits = chars.as_str();
    match (context, digits.parse::<u64>()) {
        (Some(c @ ('T' | 'F')), Ok(n)) if !digits.starts_with('0') || digits == "0" => Ok((c, n)),
        _ => Err(section("payload", format!("PG {} is not T or F followed by a number", quote(pg)))),
    }
}

/// `TM`: `2018-07-24T13:22:04,000+0200 S` -> (Unix ms, sync state).
pub fn parse_time(tm: &str) -> Result<(i64, char), String> {
    let format = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second],[subsecond digits:3][offset_hour sign:mandatory][offset_minute]"
    );
    let bad = || format!("TM {} is not <ISO 8601 time with milliseconds and offset> <sync state>", quote(tm));
    let (time, sync) = tm.split_once(' ').ok_or_else(bad)?;
    let sync = match sync {
        "S" | "I" | "U" | "R" => sync.chars().next().unwrap_or('U'),
        _ => return Err(bad()),
    };
    let t = OffsetDateTime::parse(time, &format).map_err(|_| bad())?;
    let ms = i128::from(t.unix_timestamp()) * 1000 + i128::from(t.millisecond());
    i64::try_from(ms).map(|ms| (ms, sync)).map_err(|_| bad())
}

/// `RV` text in `unit` (`Wh` or `kWh`) -> Wh, exactly: plain decimal only, no exponent, no fraction of a Wh.
pub fn to_wh(rv: &str, unit: &str) -> Result<i64, String> {
    let scale: u32 = match unit {
        "Wh" => 0,
        "kWh" => 3,
        _ => return Err(format!("RU {} is not Wh or kWh", quote(unit))),
    };
    let bad = |why: &str| format!("RV {} {why}", quote(rv));
    let (int, frac) = rv.split_once('.').unwrap_or((rv, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("is not a non-negative plain decimal number"));
    }
    if rv.contains('.') && frac.is_empty() {
        return Err(bad("is not a non-negative plain decimal number"));
    }
    let significant = frac.trim_end_matches('0');
    if significant.len() > scale as usize {
        return Err(bad(&format!("has a fraction of a Wh in {unit}")));
    }
    let mut padded = significant.to_string();
    padded.extend(std::iter::repeat_n('0', scale as usize - significant.len()));
    let digits = format!("{int}{padded}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 18 {
        return Err(bad("is too large"));
    }
    Ok(if digits.is_empty() { 0 } else { digits.parse().map_err(|_| bad("is too large"))? })
}

/// `RI` (OBIS, e.g. `1-b:1.8.0`, `01-00:01.08.00*FF`) -> metering's register: `1.8.0` (import) or `2.8.0` (export).
pub fn register(ri: &str) -> Result<String, String> {
    let bad = || format!("RI {} is not an OBIS active energy import (1.8.0) or export (2.8.0) register", quote(ri));
    let cde = ri.rsplit_once(':').map_or(ri, |(_, r)| r);
    let cde = cde.split(['*', '&']).next().unwrap_or(cde);
    let parts: Vec<&str> = cde.split('.').collect();
    let numbers: Option<Vec<u32>> = match parts.as_slice() {
        [c, d, e] | [c, d, e, _] => [c, d, e].iter().map(|p| p.parse::<u32>().ok()).collect(),
        _ => None,
    };
    match numbers.as_deref() {
        Some([1, 8, 0]) => Ok("1.8.0".into()),
        Some([2, 8, 0]) => Ok("2.8.0".into()),
        _ => Err(bad()),
    }
}

/// `SD`, decoded per `SE` (`hex`, the default, or `base64`), 1 to [`MAX_SIGNATURE_BYTES`] bytes.
pub fn decode_signature(encoding: Option<&str>, sd: &str) -> Result<Vec<u8>, OcmfError> {
    let fail = |why: String| section("signature", why);
    // Hex doubles the length, base64 takes 4/3: anything longer cannot be a P-256 signature.
    if sd.len() > 2 * MAX_SIGNATURE_BYTES {
        return Err(fail(format!(
            "SD has {} characters; a P-256 signature has at most {}",
            sd.len(),
            2 * MAX_SIGNATURE_BYTES
        )));
    }
    let bytes = match encoding.unwrap_or("hex") {
        "hex" => hex::decode(sd).map_err(|_| fail(format!("SD {} is not hex", quote(sd))))?,
        "base64" => STANDARD.decode(sd).map_err(|_| fail(format!("SD {} is not base64", quote(sd))))?,
        other => return Err(fail(format!("SE {} is not hex or base64", quote(other)))),
    };
    if bytes.is_empty() || bytes.len() > MAX_SIGNATURE_BYTES {
        return Err(fail(format!(
            "SD decodes to {} bytes; a DER P-256 signature has 8 to {MAX_SIGNATURE_BYTES}",
            bytes.len()
        )));
    }
    Ok(bytes)
}
