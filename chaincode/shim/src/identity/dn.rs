//! Distinguished names as Go's `pkg/cid` prints them.
//!
//! Go parses a certificate name into a `pkix.Name` (one field per well-known attribute type) and cid
//! prints `name.ToRDNSequence()` rebuilt from those fields, not the name as the certificate encodes it.
//! Consequences, all reproduced here and pinned by the Go vectors in `testdata/`:
//! - only C, ST, L, STREET, POSTALCODE, O, OU, CN and SERIALNUMBER appear; any other attribute
//!   (emailAddress, DC, UID, private OIDs, ...) is dropped, so the `oid=#hex` form of RFC 4514 never occurs;
//! - all values of one type form one multi-valued RDN (`OU=a+OU=b`), in certificate order;
//! - the RDNs come in the fixed order SERIALNUMBER, CN, OU, O, POSTALCODE, STREET, L, ST, C;
//! - only the last CN and the last SERIALNUMBER count, and an empty one is left out;
//! - every value must be one of the string types Go accepts, or the whole certificate is rejected.

use x509_parser::asn1_rs::{Class, Tag};
use x509_parser::x509::X509Name;

/// The attribute types Go's `pkix.Name` keeps, as the last arc under `2.5.4`.
const COMMON_NAME: u8 = 3;
const SERIAL_NUMBER: u8 = 5;
const COUNTRY: u8 = 6;
const LOCALITY: u8 = 7;
const PROVINCE: u8 = 8;
const STREET: u8 = 9;
const ORGANIZATION: u8 = 10;
const ORGANIZATIONAL_UNIT: u8 = 11;
const POSTAL_CODE: u8 = 17;

/// A certificate name reduced the way Go's `pkix.Name.FillFromRDNSequence` reduces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct GoName {
    country: Vec<String>,
    province: Vec<String>,
    locality: Vec<String>,
    street: Vec<String>,
    postal_code: Vec<String>,
    organization: Vec<String>,
    pub(super) organizational_unit: Vec<String>,
    common_name: String,
    serial_number: String,
}

impl GoName {
    /// Reduces a parsed name; fails where Go's x509 parser would (a value that is not a valid string).
    pub(super) fn from_x509(name: &X509Name<'_>) -> Result<Self, String> {
        let mut out = GoName::default();
        for atv in name.iter_attributes() {
            let value = go_string(
                atv.attr_value().header.class(),
                atv.attr_value().header.is_constructed(),
                atv.attr_value().tag(),
                atv.attr_value().data,
            )
            .map_err(|e| format!("invalid RDNSequence: invalid attribute value: {e}"))?;
            // 2.5.4.n is encoded as 55 04 n (n < 128).
            let arc = match atv.attr_type().as_bytes() {
                [0x55, 0x04, n] => *n,
                _ => continue,
            };
            match arc {
                COMMON_NAME => out.common_name = value,
                SERIAL_NUMBER => out.serial_number = value,
                COUNTRY => out.country.push(value),
                LOCALITY => out.locality.push(value),
                PROVINCE => out.province.push(value),
                STREET => out.street.push(value),
                ORGANIZATION => out.organization.push(value),
                ORGANIZATIONAL_UNIT => out.organizational_unit.push(value),
                POSTAL_CODE => out.postal_code.push(value),
                _ => {}
            }
        }
        Ok(out)
    }

    /// The DN string of Go cid's `getDN`.
    pub(super) fn dn(&self) -> String {
        let single = |v: &String| if v.is_empty() { Vec::new() } else { vec![v.clone()] };
        // ToRDNSequence order, printed last to first.
        let rdns: [(&str, Vec<String>); 9] = [
            ("C", self.country.clone()),
            ("ST", self.province.clone()),
            ("L", self.locality.clone()),
            ("STREET", self.street.clone()),
            ("POSTALCODE", self.postal_code.clone()),
            ("O", self.organization.clone()),
            ("OU", self.organizational_unit.clone()),
            ("CN", single(&self.common_name)),
            ("SERIALNUMBER", single(&self.serial_number)),
        ];
        let mut out = String::new();
        for (name, values) in rdns.iter().rev().filter(|(_, v)| !v.is_empty()) {
            if !out.is_empty() {
                out.push(',');
            }
            for (j, value) in values.iter().enumerate() {
                if j > 0 {
                    out.push('+');
                }
                out.push_str(name);
                out.push('=');
                escape_into(&mut out, value);
            }
        }
        out
    }
}

