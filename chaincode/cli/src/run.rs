//! Running a parsed command: dispatch to its subcommand module, on the async runtime it needs.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::{Cli, Command};
use crate::meter::args::MeterCommand;
use crate::{bench, call, cc, cert, consortium, events, flex, market, meter, org, package, serve};

/// Runs the command; `Ok(ExitCode::FAILURE)` when the chaincode answered with an error status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Package(a) => package::run(&a),
        Command::Query(a) => runtime()?.block_on(call::query(&a)),
        Command::Invoke(a) => runtime()?.block_on(call::invoke(&a)),
        Command::Events(a) => runtime()?.block_on(events::run(&a)),
        Command::Meter(MeterCommand::Keygen(a)) => meter::keygen(&a),
        Command::Meter(MeterCommand::Sign(a)) => meter::sign(&a),
        Command::Meter(MeterCommand::Simulate(a)) => parallel()?.block_on(meter::simulate::simulate(&a)),
        Command::Market(c) => runtime()?.block_on(market::run(&c)),
        Command::Flex(c) => runtime()?.block_on(flex::run(&c)),
        Command::Cert(c) => runtime()?.block_on(cert::run(&c)),
        Command::Consortium(c) => consortium::print(&c),
        Command::Bench(a) => parallel()?.block_on(bench::bench(&a)),
        Command::Serve(a) => parallel()?.block_on(serve::run(&a)),
        Command::Org(c) => runtime()?.block_on(org::run(&c)).map(|()| ExitCode::SUCCESS),
        Command::Cc(c) => runtime()?.block_on(cc::run(&c)).map(|()| ExitCode::SUCCESS),
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
