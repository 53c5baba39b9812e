//! `gridctl query` and `gridctl invoke`: one chaincode call through the gateway, its payload printed.

use std::collections::HashMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use clap::{Args, ValueEnum};
use gridledger_client::text::{peer_message, quote};
use gridledger_client::{Invocation, Tamper};

use crate::conn::{ConnArgs, connect};

/// `gridctl query`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// Connection and identity.
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Transient data `key=value` (repeatable); the value is taken as UTF-8 bytes.
    #[arg(long, value_name = "KEY=VALUE")]
    pub transient: Vec<String>,
    /// Print the payload as lowercase hex.
    #[arg(long)]
    pub hex: bool,
    /// Give up after this many seconds (connection, endorsement, ordering and commit together).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
    /// Chaincode function name.
    pub function: String,
    /// Function arguments (UTF-8 strings).
    pub args: Vec<String>,
}

/// Which signature `--tamper` breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TamperArg {
    /// The proposal signature: endorsement must be refused.
    Proposal,
    /// The transaction envelope signature: the transaction must not commit.
    Transaction,
}

/// `gridctl invoke`.
#[derive(Debug, Args)]
pub struct InvokeArgs {
    /// The call.
    #[command(flatten)]
    pub call: CallArgs,
    /// MSP id whose peer must endorse (repeatable; default: the gateway follows the endorsement policy).
    #[arg(long = "endorsing-org", value_name = "MSPID")]
    pub endorsing_orgs: Vec<String>,
    /// Break a signature on purpose, to see the network refuse it (for tests).
    #[arg(long, hide = true)]
    pub tamper: Option<TamperArg>,
}

/// `key=value` transient entries.
pub fn transient(entries: &[String]) -> anyhow::Result<HashMap<String, Vec<u8>>> {
    entries
        .iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.as_bytes().to_vec())),
            _ => bail!("--transient {}: expected KEY=VALUE", quote(e)),
        })
        .collect()
}

/// The invocation a query or invoke describes.
pub fn invocation(a: &CallArgs) -> anyhow::Result<Invocation> {
    let args = std::iter::once(&a.function).chain(&a.args).map(|s| s.as_bytes().to_vec()).collect();
    Ok(Invocation {
        channel: a.conn.gw.channel.clone(),
        chaincode: a.conn.chaincode.clone(),
        args,
        transient: transient(&a.transient)?,
        endorsing_orgs: vec![],
    })
}

fn print_payload(payload: &[u8], as_hex: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if as_hex {
        writeln!(out, "{}", hex::encode(payload))?;
    } else if !payload.is_empty() {
        out.write_all(payload)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Prints a chaincode response; an error status is reported and fails the command.
fn report(status: i32, message: &str, payload: &[u8], as_hex: bool) -> anyhow::Result<ExitCode> {
    if status >= 400 {
        eprintln!("chaincode error {status}: {}", peer_message(message));
        return Ok(ExitCode::FAILURE);
    }
    print_payload(payload, as_hex)?;
    Ok(ExitCode::SUCCESS)
}

/// `fut`, or an error after `seconds`.
async fn within<T>(seconds: u64, what: &str, fut: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    match tokio::time::timeout(Duration::from_secs(seconds), fut).await {
        Ok(r) => r,
        Err(_) => bail!("{what} did not finish within {seconds}s (raise --timeout?)"),
    }
}

/// `gridctl query`.
pub async fn query(a: &CallArgs) -> anyhow::Result<ExitCode> {
    let inv = invocation(a)?;
    let r = within(a.timeout, "the query", async { Ok(connect(&a.conn.gw).await?.evaluate(&inv).await?) }).await?;
    report(r.status, &r.message, &r.payload, a.hex)
}

/// `gridctl invoke`.
pub async fn invoke(a: &InvokeArgs) -> anyhow::Result<ExitCode> {
    let inv = Invocation { endorsing_orgs: a.endorsing_orgs.clone(), ..invocation(&a.call)? };
    let tamper = a.tamper.map(|t| match t {
        TamperArg::Proposal => Tamper::Proposal,
        TamperArg::Transaction => Tamper::Transaction,
    });
    let submit = async { Ok(connect(&a.call.conn.gw).await?.submit_tampered(&inv, tamper).await?) };
    let done = within(a.call.timeout, "the transaction", submit).await?;
    eprintln!("transaction {} committed in block {}", done.tx_id, done.block);
    report(done.response.status, &done.response.message, &done.response.payload, a.call.hex)
}
