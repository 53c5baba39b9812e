//! What the contract subcommands (`flex`, `cert`) share: a planned call (transaction name, arguments, submit or
//! evaluate), running it on one chaincode through a gateway, and printing the answer as a table or as JSON.
//!
//! A subcommand turns its flags into [`Call`]s with a pure function and renders the answers with another, so both
//! are unit-tested without a network; only [`Chaincode::run`] talks to a peer.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gridledger_client::text::peer_message;
use gridledger_client::{Gateway, Invocation};
use gridledger_protos::peer::Response;
use serde_json::Value;

use crate::conn::{GatewayArgs, connect};

/// One transaction to run: its name and arguments, and whether it is ordered (submit) or only evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The transaction name.
    pub tx: &'static str,
    /// Its arguments, as strings.
    pub args: Vec<String>,
    /// Submit (endorse, order, wait for the commit) rather than evaluate.
    pub submit: bool,
    /// A 404 answer is not an error: the answer is `None` (queries for something that may not exist yet).
    pub optional: bool,
}

impl Call {
    /// A transaction that is submitted.
    pub fn submit(tx: &'static str, args: Vec<String>) -> Self {
        Call { tx, args, submit: true, optional: false }
    }

    /// A query that is evaluated on the gateway peer.
    pub fn query(tx: &'static str, args: Vec<String>) -> Self {
        Call { tx, args, submit: false, optional: false }
    }

    /// A query whose 404 answer means "none".
    pub fn lookup(tx: &'static str, args: Vec<String>) -> Self {
        Call { tx, args, submit: false, optional: true }
    }
}

/// A chaincode reached through a gateway.
pub struct Chaincode {
    gw: Gateway,
    channel: String,
    name: String,
}

impl std::fmt::Debug for Chaincode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chaincode").field("channel", &self.channel).field("name", &self.name).finish_non_exhaustive()
    }
}

impl Chaincode {
    /// Connects as `conn` says, to chaincode `name`.
    pub async fn connect(conn: &GatewayArgs, name: &str) -> anyhow::Result<Self> {
        let gw = connect(conn).await?;
        Ok(Chaincode { gw, channel: conn.channel.clone(), name: name.into() })
    }

    /// Runs `call`; its JSON answer (`Null` for an empty payload), `None` for a 404 on an optional call.
    pub async fn run(&mut self, call: &Call) -> anyhow::Result<Option<Value>> {
        let inv = invocation(&self.channel, &self.name, call.tx, &call.args);
        let response = if call.submit {
            let done = self.gw.submit(&inv).await?;
            eprintln!("transaction {} committed in block {}", done.tx_id, done.block);
            done.response
        } else {
            match self.gw.evaluate(&inv).await {
                // The gateway turns a chaincode error status into a gRPC error that quotes it.
                Err(e) if call.optional && format!("{e:#}").contains("chaincode response 404") => return Ok(None),
                other => other?,
            }
        };
        if response.status == 404 && call.optional {
            return Ok(None);
        }
        json_answer(&self.name, call.tx, &response).map(Some)
    }
}

/// An invocation of `tx(args)` on `chaincode`.
pub fn invocation<A: AsRef<str>>(channel: &str, chaincode: &str, tx: &str, args: &[A]) -> Invocation {
    Invocation {
        channel: channel.into(),
        chaincode: chaincode.into(),
        args: std::iter::once(tx.as_bytes().to_vec())
            .chain(args.iter().map(|a| a.as_ref().as_bytes().to_vec()))
            .collect(),
        ..Invocation::default()
    }
}

/// A chaincode's answer as JSON (`Null` for an empty payload); an error status (400 and up) is an error quoting it.
pub fn json_answer(chaincode: &str, tx: &str, response: &Response) -> anyhow::Result<Value> {
    if response.status >= 400 {
        bail!("{chaincode} {tx}: {} {}", response.status, peer_message(&response.message));
    }
    if response.payload.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&response.payload).with_context(|| format!("{tx} answered non-JSON"))
}

/// Runs `calls` in order on chaincode `name`, reached as `gw` says, and prints their answers (see [`print()`]): a
/// contract subcommand's whole run once its flags are planned.
pub async fn run_calls(
    gw: &GatewayArgs,
    name: &str,
    calls: &[Call],
    json: bool,
    table: impl FnOnce(&[Option<Value>]) -> String,
) -> anyhow::Result<ExitCode> {
    let mut cc = Chaincode::connect(gw, name).await?;
    let mut answers = Vec::with_capacity(calls.len());
    for call in calls {
        answers.push(cc.run(call).await?);
    }
    print(&answers, json, table)?;
    Ok(ExitCode::SUCCESS)
}

/// A party id as people read it: the certificate's common name when the id is Go's base64
/// `x509::<subject>::<issuer>` form, the id itself otherwise.
pub fn readable_id(id: &str) -> String {
    use base64::Engine as _;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(id) else { return id.into() };
    let text = String::from_utf8_lossy(&raw);
    let subject = text.strip_prefix("x509::").and_then(|rest| rest.split("::").next());
    subject
        .and_then(|s| s.split(',').find_map(|part| part.trim().strip_prefix("CN=")))
        .map_or_else(|| id.to_string(), str::to_string)
}

/// A trade account (`msp/id`, `VPP/id`, `GRID`) with a readable id.
pub fn readable_account(account: &str) -> String {
    match account.split_once('/') {
        Some((msp, id)) => format!("{msp}/{}", readable_id(id)),
        None => account.into(),
    }
}

