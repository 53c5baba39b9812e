//! The records the pages show, as plain data: the JSON the trade and metering chaincodes answer (camelCase,
//! integer Wh and minor units), read leniently (unknown fields ignored) so a newer chaincode still renders.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use gridledger_energy_common::party::Party;

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// A bid.
    Buy,
    /// An ask.
    Sell,
}

impl Side {
    /// `buy` or `sell`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// Whether an order is still in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// In the book.
    Open,
    /// Withdrawn.
    Cancelled,
}

/// A transaction timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize)]
pub struct Timestamp {
    /// Unix seconds.
    pub seconds: i64,
    /// Nanoseconds.
    pub nanos: i32,
}

/// One order (trade `Orders`, `GetOrder`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The placing transaction's id.
    pub id: String,
    /// Buy or sell.
    pub side: Side,
    /// Energy, Wh.
    pub wh: i64,
    /// Limit, minor units per kWh.
    pub limit_per_kwh: i64,
    /// Who buys or sells.
    pub party: Party,
    /// When it was placed (time priority).
    #[serde(default)]
    pub placed_at: Timestamp,
    /// Open or cancelled.
    pub status: OrderStatus,
}

/// One order's share of a clearing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fill {
    /// The order.
    pub order_id: String,
    /// Its party.
    pub party: Party,
    /// Its side.
    pub side: Side,
    /// Filled, Wh.
    pub wh: i64,
}

/// A clearing (trade `GetClearing`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clearing {
    /// The interval.
    pub interval_start: i64,
    /// Uniform price, minor units per kWh; `None` when nothing traded.
    pub price_per_kwh: Option<i64>,
    /// Traded, Wh.
    pub volume_wh: i64,
    /// Bid fills, then ask fills, in priority order.
    #[serde(default)]
    pub fills: Vec<Fill>,
}

/// One party's position in a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyPosition {
    /// The party.
    pub party: Party,
    /// Bought minus sold, Wh.
    pub traded_wh: i64,
    /// Import minus export, Wh.
    pub metered_wh: i64,
    /// Metered minus traded, Wh.
    pub imbalance_wh: i64,
}

/// A money movement of a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Posting {
    /// Paying account.
    pub debit: String,
    /// Receiving account.
    pub credit: String,
    /// Minor units.
    pub amount: i64,
    /// `energy`, `grid-fee`, `imbalance-short`, `imbalance-long`.
    pub reason: String,
}

/// A settlement (trade `GetSettlement`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    /// The interval.
    pub interval_start: i64,
    /// Every party with fills.
    pub parties: Vec<PartyPosition>,
    /// Postings in the order applied.
    pub postings: Vec<Posting>,
}

/// Account balances (trade `Balances`), minor units, in account order.
pub type Balances = BTreeMap<String, i64>;

/// The market parameters that matter to the pages (trade `GetMarketConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketConfig {
    /// Orders close this long before the interval starts.
    pub gate_closure_seconds: i64,
    /// The delivery interval length.
    #[serde(default = "default_interval")]
    pub interval_seconds: u32,
}

fn default_interval() -> u32 {
    900
}

/// Metered totals of a connection point for one interval (metering `IntervalTotals`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntervalTotals {
    /// The interval start.
    pub interval_start: i64,
    /// Imported, Wh.
    pub import_wh: i64,
    /// Exported, Wh.
    pub export_wh: i64,
    /// Readings summed.
    pub readings: u64,
}

/// Where an interval is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalState {
    /// Orders are accepted.
    Open,
    /// Past gate closure, not cleared.
    Closed,
    /// Cleared, not settled.
    Cleared,
    /// Settled.
    Settled,
}

impl IntervalState {
    /// The lower-case name shown.
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalState::Open => "open",
            IntervalState::Closed => "closed",
            IntervalState::Cleared => "cleared",
            IntervalState::Settled => "settled",
        }
    }
}

/// One row of the market's interval list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalSummary {
    /// The interval start.
    pub start: i64,
    /// Its state.
    pub state: IntervalState,
    /// Open orders in its book.
    pub open_orders: usize,
    /// The clearing price, when cleared and something traded.
    pub price_per_kwh: Option<i64>,
    /// Traded volume, Wh (0 until cleared).
    pub volume_wh: i64,
}

/// Everything the page of one interval shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalDetail {
    /// The interval start.
    pub start: i64,
    /// Its orders, cancelled ones too.
    pub orders: Vec<Order>,
    /// Its clearing, once cleared.
    pub clearing: Option<Clearing>,
    /// Its settlement, once settled.
    pub settlement: Option<Settlement>,
}

/// A committed chaincode definition (`_lifecycle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChaincodeDefinition {
    /// Name.
    pub name: String,
    /// Version label.
    pub version: String,
    /// Definition sequence.
    pub sequence: i64,
    /// The endorsement policy as text (a channel policy reference or a signature policy summary).
    pub policy: String,
}

/// What the network page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkInfo {
    /// The channel.
    pub channel: String,
    /// The MSP id this server acts as.
    pub identity_msp: String,
    /// The gateway peer's address.
    pub gateway_peer: String,
    /// The gateway peer's block height, when it answered.
    pub height: Option<u64>,
    /// The channel's application organizations with their peers' block heights.
    pub organizations: Vec<OrgHeight>,
    /// Where the organization list came from (the channel configuration, or `_lifecycle` approvals).
    pub organizations_from: String,
    /// The orderer organizations and their nodes' endpoints (from the channel configuration).
    pub orderers: Vec<OrdererOrg>,
    /// The latest blocks, newest first.
    pub blocks: Vec<gridledger_client::chain::BlockSummary>,
    /// Committed chaincodes, when `_lifecycle` answered.
    pub chaincodes: Option<Vec<ChaincodeDefinition>>,
    /// What could not be shown, and why.
    pub missing: Vec<String>,
}

/// One application organization and the block height of the peer of it that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgHeight {
    /// MSP id.
    pub msp: String,
    /// Its peer's height, or why there is none.
    pub height: Result<u64, String>,
}

/// An orderer organization and its nodes (read from the channel configuration by `gridledger-client`).
pub use gridledger_client::channel::OrdererOrg;
