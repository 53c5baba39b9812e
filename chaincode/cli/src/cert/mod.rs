//! `gridctl cert`: devices, issuance, transfer, delivery versus payment, claims and the matching report on the
//! certificates chaincode (chaincode/energy/certificates/README.md), as tables or `--json`.

pub mod args;

use std::process::ExitCode;

use serde_json::{Value, json};

use args::{CertCommand, CertConn};

use crate::ledger::{Call, cell, cells, fields, render, rows, run_calls};

/// Runs a `gridctl cert` command.
pub async fn run(cmd: &CertCommand) -> anyhow::Result<ExitCode> {
    let conn = conn(cmd);
    run_calls(&conn.gw, &conn.chaincode, &plan(cmd), conn.json, |a| table(cmd, a)).await
}

fn conn(cmd: &CertCommand) -> &CertConn {
    match cmd {
        CertCommand::RegisterDevice(a) => &a.conn,
        CertCommand::Issue(a) => &a.conn,
        CertCommand::Transfer(a) => &a.conn,
        CertCommand::Offer(a) | CertCommand::Accept(a) => &a.conn,
        CertCommand::Claim(a) => &a.conn,
        CertCommand::Show(a) => &a.conn,
        CertCommand::Report(a) => &a.conn,
    }
}

/// The transactions a command runs, in order.
pub fn plan(cmd: &CertCommand) -> Vec<Call> {
    match cmd {
        CertCommand::RegisterDevice(a) => {
            let device = json!({"assetId": a.asset, "technology": a.technology, "area": a.area, "meters": a.meters});
            vec![Call::submit("RegisterDevice", vec![device.to_string()])]
        }
        CertCommand::Issue(a) => vec![Call::submit("IssueCertificates", vec![a.device_id.clone(), a.hour.to_string()])],
        CertCommand::Transfer(a) => vec![Call::submit(
            "TransferCertificate",
            vec![a.certificate_id.clone(), a.to_msp.clone(), a.to_id.clone(), a.wh.to_string()],
        )],
        CertCommand::Offer(a) => vec![Call::submit(
            "OfferCertificate",
            vec![a.certificate_id.clone(), a.wh.to_string(), a.price_per_mwh.to_string()],
        )],
        CertCommand::Accept(a) => {
            vec![Call::submit(
                "AcceptOffer",
                vec![a.certificate_id.clone(), a.wh.to_string(), a.price_per_mwh.to_string()],
            )]
        }
        CertCommand::Claim(a) => vec![Call::submit(
            "ClaimCertificate",
            vec![
                a.certificate_id.clone(),
                a.wh.to_string(),
                a.hour.to_string(),
                a.beneficiary_msp.clone(),
                a.beneficiary_id.clone(),
            ],
        )],
        CertCommand::Show(a) => {
            let mut calls = vec![Call::query("GetCertificate", vec![a.certificate_id.clone()])];
            if a.history {
                calls.push(Call::query("CertificateHistory", vec![a.certificate_id.clone()]));
            }
            calls
        }
        CertCommand::Report(a) => {
            vec![Call::query("MatchingReport", vec![a.msp.clone(), a.id.clone(), a.day.to_string()])]
        }
    }
}

const DEVICE: [&str; 7] = ["id", "kind", "technology", "area", "meters", "capacityW", "connectionPoint"];
const CERTIFICATE: [&str; 6] = ["id", "deviceId", "hourStart", "wh", "owner", "status"];

/// The table of a command's answers (in [`plan`]'s order).
pub fn table(cmd: &CertCommand, answers: &[Option<Value>]) -> String {
    let null = Value::Null;
    let first = answers.first().and_then(Option::as_ref).unwrap_or(&null);
    match cmd {
        CertCommand::RegisterDevice(_) => fields(first, &DEVICE),
        CertCommand::Issue(_) => certificates(&[first]),
        CertCommand::Offer(_) => fields(first, &["certificateId", "wh", "pricePerMwh", "seller", "offeredAt"]),
        // {"certificate","remainder","paid"}: what moved, what the holder kept, and the price paid (DvP).
        CertCommand::Transfer(_) | CertCommand::Accept(_) | CertCommand::Claim(_) => {
            let mut text = certificates(&[&first["certificate"], &first["remainder"]]);
            if !first["paid"].is_null() {
                text.push_str(&format!("\npaid {}", cell(&first["paid"])));
            }
            text
        }
        CertCommand::Show(_) => {
            let mut text = fields(first, &CERTIFICATE);
            if let Some(history) = answers.get(1).and_then(Option::as_ref) {
                let rows: Vec<Vec<String>> = history
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| {
                        let mut row = cells(h, &["txId", "timestamp"]);
                        row.extend(cells(&h["certificate"], &["wh", "owner", "status"]));
                        row
                    })
                    .collect();
                text.push_str("\n\nhistory:\n");
                text.push_str(&render(&["tx", "at", "wh", "owner", "status"], &rows));
            }
            text
        }
        CertCommand::Report(_) => report(first),
    }
}

/// One row per certificate present (absent ones, such as no remainder, are left out).
fn certificates(certs: &[&Value]) -> String {
    let rows: Vec<Vec<String>> = certs.iter().filter(|c| c.is_object()).map(|c| cells(c, &CERTIFICATE)).collect();
    render(&["certificate", "device", "hour", "wh", "owner", "status"], &rows)
}

fn report(r: &Value) -> String {
    let hours = rows(&r["hours"], &["hourStart", "consumptionWh", "claimedWh", "matchedWh"]);
    let mut text = render(&["hour", "consumption wh", "claimed wh", "matched wh"], &hours);
    let score = &r["score"];
    text.push_str(&format!(
        "\nday: matched {} of {} Wh, 24/7 score {}/{} ({} basis points)",
        cell(&r["matchedWh"]),
        cell(&r["consumptionWh"]),
        cell(&score["numerator"]),
        cell(&score["denominator"]),
        cell(&r["scoreBasisPoints"])
    ));
    text
}

#[cfg(test)]
mod tests;
