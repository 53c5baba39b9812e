//! Measuring delivery from metering's authenticated readings: per interval, the offer's meters' energy in the
//! request's direction, the baseline, and each member's measured contribution.
//!
//! Every reading is read with metering `GetReading` (point reads of the private collection; the caller must be
//! allowed to read it: a grid operator is). A meter of a shorter interval than the request's contributes the sum
//! of its readings over the request's interval; a register with no reading counts 0, and an interval where none of
//! the offer's meters has any reading is "without readings" (High X of Y skips such days).

use std::collections::BTreeMap;

use gridledger_contract::Context;

use crate::baseline::{self, LOOKBACK_FACTOR};
use crate::calls;
use crate::error::{Result, checked};
use crate::model::{Backing, Baseline, Direction, Offer, Request};

/// OBIS import register.
pub const IMPORT: &str = "1.8.0";
/// OBIS export register.
pub const EXPORT: &str = "2.8.0";
/// One day, seconds: High X of Y compares the same interval on earlier days.
pub const DAY: i64 = 86_400;

/// What the offer's meters measured in one request interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalMeasure {
    /// The interval.
    pub interval_start: i64,
    /// The meters' summed energy in the request's direction, Wh.
    pub measured_wh: i64,
    /// The baseline and the day values it came from (`None`: could not be formed).
    pub baseline: Option<(i64, Vec<i64>)>,
}

/// What the offer's meters measured over the whole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// Per interval, in time order.
    pub intervals: Vec<IntervalMeasure>,
    /// Per member account (`msp/id`), the positive part of each of its meters' directional energy per interval,
    /// summed, Wh.
    pub contributions: BTreeMap<String, i64>,
}

/// Measures `offer` against `request`.
pub fn measure(ctx: &Context<'_>, request: &Request, offer: &Offer) -> Result<Measured> {
    let spec = &request.spec;
    let direction = spec.direction;
    let mut contributions: BTreeMap<String, i64> = offer.backing.iter().map(|b| (b.owner.account(), 0)).collect();
    let mut intervals = Vec::new();
    for (k, start) in crate::requests::interval_starts(spec).into_iter().enumerate() {
        let mut measured = 0i64;
        for b in &offer.backing {
            let net = meter_net(ctx, b, start, spec.interval_seconds)?.unwrap_or(0);
            let q = checked(direction.directional(net), "directional energy")?;
            measured = checked(measured.checked_add(q), "measured energy")?;
            let c = contributions.entry(b.owner.account()).or_default();
            *c = checked(c.checked_add(q.max(0)), "contribution")?;
        }
        let baseline = match spec.baseline {
            Baseline::Schedule => match offer.schedule.as_ref().and_then(|s| s.get(k)) {
                Some(planned) => Some((checked(direction.directional(*planned), "baseline")?, Vec::new())),
                None => None,
            },
            Baseline::HighXOfY { x, y } => {
                let history = history(ctx, offer, direction, start, spec.interval_seconds, y)?;
                baseline::high_x_of_y(&history, x, y)
            }
        };
        intervals.push(IntervalMeasure { interval_start: start, measured_wh: measured, baseline });
    }
    Ok(Measured { intervals, contributions })
}

/// The same interval on earlier days, most recent first, until `y` days with readings are found or `2 * y` days
/// were looked at.
fn history(
    ctx: &Context<'_>,
    offer: &Offer,
    direction: Direction,
    start: i64,
    len: u32,
    y: u32,
) -> Result<Vec<Option<i64>>> {
    let mut days = Vec::new();
    let mut found = 0;
    for d in 1..=i64::from(y * LOOKBACK_FACTOR) {
        if found == y {
            break;
        }
        let day_start = start - d * DAY;
        let mut total: Option<i64> = None;
        for b in &offer.backing {
            if let Some(net) = meter_net(ctx, b, day_start, len)? {
                let q = checked(direction.directional(net), "directional energy")?;
                total = Some(checked(total.unwrap_or(0).checked_add(q), "baseline day")?);
            }
        }
        if total.is_some() {
            found += 1;
        }
        days.push(total);
    }
    Ok(days)
}

/// A meter's net export (export - import) over `[start, start + len)`, Wh; `None` when it recorded nothing there.
pub fn meter_net(ctx: &Context<'_>, b: &Backing, start: i64, len: u32) -> Result<Option<i64>> {
    if start < 0 {
        return Ok(None);
    }
    let step = i64::from(b.interval_seconds.max(1));
    let mut net: Option<i64> = None;
    let mut at = start;
    while at < start + i64::from(len) {
        for register in &b.registers {
            let sign = match register.as_str() {
                IMPORT => -1,
                EXPORT => 1,
                _ => continue,
            };
            if let Some(reading) = calls::get_reading(ctx, &b.meter_id, at, register)? {
                let signed = checked(reading.wh.checked_mul(sign), "reading")?;
                net = Some(checked(net.unwrap_or(0).checked_add(signed), "net export")?);
            }
        }
        at += step;
    }
    Ok(net)
}
