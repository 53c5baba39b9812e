//! Delivery intervals: named by their start in Unix seconds (UTC), aligned to the interval length. The length is
//! configuration (the market's `intervalSeconds`, each meter's `intervalSeconds`), one of [`ALLOWED_LENGTHS`].

use gridledger_contract::{ContractError, parse_integer, quote};

use crate::bounds::MAX_INTERVAL_START;

/// The interval lengths the contracts accept, seconds: divisors of an hour, so every length's intervals tile the
/// hour and a longer interval is a whole number of shorter ones.
pub const ALLOWED_LENGTHS: [u32; 5] = [60, 300, 900, 1800, 3600];

/// The default market and metering interval: 15 minutes.
pub const DEFAULT_LENGTH: u32 = 900;

/// The default interval length as `i64` (the former fixed length; kept for callers of earlier versions).
pub const INTERVAL_SECONDS: i64 = DEFAULT_LENGTH as i64;

/// Checks an interval length given by a client (400 unless it is one of [`ALLOWED_LENGTHS`]).
pub fn require_length(what: &str, length: i64) -> Result<u32, ContractError> {
    match u32::try_from(length) {
        Ok(len) if ALLOWED_LENGTHS.contains(&len) => Ok(len),
        _ => Err(ContractError::BadRequest(format!(
            "{what} must be one of {}, got {length}",
            ALLOWED_LENGTHS.map(|l| l.to_string()).join(", ")
        ))),
    }
}

/// Whether `start` is aligned to `length` seconds.
pub fn is_aligned(start: i64, length: i64) -> bool {
    length > 0 && start.rem_euclid(length) == 0
}

/// The start of the interval containing `ts`.
pub fn interval_of(ts: i64, length: i64) -> i64 {
    ts - ts.rem_euclid(length)
}

/// Checks an interval start given by a client (400 when misaligned).
pub fn require_aligned(start: i64, length: i64) -> Result<(), ContractError> {
    if is_aligned(start, length) {
        Ok(())
    } else {
        Err(ContractError::BadRequest(format!(
            "interval start {start} is not aligned to {length} s (try {})",
            interval_of(start, length)
        )))
    }
}

/// Parses an interval start given as text (plain decimal, 0 to [`MAX_INTERVAL_START`]); transactions take
/// [`IntervalStart`](crate::bounds::IntervalStart) arguments, which do the same.
pub fn parse_start(text: &str) -> Result<i64, ContractError> {
    parse_integer(text, 0, i128::from(MAX_INTERVAL_START)).ok().and_then(|v| i64::try_from(v).ok()).ok_or_else(|| {
        ContractError::BadRequest(format!(
            "interval start must be Unix seconds from 0 to {MAX_INTERVAL_START}, got {}",
            quote(text)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment() {
        assert!(is_aligned(1_700_000_100, 900));
        assert!(!is_aligned(901, 900));
        assert!(!is_aligned(0, 0));
        assert_eq!(interval_of(1799, 900), 900);
        assert_eq!(interval_of(-1, 900), -900);
        assert_eq!(
            require_aligned(905, 900).unwrap_err().to_string(),
            "interval start 905 is not aligned to 900 s (try 900)"
        );
        assert!(parse_start("x").is_err());
        assert_eq!(parse_start("900").unwrap(), 900);
        assert_eq!(
            parse_start("+900").unwrap_err().to_string(),
            "interval start must be Unix seconds from 0 to 999999999999, got \"+900\""
        );
    }

    #[test]
    fn lengths() {
        for len in ALLOWED_LENGTHS {
            assert_eq!(3600 % len, 0, "{len} divides an hour");
            assert_eq!(require_length("intervalSeconds", i64::from(len)).unwrap(), len);
        }
        assert!(ALLOWED_LENGTHS.contains(&DEFAULT_LENGTH));
        for bad in [0, -60, 59, 120, 7200, i64::from(u32::MAX) + 60] {
            assert_eq!(
                require_length("intervalSeconds", bad).unwrap_err().to_string(),
                format!("intervalSeconds must be one of 60, 300, 900, 1800, 3600, got {bad}")
            );
        }
    }
}
