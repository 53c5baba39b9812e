//! Running a validated command.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{CallArgs, Cli, Command, EventsArgs, InvokeArgs, PackageArgs};
use crate::config;
use crate::gateway::Gateway;
use crate::identity::Signer;
use crate::meter::args::MeterCommand;
use crate::package;
use crate::proposal::Invocation;

/// Runs the command; `Ok(ExitCode::FAILURE)` when the chaincode answered with an error status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Package(a) => package(&a),
        Command::Query(a) => runtime()?.block_on(query(&a)),
        Command::Invoke(a) => runtime()?.block_on(invoke(&a)),
        Command::Events(a) => runtime()?.block_on(events(&a)),
        Command::Meter(MeterCommand::Keygen(a)) => crate::meter::keygen(&a),
        Command::Meter(MeterCommand::Sign(a)) => crate::meter::sign(&a),
        Command::Meter(MeterCommand::Simulate(a)) => parallel()?.block_on(crate::meter::simulate::simulate(&a)),
        Command::Market(c) => runtime()?.block_on(crate::market::run(&c)),
        Command::Consortium(c) => {
            let doc = crate::consortium::run(&c)?;
            println!("{doc}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(a) => parallel()?.block_on(crate::bench::bench(&a)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}

/// Two threads for the load commands: signing and TLS of many workers, without taking every core from the
/// peers they drive on the same machine.
fn parallel() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn package(a: &PackageArgs) -> anyhow::Result<ExitCode> {
    let (label, conn) = config::package(a)?;
    let pkg = package::ccaas(&label, &conn)?;
    std::fs::write(&a.output, &pkg.bytes).with_context(|| format!("writing {}", a.output.display()))?;
    println!("{}", pkg.id);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn connect(conn: &crate::cli::GatewayArgs) -> anyhow::Result<Gateway> {
    let client = config::client(conn)?;
    let signer = Signer::from_files(&client.msp_id, &client.cert, &client.key)?;
    Gateway::connect(&client.target, signer).await
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
        eprintln!("chaincode error {status}: {}", crate::gateway::peer_message(message));
        return Ok(ExitCode::FAILURE);
    }
    print_payload(payload, as_hex)?;
    Ok(ExitCode::SUCCESS)
}

/// `fut`, or an error after `seconds`.
async fn within<T>(seconds: u64, what: &str, fut: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    match tokio::time::timeout(Duration::from_secs(seconds), fut).await {
        Ok(r) => r,
        Err(_) => anyhow::bail!("{what} did not finish within {seconds}s (raise --timeout?)"),
    }
}

async fn query(a: &CallArgs) -> anyhow::Result<ExitCode> {
    let inv = config::invocation(a)?;
    let r = within(a.timeout, "the query", async { connect(&a.conn.gw).await?.evaluate(&inv).await }).await?;
    report(r.status, &r.message, &r.payload, a.hex)
}

async fn invoke(a: &InvokeArgs) -> anyhow::Result<ExitCode> {
    let inv = Invocation { endorsing_orgs: a.endorsing_orgs.clone(), ..config::invocation(&a.call)? };
    let submit = async { connect(&a.call.conn.gw).await?.submit(&inv, a.tamper).await };
    let done = within(a.call.timeout, "the transaction", submit).await?;
    eprintln!("transaction {} committed in block {}", done.tx_id, done.block);
    report(done.response.status, &done.response.message, &done.response.payload, a.call.hex)
}

async fn events(a: &EventsArgs) -> anyhow::Result<ExitCode> {
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
        let Some(block) = next.map_err(|s| anyhow::anyhow!("event stream: {}", crate::gateway::describe(&s)))? else {
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
