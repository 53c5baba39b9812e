//! `gridctl flex`: requests, offers, schedules, award, deliveries and settlement on the flexibility chaincode
//! (chaincode/energy/flexibility/README.md), as tables or `--json`.

pub mod args;

use std::process::ExitCode;

use anyhow::bail;
use gridledger_client::text::quote;
use serde_json::{Value, json};

use args::{Direction, FlexCommand, FlexConn, OfferArgs, RequestArgs};

use crate::ledger::{Call, cell, cells, fields, int_list, readable_account, render, rows, run_calls};

/// Runs a `gridctl flex` command.
pub async fn run(cmd: &FlexCommand) -> anyhow::Result<ExitCode> {
    let conn = conn(cmd);
    run_calls(&conn.gw, &conn.chaincode, &plan(cmd)?, conn.json, |a| table(cmd, a)).await
}

fn conn(cmd: &FlexCommand) -> &FlexConn {
    match cmd {
        FlexCommand::Request(a) => &a.conn,
        FlexCommand::Offer(a) => &a.conn,
        FlexCommand::Schedule(a) => &a.conn,
        FlexCommand::Award(a) | FlexCommand::Show(a) => &a.conn,
        FlexCommand::Deliveries(a) | FlexCommand::Settle(a) => &a.conn,
    }
}

/// The transactions a command runs, in order.
pub fn plan(cmd: &FlexCommand) -> anyhow::Result<Vec<Call>> {
    Ok(match cmd {
        FlexCommand::Request(a) => vec![Call::submit("CreateRequest", vec![request_doc(a)?.to_string()])],
        FlexCommand::Offer(a) => {
            vec![Call::submit("SubmitOffer", vec![a.request_id.clone(), offer_doc(a)?.to_string()])]
        }
        FlexCommand::Schedule(a) => {
            let planned = int_list(&a.planned)?.to_string();
            vec![Call::submit("SubmitSchedule", vec![a.request_id.clone(), a.vpp.clone(), planned])]
        }
        FlexCommand::Award(a) => vec![Call::submit("Award", vec![a.request_id.clone()])],
        FlexCommand::Deliveries(a) => vec![Call::query("Deliveries", vec![a.request_id.clone(), a.vpp.clone()])],
        FlexCommand::Settle(a) => vec![Call::submit("Settle", vec![a.request_id.clone(), a.vpp.clone()])],
        FlexCommand::Show(a) => vec![
            Call::query("GetRequest", vec![a.request_id.clone()]),
            Call::query("Offers", vec![a.request_id.clone()]),
            Call::lookup("GetAward", vec![a.request_id.clone()]),
        ],
    })
}

