//! Flexibility: one request with its offers, its award and, per awarded VPP, the settlement or (before it) the
//! deliveries metered so far. The contract has no query listing requests, so `/flexibility` asks for an id.

use serde_json::Value;

use crate::html::{escape, page, table};
use crate::json::{at, cell, items, link, row, text};
use crate::source::{Contract, DataSource, SourceError};

/// Most awarded VPPs whose settlement or deliveries one page reads.
pub const MAX_AWARDS_SHOWN: usize = 50;

/// What happened to one awarded VPP.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `GetSettlement`: settled.
    Settled(Value),
    /// `Deliveries`: not settled; what `Settle` would compute now.
    Delivering(Value),
    /// Neither readable: why (e.g. metering refuses this identity the readings).
    Unknown(String),
}

/// A request and everything the contract answers about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flexibility {
    /// `GetRequest`.
    pub request: Value,
    /// `Offers`.
    pub offers: Value,
    /// `GetAward`, `None` before the award.
    pub award: Option<Value>,
    /// Per awarded VPP (award order), its outcome.
    pub outcomes: Vec<(String, Outcome)>,
}

fn absent_is_none(result: Result<Value, SourceError>) -> Result<Option<Value>, SourceError> {
    match result {
        Err(SourceError::NotFound(_)) => Ok(None),
        other => other.map(Some),
    }
}

/// Reads the request, offers and award, then each awarded VPP's settlement, or its deliveries when not settled.
pub async fn flexibility<D: DataSource>(source: &D, id: &str) -> Result<Flexibility, SourceError> {
    let call = |f: &str, rest: &[&str]| {
        let mut args = vec![f.to_string()];
        args.extend(rest.iter().map(|a| a.to_string()));
        source.query(Contract::Flexibility, args)
    };
    let (request, offers, award) =
        tokio::join!(call("GetRequest", &[id]), call("Offers", &[id]), call("GetAward", &[id]));
    let (request, offers, award) = (request?, offers?, absent_is_none(award)?);
    let mut outcomes = Vec::new();
    let vpps = award.as_ref().map_or(&[][..], |a| items(a, "/awards"));
    for vpp in vpps.iter().take(MAX_AWARDS_SHOWN).map(|a| text(a, "/vppId").to_string()) {
        let outcome = match absent_is_none(call("GetSettlement", &[id, &vpp]).await)? {
            Some(s) => Outcome::Settled(s),
            None => match call("Deliveries", &[id, &vpp]).await {
                Ok(d) => Outcome::Delivering(d),
                // The deliveries need the meters' private readings: an identity metering refuses sees why here.
                Err(e @ (SourceError::Refused(_) | SourceError::NotFound(_))) => Outcome::Unknown(e.to_string()),
                Err(e) => return Err(e),
            },
        };
        outcomes.push((vpp, outcome));
    }
    Ok(Flexibility { request, offers, award, outcomes })
}

fn members_and_postings(record: &Value) -> String {
    let rows: Vec<Vec<String>> =
        items(record, "/members").iter().map(|m| row(m, &["/account", "/contributionWh", "/amount"])).collect();
    let mut out = table(&["member", "contribution Wh", "amount"], &rows, &[0]);
    let rows: Vec<Vec<String>> =
        items(record, "/postings").iter().map(|p| row(p, &["/debit", "/credit", "/amount", "/reason"])).collect();
    out.push_str(&table(&["debit", "credit", "amount", "reason"], &rows, &[0, 1, 3]));
    out
}

