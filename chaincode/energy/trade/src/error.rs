//! The trade contract's errors, each mapped to a status (400, 403, 404, 409, 500): its own, and those every energy
//! contract shares ([`EnergyError`]).

use gridledger_contract::ContractError;
use gridledger_energy_common::error::EnergyError;

/// Why a trade transaction failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TradeError {
    /// `side` is neither `buy` nor `sell` (400).
    #[error("side must be \"buy\" or \"sell\", got {}", gridledger_contract::quote(.0))]
    BadSide(String),
    /// Orders for the interval are no longer accepted or changed (409).
    #[error("the gate for interval {interval} closed at {closure} (Unix s); the transaction time is {now}")]
    GateClosed {
        /// The interval.
        interval: i64,
        /// Its gate closure.
        closure: i64,
        /// The transaction timestamp (seconds).
        now: i64,
    },
    /// The market cannot be cleared yet (409).
    #[error("the gate for interval {interval} closes at {closure} (Unix s); it cannot be cleared at {now}")]
    GateOpen {
        /// The interval.
        interval: i64,
        /// Its gate closure.
        closure: i64,
        /// The transaction timestamp (seconds).
        now: i64,
    },
    /// The interval was cleared already (409).
    #[error("interval {0} is already cleared")]
    AlreadyCleared(i64),
    /// The interval is not cleared, so it cannot be settled (409).
    #[error("interval {0} is not cleared yet")]
    NotCleared(i64),
    /// Delivery is not over (409).
    #[error("interval {interval} ends at {end} (Unix s); it cannot be settled at {now}")]
    NotEnded {
        /// The interval.
        interval: i64,
        /// Its end.
        end: i64,
        /// The transaction timestamp (seconds).
        now: i64,
    },
    /// The interval was settled already (409).
    #[error("interval {0} is already settled")]
    AlreadySettled(i64),
    /// The order exists already (409; only possible with a reused transaction id).
    #[error("order {0} already exists")]
    OrderExists(String),
    /// The order is already cancelled (409).
    #[error("order {0} is already cancelled")]
    AlreadyCancelled(String),
    /// Orders of the interval were placed for another interval length than the market's now (409).
    #[error(
        "order {order_id} for interval {interval} was placed in a {placed} s market; the market's interval is \
         {market} s now (set intervalSeconds back to {placed} to clear it)"
    )]
    LengthChanged {
        /// The interval.
        interval: i64,
        /// The first such order.
        order_id: String,
        /// Its interval length.
        placed: u32,
        /// The market's interval length now.
        market: u32,
    },
    /// The metered energy settlement reads was measured over another interval length than the market's (409).
    #[error(
        "party {party}'s metered energy for interval {interval} comes from {metered} s meters; the market traded \
         {market} s intervals, so it cannot be settled against them"
    )]
    MeteredLength {
        /// The interval.
        interval: i64,
        /// The party's account.
        party: String,
        /// The meters' interval length.
        metered: u32,
        /// The market's.
        market: u32,
    },
    /// No such order (404).
    #[error("no order {order_id} for interval {interval}")]
    NoOrder {
        /// The interval.
        interval: i64,
        /// The order id.
        order_id: String,
    },
    /// A failure every energy contract shares: an argument out of its range (400), a caller who may not do this
    /// (403), nothing recorded (404), stored data that does not decode (500), or anything from the contract layer
    /// (ledger errors, arithmetic overflow, caller checks).
    #[error(transparent)]
    Common(#[from] EnergyError),
}

impl From<ContractError> for TradeError {
    fn from(e: ContractError) -> Self {
        Self::Common(e.into())
    }
}

impl From<gridledger_shim::Error> for TradeError {
    fn from(e: gridledger_shim::Error) -> Self {
        Self::Common(e.into())
    }
}

impl From<TradeError> for ContractError {
    fn from(e: TradeError) -> Self {
        let message = e.to_string();
        match e {
            TradeError::BadSide(_) => Self::BadRequest(message),
            TradeError::GateClosed { .. }
            | TradeError::GateOpen { .. }
            | TradeError::AlreadyCleared(_)
            | TradeError::NotCleared(_)
            | TradeError::NotEnded { .. }
            | TradeError::AlreadySettled(_)
            | TradeError::OrderExists(_)
            | TradeError::AlreadyCancelled(_)
            | TradeError::LengthChanged { .. }
            | TradeError::MeteredLength { .. } => Self::Conflict(message),
            TradeError::NoOrder { .. } => Self::NotFound(message),
            TradeError::Common(inner) => inner.into(),
        }
    }
}

/// The trade contract's result type.
pub type Result<T, E = TradeError> = std::result::Result<T, E>;