/// Go cid's value escaping: a leading space or `#`, a trailing space, and any of `,+"\<>;` get a
/// backslash. Nothing else does (no hex escapes, `=` and NUL pass through).
fn escape_into(out: &mut String, value: &str) {
    let last = value.len().saturating_sub(1);
    for (i, c) in value.char_indices() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Decodes an attribute value exactly as Go's x509 `parseASN1String` does.
fn go_string(class: Class, constructed: bool, tag: Tag, data: &[u8]) -> Result<String, String> {
    if class != Class::Universal || constructed {
        return Err(format!("unsupported string type: class {class:?}, tag {}", tag.0));
    }
    match tag {
        // T.61 read as Latin-1.
        Tag::T61String => Ok(data.iter().map(|&b| char::from(b)).collect()),
        Tag::PrintableString => {
            if data.iter().all(|&b| is_printable(b)) {
                Ok(data.iter().map(|&b| char::from(b)).collect())
            } else {
                Err("invalid PrintableString".into())
            }
        }
        Tag::Utf8String => std::str::from_utf8(data).map(str::to_owned).map_err(|_| "invalid UTF-8 string".into()),
        Tag::BmpString => bmp(data).ok_or_else(|| "invalid BMPString".into()),
        Tag::Ia5String => {
            if data.is_ascii() {
                Ok(data.iter().map(|&b| char::from(b)).collect())
            } else {
                Err("invalid IA5String".into())
            }
        }
        Tag::NumericString => {
            if data.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                Ok(data.iter().map(|&b| char::from(b)).collect())
            } else {
                Err("invalid NumericString".into())
            }
        }
        other => Err(format!("unsupported string type: {}", other.0)),
    }
}

/// Go's PrintableString check, which also lets `*` and `&` through.
fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'\''..=b')' | b'+'..=b'/' | b' ' | b':' | b'=' | b'?' | b'*' | b'&')
}

/// UCS-2 big-endian, an optional terminating NUL stripped; surrogates and the permanent
/// noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF) are rejected.
fn bmp(data: &[u8]) -> Option<String> {
    if !data.len().is_multiple_of(2) {
        return None;
    }
    let data = data.strip_suffix(&[0, 0]).unwrap_or(data);
    data.chunks_exact(2)
        .map(|pair| {
            let unit = u16::from_be_bytes([pair[0], pair[1]]);
            let bad = unit == 0xfffe
                || unit == 0xffff
                || (0xfdd0..=0xfdef).contains(&unit)
                || (0xd800..=0xdfff).contains(&unit);
            if bad { None } else { char::from_u32(u32::from(unit)) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(v: &str) -> String {
        let mut s = String::new();
        escape_into(&mut s, v);
        s
    }

    #[test]
    fn escaping_follows_go() {
        assert_eq!(escaped(""), "");
        assert_eq!(escaped(" "), "\\ ");
        assert_eq!(escaped("  "), "\\ \\ ");
        assert_eq!(escaped("#a#"), "\\#a#");
        assert_eq!(escaped("a,b+c\"d\\e<f>g;h=i"), "a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h=i");
        assert_eq!(escaped("é "), "é\\ ");
    }

    #[test]
    fn string_types() {
        let u = Class::Universal;
        assert_eq!(go_string(u, false, Tag::T61String, b"M\xfcnchen").as_deref(), Ok("München"));
        assert!(go_string(u, false, Tag::PrintableString, b"a@b").is_err());
        assert_eq!(go_string(u, false, Tag::PrintableString, b"*.a&b").as_deref(), Ok("*.a&b"));
        assert!(go_string(u, false, Tag::Utf8String, b"\xff").is_err());
        assert_eq!(go_string(u, false, Tag::BmpString, &[0, 0x41, 0x4e, 0x2d, 0, 0]).as_deref(), Ok("A中"));
        assert!(go_string(u, false, Tag::BmpString, &[0xd8, 0x00]).is_err());
        assert!(go_string(u, false, Tag::BmpString, &[0x00]).is_err());
        assert!(go_string(u, false, Tag::Ia5String, b"\x80").is_err());
        assert!(go_string(u, false, Tag::NumericString, b"12a").is_err());
        assert!(go_string(u, false, Tag::Integer, b"\x05").is_err());
        assert!(go_string(u, true, Tag::Utf8String, b"a").is_err());
        assert!(go_string(Class::ContextSpecific, false, Tag::Utf8String, b"a").is_err());
    }
}
