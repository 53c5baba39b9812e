//! Certificates: lists by owner, device, hour or status, one certificate with its history, and a party's daily
//! matching report (consumption against claimed certificates per hour) as a chart.

use serde_json::Value;

use crate::assets::{PAGE_SIZE, paged};
use crate::chart::{BUY_COLOR, EXPORT_COLOR, LEFT, PLOT_H, PLOT_W, TOP, headroom, open};
use crate::html::{escape, grouped, page, table, utc};
use crate::json::{at, cell, int, items, link, row, text, url};
use crate::source::{Contract, DataSource, SourceError};

/// The certificate statuses.
pub const STATUSES: [&str; 3] = ["active", "split", "cancelled"];

/// Which certificates index a list reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertFilter {
    /// `CertificatesByOwner(msp, id, …)`.
    Owner(String, String),
    /// `CertificatesByDevice(deviceId, …)`.
    Device(String),
    /// `CertificatesByHour(hourStart, …)`.
    Hour(i64),
    /// `CertificatesByStatus(status, …)`.
    Status(String),
}

impl CertFilter {
    fn args(&self, bookmark: &str) -> Vec<String> {
        let mut args = match self {
            CertFilter::Owner(msp, id) => vec!["CertificatesByOwner".into(), msp.clone(), id.clone()],
            CertFilter::Device(d) => vec!["CertificatesByDevice".into(), d.clone()],
            CertFilter::Hour(h) => vec!["CertificatesByHour".into(), h.to_string()],
            CertFilter::Status(s) => vec!["CertificatesByStatus".into(), s.clone()],
        };
        args.extend([PAGE_SIZE.to_string(), bookmark.to_string()]);
        args
    }

    /// The list's query string (without the bookmark).
    pub fn query(&self) -> String {
        match self {
            CertFilter::Owner(msp, id) => format!("owner_msp={}&owner_id={}", url(msp), url(id)),
            CertFilter::Device(d) => format!("device={}", url(d)),
            CertFilter::Hour(h) => format!("hour={h}"),
            CertFilter::Status(s) => format!("status={}", url(s)),
        }
    }

    fn describe(&self) -> String {
        match self {
            CertFilter::Owner(msp, id) => format!("held by {msp}/{id}"),
            CertFilter::Device(d) => format!("of device {d}"),
            CertFilter::Hour(h) => format!("of the hour {}", utc(*h)),
            CertFilter::Status(s) => s.clone(),
        }
    }
}

/// One page of certificates (`{"records","bookmark"}`).
pub async fn certificates<D: DataSource>(
    source: &D,
    filter: &CertFilter,
    bookmark: &str,
) -> Result<Value, SourceError> {
    source.query(Contract::Certificates, filter.args(bookmark)).await
}

fn cert_row(c: &Value) -> Vec<String> {
    let mut cells = vec![link("/certificates/", text(c, "/id")), utc(int(c, "/hourStart"))];
    cells.extend(row(c, &["/deviceId", "/technology", "/wh", "/owner", "/status"]));
    cells
}

/// `/certificates`: links by status, forms for an owner, a device or an hour; with a filter, one page of them.
pub fn certificates_page(filter: Option<&CertFilter>, list: Option<&Value>) -> String {
    let statuses: Vec<String> =
        STATUSES.iter().map(|s| format!("<a href=\"/certificates?status={s}\">{s}</a>")).collect();
    let mut body = format!(
        "<p>By status: {}</p>\
<form action=\"/certificates\"><label>Holder MSP <input name=\"owner_msp\" size=\"12\"></label> \
<label>id <input name=\"owner_id\" size=\"24\"></label> <button>Show</button></form>\
<form action=\"/certificates\"><label>Device <input name=\"device\" size=\"16\"></label> <button>Show</button></form>\
<form action=\"/certificates\"><label>Hour start (Unix s) <input name=\"hour\" size=\"12\"></label> <button>Show</button></form>\
<form action=\"/matching\"><label>Matching report of MSP <input name=\"msp\" size=\"12\"></label> \
<label>id <input name=\"id\" size=\"24\"></label> <label>day <input name=\"day\" placeholder=\"YYYY-MM-DD\" size=\"10\"></label> \
<button>Show</button></form>",
        statuses.join(" · ")
    );
    let title = match (filter, list) {
        (Some(f), Some(list)) => {
            let headers = ["certificate", "hour", "device", "technology", "Wh", "holder", "status"];
            body.push_str(&paged(list, &headers, cert_row, &format!("/certificates?{}", escape(&f.query()))));
            format!("Certificates {}", f.describe())
        }
        _ => "Certificates".into(),
    };
    page(&title, &body, None)
}

