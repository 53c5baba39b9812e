//! Page builders: pure functions from the plain records of [`crate::model`] to whole HTML pages.

use crate::chart;
use crate::html::{escape, grouped, page, short, table, utc};
use crate::model::{Balances, IntervalDetail, IntervalSummary, IntervalTotals, NetworkInfo, OrderStatus};

/// The event stream the market pages reload on.
pub const MARKET_EVENTS: &str = "/events/market";

/// `/market`: the intervals around now, newest first, each linking to its page.
pub fn market(intervals: &[IntervalSummary]) -> String {
    let rows: Vec<Vec<String>> = intervals
        .iter()
        .map(|i| {
            vec![
                format!("<a href=\"/market/{}\">{}</a>", i.start, utc(i.start)),
                i.state.as_str().to_string(),
                i.open_orders.to_string(),
                i.price_per_kwh.map_or_else(|| "–".to_string(), |p| p.to_string()),
                grouped(i.volume_wh),
            ]
        })
        .collect();
    let body = table(&["interval", "state", "open orders", "price per kWh", "volume Wh"], &rows, &[0, 1]);
    page("Market", &body, Some(MARKET_EVENTS))
}

/// `/market/{intervalStart}`: the curves, the order book, the fills and the settlement of one interval.
pub fn interval(detail: &IntervalDetail) -> String {
    let mut body = String::new();
    let clearing = detail.clearing.as_ref();
    body.push_str(&match clearing {
        Some(c) => match c.price_per_kwh {
            Some(p) => format!("<p>Cleared at <b>{p}</b> per kWh, <b>{}</b> Wh traded.</p>", grouped(c.volume_wh)),
            None => "<p>Cleared: nothing traded (the best bid was below the best ask).</p>".to_string(),
        },
        None => "<p>Not cleared yet.</p>".to_string(),
    });
    body.push_str(&chart::market_curves(&detail.orders, clearing));

    body.push_str("<h2>Order book</h2>");
    let rows: Vec<Vec<String>> = detail
        .orders
        .iter()
        .map(|o| {
            let status = match o.status {
                OrderStatus::Open => "open",
                OrderStatus::Cancelled => "cancelled",
            };
            vec![
                short(&o.id),
                o.side.as_str().to_string(),
                grouped(o.wh),
                o.limit_per_kwh.to_string(),
                short(&o.party.account()),
                status.to_string(),
            ]
        })
        .collect();
    body.push_str(&table(&["order", "side", "Wh", "limit per kWh", "party", "status"], &rows, &[0, 1, 4, 5]));

    if let Some(c) = clearing {
        body.push_str("<h2>Fills</h2>");
        let rows: Vec<Vec<String>> = c
            .fills
            .iter()
            .map(|f| vec![short(&f.order_id), f.side.as_str().to_string(), grouped(f.wh), short(&f.party.account())])
            .collect();
        body.push_str(&table(&["order", "side", "Wh", "party"], &rows, &[0, 1, 3]));
    }
    match &detail.settlement {
        Some(s) => {
            body.push_str("<h2>Settlement</h2>");
            let rows: Vec<Vec<String>> = s
                .parties
                .iter()
                .map(|p| {
                    vec![
                        short(&p.party.account()),
                        grouped(p.traded_wh),
                        grouped(p.metered_wh),
                        grouped(p.imbalance_wh),
                    ]
                })
                .collect();
            body.push_str(&table(&["party", "traded Wh", "metered Wh", "imbalance Wh"], &rows, &[0]));
            let rows: Vec<Vec<String>> = s
                .postings
                .iter()
                .map(|p| vec![short(&p.debit), short(&p.credit), grouped(p.amount), escape(&p.reason)])
                .collect();
            body.push_str(&table(&["debit", "credit", "amount", "reason"], &rows, &[0, 1, 3]));
        }
        None => body.push_str("<p>Not settled yet.</p>"),
    }
    page(&format!("Interval {}", utc(detail.start)), &body, Some(MARKET_EVENTS))
}

/// `/balances`: every account's balance in minor units, and their sum (0 while the ledger is consistent).
pub fn balances(balances: &Balances) -> String {
    let rows: Vec<Vec<String>> = balances.iter().map(|(a, b)| vec![short(a), grouped(*b)]).collect();
    let sum = balances.values().fold(0i64, |s, b| s.saturating_add(*b));
    let body = format!(
        "{}<p>Sum of all balances: {} (every posting moves money between two accounts).</p>",
        table(&["account", "balance (minor units)"], &rows, &[0]),
        grouped(sum)
    );
    page("Balances", &body, Some(MARKET_EVENTS))
}

