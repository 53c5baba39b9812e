//! ECDSA P-256 signatures the way Fabric wants them: DER `SEQUENCE { r INTEGER, s INTEGER }` with a *low* s
//! (s ≤ n/2). ring signs with a random s; a high s is replaced by n − s, which is the same signature's other
//! valid form. Fabric's MSP refuses high-S signatures.

/// The order n of the P-256 group, big-endian.
pub const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// n/2 (rounded down): the largest low s.
pub const P256_HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xde, 0x73, 0x7d,
    0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// A malformed DER signature (or DER structure of a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed DER ECDSA signature")]
pub struct BadSignature;

/// Reads one DER TLV with `tag` (short or one/two-byte long lengths); returns the value and the rest.
pub(crate) fn tlv(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), BadSignature> {
    let (&t, rest) = input.split_first().ok_or(BadSignature)?;
    let (&first, rest) = rest.split_first().ok_or(BadSignature)?;
    if t != tag {
        return Err(BadSignature);
    }
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first().ok_or(BadSignature)?), &rest[1..]),
        _ => return Err(BadSignature),
    };
    if rest.len() < len {
        return Err(BadSignature);
    }
    Ok(rest.split_at(len))
}

/// A DER INTEGER value as a 32-byte big-endian unsigned number.
fn scalar(value: &[u8]) -> Result<[u8; 32], BadSignature> {
    let trimmed: &[u8] = match value {
        [0, rest @ ..] if !rest.is_empty() => rest,
        v => v,
    };
    if trimmed.len() > 32 || trimmed.is_empty() {
        return Err(BadSignature);
    }
    let mut out = [0u8; 32];
    out[32 - trimmed.len()..].copy_from_slice(trimmed);
    Ok(out)
}

/// `(r, s)` of a DER signature.
pub fn parse(der: &[u8]) -> Result<([u8; 32], [u8; 32]), BadSignature> {
    let (seq, rest) = tlv(der, 0x30)?;
    if !rest.is_empty() {
        return Err(BadSignature);
    }
    let (r, seq) = tlv(seq, 0x02)?;
    let (s, seq) = tlv(seq, 0x02)?;
    if !seq.is_empty() {
        return Err(BadSignature);
    }
    Ok((scalar(r)?, scalar(s)?))
}

fn integer(out: &mut Vec<u8>, n: &[u8; 32]) {
    let start = n.iter().position(|&b| b != 0).unwrap_or(31);
    let body = &n[start..];
    let pad = body[0] & 0x80 != 0;
    out.push(0x02);
    out.push((body.len() + usize::from(pad)) as u8); // at most 33
    if pad {
        out.push(0);
    }
    out.extend_from_slice(body);
}

/// The DER encoding of `(r, s)`.
pub fn encode(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    let mut body = Vec::with_capacity(70);
    integer(&mut body, r);
    integer(&mut body, s);
    let mut out = vec![0x30, body.len() as u8]; // at most 70
    out.extend_from_slice(&body);
    out
}

/// `a - b` for 256-bit big-endian numbers with `a >= b`.
fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8; // 0..=255 here
    }
    out
}

/// Whether s is already low (s ≤ n/2).
pub fn is_low_s(s: &[u8; 32]) -> bool {
    s <= &P256_HALF_N
}

/// The low-S form of a DER signature (unchanged when s is already low).
pub fn normalize(der: &[u8]) -> Result<Vec<u8>, BadSignature> {
    let (r, s) = parse(der)?;
    if is_low_s(&s) {
        return Ok(encode(&r, &s));
    }
    if s >= P256_N {
        return Err(BadSignature);
    }
    Ok(encode(&r, &sub(&P256_N, &s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_n_is_n_shifted() {
        let mut half = [0u8; 32];
        let mut carry = 0u8;
        for (i, &b) in P256_N.iter().enumerate() {
            half[i] = (b >> 1) | (carry << 7);
            carry = b & 1;
        }
        assert_eq!(half, P256_HALF_N);
    }

    #[test]
    fn high_s_flips_and_round_trips() {
        let r = [0x80u8; 32];
        let mut s = P256_N;
        s[31] -= 1; // n - 1: high
        let low = normalize(&encode(&r, &s)).expect("normalize");
        let (r2, s2) = parse(&low).expect("parse");
        assert_eq!(r2, r);
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(s2, one);
        assert_eq!(normalize(&low).expect("again"), low, "idempotent");
    }

    #[test]
    fn malformed_refused() {
        assert_eq!(parse(&[0x30, 0x02, 0x02, 0x00]), Err(BadSignature));
        assert_eq!(parse(&[]), Err(BadSignature));
    }
}
