//! Is a 65-byte uncompressed point on P-256? `ring` checks points only inside `verify`, where a bad key and a
//! bad signature look alike, so `RegisterMeter` checks the curve equation itself: y² = x³ − 3x + b (mod p).
//! P-256 has cofactor 1, so every point on the curve is in the prime-order group.
//!
//! Plain 256-bit arithmetic (four little-endian u64 limbs, double-and-add multiplication): slow but simple and
//! run once per registration, never per reading.

type U256 = [u64; 4];

/// p = 2^256 − 2^224 + 2^192 + 2^96 − 1.
const P: U256 = [0xffff_ffff_ffff_ffff, 0x0000_0000_ffff_ffff, 0x0000_0000_0000_0000, 0xffff_ffff_0000_0001];
/// The curve's b.
const B: U256 = [0x3bce_3c3e_27d2_604b, 0x651d_06b0_cc53_b0f6, 0xb3eb_bd55_7698_86bc, 0x5ac6_35d8_aa3a_93e7];

/// Whether `bytes` is `0x04 || x || y` with (x, y) on P-256 (coordinates below p).
pub fn is_on_p256(bytes: &[u8]) -> bool {
    let Some((&0x04, rest)) = bytes.split_first() else {
        return false;
    };
    if rest.len() != 64 {
        return false;
    }
    let (x, y) = (from_be(&rest[..32]), from_be(&rest[32..]));
    if !less(&x, &P) || !less(&y, &P) {
        return false;
    }
    let lhs = mul(&y, &y);
    let x3 = mul(&mul(&x, &x), &x);
    let three_x = add(&add(&x, &x), &x);
    lhs == add(&sub(&x3, &three_x), &B)
}

fn from_be(bytes: &[u8]) -> U256 {
    let mut out = [0u64; 4];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut limb = [0u8; 8];
        limb.copy_from_slice(chunk);
        out[3 - i] = u64::from_be_bytes(limb);
    }
    out
}

fn less(a: &U256, b: &U256) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

/// a + b with the carry out.
fn add_raw(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        out[i] = s2;
        carry = c1 || c2;
    }
    (out, carry)
}

/// a − b with the borrow out.
fn sub_raw(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 || b2;
    }
    (out, borrow)
}

/// (a + b) mod p for a, b < p.
fn add(a: &U256, b: &U256) -> U256 {
    let (sum, carry) = add_raw(a, b);
    if carry || !less(&sum, &P) { sub_raw(&sum, &P).0 } else { sum }
}

/// (a − b) mod p for a, b < p.
fn sub(a: &U256, b: &U256) -> U256 {
    let (diff, borrow) = sub_raw(a, b);
    if borrow { add_raw(&diff, &P).0 } else { diff }
}

/// (a · b) mod p for a, b < p, by double-and-add over b's bits.
fn mul(a: &U256, b: &U256) -> U256 {
    let mut r = [0u64; 4];
    for bit in (0..256).rev() {
        r = add(&r, &r);
        if (b[bit / 64] >> (bit % 64)) & 1 == 1 {
            r = add(&r, a);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn generator() -> Vec<u8> {
        unhex(concat!(
            "04",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        ))
    }

    #[test]
    fn the_generator_is_on_the_curve() {
        assert!(is_on_p256(&generator()));
    }

    #[test]
    fn off_curve_and_malformed_points_are_refused() {
        let mut g = generator();
        g[64] ^= 1;
        assert!(!is_on_p256(&g));
        assert!(!is_on_p256(&[0x04; 65]));
        assert!(!is_on_p256(&generator()[..64]));
        let mut compressed = generator();
        compressed[0] = 0x02;
        assert!(!is_on_p256(&compressed));
        let mut big = vec![0x04];
        big.extend([0xff; 64]);
        assert!(!is_on_p256(&big), "coordinates must be below p");
    }

    #[test]
    fn field_arithmetic() {
        let one = [1, 0, 0, 0];
        let p_minus_1 = sub(&[0; 4], &one);
        assert_eq!(add(&p_minus_1, &one), [0; 4]);
        assert_eq!(mul(&p_minus_1, &p_minus_1), one, "(-1)^2 = 1");
    }
}
