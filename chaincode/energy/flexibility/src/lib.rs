//! The flexibility chaincode: grid operators buy flexibility from virtual power plants ("at these connection
//! points, in these intervals, move net export by this many Wh"), and pay for what the meters show was delivered
//! against a baseline (see this crate's README and `chaincode/energy/DESIGN.md`).
//!
//! # Layout
//! - [`model`]: requests, offers, awards and their JSON.
//! - [`requests`]: `CreateRequest`, `CancelRequest`, `GetRequest`.
//! - [`offers`]: `SubmitOffer`, `SubmitSchedule`, `Offers`.
//! - [`merit`]: the award's merit order, pure; [`awards`]: `Award`, `GetAward`.
//! - [`baseline`]: the baseline methods, pure; [`delivery`]: measuring from metering's readings.
//! - [`payout`]: delivery, payment, penalty and postings, pure; [`settle`]: `Settle`, `Deliveries`,
//!   `GetSettlement`.
//! - [`calls`]: registry, metering and trade; [`store`]: keys and records; [`error`]: [`FlexError`].
//!
//! ```
//! let chaincode = gridledger_flexibility::chaincode();
//! assert_eq!(chaincode.default_contract(), "FlexibilityContract");
//! ```

pub mod awards;
pub mod baseline;
pub mod calls;
pub mod delivery;
pub mod error;
pub mod merit;
pub mod model;
pub mod offers;
pub mod payout;
pub mod requests;
pub mod settle;
pub mod store;

pub use error::FlexError;

use gridledger_contract::{Contract, Info, Tx};

/// The contract's name (`FlexibilityContract:CreateRequest`; it is also the default contract).
pub const CONTRACT: &str = "FlexibilityContract";

/// The chaincode name the flexibility contract is deployed under (trade accepts postings only through it).
pub const CHAINCODE: &str = "flexibility";

/// The flexibility contract definition.
pub fn contract() -> Contract {
    Contract::new(CONTRACT)
        .info(Info::new("gridledger flexibility", env!("CARGO_PKG_VERSION")))
        .default_contract()
        .submit(Tx::new("CreateRequest").params(["request"]), requests::create)
        .submit(Tx::new("CancelRequest").params(["requestId"]), requests::cancel)
        .evaluate(Tx::new("GetRequest").params(["requestId"]), requests::get)
        .submit(Tx::new("SubmitOffer").params(["requestId", "offer"]), offers::submit)
        .submit(Tx::new("SubmitSchedule").params(["requestId", "vppId", "schedule"]), offers::submit_schedule)
        .evaluate(Tx::new("Offers").params(["requestId"]), offers::offers)
        .submit(Tx::new("Award").params(["requestId"]), awards::award)
        .evaluate(Tx::new("GetAward").params(["requestId"]), awards::get)
        .evaluate(Tx::new("Deliveries").params(["requestId", "vppId"]), settle::deliveries)
        .submit(Tx::new("Settle").params(["requestId", "vppId"]), settle::settle)
        .evaluate(Tx::new("GetSettlement").params(["requestId", "vppId"]), settle::get)
}

// Coroutines: a settlement is mostly cross-chaincode reads, cheap on coroutines.
gridledger_energy_common::energy_chaincode!("flexibility", gridledger_shim::Executor::Coroutine);
