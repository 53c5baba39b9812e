//! Command line: the subcommands, each defined by its own module (its arguments and what it runs).

use clap::{Parser, Subcommand};

use crate::bench::args::BenchArgs;
use crate::call::{CallArgs, InvokeArgs};
use crate::cc::CcCommand;
use crate::cert::args::CertCommand;
use crate::consortium::ConsortiumCommand;
use crate::events::EventsArgs;
use crate::flex::args::FlexCommand;
use crate::market::args::MarketCommand;
use crate::meter::args::MeterCommand;
use crate::org::OrgCommand;
use crate::package::PackageArgs;
use crate::serve::ServeArgs;

/// gridledger's command line: chaincode-as-a-service packages and a Fabric Gateway client.
#[derive(Debug, Parser)]
#[command(name = "gridctl", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a deterministic chaincode package and print its package id.
    ///
    /// The id equals `peer lifecycle chaincode calculatepackageid OUT`. With --address, a CCaaS package: without
    /// --root-cert (and --client-cert/--client-key) connection.json holds `{{.root_cert}}`-style placeholders that
    /// each peer's builder fills, so one package serves every org. With --exec, a `gridledger-exec` package that
    /// names a program each peer launches through network/builders/exec.
    ///
    /// Example: gridctl package --label kv_1.0 --address 127.0.0.1:9999 --tls --client-auth -o kv.tar.gz
    Package(PackageArgs),
    /// Evaluate a transaction on the gateway peer (nothing is ordered) and print its payload.
    ///
    /// Example: gridctl query --org utility --user operator1 -n kv Get mykey
    Query(CallArgs),
    /// Endorse, submit and wait for the commit of a transaction; print its payload.
    ///
    /// Example: gridctl invoke --org utility -n kv --transient value=secret PutPrivate utilityGrid k1
    Invoke(InvokeArgs),
    /// Stream a chaincode's events as JSON lines.
    ///
    /// Example: gridctl events --org grid -n kv --start-block 0 --count 1
    Events(EventsArgs),
    /// Meter keys, signed readings, and a fleet of simulated meters submitting through a gateway.
    #[command(subcommand)]
    Meter(MeterCommand),
    /// The energy market (trade chaincode): orders, clearing, results and balances.
    #[command(subcommand)]
    Market(MarketCommand),
    /// The flexibility market (flexibility chaincode): requests, offers, schedules, award, deliveries, settlement.
    #[command(subcommand)]
    Flex(FlexCommand),
    /// Granular energy certificates (certificates chaincode): devices, issuance, transfer, offers, claims, reports.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Generate, for a set of orgs and their market roles: the roles record (registry InitRoles), the metering
    /// collection configuration, suggested endorsement policies. Prints JSON; touches no network.
    #[command(subcommand)]
    Consortium(ConsortiumCommand),
    /// A load driver over the gateway (Caliper-style): tx/s, latency percentiles, failures by cause.
    ///
    /// Examples:
    ///   gridctl bench --org utility --workload kv -n kv --workers 16 --duration 30 --report kv.json
    ///   gridctl bench --org utility --workload kv -n kvgo --rate 100 --count 3000
    Bench(Box<BenchArgs>),
    /// Serve the read-only web view (gridledger-web) as this identity.
    ///
    /// Example: gridctl serve --org utility --user operator1 --listen 127.0.0.1:8088
    Serve(ServeArgs),
    /// Consortium membership: config updates that add an org, signed by admins, verified, then sent.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Chaincode definitions (_lifecycle): approve, commit, and policy expressions.
    #[command(subcommand)]
    Cc(CcCommand),
}
