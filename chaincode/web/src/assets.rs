//! Registry and metering records: assets by owner, kind, status or connection point, one asset and its history,
//! a VPP with its members and capacity, and a meter with its status and a day of its readings per hour.

use futures_util::future::try_join_all;
use serde_json::Value;

use crate::html::{escape, page, table, utc};
use crate::json::{at, cell, int, items, link, row, text, url};
use crate::source::{Contract, DataSource, SourceError};

/// Records per page of a list (the registry and certificates accept 1 to 1000).
pub const PAGE_SIZE: u32 = 100;
/// The asset kinds the registry knows.
pub const KINDS: [&str; 6] = ["pv", "wind", "storage", "ev-charger", "flexible-load", "chp"];
/// The asset statuses.
pub const STATUSES: [&str; 4] = ["pending", "active", "suspended", "decommissioned"];
/// Most VPP members whose asset record the VPP page fetches (the rest are listed by id).
pub const MAX_MEMBERS_SHOWN: usize = 100;

/// Which registry index an asset list reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetFilter {
    /// `AssetsByOwner(msp, id, …)`.
    Owner(String, String),
    /// `AssetsByKind(kind, …)`.
    Kind(String),
    /// `AssetsByStatus(status, …)`.
    Status(String),
    /// `AssetsByConnectionPoint(cp, …)`.
    ConnectionPoint(String),
}

impl AssetFilter {
    fn args(&self, bookmark: &str) -> Vec<String> {
        let mut args = match self {
            AssetFilter::Owner(msp, id) => vec!["AssetsByOwner".into(), msp.clone(), id.clone()],
            AssetFilter::Kind(k) => vec!["AssetsByKind".into(), k.clone()],
            AssetFilter::Status(s) => vec!["AssetsByStatus".into(), s.clone()],
            AssetFilter::ConnectionPoint(cp) => vec!["AssetsByConnectionPoint".into(), cp.clone()],
        };
        args.extend([PAGE_SIZE.to_string(), bookmark.to_string()]);
        args
    }

    /// The list's query string (without the bookmark).
    pub fn query(&self) -> String {
        match self {
            AssetFilter::Owner(msp, id) => format!("owner_msp={}&owner_id={}", url(msp), url(id)),
            AssetFilter::Kind(k) => format!("kind={}", url(k)),
            AssetFilter::Status(s) => format!("status={}", url(s)),
            AssetFilter::ConnectionPoint(cp) => format!("cp={}", url(cp)),
        }
    }

    fn describe(&self) -> String {
        match self {
            AssetFilter::Owner(msp, id) => format!("owned by {msp}/{id}"),
            AssetFilter::Kind(k) => format!("of kind {k}"),
            AssetFilter::Status(s) => format!("with status {s}"),
            AssetFilter::ConnectionPoint(cp) => format!("at {cp}"),
        }
    }
}

/// One page of assets (`{"records","bookmark"}`).
pub async fn assets<D: DataSource>(source: &D, filter: &AssetFilter, bookmark: &str) -> Result<Value, SourceError> {
    source.query(Contract::Registry, filter.args(bookmark)).await
}

/// A table of `records` (`{"records","bookmark"}`), and a link to the next page when there is one.
pub(crate) fn paged(list: &Value, headers: &[&str], make_row: impl Fn(&Value) -> Vec<String>, next: &str) -> String {
    let rows: Vec<Vec<String>> = items(list, "/records").iter().map(make_row).collect();
    let text_columns: Vec<usize> = (0..headers.len()).collect();
    let mut out = format!("<p>{} records.</p>{}", rows.len(), table(headers, &rows, &text_columns));
    let bookmark = text(list, "/bookmark");
    if !bookmark.is_empty() {
        out.push_str(&format!("<p><a href=\"{next}&amp;bookmark={}\">Next page</a></p>", url(bookmark)));
    }
    out
}

fn asset_row(a: &Value) -> Vec<String> {
    let vpp = text(a, "/vpp");
    let mut cells = vec![link("/assets/", text(a, "/id"))];
    cells.extend(row(a, &["/owner", "/kind", "/nameplateW", "/connectionPoint", "/status"]));
    cells.push(if vpp.is_empty() { "–".into() } else { link("/vpps/", vpp) });
    cells
}

/// `/assets`: links to every kind and status and a form for an owner or connection point; with a filter, one page
/// of the matching assets.
pub fn assets_page(filter: Option<&AssetFilter>, list: Option<&Value>) -> String {
    let links = |name: &str, values: &[&str]| {
        values.iter().map(|v| format!("<a href=\"/assets?{name}={v}\">{v}</a>")).collect::<Vec<_>>().join(" · ")
    };
    let mut body = format!(
        "<p>By kind: {}</p><p>By status: {}</p>\
<form action=\"/assets\"><label>Owner MSP <input name=\"owner_msp\" size=\"12\"></label> \
<label>id <input name=\"owner_id\" size=\"24\"></label> <button>Show</button></form>\
<form action=\"/assets\"><label>Connection point <input name=\"cp\" size=\"16\"></label> <button>Show</button></form>",
        links("kind", &KINDS),
        links("status", &STATUSES)
    );
    let title = match (filter, list) {
        (Some(f), Some(list)) => {
            let headers = ["asset", "owner", "kind", "nameplate W", "connection point", "status", "VPP"];
            body.push_str(&paged(list, &headers, asset_row, &format!("/assets?{}", escape(&f.query()))));
            format!("Assets {}", f.describe())
        }
        _ => "Assets".into(),
    };
    page(&title, &body, None)
}

