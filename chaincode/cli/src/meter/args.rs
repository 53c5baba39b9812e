//! `gridctl meter ...` arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::conn::GatewayArgs;
use crate::fleet::args::{DEFAULT_INTERVAL, FleetArgs};

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
