//! Input checks that need no ledger: ids, connection points, coordinates, dates, free text.
//!
//! Each returns a message naming the field, which callers turn into a 400. Input appears in a message only through
//! [`quote()`] (a short prefix and its size when long), whatever its length.

use gridledger_contract::quote;
use gridledger_energy_common::bounds;

/// The longest id accepted (also the longest connection point).
pub const MAX_ID_LEN: usize = bounds::MAX_ID_LEN;
/// The id rule as a JSON Schema pattern.
pub const ID_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";
/// The connection point rule as a JSON Schema pattern.
pub const CP_PATTERN: &str = "^cp-[A-Za-z0-9._-]{1,61}$";
/// Decimal degrees as a JSON Schema pattern (the range is checked in code).
pub const DEGREES_PATTERN: &str = "^-?[0-9]{1,3}(\\.[0-9]{1,9})?$";
/// The longest reason or name accepted, in characters.
pub const MAX_TEXT_LEN: usize = bounds::MAX_TEXT_LEN;
/// The longest `RegisterAsset` document, bytes (a full asset takes under 400).
pub const MAX_ASSET_BYTES: usize = 4096;
/// The longest MSP id of a party given as arguments.
pub const MAX_MSP_LEN: usize = bounds::MAX_MSP_LEN;
/// The longest identity id of a party given as arguments.
pub const MAX_PARTY_ID_LEN: usize = bounds::MAX_PARTY_ID_LEN;

fn id_chars(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// An id: 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
pub fn id(what: &str, text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > MAX_ID_LEN || !id_chars(text) {
        return Err(format!(
            "{what} id must be 1 to {MAX_ID_LEN} characters of A-Z a-z 0-9 . _ -, got {}",
            quote(text)
        ));
    }
    Ok(())
}

/// A connection point: `cp-` and 1 to 61 id characters.
pub fn connection_point(text: &str) -> Result<(), String> {
    match text.strip_prefix("cp-") {
        Some(rest) if !rest.is_empty() && text.len() <= MAX_ID_LEN && id_chars(rest) => Ok(()),
        _ => Err(format!(
            "connectionPoint must be \"cp-\" and 1 to 61 characters of A-Z a-z 0-9 . _ -, got {}",
            quote(text)
        )),
    }
}

/// Decimal degrees as text within `-limit..=limit`: an optional `-`, 1 to 3 digits, optionally `.` and 1 to 9
/// digits. Checked on the digits, without floats.
pub fn degrees(field: &str, text: &str, limit: u32) -> Result<(), String> {
    let bad = || {
        format!("{field} must be decimal degrees between -{limit} and {limit} (e.g. \"52.37\"), got {}", quote(text))
    };
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole, 3) || fraction.is_some_and(|f| !digits(f, 9)) {
        return Err(bad());
    }
    let whole: u32 = whole.parse().map_err(|_| bad())?;
    let fraction_zero = fraction.is_none_or(|f| f.bytes().all(|b| b == b'0'));
    if whole > limit || (whole == limit && !fraction_zero) {
        return Err(bad());
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD` (proleptic Gregorian, years 1000 to 9999).
pub fn date(field: &str, text: &str) -> Result<(), String> {
    let bad = || format!("{field} must be a date YYYY-MM-DD, got {}", quote(text));
    let b = text.as_bytes();
    if !text.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let number = |s: &str| if s.bytes().all(|c| c.is_ascii_digit()) { s.parse::<u32>().ok() } else { None };
    let (Some(year), Some(month), Some(day)) = (number(&text[..4]), number(&text[5..7]), number(&text[8..])) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1000 || day == 0 || day > days {
        return Err(bad());
    }
    Ok(())
}

/// Required free text (a reason, a name): not blank, at most [`MAX_TEXT_LEN`] characters, no control characters.
pub fn text(field: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{field} is required"));
    }
    if text.chars().count() > MAX_TEXT_LEN || text.chars().any(char::is_control) {
        return Err(format!("{field} must be at most {MAX_TEXT_LEN} characters without control characters"));
    }
    Ok(())
}

/// A party given as arguments: MSP id (at most [`MAX_MSP_LEN`] characters) and identity id (at most
/// [`MAX_PARTY_ID_LEN`]), neither blank nor holding control characters.
pub fn party(msp: &str, id: &str) -> Result<(), String> {
    for (field, value, max) in [("msp", msp, MAX_MSP_LEN), ("id", id, MAX_PARTY_ID_LEN)] {
        if value.trim().is_empty() || value.chars().any(char::is_control) || value.chars().count() > max {
            return Err(format!(
                "the party's {field} must be non-blank text of at most {max} characters without control characters, \
                 got {}",
                quote(value)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(id("asset", "pv-1.a_B").is_ok());
        assert!(id("asset", "").is_err());
        assert!(id("asset", "a b").is_err());
        assert!(id("asset", &"a".repeat(65)).is_err());
        assert!(id("asset", &"a".repeat(64)).is_ok());
    }

    #[test]
    fn connection_points() {
        assert!(connection_point("cp-1").is_ok());
        assert!(connection_point("cp-").is_err());
        assert!(connection_point("xp-1").is_err());
        assert!(connection_point("cp-a/b").is_err());
    }

    #[test]
    fn coordinates() {
        for ok in ["0", "52.3702", "-90", "90.000", "-179.999999999", "180"] {
            assert!(degrees("lon", ok, 180).is_ok(), "{ok}");
        }
        for bad in ["", "-", "1.", ".5", "90.1", "1e3", "+1", "1234", "1.0000000001", " 1"] {
            assert!(degrees("lat", bad, 90).is_err(), "{bad}");
        }
        assert!(degrees("lat", "-90.0000001", 90).is_err());
    }

    #[test]
    fn dates() {
        for ok in ["2024-02-29", "2000-02-29", "2023-12-31", "1999-01-01"] {
            assert!(date("d", ok).is_ok(), "{ok}");
        }
        for bad in ["2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10", "2023-1-01", "2023/01/01", "0999-01-01"] {
            assert!(date("d", bad).is_err(), "{bad}");
        }
        assert!(date("d", "2023-01-+1").is_err());
        assert!(date("d", "2é2-01-011").is_err());
    }

    #[test]
    fn texts_and_parties() {
        assert!(text("reason", " ").is_err());
        assert!(text("reason", "a\nb").is_err());
        assert!(text("reason", "maintenance").is_ok());
        assert!(party("ProsumerMSP", "eDUwOTo6").is_ok());
        assert!(party("", "x").is_err());
        assert!(party("M", "a\0b").is_err());
    }
}
