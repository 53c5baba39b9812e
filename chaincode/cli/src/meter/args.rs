//! `gridctl meter ...` arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::GatewayArgs;

/// The interval length meters report by default (the metering contract's standard interval).
pub const DEFAULT_INTERVAL: u32 = 900;

/// `gridctl meter`.
#[derive(Debug, Subcommand)]
pub enum MeterCommand {
    /// Create a meter's P-256 key: write the private key (PKCS#8 PEM) and print the public key.
    ///
    /// Prints the base64 uncompressed point that RegisterMeter's `publicKey` takes; with --id and --asset, prints
    /// the whole RegisterMeter JSON instead.
    ///
    /// Example: gridctl meter keygen -o m-1.key --id m-1 --asset pv-1
    Keygen(KeygenArgs),
    /// Sign one reading in the metering contract's canonical encoding and print the reading JSON.
    ///
    /// Example: gridctl meter sign --key m-1.key --meter m-1 --interval-start 1700000100 --wh 250 --counter 42
    Sign(SignArgs),
    /// Simulate meters submitting signed reading batches through the gateway; prints readings/s committed.
    ///
    /// The meters report a stretch of intervals that have already ended (the contract refuses readings of an
    /// interval before its end), with PV and household load profiles and strictly increasing counters. Each
    /// worker owns a disjoint set of meters, so concurrent batches never touch the same meter's counter.
    ///
    /// Example (register 100 meters as the grid's installer, then submit a day of readings as its gateway):
    ///   gridctl meter simulate --org grid --user gateway1 --register --meters 100 --intervals 96 --batch 500
    Simulate(Box<SimulateArgs>),
}

/// `gridctl meter keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8 PEM, mode 0600). An existing file is not overwritten.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Meter id, to print the RegisterMeter JSON (with --asset).
    #[arg(long)]
    pub id: Option<String>,
    /// Registry asset the meter measures, to print the RegisterMeter JSON (with --id).
    #[arg(long)]
    pub asset: Option<String>,
    /// Interval length of the meter, seconds (in the RegisterMeter JSON).
    #[arg(long, default_value_t = DEFAULT_INTERVAL, value_name = "SECONDS")]
    pub interval_seconds: u32,
}

/// `gridctl meter sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The meter's private key (PKCS#8 PEM, as `meter keygen` writes it).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Meter id.
    #[arg(long)]
    pub meter: String,
    /// Interval start, Unix seconds (aligned to the meter's interval).
    #[arg(long, value_name = "UNIX_SECONDS", allow_hyphen_values = true)]
    pub interval_start: i64,
    /// Interval length of the meter, seconds (part of what is signed).
    #[arg(long, default_value_t = DEFAULT_INTERVAL, value_name = "SECONDS")]
    pub interval_seconds: u32,
    /// OBIS register: 1.8.0 (import) or 2.8.0 (export).
    #[arg(long, default_value = "1.8.0")]
    pub register: String,
    /// Energy in the interval, Wh.
    #[arg(long, allow_hyphen_values = true)]
    pub wh: i64,
    /// The meter's message counter (strictly increasing per meter).
    #[arg(long)]
    pub counter: u64,
}

/// `gridctl meter simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The submitting identity (role `gateway`), its peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// The fleet of meters and what they report.
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Concurrent submitters (each owns a disjoint set of meters).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Give up on a transaction after this many seconds (counted as a timeout failure).
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
}

/// How a fleet's readings are cut into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchOrder {
    /// Interval by interval, all meters each.
    Interval,
    /// Meter by meter, all intervals each.
    Meter,
}

/// The simulated fleet (shared by `meter simulate` and `bench --workload metering`).
#[derive(Debug, Clone, Args)]
pub struct FleetArgs {
    /// Number of meters.
    #[arg(long, default_value_t = 10)]
    pub meters: usize,
    /// Number of consecutive intervals each meter reports (both registers each).
    #[arg(long, default_value_t = 4)]
    pub intervals: u32,
    /// Start of the last interval reported, Unix seconds (default: the last interval that has ended).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub last_interval: Option<i64>,
    /// Interval length of the meters, seconds.
    #[arg(long, default_value_t = DEFAULT_INTERVAL, value_name = "SECONDS")]
    pub interval_seconds: u32,
    /// Readings per transaction (the contract takes 1 to 2000).
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// What a batch holds: `interval`, every meter's readings of one interval, then the next (a head-end
    /// forwarding as the intervals end); `meter`, one meter's consecutive intervals, then the next meter's (a
    /// head-end reading the meters' load profiles, e.g. once a day).
    #[arg(long, value_enum, default_value_t = BatchOrder::Interval)]
    pub order: BatchOrder,
    /// Meter id prefix: meters are PREFIX-0, PREFIX-1... (default: a fresh one per run).
    #[arg(long)]
    pub prefix: Option<String>,
    /// Keep meter keys here as ID.key: loaded if present, written if new (default: keys live in memory only).
    #[arg(long, value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Register the asset and the meters first: the asset as --owner, the meters as --installer.
    #[arg(long)]
    pub register: bool,
    /// Registry asset the meters measure (default: PREFIX-asset, registered with --register).
    #[arg(long)]
    pub asset: Option<String>,
    /// Connection point of the asset registered with --register (default: cp-PREFIX).
    #[arg(long)]
    pub connection_point: Option<String>,
    /// ORG/USER that registers the asset (role prosumer), with --register.
    #[arg(long, default_value = "prosumer/alice", value_name = "ORG/USER")]
    pub owner: String,
    /// ORG/USER that registers the meters (GridMSP, role meter-installer, operator or admin), with --register.
    #[arg(long, default_value = "grid/installer1", value_name = "ORG/USER")]
    pub installer: String,
}
