//! `gridctl flex ...` arguments.

use clap::{Args, Subcommand, ValueEnum};

use crate::conn::GatewayArgs;

/// The flexibility chaincode, who calls it, and how the answer is printed.
#[derive(Debug, Args)]
pub struct FlexConn {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Name of the flexibility chaincode.
    #[arg(short = 'n', long, default_value = "flexibility")]
    pub chaincode: String,
    /// Print the chaincode's JSON answer instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `gridctl flex`.
#[derive(Debug, Subcommand)]
pub enum FlexCommand {
    /// Post a flexibility request (a grid operator's `operator`); prints the request with its id.
    ///
    /// Example: gridctl flex request --org grid --user operator1 --connection-point 'cp-ams-*' --interval-start
    /// 1704070800 --wh 10000 --price-cap 200 --gate-closure 1704070200 --penalty 300 --tolerance-bps 1000
    Request(RequestArgs),
    /// Offer Wh at a price for a request, backed by the VPP's member meters (the VPP's aggregator).
    ///
    /// Example: gridctl flex offer --org prosumer --user aggregator1 REQUEST_ID --vpp vpp-a --wh 8000 --price 120
    /// --meter m-a --meter m-b --schedule 1000
    Offer(OfferArgs),
    /// Send the VPP's planned net export per interval, Wh (schedule baseline; the aggregator, before gate closure).
    ///
    /// Example: gridctl flex schedule --org prosumer --user aggregator1 REQUEST_ID --vpp vpp-b --planned=-2000
    Schedule(ScheduleArgs),
    /// Award a request in merit order after its gate closure (its grid operator); prints the awards.
    ///
    /// Example: gridctl flex award --org grid --user operator1 REQUEST_ID
    Award(RequestIdArgs),
    /// What settling a VPP's award would compute now, per interval (evaluated, nothing written).
    ///
    /// Example: gridctl flex deliveries --org grid --user operator1 REQUEST_ID --vpp vpp-a
    Deliveries(VppArgs),
    /// Settle a VPP's award after delivery: payment, penalty, members' shares, posted to trade's balances.
    ///
    /// Example: gridctl flex settle --org grid --user operator1 REQUEST_ID --vpp vpp-a
    Settle(VppArgs),
    /// Show a request, its offers and its award (if any).
    ///
    /// Example: gridctl flex show --org grid REQUEST_ID
    Show(RequestIdArgs),
}

/// The request's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Direction {
    /// More export or less import.
    Up,
    /// Less export or more import.
    Down,
}

/// `gridctl flex request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The flexibility chaincode and who calls it.
    #[command(flatten)]
    pub conn: FlexConn,
    /// A connection point, or an area as a prefix ending in `*` (repeat for several).
    #[arg(long = "connection-point", value_name = "CP", required = true)]
    pub connection_points: Vec<String>,
    /// First delivery interval's start, Unix seconds (aligned to --interval-seconds).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub interval_start: i64,
    /// Interval length: 60, 300, 900, 1800 or 3600.
    #[arg(long, default_value_t = 900)]
    pub interval_seconds: i64,
    /// Number of consecutive intervals (1 to 96).
    #[arg(long, default_value_t = 1)]
    pub intervals: i64,
    /// up or down.
    #[arg(long, value_enum, default_value = "up")]
    pub direction: Direction,
    /// Wh wanted per interval.
    #[arg(long)]
    pub wh: i64,
    /// The highest price accepted, minor units per kWh.
    #[arg(long)]
    pub price_cap: i64,
    /// When offers close, Unix seconds (after now, at most --interval-start).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub gate_closure: i64,
    /// Baseline: `schedule` (the VPP's own, sent before gate closure) or `high-X-of-Y` (e.g. high-2-of-3).
    #[arg(long, default_value = "schedule")]
    pub baseline: String,
    /// Delivery short of the award by at most this (basis points of the award) is not penalised.
    #[arg(long, default_value_t = 0)]
    pub tolerance_bps: i64,
    /// Penalty per kWh of shortfall, minor units.
    #[arg(long)]
    pub penalty: i64,
}

/// `gridctl flex offer`.
#[derive(Debug, Args)]
pub struct OfferArgs {
    /// The flexibility chaincode and who calls it.
    #[command(flatten)]
    pub conn: FlexConn,
    /// The request.
    pub request_id: String,
    /// The VPP offering.
    #[arg(long)]
    pub vpp: String,
    /// Wh offered per interval.
    #[arg(long)]
    pub wh: i64,
    /// Price, minor units per kWh (at most the request's cap).
    #[arg(long)]
    pub price: i64,
    /// A member meter backing the offer (repeat for several).
    #[arg(long = "meter", value_name = "METER_ID", required = true)]
    pub meters: Vec<String>,
    /// Planned net export per interval, Wh, comma-separated (schedule baseline; or later with `flex schedule`).
    #[arg(long, value_name = "WH,...", allow_hyphen_values = true)]
    pub schedule: Option<String>,
}

/// `gridctl flex schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The flexibility chaincode and who calls it.
    #[command(flatten)]
    pub conn: FlexConn,
    /// The request.
    pub request_id: String,
    /// The VPP whose offer it is.
    #[arg(long)]
    pub vpp: String,
    /// Planned net export (export − import) per interval, Wh, comma-separated.
    #[arg(long, value_name = "WH,...", allow_hyphen_values = true)]
    pub planned: String,
}

/// A request.
#[derive(Debug, Args)]
pub struct RequestIdArgs {
    /// The flexibility chaincode and who calls it.
    #[command(flatten)]
    pub conn: FlexConn,
    /// The request id (the transaction id that created it).
    pub request_id: String,
}

/// A VPP's award of a request.
#[derive(Debug, Args)]
pub struct VppArgs {
    /// The flexibility chaincode and who calls it.
    #[command(flatten)]
    pub conn: FlexConn,
    /// The request id.
    pub request_id: String,
    /// The awarded VPP.
    #[arg(long)]
    pub vpp: String,
}