/// `GetAsset` and `AssetHistory`.
pub async fn asset<D: DataSource>(source: &D, id: &str) -> Result<(Value, Value), SourceError> {
    let record = source.query(Contract::Registry, vec!["GetAsset".into(), id.into()]);
    let history = source.query(Contract::Registry, vec!["AssetHistory".into(), id.into()]);
    tokio::try_join!(record, history)
}

/// `/assets/{id}`: the asset's fields and its history, newest first.
pub fn asset_page(asset: &Value, history: &Value) -> String {
    let fields = [
        ("owner", "/owner"),
        ("kind", "/kind"),
        ("nameplate W", "/nameplateW"),
        ("storage Wh", "/storageWh"),
        ("connection point", "/connectionPoint"),
        ("location", "/location"),
        ("commissioned", "/commissioned"),
        ("status", "/status"),
        ("status reason", "/statusReason"),
    ];
    let mut rows: Vec<Vec<String>> = fields.iter().map(|(k, p)| vec![escape(k), cell(at(asset, p))]).collect();
    let vpp = text(asset, "/vpp");
    rows.push(vec!["VPP".into(), if vpp.is_empty() { "–".into() } else { link("/vpps/", vpp) }]);
    let mut body = table(&["field", "value"], &rows, &[0, 1]);
    body.push_str("<h2>History</h2>");
    let rows: Vec<Vec<String>> = items(history, "")
        .iter()
        .map(|h| row(h, &["/timestamp", "/txId", "/isDelete", "/asset/status", "/asset/owner", "/asset/vpp"]))
        .collect();
    body.push_str(&table(&["time", "transaction", "deleted", "status", "owner", "VPP"], &rows, &[0, 1, 2, 3, 4, 5]));
    page(&format!("Asset {}", text(asset, "/id")), &body, None)
}

/// `GetVpp`, then the first [`MAX_MEMBERS_SHOWN`] members' assets (concurrently).
pub async fn vpp<D: DataSource>(source: &D, id: &str) -> Result<(Value, Vec<Value>), SourceError> {
    let record = source.query(Contract::Registry, vec!["GetVpp".into(), id.into()]).await?;
    let members = items(&record, "/members").iter().take(MAX_MEMBERS_SHOWN).filter_map(Value::as_str);
    let assets =
        try_join_all(members.map(|m| source.query(Contract::Registry, vec!["GetAsset".into(), m.to_string()]))).await?;
    Ok((record, assets))
}

/// `/vpps/{id}`: the aggregator, the capacity (the sum of the members' nameplates) and the members.
pub fn vpp_page(vpp: &Value, members: &[Value]) -> String {
    let all = items(vpp, "/members");
    let mut body = format!(
        "<p>{} · aggregator {} · <b id=\"capacity\">{}</b> W from {} members.</p>",
        cell(at(vpp, "/name")),
        cell(at(vpp, "/aggregator")),
        cell(at(vpp, "/capacityW")),
        all.len()
    );
    let rows: Vec<Vec<String>> = members.iter().map(asset_row).collect();
    body.push_str(&table(
        &["asset", "owner", "kind", "nameplate W", "connection point", "status", "VPP"],
        &rows,
        &[0, 1, 2, 4, 5, 6],
    ));
    if all.len() > members.len() {
        let rest: Vec<String> =
            all.iter().skip(members.len()).filter_map(Value::as_str).map(|m| link("/assets/", m)).collect();
        body.push_str(&format!("<p>Also: {}</p>", rest.join(", ")));
    }
    page(&format!("VPP {}", text(vpp, "/id")), &body, None)
}

/// `GetMeter`, then `MeterHour` for each hour of the day from `day_start` (concurrently): a refused read of the
/// private readings is the page's error ([`SourceError::Refused`]).
pub async fn meter<D: DataSource>(source: &D, id: &str, day_start: i64) -> Result<(Value, Vec<Value>), SourceError> {
    let record = source.query(Contract::Metering, vec!["GetMeter".into(), id.into()]).await?;
    let hours = (0..24).map(|h| {
        source.query(Contract::Metering, vec!["MeterHour".into(), id.into(), (day_start + h * 3600).to_string()])
    });
    Ok((record, try_join_all(hours).await?))
}

