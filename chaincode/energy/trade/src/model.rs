//! The records the trade contract stores and returns, with their JSON (camelCase) and metadata schemas.

use gridledger_contract::{ArgError, Components, Describe, FromArg, Object, Schema};
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::interval::DEFAULT_LENGTH;
use serde::{Deserialize, Serialize};

/// The MSP part of a virtual power plant's party: `{"msp":"VPP","id":vppId}`.
pub const VPP_MSP: &str = "VPP";

/// Which side of the market an order is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// A bid: the party wants to buy energy.
    Buy,
    /// An ask: the party offers energy.
    Sell,
}

impl Side {
    /// Parses `buy` or `sell` (400 otherwise).
    pub fn parse(text: &str) -> Result<Self, crate::TradeError> {
        match text {
            "buy" => Ok(Self::Buy),
            "sell" => Ok(Self::Sell),
            _ => Err(crate::TradeError::BadSide(text.to_string())),
        }
    }
}

impl Describe for Side {
    fn schema(_: &mut Components) -> Schema {
        Schema::string().one_of_values(["buy", "sell"])
    }
}

impl FromArg for Side {
    /// Longer than either value.
    const MAX_BYTES: Option<usize> = Some(8);
    fn expected() -> String {
        "\"buy\" or \"sell\"".into()
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        Self::parse(raw).map_err(|_| ArgError::expected(Self::expected()))
    }
}

/// Whether an order still takes part in the auction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// In the book.
    Open,
    /// Withdrawn by its party before gate closure.
    Cancelled,
}

/// A transaction timestamp, as Fabric's `google.protobuf.Timestamp`. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, Object)]
pub struct Timestamp {
    /// Unix seconds.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: i32,
}

/// One order, `order [intervalStart(12 digits), orderId]`. The order id is the id of the placing transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Order {
    /// The placing transaction's id.
    pub id: String,
    /// The delivery interval (aligned start, Unix seconds).
    pub interval_start: i64,
    /// Buy or sell.
    pub side: Side,
    /// Energy, Wh (> 0).
    pub wh: i64,
    /// Limit price, minor units per kWh (>= 0): the most a bid pays, the least an ask takes.
    pub limit_per_kwh: i64,
    /// Who buys or sells (for a VPP order `{"msp":"VPP","id":vppId}`).
    pub party: Party,
    /// The VPP the order is for, if any.
    pub vpp: Option<String>,
    /// The placing transaction's timestamp (time priority).
    pub placed_at: Timestamp,
    /// Open or cancelled.
    #[object(schema = Schema::string().one_of_values(["open", "cancelled"]))]
    pub status: OrderStatus,
    /// The market's interval length when the order was placed, seconds.
    #[serde(default = "default_length")]
    #[object(schema = length_schema())]
    pub interval_seconds: u32,
}

fn default_length() -> u32 {
    DEFAULT_LENGTH
}

/// The market parameters, `config []`. Defaults apply until `SetMarketConfig` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarketConfig {
    /// Orders close this many seconds before the interval starts.
    pub gate_closure_seconds: i64,
    /// Grid fee the buyer pays per kWh bought, minor units.
    pub grid_fee_per_kwh: i64,
    /// Price per kWh a party pays the grid for energy used beyond (or produced short of) its trades.
    pub imbalance_short_per_kwh: i64,
    /// Price per kWh the grid pays a party for energy produced beyond (or used short of) its trades.
    pub imbalance_long_per_kwh: i64,
    /// The delivery interval length, seconds: one of 60, 300, 900, 1800, 3600 (900 when absent).
    #[serde(default = "default_length")]
    // Optional in the metadata: a configuration may leave it out (`default_length`).
    #[object(optional, schema = length_schema())]
    pub interval_seconds: u32,
}

impl Default for MarketConfig {
    fn default() -> Self {
        Self {
            gate_closure_seconds: 300,
            grid_fee_per_kwh: 0,
            imbalance_short_per_kwh: 0,
            imbalance_long_per_kwh: 0,
            interval_seconds: DEFAULT_LENGTH,
        }
    }
}

/// One order's share of the clearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fill {
    /// The order.
    pub order_id: String,
    /// The order's party.
    pub party: Party,
    /// The order's side.
    pub side: Side,
    /// Energy filled, Wh (at most the order's).
    pub wh: i64,
}

/// The result of `ClearMarket`, `clearing [intervalStart]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "Clearing")]
pub struct ClearingRecord {
    /// The interval cleared.
    pub interval_start: i64,
    /// The uniform price, minor units per kWh; `null` when nothing traded.
    pub price_per_kwh: Option<i64>,
    /// Energy traded, Wh (bought == sold).
    pub volume_wh: i64,
    /// Bid fills in priority order, then ask fills in priority order.
    pub fills: Vec<Fill>,
    /// The interval length the market was cleared for, seconds.
    #[serde(default = "default_length")]
    #[object(schema = length_schema())]
    pub interval_seconds: u32,
}

/// The `MarketCleared` event payload: the clearing without its fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct ClearingSummary {
    /// The interval cleared.
    pub interval_start: i64,
    /// The uniform price, `null` when nothing traded.
    pub price_per_kwh: Option<i64>,
    /// Energy traded, Wh.
    pub volume_wh: i64,
}

/// One party's position in a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyPosition {
    /// The party.
    pub party: Party,
    /// Bought minus sold, Wh.
    pub traded_wh: i64,
    /// Import minus export, Wh, from metering.
    pub metered_wh: i64,
    /// Metered minus traded, Wh (> 0: short, < 0: long).
    pub imbalance_wh: i64,
}

/// One balanced money movement: `amount` leaves `debit` and reaches `credit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Posting {
    /// The paying account.
    pub debit: String,
    /// The receiving account.
    pub credit: String,
    /// Minor units, > 0.
    pub amount: i64,
    /// `energy`, `grid-fee`, `imbalance-short` or `imbalance-long`.
    pub reason: String,
}

/// The result of `Settle`, `settlement [intervalStart]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settlement {
    /// The interval settled.
    pub interval_start: i64,
    /// Every party with fills, in party order.
    pub parties: Vec<PartyPosition>,
    /// The postings, in the order applied.
    pub postings: Vec<Posting>,
}

/// The `Settled` event payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct SettlementSummary {
    /// The interval settled.
    pub interval_start: i64,
    /// How many parties were settled.
    pub parties: u64,
    /// How many postings were made.
    pub postings: u64,
    /// The sum of all posting amounts, minor units.
    pub total_amount: i64,
}

/// `{"importWh","exportWh","intervalSeconds"}`: what metering `MeteredEnergy` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metered {
    /// Energy taken from the grid, Wh.
    pub import_wh: i64,
    /// Energy fed into the grid, Wh.
    pub export_wh: i64,
    /// The interval length of the meters the readings came from; `None` when the party has no readings there.
    #[serde(default)]
    pub interval_seconds: Option<u32>,
}

fn length_schema() -> gridledger_contract::Schema {
    gridledger_contract::Schema::integer("uint32", 60, 3600)
}
