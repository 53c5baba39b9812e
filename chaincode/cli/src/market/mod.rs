//! `gridctl market`: orders, clearing, interval results and balances on the trade chaincode, as tables.

pub mod args;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, bail};
use serde_json::Value;

use args::{CancelArgs, IntervalArgs, MarketCommand, MarketConn, PlaceArgs, Side};

use gridledger_client::text::{peer_message, quote};
use gridledger_client::{Gateway, Invocation};

use crate::conn::connect;
use crate::ledger::{cell, out, readable_account, render};

struct Market {
    gw: Gateway,
    channel: String,
    chaincode: String,
}

impl Market {
    async fn connect(c: &MarketConn) -> anyhow::Result<Self> {
        let gw = connect(&c.gw).await?;
        Ok(Market { gw, channel: c.gw.channel.clone(), chaincode: c.chaincode.clone() })
    }

    fn inv(&self, args: &[&str]) -> Invocation {
        Invocation {
            channel: self.channel.clone(),
            chaincode: self.chaincode.clone(),
            args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
            ..Invocation::default()
        }
    }

    /// Evaluates; `Ok(None)` on a 404 answer.
    async fn query(&mut self, args: &[&str]) -> anyhow::Result<Option<Value>> {
        // The gateway turns a chaincode error status into a gRPC error that quotes it.
        let r = match self.gw.evaluate(&self.inv(args)).await {
            Err(e) if format!("{e:#}").contains("chaincode response 404") => return Ok(None),
            other => other?,
        };
        if r.status == 404 {
            return Ok(None);
        }
        if r.status >= 400 {
            bail!("{} {}: {} {}", self.chaincode, args[0], r.status, peer_message(&r.message));
        }
        serde_json::from_slice(&r.payload).map(Some).with_context(|| format!("{} answered non-JSON", args[0]))
    }

    async fn submit(&mut self, args: &[&str]) -> anyhow::Result<Value> {
        let done = self.gw.submit(&self.inv(args)).await?;
        eprintln!("transaction {} committed in block {}", done.tx_id, done.block);
        if done.response.status >= 400 {
            let message = peer_message(&done.response.message);
            bail!("{} {}: {} {message}", self.chaincode, args[0], done.response.status);
        }
        serde_json::from_slice(&done.response.payload).with_context(|| format!("{} answered non-JSON", args[0]))
    }
}

fn short(id: &Value) -> String {
    cell(id).chars().take(16).collect()
}

/// Runs a `gridctl market` command.
pub async fn run(cmd: &MarketCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        MarketCommand::Place(a) => place(a).await,
        MarketCommand::Cancel(a) => cancel(a).await,
        MarketCommand::Clear(a) => clear(a).await,
        MarketCommand::Show(a) => show(a).await,
        MarketCommand::Balances(c) => balances(c).await,
    }
}

async fn place(a: &PlaceArgs) -> anyhow::Result<ExitCode> {
    let mut m = Market::connect(&a.conn).await?;
    let interval = if a.interval == "next" {
        let config = m.query(&["GetMarketConfig"]).await?.context("no market config")?;
        let gate = config["gateClosureSeconds"].as_i64().context("market config without gateClosureSeconds")?;
        let len = config["intervalSeconds"].as_i64().unwrap_or(900);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
        // A few seconds of slack for endorsement and ordering before the gate closes.
        ((now + gate + 5) / len + 1) * len
    } else {
        a.interval.parse().with_context(|| format!("--interval {}: Unix seconds or `next`", quote(&a.interval)))?
    };
    let side = if a.side == Side::Buy { "buy" } else { "sell" };
    let order = m.submit(&["PlaceOrder", &interval.to_string(), side, &a.wh.to_string(), &a.limit.to_string()]).await?;
    eprintln!("{side} {} Wh at a limit of {} per kWh for interval {interval}", a.wh, a.limit);
    out(cell(&order["id"]))?;
    Ok(ExitCode::SUCCESS)
}

async fn cancel(a: &CancelArgs) -> anyhow::Result<ExitCode> {
    let mut m = Market::connect(&a.conn).await?;
    let order = m.submit(&["CancelOrder", &a.interval.to_string(), &a.order_id]).await?;
    out(format!("order {} is {}", cell(&order["id"]), cell(&order["status"])))?;
    Ok(ExitCode::SUCCESS)
}

async fn clear(a: &IntervalArgs) -> anyhow::Result<ExitCode> {
    let mut m = Market::connect(&a.conn).await?;
    let t = Instant::now();
    let r = m.submit(&["ClearMarket", &a.interval.to_string()]).await?;
    let latency = t.elapsed();
    out(format!(
        "interval {}: price {} per kWh, volume {} Wh",
        cell(&r["intervalStart"]),
        cell(&r["pricePerKwh"]),
        cell(&r["volumeWh"])
    ))?;
    eprintln!("cleared in {:.3} s (endorse, order, commit)", latency.as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

async fn show(a: &IntervalArgs) -> anyhow::Result<ExitCode> {
    let mut m = Market::connect(&a.conn).await?;
    let start = a.interval.to_string();
    if let Some(c) = m.query(&["GetClearing", &start]).await? {
        out(format!("interval {start}: cleared at {} per kWh, {} Wh", cell(&c["pricePerKwh"]), cell(&c["volumeWh"])))?;
        let fills = c["fills"].as_array().cloned().unwrap_or_default();
        let rows: Vec<Vec<String>> = fills
            .iter()
            .map(|f| vec![short(&f["orderId"]), cell(&f["side"]), cell(&f["party"]), cell(&f["wh"])])
            .collect();
        out(render(&["order", "side", "party", "wh"], &rows))?;
        return Ok(ExitCode::SUCCESS);
    }
    let orders = m.query(&["Orders", &start]).await?.unwrap_or_default();
    let orders = orders.as_array().cloned().unwrap_or_default();
    out(format!("interval {start}: not cleared; {} orders", orders.len()))?;
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            let cols = ["side", "wh", "limitPerKwh", "party", "status"];
            std::iter::once(short(&o["id"])).chain(cols.iter().map(|k| cell(&o[*k]))).collect()
        })
        .collect();
    out(render(&["order", "side", "wh", "limit/kWh", "party", "status"], &rows))?;
    Ok(ExitCode::SUCCESS)
}

async fn balances(c: &MarketConn) -> anyhow::Result<ExitCode> {
    let mut m = Market::connect(c).await?;
    let all = m.query(&["Balances"]).await?.unwrap_or_default();
    let rows: Vec<Vec<String>> = all
        .as_object()
        .map(|o| o.iter().map(|(account, v)| vec![readable_account(account), cell(v)]).collect())
        .unwrap_or_default();
    out(render(&["account", "balance"], &rows))?;
    Ok(ExitCode::SUCCESS)
}
