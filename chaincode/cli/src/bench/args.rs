//! `gridctl bench` arguments.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::conn::GatewayArgs;
use crate::fleet::args::FleetArgs;

/// What each transaction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// The kv chaincode's benchmark transaction `GetPut(key, value)`: one read, one write
    /// (chaincode/examples/kv/SPEC.md; run it against `kv` and the Go reference `kvgo` to compare).
    Kv,
    /// Metering ingestion: signed reading batches through `SubmitReadings` (see --batch, --meters; the meters are
    /// registered first with --register, as in `meter simulate`). Units: readings.
    Metering,
    /// Market orders: `PlaceOrder` for one future interval (the caller needs role prosumer). Units: orders.
    Market,
    /// Certificates: `IssueCertificates` for --count device-hours over --devices PV devices, from signed readings
    /// sent first (as this identity, a meter gateway), then a day's `MatchingReport` latency. Units: certificates.
    Certificates,
    /// Flexibility: settle one interval of a VPP of --members member meters (fixture first, then `Deliveries`
    /// and `Settle` timed: endorsement, ordering and commit).
    FlexSettle,
}

/// `gridctl bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The submitting identity, its peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// What each transaction does.
    #[arg(long, value_enum, default_value = "kv")]
    pub workload: Workload,
    /// Chaincode name (default: kv, metering or trade by workload).
    #[arg(short = 'n', long)]
    pub chaincode: Option<String>,
    /// Concurrent workers, each with its own gateway connection and one transaction in flight.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Total transactions per second to start (default: as fast as the workers go).
    #[arg(long, value_name = "TX_PER_SECOND")]
    pub rate: Option<f64>,
    /// Stop starting transactions after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Stop after this many transactions (default without --duration: 1000).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Per-transaction timeout: endorse, order and commit (counted as TIMEOUT).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
    /// Write the JSON report here (it is also printed on stdout).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// kv: bytes per value.
    #[arg(long, default_value_t = 16)]
    pub value_size: usize,
    /// kv: keys per worker, reused round robin (0: a fresh key per transaction, so nothing conflicts).
    #[arg(long, default_value_t = 0)]
    pub keys: u64,
    /// market: the interval to place orders for (default: the first whose gate closes at least --duration plus
    /// 60 s from now).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub interval: Option<i64>,
    /// certificates: production devices (the device-hours, --count, are spread over them).
    #[arg(long, default_value_t = 10)]
    pub devices: usize,
    /// flex-settle: member assets and meters of the VPP.
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// certificates: ORG/USER of the issuing body that registers devices (role issuer).
    #[arg(long, default_value = "grid/issuer1", value_name = "ORG/USER")]
    pub issuer: String,
    /// certificates, flex-settle: ORG/USER of the grid operator (connections, requests, awards, settlement).
    #[arg(long, default_value = "grid/operator1", value_name = "ORG/USER")]
    pub operator: String,
    /// flex-settle: ORG/USER of the VPP's aggregator.
    #[arg(long, default_value = "prosumer/aggregator1", value_name = "ORG/USER")]
    pub aggregator: String,
    /// certificates: ORG/USER of the consumer that claims; flex-settle: the second member owner.
    #[arg(long, default_value = "prosumer/bob", value_name = "ORG/USER")]
    pub consumer: String,
    /// metering: the fleet (meters, intervals, batch size, registration); --owner and --installer also serve the
    /// certificates and flex-settle fixtures.
    #[command(flatten)]
    pub fleet: FleetArgs,
}
