//! Baselines, pure. A baseline is the net export (in the request's direction) the VPP's meters would have had
//! without the flexibility call; it was never measured, so it is computed by a rule everyone can recompute.
//!
//! - **Schedule** (method a): the VPP's own plan, submitted before gate closure; taken as given.
//! - **High X of Y** (method b): of the last `y` days that had readings in the same interval (looking back at most
//!   `2 * y` days), the mean of the `x` highest values in the request's direction, rounded down. This is the "X of
//!   Y" customer baseline family (energy-next.md); PJM's economic demand response uses "High 4 of 5" (PJM Manual 11,
//!   the customer baseline load section). Ranking in the request's direction makes the baseline the *high* end of
//!   recent behaviour, so routine behaviour is not paid as flexibility.

use std::cmp::Reverse;

/// How many days back High X of Y looks, at most, per day it wants: days without readings (meter outages, a new
/// VPP) are skipped, but not forever.
pub const LOOKBACK_FACTOR: u32 = 2;

/// The High X of Y baseline from `history`: one entry per earlier day, most recent first (day 1 is yesterday),
/// `None` when no meter of the offer had a reading that day. Returns the baseline and the `x` day values it
/// averaged (highest first), or `None` when fewer than `x` of the first `y` days with readings exist.
pub fn high_x_of_y(history: &[Option<i64>], x: u32, y: u32) -> Option<(i64, Vec<i64>)> {
    let mut days: Vec<i64> = history.iter().flatten().copied().take(y as usize).collect();
    if x == 0 || days.len() < x as usize {
        return None;
    }
    days.sort_by_key(|v| Reverse(*v));
    days.truncate(x as usize);
    let sum: i128 = days.iter().map(|v| i128::from(*v)).sum();
    let mean = i64::try_from(sum.div_euclid(i128::from(x))).ok()?;
    Some((mean, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's worked example: High 2 of 3, yesterday had no readings.
    #[test]
    fn worked_example() {
        let history = [None, Some(1200), Some(900), Some(1500), Some(4000), None];
        // The first three days with readings are 1200, 900, 1500 (4000 is the fourth: not considered).
        assert_eq!(high_x_of_y(&history, 2, 3), Some((1350, vec![1500, 1200])));
    }

    #[test]
    fn too_few_days_means_no_baseline() {
        assert_eq!(high_x_of_y(&[Some(5), None, None], 2, 3), None);
        assert_eq!(high_x_of_y(&[], 1, 1), None);
        assert_eq!(high_x_of_y(&[Some(1)], 0, 1), None);
    }

    #[test]
    fn negative_values_round_down() {
        assert_eq!(high_x_of_y(&[Some(-1), Some(-2)], 2, 2), Some((-2, vec![-1, -2])));
    }
}