/// A JSON value as table text: strings without quotes, parties (`{"msp","id"}`) as `msp/name`, absent as `-`.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Object(o) if o.contains_key("msp") => format!("{}/{}", cell(&o["msp"]), readable_id(&cell(&o["id"]))),
        other => other.to_string(),
    }
}

/// The cells of `keys` of `v`, in order.
pub fn cells(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| cell(&v[*k])).collect()
}

/// The rows of the array `v` (empty when it is none), one per element, `keys` as columns.
pub fn rows(v: &Value, keys: &[&str]) -> Vec<Vec<String>> {
    v.as_array().map(|a| a.iter().map(|e| cells(e, keys)).collect()).unwrap_or_default()
}

/// A two-column table of an object's `keys`: `field  value`.
pub fn fields(v: &Value, keys: &[&str]) -> String {
    let rows: Vec<Vec<String>> = keys.iter().map(|k| vec![(*k).to_string(), cell(&v[*k])]).collect();
    render(&["field", "value"], &rows)
}

/// Renders `rows` under `headers`: columns padded to their widest cell, numbers right-aligned.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..headers.len())
        .map(|c| !rows.is_empty() && rows.iter().all(|r| r.get(c).is_some_and(|s| s.parse::<i64>().is_ok())))
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(|((cell, &w), &num)| if num { format!("{cell:>w$}") } else { format!("{cell:<w$}") })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    let mut out = vec![line(headers.to_vec()), line(rule.iter().map(String::as_str).collect())];
    out.extend(rows.iter().map(|row| line(row.iter().map(String::as_str).collect())));
    out.join("\n")
}

/// Prints `text` and a newline on stdout; a closed pipe (`| head`) ends the output quietly.
pub fn out(text: impl std::fmt::Display) -> anyhow::Result<()> {
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Prints the answers: with `json`, the single answer as pretty JSON (several as a JSON array; `null` for a
/// missing one); otherwise what `table` renders from them.
pub fn print(
    answers: &[Option<Value>],
    json: bool,
    table: impl FnOnce(&[Option<Value>]) -> String,
) -> anyhow::Result<()> {
    if json {
        let value = match answers {
            [one] => one.clone().unwrap_or(Value::Null),
            many => Value::Array(many.iter().map(|a| a.clone().unwrap_or(Value::Null)).collect()),
        };
        return out(serde_json::to_string_pretty(&value)?);
    }
    out(table(answers))
}

/// A comma-separated list of integers (`1000,-2000`), as a JSON array.
pub fn int_list(text: &str) -> anyhow::Result<Value> {
    let values: Result<Vec<i64>, _> = text.split(',').map(|s| s.trim().parse::<i64>()).collect();
    match values {
        Ok(v) if !v.is_empty() => Ok(Value::from(v)),
        _ => bail!("{}: give integers separated by commas (e.g. 1000,-2000)", gridledger_client::text::quote(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn invocations_carry_the_function_first() {
        let inv = invocation("energy", "registry", "GetVpp", &["v1"]);
        assert_eq!((inv.channel.as_str(), inv.chaincode.as_str()), ("energy", "registry"));
        assert_eq!(inv.args, vec![b"GetVpp".to_vec(), b"v1".to_vec()]);
    }

    #[test]
    fn answers_are_json_and_error_statuses_errors() {
        let answer = |status, message: &str, payload: &[u8]| {
            let r = Response { status, message: message.into(), payload: payload.to_vec() };
            json_answer("trade", "Balance", &r).map_err(|e| e.to_string())
        };
        assert_eq!(answer(200, "", b"7"), Ok(json!(7)));
        assert_eq!(answer(200, "", b""), Ok(Value::Null));
        assert_eq!(answer(409, "already settled", b""), Err("trade Balance: 409 already settled".to_string()));
        assert!(answer(200, "", b"{").is_err_and(|e| e.contains("non-JSON")));
    }

    #[test]
    fn aligns_columns() {
        let rows = vec![vec!["alice".to_string(), "-89".to_string()], vec!["GRID".into(), "1049".into()]];
        assert_eq!(
            render(&["account", "balance"], &rows),
            "account  balance\n-------  -------\nalice        -89\nGRID        1049"
        );
    }

    #[test]
    fn cells_read_parties_and_absent_values() {
        use base64::Engine as _;
        let id = base64::engine::general_purpose::STANDARD.encode("x509::CN=alice,OU=client,O=Hyperledger::CN=ca.x");
        let v = json!({"owner": {"msp": "ProsumerMSP", "id": id}, "wh": 5, "status": "active"});
        assert_eq!(cells(&v, &["owner", "wh", "status", "gone"]), ["ProsumerMSP/alice", "5", "active", "-"]);
        assert_eq!(readable_account(&format!("ProsumerMSP/{id}")), "ProsumerMSP/alice");
        assert_eq!(readable_account("VPP/vpp-a"), "VPP/vpp-a");
        assert_eq!((readable_id("vpp-1"), readable_account("GRID")), ("vpp-1".into(), "GRID".into()));
        assert_eq!(fields(&v, &["wh"]), "field  value\n-----  -----\nwh         5");
    }

    #[test]
    fn integer_lists() {
        assert_eq!(int_list("1000, -2000").unwrap(), json!([1000, -2000]));
        assert!(int_list("").is_err());
        assert!(int_list("1,x").is_err());
    }
}