/// `CreateRequest`'s document from the flags (the chaincode checks every bound; this only shapes it).
pub fn request_doc(a: &RequestArgs) -> anyhow::Result<Value> {
    let direction = match a.direction {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    Ok(json!({
        "connectionPoints": a.connection_points, "intervalStart": a.interval_start,
        "intervalSeconds": a.interval_seconds, "intervals": a.intervals, "direction": direction, "wh": a.wh,
        "priceCapPerKwh": a.price_cap, "gateClosure": a.gate_closure, "baseline": baseline(&a.baseline)?,
        "toleranceBps": a.tolerance_bps, "penaltyPerKwh": a.penalty,
    }))
}

/// `schedule` or `high-X-of-Y` as the request's baseline object.
pub fn baseline(text: &str) -> anyhow::Result<Value> {
    if text == "schedule" {
        return Ok(json!({"method": "schedule"}));
    }
    let parsed = text.strip_prefix("high-").and_then(|rest| rest.split_once("-of-"));
    match parsed.map(|(x, y)| (x.parse::<u32>(), y.parse::<u32>())) {
        Some((Ok(x), Ok(y))) => Ok(json!({"method": "highXOfY", "x": x, "y": y})),
        _ => bail!("--baseline {}: use schedule or high-X-of-Y (e.g. high-2-of-3)", quote(text)),
    }
}

/// `SubmitOffer`'s document from the flags.
pub fn offer_doc(a: &OfferArgs) -> anyhow::Result<Value> {
    let mut doc = json!({"vppId": a.vpp, "wh": a.wh, "pricePerKwh": a.price, "meters": a.meters});
    if let Some(schedule) = &a.schedule {
        doc["schedule"] = int_list(schedule)?;
    }
    Ok(doc)
}

const REQUEST: [&str; 12] = [
    "id",
    "status",
    "direction",
    "connectionPoints",
    "intervalStart",
    "intervalSeconds",
    "intervals",
    "wh",
    "priceCapPerKwh",
    "gateClosure",
    "toleranceBps",
    "penaltyPerKwh",
];
const INTERVAL: [&str; 9] = [
    "intervalStart",
    "measuredWh",
    "baselineWh",
    "deliveredWh",
    "paidWh",
    "shortfallWh",
    "payment",
    "penalty",
    "awardedWh",
];

/// The table of a command's answers (in [`plan`]'s order).
pub fn table(cmd: &FlexCommand, answers: &[Option<Value>]) -> String {
    let null = Value::Null;
    let first = answers.first().and_then(Option::as_ref).unwrap_or(&null);
    match cmd {
        FlexCommand::Request(_) => fields(first, &REQUEST),
        FlexCommand::Offer(_) | FlexCommand::Schedule(_) => offer_table(std::slice::from_ref(first)),
        FlexCommand::Award(_) => award_table(first),
        FlexCommand::Deliveries(_) | FlexCommand::Settle(_) => settlement_table(first),
        FlexCommand::Show(_) => {
            let offers = answers.get(1).and_then(Option::as_ref).and_then(Value::as_array).cloned().unwrap_or_default();
            let award = match answers.get(2).and_then(Option::as_ref) {
                Some(a) => award_table(a),
                None => "not awarded".into(),
            };
            format!("{}\n\noffers:\n{}\n\n{award}", fields(first, &REQUEST), offer_table(&offers))
        }
    }
}

fn offer_table(offers: &[Value]) -> String {
    let rows: Vec<Vec<String>> = offers
        .iter()
        .map(|o| {
            let mut row = cells(o, &["vppId", "wh", "pricePerKwh", "capWh", "placedAt"]);
            row.push(o["backing"].as_array().map_or(0, Vec::len).to_string());
            row.push(o["schedule"].as_array().map_or_else(|| "-".into(), |s| cells_joined(s)));
            row
        })
        .collect();
    render(&["vpp", "wh", "price/kWh", "cap wh", "placed at", "meters", "schedule"], &rows)
}

fn cells_joined(values: &[Value]) -> String {
    values.iter().map(Value::to_string).collect::<Vec<_>>().join(",")
}

fn award_table(award: &Value) -> String {
    let mut text = format!("awarded {} Wh", cell(&award["awardedWh"]));
    text.push('\n');
    text.push_str(&render(&["vpp", "wh", "price/kWh"], &rows(&award["awards"], &["vppId", "wh", "pricePerKwh"])));
    for skipped in award["skipped"].as_array().into_iter().flatten() {
        text.push_str(&format!("\nskipped: {}", cell(skipped)));
    }
    text
}

fn settlement_table(s: &Value) -> String {
    let headers =
        ["interval", "measured", "baseline", "delivered", "paid wh", "shortfall", "payment", "penalty", "awarded"];
    let mut text = render(&headers, &rows(&s["intervals"], &INTERVAL));
    let members: Vec<Vec<String>> = s["members"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| vec![readable_account(&cell(&m["account"])), cell(&m["contributionWh"]), cell(&m["amount"])])
        .collect();
    if !members.is_empty() {
        text.push_str("\n\nmembers:\n");
        text.push_str(&render(&["account", "contribution wh", "amount"], &members));
    }
    let postings: Vec<Vec<String>> = s["postings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let account = |k: &str| readable_account(&cell(&p[k]));
            vec![account("debit"), account("credit"), cell(&p["amount"]), cell(&p["reason"])]
        })
        .collect();
    if !postings.is_empty() {
        text.push_str("\n\npostings:\n");
        text.push_str(&render(&["debit", "credit", "amount", "reason"], &postings));
    }
    text
}

#[cfg(test)]
mod tests;
