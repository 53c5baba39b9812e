//! Records of registry, metering, certificates and flexibility read as plain JSON, leniently: a field that is
//! missing or of another type shows as "–", so a newer chaincode still renders. Cells come out escaped.

use serde_json::Value;

use crate::html::{escape, grouped, short, utc};

/// Most array items shown in one cell (a VPP's members, a request's connection points); the rest are counted.
pub const MAX_ITEMS: usize = 20;

/// The value at a JSON pointer (`/owner/msp`), `Null` when absent.
pub fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

/// The string at `pointer`, empty when absent or not a string.
pub fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    at(value, pointer).as_str().unwrap_or("")
}

/// The integer at `pointer`, 0 when absent or not an integer.
pub fn int(value: &Value, pointer: &str) -> i64 {
    at(value, pointer).as_i64().unwrap_or(0)
}

/// The items of the array at `pointer`, none when absent.
pub fn items<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    at(value, pointer).as_array().map_or(&[], Vec::as_slice)
}

/// A party `{"msp","id"}` as its account name `msp/id`, if `value` is one.
pub fn party(value: &Value) -> Option<String> {
    match (value.get("msp")?.as_str(), value.get("id")?.as_str()) {
        (Some(msp), Some(id)) => Some(format!("{msp}/{id}")),
        _ => None,
    }
}

/// One value as an escaped table cell: integers grouped, parties as `msp/id`, timestamps `{"seconds"}` as UTC,
/// arrays as a list (at most [`MAX_ITEMS`]), long text cut with its whole in a tooltip.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "–".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => n.as_i64().map_or_else(|| escape(&n.to_string()), grouped),
        Value::String(s) => short(s),
        Value::Array(list) => {
            let mut shown: Vec<String> = list.iter().take(MAX_ITEMS).map(cell).collect();
            if list.len() > MAX_ITEMS {
                shown.push(format!("… {} more", list.len() - MAX_ITEMS));
            }
            shown.join(", ")
        }
        Value::Object(map) => {
            if let Some(account) = party(value) {
                short(&account)
            } else if let Some(seconds) = map.get("seconds").and_then(Value::as_i64) {
                utc(seconds)
            } else {
                short(&value.to_string())
            }
        }
    }
}

/// The cells of `record` at each pointer of `columns`.
pub fn row(record: &Value, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| cell(at(record, c))).collect()
}

/// Percent-encodes one URL path segment or query value (everything but `A-Z a-z 0-9 - . _ ~`), so ids with `/`,
/// `=` or spaces (Fabric identity ids) survive a link.
pub fn url(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for b in part.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link to `base` + the encoded `id`, showing the id (escaped, cut).
pub fn link(base: &str, id: &str) -> String {
    format!("<a href=\"{base}{}\">{}</a>", url(id), short(id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cells_are_lenient_and_escaped() {
        let record = json!({
            "id": "<pv>", "owner": {"msp": "OrgMSP", "id": "x509::CN=a"}, "nameplateW": 4000, "vpp": null,
            "at": {"seconds": 0, "nanos": 0}, "members": ["a", "b"], "ok": true, "price": 1.5
        });
        let cols = ["/id", "/owner", "/nameplateW", "/vpp", "/at", "/members", "/ok", "/price", "/missing"];
        assert_eq!(
            row(&record, &cols),
            ["&lt;pv&gt;", "OrgMSP/x509::CN=a", "4\u{202f}000", "–", "1970-01-01 00:00 UTC", "a, b", "yes", "1.5", "–"]
        );
        let many: Vec<i64> = (0..25).collect();
        assert!(cell(&json!(many)).ends_with(", 19, … 5 more"));
        assert_eq!(cell(&json!({"k": "<v>"})), "{&quot;k&quot;:&quot;&lt;v&gt;&quot;}");
        assert_eq!(
            (text(&record, "/id"), int(&record, "/nameplateW"), items(&record, "/members").len()),
            ("<pv>", 4000, 2)
        );
    }

    #[test]
    fn urls_encode_ids() {
        assert_eq!(url("x509::CN=a b/c"), "x509%3A%3ACN%3Da%20b%2Fc");
        assert_eq!(link("/assets/", "pv-1"), "<a href=\"/assets/pv-1\">pv-1</a>");
        assert_eq!(
            link("/assets/", "\"><script>"),
            "<a href=\"/assets/%22%3E%3Cscript%3E\">&quot;&gt;&lt;script&gt;</a>"
        );
    }
}
