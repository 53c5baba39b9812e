//! The trade chaincode: a per-interval uniform-price double auction, settlement against metered energy, and
//! balances (see `chaincode/energy/DESIGN.md` and this crate's README).
//!
//! # Layout
//! - [`model`]: the records (orders, config, clearing, settlement) and their JSON.
//! - [`auction`]: the auction itself, pure ([`auction::clear`]).
//! - [`settlement`]: the settlement arithmetic, pure ([`settlement::settle`]).
//! - [`config`]: `SetMarketConfig`, the clock and gate closure.
//! - [`orders`]: `PlaceOrder`, `PlaceVppOrder`, `CancelOrder`, order queries.
//! - [`market`]: `ClearMarket`, `Settle`, `GetClearing`, `GetSettlement`.
//! - [`balances`]: `Balance`, `Balances` and applying postings.
//! - [`calls`]: registry `GetVpp` and metering `MeteredEnergy`.
//! - [`flexibility`]: `PostFlexibility`, the flexibility chaincode's settlement postings.
//! - [`certificate_payment`]: `PostCertificatePayment`, the payment leg of the certificates chaincode's
//!   delivery versus payment (callable only from that chaincode's transactions).
//! - [`proposal`]: which chaincode the submitter's proposal was addressed to (the guard of both postings).
//! - [`store`]: keys and JSON records; [`error`]: [`TradeError`] and its statuses.

pub mod auction;
pub mod balances;
pub mod calls;
pub mod certificate_payment;
pub mod config;
pub mod error;
pub mod flexibility;
pub mod market;
pub mod model;
pub mod orders;
pub mod proposal;
pub mod settlement;
pub mod store;

pub use error::TradeError;

use gridledger_contract::{Contract, Info, Tx};
use gridledger_shim::Executor;

/// The contract's name (`TradeContract:PlaceOrder`; it is also the default contract).
pub const CONTRACT: &str = "TradeContract";

/// The trade contract definition.
pub fn contract() -> Contract {
    Contract::new(CONTRACT)
        .info(Info::new("gridledger trade", env!("CARGO_PKG_VERSION")))
        .default_contract()
        .submit(Tx::new("SetMarketConfig").params(["config"]), config::set_market_config)
        .evaluate(Tx::new("GetMarketConfig"), config::get_market_config)
        .submit(Tx::new("PlaceOrder").params(["intervalStart", "side", "wh", "limitPerKwh"]), orders::place_order)
        .submit(
            Tx::new("PlaceVppOrder").params(["vppId", "intervalStart", "side", "wh", "limitPerKwh"]),
            orders::place_vpp_order,
        )
        .submit(Tx::new("CancelOrder").params(["intervalStart", "orderId"]), orders::cancel_order)
        .evaluate(Tx::new("GetOrder").params(["intervalStart", "orderId"]), orders::get_order)
        .evaluate(Tx::new("Orders").params(["intervalStart"]), orders::orders)
        .submit(Tx::new("ClearMarket").params(["intervalStart"]), market::clear_market)
        .submit(Tx::new("Settle").params(["intervalStart"]), market::settle)
        .evaluate(Tx::new("GetClearing").params(["intervalStart"]), market::get_clearing)
        .evaluate(Tx::new("GetSettlement").params(["intervalStart"]), market::get_settlement)
        .evaluate(Tx::new("Balance").params(["account"]), balances::balance)
        .evaluate(Tx::new("Balances"), balances::balances)
        .submit(Tx::new("PostFlexibility").params(["settlementId", "postings"]), flexibility::post_flexibility)
        .evaluate(Tx::new("GetFlexPosting").params(["settlementId"]), flexibility::get_flex_posting)
        .submit(
            Tx::new("PostCertificatePayment").params(["debit", "credit", "amount", "reference"]),
            certificate_payment::post_certificate_payment,
        )
}

// Clearing a large market takes tens of milliseconds of CPU: on coroutines, it would stall the peer's stream.
gridledger_energy_common::energy_chaincode!("trade", Executor::Threads);
