//! Command line: what the user types, before validation ([`crate::config`] turns it into something runnable).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::gateway::Tamper;

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
    /// Write a deterministic CCaaS package and print its package id.
    ///
    /// The id equals `peer lifecycle chaincode calculatepackageid OUT`. Without --root-cert (and
    /// --client-cert/--client-key) connection.json holds `{{.root_cert}}`-style placeholders that each peer's
    /// builder fills, so one package serves every org.
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
    Meter(crate::meter::args::MeterCommand),
    /// The energy market (trade chaincode): orders, clearing, results and balances.
    #[command(subcommand)]
    Market(crate::market::args::MarketCommand),
    /// Generate, for a set of orgs and their market roles: the roles record (registry InitRoles), the metering
    /// collection configuration, suggested endorsement policies. Prints JSON; touches no network.
    #[command(subcommand)]
    Consortium(crate::consortium::ConsortiumCommand),
    /// A load driver over the gateway (Caliper-style): tx/s, latency percentiles, failures by cause.
    ///
    /// Examples:
    ///   gridctl bench --org utility --workload kv -n kv --workers 16 --duration 30 --report kv.json
    ///   gridctl bench --org utility --workload kv -n kvgo --rate 100 --count 3000
    Bench(crate::bench::args::BenchArgs),
}

/// `gridctl package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Package label (letters, digits, `_.+-`), e.g. kv_1.0.
    #[arg(long)]
    pub label: String,
    /// host:port where the chaincode server listens (the peers dial it).
    #[arg(long)]
    pub address: String,
    /// The peers dial the chaincode server with TLS.
    #[arg(long)]
    pub tls: bool,
    /// The chaincode server requires the peers' client certificates (mutual TLS; implies --tls).
    #[arg(long)]
    pub client_auth: bool,
    /// PEM CA of the chaincode server's certificate (default: the `{{.root_cert}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub root_cert: Option<PathBuf>,
    /// PEM client certificate for the peers (default: the `{{.client_cert}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub client_cert: Option<PathBuf>,
    /// PEM client key for the peers (default: the `{{.client_key}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub client_key: Option<PathBuf>,
    /// How long a peer waits when dialing the server (Go duration).
    #[arg(long, default_value = "10s")]
    pub dial_timeout: String,
    /// Output file.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// The three orgs of this repository's test network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Org {
    /// UtilityMSP, peer port 7051 (GL_UTILITY_PEER_PORT).
    Utility,
    /// GridMSP, peer port 8051 (GL_GRID_PEER_PORT).
    Grid,
    /// ProsumerMSP, peer port 9051 (GL_PROSUMER_PEER_PORT).
    Prosumer,
}

/// Who calls, through which peer, on which channel.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Shortcut for the test network: peer, TLS CA, MSP id, cert and key of this org from the run directory.
    #[arg(long)]
    pub org: Option<Org>,
    /// User directory under orgs/ORG/users (with --org).
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Run directory of the test network (scripts/lib/common.sh layout).
    #[arg(long, env = "GRIDLEDGER_RUN", default_value = ".cache/run", value_name = "DIR")]
    pub run_dir: PathBuf,
    /// Gateway peer host:port (overrides the --org default).
    #[arg(long, value_name = "HOST:PORT")]
    pub peer: Option<String>,
    /// PEM CA of the peer's TLS certificate; without it (and without --org) the connection is plaintext.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Server name to verify the peer's TLS certificate against (default: the host of --peer).
    #[arg(long)]
    pub tls_hostname: Option<String>,
    /// MSP id of the client identity (e.g. UtilityMSP).
    #[arg(long)]
    pub msp_id: Option<String>,
    /// PEM signing certificate of the client (msp/signcerts/cert.pem).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// PEM EC P-256 private key of the client, PKCS#8 or SEC1 (msp/keystore/*_sk).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Channel name.
    #[arg(short = 'c', long, default_value = "energy")]
    pub channel: String,
}

/// Who calls which chaincode, through which peer.
#[derive(Debug, Args)]
pub struct ConnArgs {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Chaincode name.
    #[arg(short = 'n', long)]
    pub chaincode: String,
}

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
    pub tamper: Option<Tamper>,
}

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