/// `/flexibility/{id}`: the request's terms, the offers, the award, and per awarded VPP its settlement.
pub fn flexibility_page(f: &Flexibility) -> String {
    let r = &f.request;
    let fields = [
        ("operator", "/operator"),
        ("status", "/status"),
        ("direction", "/direction"),
        ("Wh per interval", "/wh"),
        ("price cap per kWh", "/priceCapPerKwh"),
        ("first interval", "/intervalStart"),
        ("interval s", "/intervalSeconds"),
        ("intervals", "/intervals"),
        ("gate closure", "/gateClosure"),
        ("connection points", "/connectionPoints"),
        ("baseline", "/baseline/method"),
        ("tolerance bp", "/toleranceBps"),
        ("penalty per kWh", "/penaltyPerKwh"),
    ];
    let rows: Vec<Vec<String>> = fields.iter().map(|(k, p)| vec![escape(k), cell(at(r, p))]).collect();
    let mut body = table(&["field", "value"], &rows, &[0, 1]);
    body.push_str("<h2>Offers</h2>");
    let rows: Vec<Vec<String>> = items(&f.offers, "")
        .iter()
        .map(|o| {
            let mut cells = vec![link("/vpps/", text(o, "/vppId"))];
            cells.extend(row(o, &["/aggregator", "/wh", "/capWh", "/pricePerKwh", "/placedAt"]));
            cells
        })
        .collect();
    body.push_str(&table(&["VPP", "aggregator", "Wh", "cap Wh", "price per kWh", "placed"], &rows, &[0, 1, 5]));
    body.push_str("<h2>Award</h2>");
    match &f.award {
        None => body.push_str("<p>Not awarded yet.</p>"),
        Some(a) => {
            body.push_str(&format!(
                "<p>Awarded <b id=\"awarded\">{}</b> Wh at {}; skipped: {}.</p>",
                cell(at(a, "/awardedWh")),
                cell(at(a, "/awardedAt")),
                cell(at(a, "/skipped"))
            ));
            let rows: Vec<Vec<String>> =
                items(a, "/awards").iter().map(|w| row(w, &["/vppId", "/wh", "/pricePerKwh"])).collect();
            body.push_str(&table(&["VPP", "Wh", "price per kWh"], &rows, &[0]));
        }
    }
    for (vpp, outcome) in &f.outcomes {
        match outcome {
            Outcome::Settled(s) => {
                body.push_str(&format!("<h2>Settlement of {}</h2>", escape(vpp)));
                body.push_str(&format!("<p>Settled at {}.</p>", cell(at(s, "/settledAt"))));
                body.push_str(&members_and_postings(s));
            }
            Outcome::Delivering(d) => {
                body.push_str(&format!("<h2>Deliveries of {} (not settled)</h2>", escape(vpp)));
                body.push_str(&members_and_postings(d));
            }
            Outcome::Unknown(why) => {
                body.push_str(&format!(
                    "<h2>{}</h2><p class=\"error\">Not settled; deliveries not readable: {}</p>",
                    escape(vpp),
                    escape(why)
                ));
            }
        }
    }
    page(&format!("Flexibility request {}", text(r, "/id")), &body, None)
}

/// `/flexibility`: a form for a request id.
pub fn flexibility_form() -> String {
    let body = "<form action=\"/flexibility\"><label>Request id <input name=\"request\" size=\"24\"></label> \
<button>Show</button></form><p>The flexibility contract has no query listing requests: the grid operator's \
<code>FlexibilityRequested</code> events name them.</p>";
    page("Flexibility", body, None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn request_offers_award_and_settlement() {
        let request = json!({"id": "r1", "operator": {"msp": "GridMSP", "id": "op"}, "status": "awarded",
                             "direction": "up", "wh": 2000, "connectionPoints": ["cp-1", "cp-2*"]});
        let offers = json!([{"vppId": "vpp-a", "aggregator": {"msp": "AggMSP", "id": "agg"}, "wh": 2000, "capWh": 2500,
                             "pricePerKwh": 40}]);
        let award = json!({"awards": [{"vppId": "vpp-a", "wh": 2000, "pricePerKwh": 40}, {"vppId": "vpp-b", "wh": 1, "pricePerKwh": 1}],
                           "awardedWh": 2001, "skipped": []});
        let settled = json!({"members": [{"account": "ProsumerMSP/alice", "contributionWh": 1900, "amount": 76}],
                             "postings": [{"debit": "GRID", "credit": "VPP/vpp-a", "amount": 76, "reason": "flex-payment"}]});
        let f = Flexibility {
            request,
            offers,
            award: Some(award),
            outcomes: vec![
                ("vpp-a".into(), Outcome::Settled(settled)),
                ("vpp-b".into(), Outcome::Unknown("this identity may not read it: <no>".into())),
            ],
        };
        let html = flexibility_page(&f);
        assert!(html.contains("<td class=\"t\">connection points</td><td class=\"t\">cp-1, cp-2*</td>"), "{html}");
        assert!(
            html.contains("<a href=\"/vpps/vpp-a\">vpp-a</a>") && html.contains("<b id=\"awarded\">2\u{202f}001</b>")
        );
        assert!(html.contains("<td class=\"t\">GRID</td><td class=\"t\">VPP/vpp-a</td><td>76</td>"));
        assert!(html.contains("deliveries not readable: this identity may not read it: &lt;no&gt;"));
        let open = Flexibility { award: None, outcomes: vec![], ..f };
        assert!(flexibility_page(&open).contains("Not awarded yet."));
    }
}