/// `/metering/{connectionPoint}?day=`: a day's import and export per interval, as a chart and a table of the
/// intervals with readings.
pub fn metering(
    connection_point: &str,
    day: &str,
    day_start: i64,
    interval_seconds: u32,
    totals: &[IntervalTotals],
) -> String {
    let mut body = format!(
        "<p>Connection point <b>{}</b>, {} (UTC), {interval_seconds} s intervals.</p>",
        escape(connection_point),
        escape(day)
    );
    body.push_str(&chart::metering_day(day_start, interval_seconds, totals));
    let (import, export) =
        totals.iter().fold((0i64, 0i64), |(i, e), t| (i.saturating_add(t.import_wh), e.saturating_add(t.export_wh)));
    body.push_str(&format!("<p>Day total: import {} Wh, export {} Wh.</p>", grouped(import), grouped(export)));
    let rows: Vec<Vec<String>> = totals
        .iter()
        .filter(|t| t.readings > 0)
        .map(|t| vec![utc(t.interval_start), grouped(t.import_wh), grouped(t.export_wh), t.readings.to_string()])
        .collect();
    body.push_str(&table(&["interval", "import Wh", "export Wh", "readings"], &rows, &[0]));
    page(&format!("Metering {connection_point}"), &body, None)
}

/// `/network`: the channel, each application organization's peer height (and whether they agree), the orderer
/// nodes, the committed chaincodes, the latest blocks with each transaction's validation code, and what could not
/// be read.
pub fn network(info: &NetworkInfo) -> String {
    let mut body = format!(
        "<p>Channel <b>{}</b>, seen through the gateway peer <b>{}</b> as <b>{}</b>.</p>",
        escape(&info.channel),
        escape(&info.gateway_peer),
        escape(&info.identity_msp)
    );
    body.push_str(&match info.height {
        Some(h) => format!("<p>Block height of the gateway peer: <b id=\"height\">{h}</b></p>"),
        None => "<p>Block height: not available.</p>".to_string(),
    });
    if !info.organizations.is_empty() {
        body.push_str("<h2>Organizations</h2>");
        let rows: Vec<Vec<String>> = info
            .organizations
            .iter()
            .map(|o| {
                let height = match &o.height {
                    Ok(h) => format!("<span class=\"org-height\">{h}</span>"),
                    Err(e) => format!("not answered: {}", escape(e)),
                };
                vec![format!("<span class=\"org\">{}</span>", escape(&o.msp)), height]
            })
            .collect();
        body.push_str(&table(&["MSP", "peer block height"], &rows, &[0]));
        let heights: Vec<u64> = info.organizations.iter().filter_map(|o| o.height.as_ref().ok().copied()).collect();
        let agree = heights.len() == info.organizations.len() && heights.windows(2).all(|w| w[0] == w[1]);
        body.push_str(&format!(
            "<p id=\"heights\">{}</p><p>Listed from {}.</p>",
            if agree {
                "All peers are at the same height."
            } else {
                "The peers' heights differ (or one did not answer)."
            },
            escape(&info.organizations_from)
        ));
    }
    if !info.orderers.is_empty() {
        body.push_str("<h2>Orderers</h2>");
        let rows: Vec<Vec<String>> = info
            .orderers
            .iter()
            .map(|o| vec![escape(&o.msp), o.endpoints.iter().map(|e| escape(e)).collect::<Vec<_>>().join(", ")])
            .collect();
        body.push_str(&table(&["organization", "nodes"], &rows, &[0, 1]));
    }
    if let Some(chaincodes) = &info.chaincodes {
        body.push_str("<h2>Committed chaincodes</h2>");
        let rows: Vec<Vec<String>> = chaincodes
            .iter()
            .map(|c| vec![escape(&c.name), escape(&c.version), c.sequence.to_string(), escape(&c.policy)])
            .collect();
        body.push_str(&table(&["name", "version", "sequence", "endorsement policy"], &rows, &[0, 1, 3]));
    }
    if !info.blocks.is_empty() {
        body.push_str("<h2>Latest blocks</h2>");
        let rows: Vec<Vec<String>> = info
            .blocks
            .iter()
            .flat_map(|b| {
                b.transactions.iter().map(move |t| {
                    vec![
                        b.number.to_string(),
                        short(&t.tx_id),
                        escape(&t.kind),
                        t.chaincode.as_deref().map_or_else(|| "–".to_string(), escape),
                        t.timestamp.map_or_else(|| "–".to_string(), utc),
                        format!("<span class=\"code\">{}</span>", escape(&t.validation)),
                    ]
                })
            })
            .collect();
        body.push_str(&table(
            &["block", "transaction", "type", "chaincode", "time", "validation"],
            &rows,
            &[1, 2, 3, 4, 5],
        ));
    }
    if !info.missing.is_empty() {
        body.push_str("<h2>Not shown</h2><ul>");
        for m in &info.missing {
            body.push_str(&format!("<li>{}</li>", escape(m)));
        }
        body.push_str("</ul>");
    }
    page("Network", &body, None)
}