/// `GetCertificate` and `CertificateHistory`.
pub async fn certificate<D: DataSource>(source: &D, id: &str) -> Result<(Value, Value), SourceError> {
    let record = source.query(Contract::Certificates, vec!["GetCertificate".into(), id.into()]);
    let history = source.query(Contract::Certificates, vec!["CertificateHistory".into(), id.into()]);
    tokio::try_join!(record, history)
}

/// `/certificates/{id}`: the certificate, its split parent and children, its cancellation, its history.
pub fn certificate_page(cert: &Value, history: &Value) -> String {
    let fields = [
        ("device", "/deviceId"),
        ("technology", "/technology"),
        ("area", "/area"),
        ("from storage", "/fromStorage"),
        ("Wh", "/wh"),
        ("holder", "/owner"),
        ("status", "/status"),
        ("issued in", "/issuanceTx"),
        ("issued at", "/issuedAt"),
        ("cancellation", "/cancellation"),
    ];
    let mut rows = vec![vec!["hour".into(), utc(int(cert, "/hourStart"))]];
    rows.extend(fields.iter().map(|(k, p)| vec![escape(k), cell(at(cert, p))]));
    let parent = text(cert, "/parent");
    rows.push(vec!["split from".into(), if parent.is_empty() { "–".into() } else { link("/certificates/", parent) }]);
    let children: Vec<String> =
        items(cert, "/children").iter().filter_map(Value::as_str).map(|c| link("/certificates/", c)).collect();
    rows.push(vec!["split into".into(), if children.is_empty() { "–".into() } else { children.join(", ") }]);
    let mut body = table(&["field", "value"], &rows, &[0, 1]);
    body.push_str("<h2>History</h2>");
    let rows: Vec<Vec<String>> = items(history, "")
        .iter()
        .map(|h| {
            row(
                h,
                &["/timestamp", "/txId", "/isDelete", "/certificate/status", "/certificate/wh", "/certificate/owner"],
            )
        })
        .collect();
    body.push_str(&table(&["time", "transaction", "deleted", "status", "Wh", "holder"], &rows, &[0, 1, 2, 3, 5]));
    page(&format!("Certificate {}", text(cert, "/id")), &body, None)
}

/// `MatchingReport(msp, id, dayStart)`: 403 when this identity may not read the party's metered energy.
pub async fn matching<D: DataSource>(source: &D, msp: &str, id: &str, day_start: i64) -> Result<Value, SourceError> {
    let args = vec!["MatchingReport".into(), msp.into(), id.into(), day_start.to_string()];
    source.query(Contract::Certificates, args).await
}

/// Per hour, the consumption as a light bar (class `consumption`) and the matched Wh over it (class `matched`).
pub fn matching_chart(report: &Value) -> String {
    let hours = items(report, "/hours");
    let y_max = headroom(hours.iter().map(|h| int(h, "/consumptionWh").max(int(h, "/claimedWh"))).max().unwrap_or(0));
    let slot_w = PLOT_W / 24.0;
    let bottom = TOP + PLOT_H;
    let mut svg = open("Consumption and matched certificates per hour");
    for (i, h) in hours.iter().take(24).enumerate() {
        let x = LEFT + i as f64 * slot_w;
        for (class, color, wh, width) in [
            ("consumption", BUY_COLOR, int(h, "/consumptionWh"), 0.8),
            ("matched", EXPORT_COLOR, int(h, "/matchedWh"), 0.5),
        ] {
            if wh <= 0 {
                continue;
            }
            let height = wh as f64 * PLOT_H / y_max as f64;
            svg.push_str(&format!(
                "<rect class=\"{class}\" fill=\"{color}\" fill-opacity=\"0.8\" x=\"{x:.1}\" y=\"{y:.1}\" \
width=\"{w:.1}\" height=\"{height:.1}\"><title>{class} {wh} Wh from {at}</title></rect>",
                x = x + slot_w * (1.0 - width) / 2.0,
                y = bottom - height,
                w = slot_w * width,
                wh = grouped(wh),
                at = utc(int(h, "/hourStart")),
            ));
        }
    }
    svg.push_str(&format!(
        "<text x=\"{xl}\" y=\"{yt}\" text-anchor=\"end\">{m}</text><text x=\"{xl}\" y=\"{bottom}\" text-anchor=\"end\">0</text>\
<text x=\"{xr}\" y=\"{yl}\" text-anchor=\"end\" fill=\"{BUY_COLOR}\">consumption Wh</text>\
<text x=\"{xr}\" y=\"{yl2}\" text-anchor=\"end\" fill=\"{EXPORT_COLOR}\">matched Wh</text></svg>",
        xl = LEFT - 4.0,
        yt = TOP + 10.0,
        xr = LEFT + PLOT_W,
        yl = TOP + 12.0,
        yl2 = TOP + 26.0,
        m = grouped(y_max),
    ));
    svg
}

