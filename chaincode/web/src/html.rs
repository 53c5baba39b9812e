//! HTML text: escaping, the page frame with its inline responsive CSS, and how times and amounts are shown.

use time::OffsetDateTime;

/// Escapes text for HTML element content and quoted attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Longest account or identity text shown in full; longer ones are cut with an ellipsis (Fabric ids are base64 of
/// a certificate's subject and issuer, hundreds of characters).
pub const MAX_SHOWN: usize = 48;

/// `text` escaped and cut to [`MAX_SHOWN`] characters, the whole in a `title` attribute.
pub fn short(text: &str) -> String {
    if text.chars().count() <= MAX_SHOWN {
        return escape(text);
    }
    let cut: String = text.chars().take(MAX_SHOWN).collect();
    format!("<span title=\"{}\">{}…</span>", escape(text), escape(&cut))
}

/// A Unix time as `YYYY-MM-DD HH:MM UTC` (the raw number when out of range).
pub fn utc(seconds: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => {
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        Err(_) => seconds.to_string(),
    }
}

/// An integer with thin groups of three digits (`12 500`).
pub fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    if value < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(d);
    }
    out
}

/// Inline CSS: one column that fits a phone, tables that scroll sideways instead of overflowing, charts that
/// scale to the width.
const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}\
header{background:#234;color:#fff;padding:.5em 1em}header a{color:#fff;margin-right:1em;display:inline-block}\
main{padding:1em;max-width:60em;margin:auto}\
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0}\
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}td.t,th.t{text-align:left}\
svg{width:100%;height:auto;max-width:40em;background:#fff;border:1px solid #ddd}\
.error{background:#fee;border:1px solid #c33;padding:1em}\
text{font-size:11px}";

/// The navigation bar: every page a person starts from.
const NAV: &str = "<a href=\"/market\">Market</a><a href=\"/balances\">Balances</a><a href=\"/assets\">Assets</a>\
<a href=\"/meters\">Meters</a><a href=\"/certificates\">Certificates</a><a href=\"/flexibility\">Flexibility</a>\
<a href=\"/network\">Network</a>";

/// Longest title text kept.
const MAX_TITLE: usize = 120;

/// A whole page: `title` (escaped here) and `body` (already HTML), with the site navigation. `live` names an
/// event-stream URL the page reloads on (server-sent events; the page works without it).
pub fn page(title: &str, body: &str, live: Option<&str>) -> String {
    let title: String = title.chars().take(MAX_TITLE).collect();
    let mut out = String::with_capacity(body.len() + 2048);
    out.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{t} · gridledger</title>\
<style>{CSS}</style></head><body><header><nav>{NAV}</nav></header><main><h1>{t}</h1>{body}</main>",
        t = escape(&title)
    ));
    if let Some(url) = live {
        // The one script: reload when the server says the ledger changed what this page shows.
        out.push_str(&format!(
            "<script>new EventSource(\"{}\").onmessage=function(){{location.reload()}};</script>",
            escape(url)
        ));
    }
    out.push_str("</body></html>");
    out
}

/// A table: header cells and rows of already-escaped HTML cells; columns listed in `text_columns` are left-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], text_columns: &[usize]) -> String {
    let class = |i: usize| if text_columns.contains(&i) { " class=\"t\"" } else { "" };
    let mut out = String::from("<div class=\"scroll\"><table><thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        out.push_str(&format!("<th{}>{}</th>", class(i), escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            out.push_str(&format!("<td{}>{cell}</td>", class(i)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_open_markup() {
        let hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;";
        let escaped = escape(hostile);
        assert_eq!(
            escaped,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;"
        );
        for bad in ['<', '>', '"', '\''] {
            assert!(!escaped.contains(bad), "{bad}");
        }
        let long = format!("{}<b>", "a".repeat(60));
        let shown = short(&long);
        assert!(!shown.contains("<b>") && shown.contains("&lt;b&gt;") && shown.contains('…'), "{shown}");
        let page = page("</title><script>", "", None);
        assert!(page.contains("<title>&lt;/title&gt;&lt;script&gt; · gridledger</title>"), "{page}");
        assert!(!page.contains("<script>"));
    }

    #[test]
    fn times_and_numbers() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_767_225_600 + 900), "2026-01-01 00:15 UTC");
        assert_eq!(utc(i64::MAX), i64::MAX.to_string());
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(4500), "4\u{202f}500");
        assert_eq!(grouped(-1_234_567), "-1\u{202f}234\u{202f}567");
        assert_eq!(grouped(i64::MIN), "-9\u{202f}223\u{202f}372\u{202f}036\u{202f}854\u{202f}775\u{202f}808");
    }
}
