//! Energy profiles of simulated meters: households with PV (export at midday) and households without (import
//! only). The shapes are deterministic in (meter, interval), so a rerun produces the same readings.

/// What a simulated meter measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A household with a rooftop PV system: imports at night, exports around noon.
    Pv,
    /// A household without generation: imports only.
    Load,
}

/// Meter `index`'s kind: every other meter has PV.
pub fn kind_of(index: usize) -> Kind {
    if index.is_multiple_of(2) { Kind::Pv } else { Kind::Load }
}

/// A well-mixed 64-bit hash (splitmix64's finalizer), for deterministic noise.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A number in `[lo, hi)` drawn from `seed`.
fn uniform(seed: u64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (mix(seed) >> 11) as f64 / (1u64 << 53) as f64
}

/// Household demand in W at `hour` (0..24, UTC taken as local time): base load, a morning and an evening peak.
fn demand_w(hour: f64) -> f64 {
    let bump = |center: f64, width: f64, height: f64| height * (-((hour - center) / width).powi(2)).exp();
    250.0 + bump(7.5, 1.2, 700.0) + bump(19.5, 2.0, 1400.0)
}

/// PV output in W at `hour` for a system of `peak_w`: a half sine from 06:00 to 20:00.
fn pv_w(hour: f64, peak_w: f64) -> f64 {
    if !(6.0..20.0).contains(&hour) {
        return 0.0;
    }
    peak_w * (std::f64::consts::PI * (hour - 6.0) / 14.0).sin()
}

/// `(import Wh, export Wh)` of meter `index` over the interval `[start, start + len)`.
pub fn energy(index: usize, start: i64, len: u32) -> (i64, i64) {
    let meter = mix(index as u64);
    let hour = (start.rem_euclid(86_400) as f64 + f64::from(len) / 2.0) / 3600.0;
    let scale = uniform(meter, 0.6, 1.4);
    let noise = uniform(meter ^ start as u64, 0.85, 1.15);
    let load = demand_w(hour) * scale * noise;
    let generation = match kind_of(index) {
        Kind::Pv => pv_w(hour, uniform(meter.rotate_left(17), 3000.0, 8000.0)) * uniform(start as u64, 0.5, 1.0),
        Kind::Load => 0.0,
    };
    let hours = f64::from(len) / 3600.0;
    let wh = |w: f64| (w.max(0.0) * hours).round() as i64;
    (wh(load - generation), wh(generation - load))
}

/// The largest Wh any simulated meter reports in an interval of `len` seconds (bounds the asset's nameplate).
pub fn max_wh(len: u32) -> i64 {
    (8000.0 * f64::from(len) / 3600.0).ceil() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_meters_never_export_and_pv_exports_at_noon() {
        let noon = 19_675 * 86_400 + 12 * 3600; // 2023-11-14 12:00 UTC
        for i in 0..20 {
            let (import, export) = energy(i, noon, 900);
            assert!(import >= 0 && export >= 0);
            assert!(import.max(export) <= max_wh(900));
            match kind_of(i) {
                Kind::Load => assert_eq!(export, 0),
                Kind::Pv => assert!(export > 0, "meter {i} exports at noon"),
            }
        }
        let night = noon - 12 * 3600;
        assert_eq!(energy(0, night, 900).1, 0, "no PV at midnight");
    }

    #[test]
    fn deterministic() {
        assert_eq!(energy(3, 1_700_000_100, 900), energy(3, 1_700_000_100, 900));
    }
}
