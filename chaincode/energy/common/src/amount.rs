//! Integer energy (Wh) and money (minor units) arithmetic: no floats, no silent overflow.

use gridledger_contract::ContractError;

/// The price of `wh` at `per_kwh` minor units per kWh, rounded down (toward negative infinity).
///
/// ```
/// use gridledger_energy_common::amount::price_of;
/// assert_eq!(price_of(1500, 20).unwrap(), 30); // 1.5 kWh at 20 cents
/// assert_eq!(price_of(999, 1).unwrap(), 0);
/// ```
pub fn price_of(wh: i64, per_kwh: i64) -> Result<i64, ContractError> {
    let product = i128::from(wh) * i128::from(per_kwh);
    i64::try_from(product.div_euclid(1000))
        .map_err(|_| ContractError::BadRequest(format!("{wh} Wh at {per_kwh} per kWh overflows")))
}

/// Adds with an error instead of wrapping.
pub fn add(a: i64, b: i64) -> Result<i64, ContractError> {
    a.checked_add(b).ok_or_else(|| ContractError::BadRequest(format!("{a} + {b} overflows")))
}

/// Parses a non-negative integer argument (plain decimal, 0 to `i64::MAX`), naming it in the error.
pub fn parse_non_negative(name: &str, text: &str) -> Result<i64, ContractError> {
    match gridledger_contract::parse_integer(text, 0, i128::from(i64::MAX)).map(i64::try_from) {
        Ok(Ok(v)) => Ok(v),
        _ => Err(ContractError::BadRequest(format!(
            "{name} must be an integer from 0 to {}, got {}",
            i64::MAX,
            gridledger_contract::quote(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_and_overflow() {
        assert_eq!(price_of(-1500, 20).unwrap(), -30);
        assert_eq!(price_of(-1, 1).unwrap(), -1);
        assert!(price_of(i64::MAX, i64::MAX).is_err());
        assert!(add(i64::MAX, 1).is_err());
        assert_eq!(parse_non_negative("wh", "12").unwrap(), 12);
        assert!(parse_non_negative("wh", "-1").is_err());
        assert!(parse_non_negative("wh", "+1").is_err());
    }

    proptest! {
        #[test]
        fn price_never_exceeds_exact_value(wh in 0i64..1_000_000_000, p in 0i64..100_000) {
            let v = price_of(wh, p).unwrap();
            prop_assert!(i128::from(v) * 1000 <= i128::from(wh) * i128::from(p));
            prop_assert!((i128::from(v) + 1) * 1000 > i128::from(wh) * i128::from(p));
        }
    }
}
