//! Delivery intervals: 15 minutes, named by their start in Unix seconds (UTC), aligned to the length.

use gridledger_contract::ContractError;

/// The market and metering interval.
pub const INTERVAL_SECONDS: i64 = 900;

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

/// Parses an interval start argument.
pub fn parse_start(text: &str) -> Result<i64, ContractError> {
    text.parse().map_err(|_| ContractError::BadRequest(format!("interval start must be Unix seconds, got {text:?}")))
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
    }
}
