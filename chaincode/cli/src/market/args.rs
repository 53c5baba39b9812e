//! `gridctl market ...` arguments.

use clap::{Args, Subcommand, ValueEnum};

use crate::conn::GatewayArgs;

/// The trade chaincode and who calls it.
#[derive(Debug, Args)]
pub struct MarketConn {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Name of the trade chaincode.
    #[arg(short = 'n', long, default_value = "trade")]
    pub chaincode: String,
}

/// `gridctl market`.
#[derive(Debug, Subcommand)]
pub enum MarketCommand {
    /// Place an order (role prosumer, or a UtilityMSP operator); prints the order id.
    ///
    /// Example: gridctl market place --org prosumer --user alice --interval next --side sell --wh 4000 --limit 12
    Place(PlaceArgs),
    /// Cancel an open order before gate closure (its own party only).
    ///
    /// Example: gridctl market cancel --org prosumer --user alice --interval 1700000100 ORDER_ID
    Cancel(CancelArgs),
    /// Clear an interval after its gate closure (GridMSP or UtilityMSP operator/admin); prints the result.
    ///
    /// Example: gridctl market clear --org grid --user operator1 --interval 1700000100
    Clear(IntervalArgs),
    /// Show an interval: its clearing (price, volume, fills) or, before clearing, its order book.
    ///
    /// Example: gridctl market show --org utility --interval 1700000100
    Show(IntervalArgs),
    /// Show every account's balance (minor currency units).
    ///
    /// Example: gridctl market balances --org utility
    Balances(MarketConn),
}

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Side {
    /// A bid.
    Buy,
    /// An ask.
    Sell,
}

/// `gridctl market place`.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// The trade chaincode and who calls it.
    #[command(flatten)]
    pub conn: MarketConn,
    /// Interval start in Unix seconds, or `next`: the first interval whose gate is still open.
    #[arg(long, value_name = "UNIX_SECONDS|next")]
    pub interval: String,
    /// buy or sell.
    #[arg(long, value_enum)]
    pub side: Side,
    /// Energy, Wh (1 to 10^12).
    #[arg(long)]
    pub wh: i64,
    /// Limit price, minor units per kWh (0 to 10^9).
    #[arg(long)]
    pub limit: i64,
}

/// `gridctl market cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The trade chaincode and who calls it.
    #[command(flatten)]
    pub conn: MarketConn,
    /// Interval start, Unix seconds.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub interval: i64,
    /// The order id (the transaction id that placed it).
    pub order_id: String,
}

/// An interval of the market.
#[derive(Debug, Args)]
pub struct IntervalArgs {
    /// The trade chaincode and who calls it.
    #[command(flatten)]
    pub conn: MarketConn,
    /// Interval start, Unix seconds.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub interval: i64,
}