/// An error page: what failed, in one short escaped paragraph, and what to check.
pub fn error(title: &str, detail: &str, hint: &str) -> String {
    let body = format!("<div class=\"error\"><p>{}</p><p>{}</p></div>", escape(detail), escape(hint));
    page(title, &body, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::tests::worked_example;
    use gridledger_client::chain::{BlockSummary, Transaction};

    use crate::model::{IntervalState, OrdererOrg, OrgHeight, Party, PartyPosition, Posting, Settlement};

    #[test]
    fn interval_page_shows_curve_book_fills_and_settlement() {
        let (orders, clearing) = worked_example();
        let settlement = Settlement {
            interval_start: clearing.interval_start,
            parties: vec![PartyPosition {
                party: Party { msp: "OrgMSP".into(), id: "<alice>".into() },
                traded_wh: 3000,
                metered_wh: 3200,
                imbalance_wh: 200,
            }],
            postings: vec![Posting {
                debit: "OrgMSP/<alice>".into(),
                credit: "GRID".into(),
                amount: 8,
                reason: "imbalance-short".into(),
            }],
        };
        let detail = IntervalDetail {
            start: clearing.interval_start,
            orders,
            clearing: Some(clearing),
            settlement: Some(settlement),
        };
        let html = interval(&detail);
        assert!(html.contains("<title>Interval 2026-01-01 00:00 UTC · gridledger</title>"), "{html}");
        assert!(html.contains("Cleared at <b>22</b> per kWh, <b>4\u{202f}500</b> Wh traded."));
        assert_eq!(html.matches("class=\"step ").count(), 6);
        assert_eq!(
            html.matches("<tr>").count(),
            1 + 6 + 1 + 3 + 1 + 1 + 1 + 1,
            "header+rows of book, fills, parties, postings"
        );
        assert!(html.contains("OrgMSP/&lt;alice&gt;") && !html.contains("<alice>"));
        assert!(html.contains("imbalance-short") && !html.contains("Not settled"));
    }

    #[test]
    fn market_list_balances_metering_network() {
        let list = market(&[IntervalSummary {
            start: 0,
            state: IntervalState::Cleared,
            open_orders: 2,
            price_per_kwh: Some(22),
            volume_wh: 4500,
        }]);
        assert!(list.contains("<a href=\"/market/0\">1970-01-01 00:00 UTC</a>") && list.contains("cleared"));
        assert!(list.contains("new EventSource(\"/events/market\")"));

        let b: Balances =
            [("GRID".to_string(), 49), ("OrgMSP/alice".to_string(), -89), ("OrgMSP/carol".to_string(), 40)].into();
        let html = balances(&b);
        assert!(
            html.contains("<td class=\"t\">GRID</td><td>49</td>") && html.contains("Sum of all balances: 0"),
            "{html}"
        );

        let totals = [IntervalTotals { interval_start: 900, import_wh: 1500, export_wh: 0, readings: 2 }];
        let html = metering("cp-<1>", "1970-01-01", 0, 900, &totals);
        assert!(html.contains("cp-&lt;1&gt;") && !html.contains("cp-<1>") && html.contains("import 1\u{202f}500 Wh"));

        let org = |msp: &str, height: Result<u64, String>| OrgHeight { msp: msp.into(), height };
        let transaction = |tx: &str, code: &str| Transaction {
            tx_id: tx.into(),
            kind: "ENDORSER_TRANSACTION".into(),
            timestamp: Some(0),
            chaincode: Some("trade".into()),
            validation: code.into(),
        };
        let mut info = NetworkInfo {
            channel: "energy".into(),
            height: Some(12),
            organizations: vec![org("GridMSP", Ok(12)), org("UtilityMSP", Ok(12))],
            orderers: vec![OrdererOrg {
                msp: "OrdererMSP".into(),
                endpoints: vec!["o1:7050".into(), "o2:7050".into()],
            }],
            blocks: vec![BlockSummary {
                number: 11,
                transactions: vec![transaction("t1", "VALID"), transaction("t2", "MVCC_READ_CONFLICT")],
            }],
            missing: vec!["<other peers>".into()],
            ..NetworkInfo::default()
        };
        let html = network(&info);
        assert!(html.contains("<b id=\"height\">12</b>") && html.contains("<li>&lt;other peers&gt;</li>"), "{html}");
        assert_eq!(html.matches("<span class=\"org-height\">12</span>").count(), 2);
        assert!(html.contains("All peers are at the same height.") && html.contains("o1:7050, o2:7050"));
        assert!(html.contains("<td>11</td><td class=\"t\">t2</td>") && html.contains(">MVCC_READ_CONFLICT<"), "{html}");
        info.organizations[1].height = Err("<down>".into());
        let html = network(&info);
        assert!(html.contains("not answered: &lt;down&gt;") && html.contains("heights differ"), "{html}");
    }

    #[test]
    fn error_pages_escape() {
        let html = error("Network down", "cannot reach <peer>", "check 'it'");
        assert!(html.contains("cannot reach &lt;peer&gt;") && html.contains("check &#39;it&#39;"));
    }
}
