//! `gridctl events`: a chaincode's events as JSON lines.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use gridledger_client::describe;

use crate::conn::{ConnArgs, connect};

/// `gridctl events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Connection and identity.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// First block to read events from (default: the next block committed).
    #[arg(long, value_name = "N")]
    pub start_block: Option<u64>,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this many seconds (exit 0 when --count is not set, 1 when it was not reached).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

/// `gridctl events`.
pub async fn run(a: &EventsArgs) -> anyhow::Result<ExitCode> {
    let mut gw = connect(&a.conn.gw).await?;
    let mut stream = gw.events(&a.conn.gw.channel, &a.conn.chaincode, a.start_block).await?;
    let mut seen = 0u64;
    let until = a.timeout.map(|s| tokio::time::Instant::now() + Duration::from_secs(s));
    while a.count.is_none_or(|c| seen < c) {
        let next = match until {
            Some(t) => match tokio::time::timeout_at(t, stream.message()).await {
                Ok(m) => m,
                Err(_) => return Ok(if a.count.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS }),
            },
            None => stream.message().await,
        };
        let Some(block) = next.map_err(|s| anyhow::anyhow!("event stream: {}", describe(&s)))? else {
            break;
        };
        for ev in block.events {
            let mut line = serde_json::json!({
                "block": block.block_number, "txId": ev.tx_id, "chaincode": ev.chaincode_id, "name": ev.event_name,
            });
            match String::from_utf8(ev.payload) {
                Ok(text) => line["payload"] = text.into(),
                Err(e) => line["payloadHex"] = hex::encode(e.as_bytes()).into(),
            }
            println!("{line}");
            seen += 1;
            if a.count.is_some_and(|c| seen >= c) {
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