/// `/meters/{id}?day=`: the meter (asset, registers, interval, status, owner) and its readings per hour.
pub fn meter_page(meter: &Value, day: &str, hours: &[Value]) -> String {
    let mut body = format!(
        "<p>Asset {} · registers {} · {} s intervals · owner {} · status <b id=\"status\">{}</b></p>",
        link("/assets/", text(meter, "/assetId")),
        cell(at(meter, "/registers")),
        int(meter, "/intervalSeconds"),
        cell(at(meter, "/owner")),
        cell(at(meter, "/status")),
    );
    body.push_str(&format!("<h2>Readings on {} (UTC), per hour</h2>", escape(day)));
    let rows: Vec<Vec<String>> = hours
        .iter()
        .filter(|h| int(h, "/importReadings") + int(h, "/exportReadings") > 0)
        .map(|h| {
            let mut cells = vec![utc(int(h, "/hourStart"))];
            cells.extend(row(h, &["/importWh", "/importReadings", "/exportWh", "/exportReadings", "/owners"]));
            cells
        })
        .collect();
    body.push_str(&table(
        &["hour", "import Wh", "import readings", "export Wh", "export readings", "attributed to"],
        &rows,
        &[0, 5],
    ));
    page(&format!("Meter {}", text(meter, "/id")), &body, None)
}

/// `/meters`: a form for a meter id (the metering contract has no list of meters).
pub fn meters_form() -> String {
    let body = "<form action=\"/meters\"><label>Meter id <input name=\"id\" size=\"24\"></label> \
<label>day <input name=\"day\" placeholder=\"YYYY-MM-DD\" size=\"10\"></label> <button>Show</button></form>\
<p>The metering contract has no query listing meters: find a meter id on its asset's owner's records.</p>";
    page("Meters", body, None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pv(id: &str, vpp: Option<&str>) -> Value {
        json!({"id": id, "owner": {"msp": "ProsumerMSP", "id": "alice"}, "kind": "pv", "nameplateW": 4000,
               "connectionPoint": "cp-1", "status": "active", "vpp": vpp})
    }

    #[test]
    fn asset_lists_page_on() {
        let list = json!({"records": [pv("pv-1", Some("vpp-n")), pv("pv-2", None)], "bookmark": "b/1"});
        let filter = AssetFilter::Owner("ProsumerMSP".into(), "x509::CN=a".into());
        let html = assets_page(Some(&filter), Some(&list));
        assert!(html.contains("<title>Assets owned by ProsumerMSP/x509::CN=a · gridledger</title>"), "{html}");
        assert!(html.contains("<a href=\"/assets/pv-1\">pv-1</a>") && html.contains("<a href=\"/vpps/vpp-n\">"));
        assert!(
            html.contains("href=\"/assets?owner_msp=ProsumerMSP&amp;owner_id=x509%3A%3ACN%3Da&amp;bookmark=b%2F1\"")
        );
        assert_eq!(html.matches("<tr>").count(), 3);
        let last = assets_page(Some(&AssetFilter::Kind("pv".into())), Some(&json!({"records": [], "bookmark": ""})));
        assert!(last.contains("0 records") && !last.contains("Next page"));
        assert_eq!(filter.args("")[..2], ["AssetsByOwner", "ProsumerMSP"]);
    }

    #[test]
    fn asset_vpp_and_meter_pages() {
        let history =
            json!([{"txId": "t2", "timestamp": {"seconds": 60}, "isDelete": false, "asset": pv("pv-1", None)}]);
        let html = asset_page(&pv("pv-1", Some("vpp-n")), &history);
        assert!(html.contains("<td class=\"t\">1970-01-01 00:01 UTC</td><td class=\"t\">t2</td>"), "{html}");

        let vpp = json!({"id": "vpp-n", "name": "North", "aggregator": {"msp": "AggMSP", "id": "agg"},
                         "members": ["pv-1", "pv-2"], "capacityW": 8000});
        let html = vpp_page(&vpp, &[pv("pv-1", Some("vpp-n"))]);
        assert!(html.contains("<b id=\"capacity\">8\u{202f}000</b> W from 2 members"), "{html}");
        assert!(html.contains("Also: <a href=\"/assets/pv-2\">pv-2</a>"));

        let meter = json!({"id": "m-1", "assetId": "pv-1", "registers": ["export"], "intervalSeconds": 900,
                           "status": "active", "owner": {"msp": "ProsumerMSP", "id": "alice"}});
        let hour = |start: i64, wh: i64| {
            json!({"hourStart": start, "exportWh": wh, "exportReadings": i64::from(wh > 0),
                                                "importWh": 0, "importReadings": 0, "owners": []})
        };
        let html = meter_page(&meter, "1970-01-01", &[hour(0, 0), hour(3600, 250)]);
        assert!(html.contains("<b id=\"status\">active</b>"));
        assert!(html.contains("<td class=\"t\">1970-01-01 01:00 UTC</td><td>0</td><td>0</td><td>250</td>"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 2, "only hours with readings");
    }
}