/// `/matching?msp=&id=&day=`: the day's score, the chart and the hours with consumption or claims.
pub fn matching_page(report: &Value, day: &str) -> String {
    let score = match int(report, "/scoreBasisPoints") {
        _ if at(report, "/scoreBasisPoints").is_null() => "no consumption".to_string(),
        bp => format!("{}.{:02} %", bp / 100, bp % 100),
    };
    let mut body = format!(
        "<p>{} on {} (UTC): consumption {} Wh, claimed {} Wh, matched {} Wh, score <b id=\"score\">{}</b>.</p>",
        cell(at(report, "/party")),
        escape(day),
        cell(at(report, "/consumptionWh")),
        cell(at(report, "/claimedWh")),
        cell(at(report, "/matchedWh")),
        score
    );
    body.push_str(&matching_chart(report));
    let rows: Vec<Vec<String>> = items(report, "/hours")
        .iter()
        .filter(|h| int(h, "/consumptionWh") + int(h, "/claimedWh") > 0)
        .map(|h| {
            let mut cells = vec![utc(int(h, "/hourStart"))];
            cells.extend(row(h, &["/consumptionWh", "/claimedWh", "/matchedWh"]));
            cells
        })
        .collect();
    body.push_str(&table(&["hour", "consumption Wh", "claimed Wh", "matched Wh"], &rows, &[0]));
    page("Matching report", &body, None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn certificate_list_and_record() {
        let cert = json!({"id": "c1", "deviceId": "dev-1", "technology": "solar", "hourStart": 3600, "wh": 1500,
                          "owner": {"msp": "ProsumerMSP", "id": "alice"}, "status": "split", "parent": null,
                          "children": ["c2", "c3"], "fromStorage": false});
        let html = certificates_page(Some(&CertFilter::Device("dev-1".into())), Some(&json!({"records": [cert]})));
        assert!(html.contains("<title>Certificates of device dev-1 · gridledger</title>"), "{html}");
        assert!(html.contains(
            "<td class=\"t\"><a href=\"/certificates/c1\">c1</a></td><td class=\"t\">1970-01-01 01:00 UTC</td>"
        ));
        let history = json!([{"txId": "t1", "timestamp": {"seconds": 0}, "isDelete": false, "certificate": cert}]);
        let html = certificate_page(&cert, &history);
        assert!(html.contains("<a href=\"/certificates/c2\">c2</a>, <a href=\"/certificates/c3\">c3</a>"), "{html}");
        assert_eq!(CertFilter::Hour(3600).args("")[..2], ["CertificatesByHour", "3600"]);
    }

    #[test]
    fn matching_report_chart() {
        // The certificates README's worked example: 1800, 1000 and 40 Wh consumed, 1500 and 1000 claimed.
        let hour = |i: i64, c: i64, cl: i64| json!({"hourStart": i * 3600, "consumptionWh": c, "claimedWh": cl, "matchedWh": c.min(cl)});
        let mut hours = vec![hour(0, 1800, 1500), hour(1, 1000, 1000), hour(2, 40, 0)];
        hours.extend((3..24).map(|i| hour(i, 0, 0)));
        let report = json!({"party": {"msp": "M", "id": "p"}, "dayStart": 0, "hours": hours, "consumptionWh": 2840,
                            "claimedWh": 2500, "matchedWh": 2500, "score": {"numerator": 125, "denominator": 142},
                            "scoreBasisPoints": 8802});
        let html = matching_page(&report, "1970-01-01");
        assert!(html.contains("score <b id=\"score\">88.02 %</b>"), "{html}");
        assert_eq!(html.matches("<rect class=\"consumption\"").count(), 3);
        assert_eq!(html.matches("<rect class=\"matched\"").count(), 2);
        assert_eq!(html.matches("<tr>").count(), 4);
        let none = json!({"hours": [], "scoreBasisPoints": null});
        assert!(matching_page(&none, "x").contains("no consumption"));
    }
}
