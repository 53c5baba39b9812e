//! Finding the certificate in a creator's `id_bytes`, the way Go's `encoding/pem.Decode` does.
//!
//! This is the one PEM reader of the tree that is not the `pem` crate (which `gridledger-client` and `gridctl`
//! use), on purpose: the peer's MSP checked the creator's signature against the certificate *Go* found, so the
//! shim must find exactly that one. The `pem` crate takes a `-----BEGIN` anywhere in a line and stops at a
//! malformed block; Go takes it only at the start of a line and passes a malformed block over. A creator whose
//! `id_bytes` began with `x -----BEGIN CERTIFICATE-----` and someone else's certificate, followed by the signer's
//! own, would be verified by the peer as the signer and then seen by a `pem`-crate shim as someone else.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits tolerated.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// The DER bytes of the first well-formed PEM block in `data`, whatever its label (Go does not check
/// that it says `CERTIFICATE` either; a non-certificate then fails to parse as one).
///
/// Like Go: text before the block is skipped, the `BEGIN` line must start a line, the `END` line must
/// repeat the label, RFC 1421 header lines (`Key: value`) are skipped, spaces, tabs and line breaks
/// inside the base64 are ignored, and a malformed block is passed over in favour of a later one.
pub(super) fn first_block(data: &[u8]) -> Option<Vec<u8>> {
    let mut from = 0;
    while let Some(found) = find(&data[from..], BEGIN) {
        let begin = from + found;
        from = begin + 1;
        if begin > 0 && data[begin - 1] != b'\n' {
            continue;
        }
        let (type_line, body_start) = line(data, begin + BEGIN.len());
        let Some(label) = type_line.strip_suffix(DASHES) else { continue };
        let end_marker = [b"-----END ".as_slice(), label, DASHES].concat();
        let Some(end) = find(&data[body_start..], &end_marker).map(|i| body_start + i) else { continue };
        if end > body_start && data[end - 1] != b'\n' {
            continue;
        }
        let (rest_of_end_line, _) = line(data, end + end_marker.len());
        if !rest_of_end_line.is_empty() {
            continue;
        }
        if let Some(der) = decode_body(&data[body_start..end]) {
            return Some(der);
        }
    }
    None
}

/// Skips header lines, then decodes the base64 (ignoring whitespace).
fn decode_body(mut body: &[u8]) -> Option<Vec<u8>> {
    loop {
        let (first, next) = line(body, 0);
        if next == 0 || !first.contains(&b':') {
            break;
        }
        body = &body[next..];
    }
    let text: Vec<u8> = body.iter().copied().filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')).collect();
    GO_STD.decode(text).ok()
}

/// The line starting at `at` (without its line break and trailing spaces/tabs) and where the next
/// line starts (`data.len()` at the end).
fn line(data: &[u8], at: usize) -> (&[u8], usize) {
    let rest = data.get(at..).unwrap_or_default();
    let (mut text, next) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], at + i + 1),
        None => (rest, data.len()),
    };
    while let [head @ .., b' ' | b'\t' | b'\r'] = text {
        text = head;
    }
    (text, next)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::first_block;

    #[test]
    fn finds_the_first_block_after_leading_text() {
        let pem = b"garbage\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(first_block(pem), Some(vec![0, 1, 2, 3]));
    }

    #[test]
    fn a_begin_inside_a_line_is_not_the_certificate_go_verified() {
        let spoof = b"x -----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n\
                      -----BEGIN CERTIFICATE-----\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(first_block(spoof), Some(vec![3]));
    }

    #[test]
    fn skips_headers_and_crlf() {
        let pem = b"-----BEGIN X-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\nAAEC\r\n-----END X-----\r\n";
        assert_eq!(first_block(pem), Some(vec![0, 1, 2]));
    }

    #[test]
    fn rejects_mismatched_labels_and_bad_base64_but_tries_later_blocks() {
        assert_eq!(first_block(b"-----BEGIN A-----\nAAEC\n-----END B-----\n"), None);
        assert_eq!(first_block(b"x -----BEGIN A-----\nAAEC\n-----END A-----\n"), None);
        let two = b"-----BEGIN A-----\n!!!!\n-----END A-----\n-----BEGIN A-----\nAAEC\n-----END A-----\n";
        assert_eq!(first_block(two), Some(vec![0, 1, 2]));
        assert_eq!(first_block(b"-----BEGIN A-----\n-----END A-----\n"), Some(vec![]));
        assert_eq!(first_block(b""), None);
    }
}
