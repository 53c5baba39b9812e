//! The simulated fleet's arguments (`gridctl meter simulate`, `gridctl bench --workload metering`).

use std::path::PathBuf;

use clap::Args;

/// The interval length meters report by default (the metering contract's standard interval).
pub const DEFAULT_INTERVAL: u32 = gridledger_reading::STANDARD_INTERVAL;

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
