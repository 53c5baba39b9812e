//! The metering chaincode (see `chaincode/energy/DESIGN.md` and this crate's `README.md`): meters and their
//! signed, replay-proof interval readings.
//!
//! Meters are registered by the grid operator with the P-256 public key of their secure element. Gateways submit
//! batches of readings; each reading is signed by its meter over [`canonical_bytes`]. A batch is recorded whole
//! or not at all: readings go to the private collection `meterReadings`, per-batch Wh sums per connection point
//! to public state, and each meter's last counter to a key of its own.
//!
//! # Layout
//! - The [`reading`] module: [`Reading`], the canonical encoding, [`MeterKey`] (verification) and [`Signer`]
//!   (signing, outside the chaincode).
//! - The [`meter`] module: `RegisterMeter`, `RegisterMeters`, `SetMeterStatus`, `GetMeter`.
//! - The [`ingest`] module: `SubmitReadings`.
//! - The [`queries`] module: `IntervalTotals`, `MeteredEnergy`, `GetReading`.
//! - The [`hours`] module: `MeterHour` and `MeteredHours`, the hourly sums energy certificates are issued,
//!   claimed and matched against.
//! - The [`record`] module: the private record of one meter's interval.
//! - The [`registry`] module: the registry's `GetAsset`, as metering reads it.
//! - The [`ocmf`] module: `SubmitOcmf`, `GetOcmf`: OCMF-signed charger readings.
//! - The [`keys`] module: the ledger keys.
//!
//! ```
//! let chaincode = gridledger_metering::chaincode();
//! assert_eq!(chaincode.default_contract(), "metering");
//! ```

pub mod hours;
pub mod ingest;
pub mod keys;
pub mod meter;
pub mod ocmf;
pub mod queries;
pub mod reading;
pub mod record;
pub mod registry;
mod verify;

use gridledger_contract::{Contract, ContractChaincode, Info, Tx};

pub use reading::{MeterKey, Reading, Signer, canonical_bytes, sign};

/// The metering contract.
pub fn contract() -> Contract {
    Contract::new("metering")
        .info(Info::new("gridledger metering", env!("CARGO_PKG_VERSION")))
        .default_contract()
        .submit(Tx::new("RegisterMeter").params(["meter"]), meter::register)
        .submit(Tx::new("RegisterMeters").params(["meters"]), meter::register_many)
        .submit(Tx::new("SetMeterStatus").params(["meterId", "status"]), meter::set_status)
        .submit(Tx::new("SubmitReadings").params(["batch"]), ingest::submit)
        .submit(Tx::new("SubmitOcmf").params(["meterId", "record"]), ocmf::submit::submit)
        .evaluate(Tx::new("GetOcmf").params(["meterId", "intervalStart", "register"]), ocmf::submit::get)
        .evaluate(Tx::new("GetMeter").params(["id"]), meter::get)
        .evaluate(Tx::new("IntervalTotals").params(["connectionPoint", "intervalStart"]), queries::interval_totals)
        .evaluate(Tx::new("MeteredEnergy").params(["msp", "id", "intervalStart"]), queries::metered_energy)
        .evaluate(Tx::new("GetReading").params(["meterId", "intervalStart", "register"]), queries::get_reading)
        .evaluate(Tx::new("MeterHour").params(["meterId", "hourStart"]), hours::meter_hour)
        .evaluate(Tx::new("MeteredHours").params(["msp", "id", "hourStart", "hours"]), hours::metered_hours)
}

/// The chaincode: the metering contract (default) plus the system contract.
pub fn chaincode() -> ContractChaincode {
    // The default (coroutine) executor: a batch is mostly ledger calls, which cost two thread switches each on the
    // threads executor; its one CPU-heavy step, signature verification, spreads over every core (`verify`).
    // Every argument has a documented bound, checked before it is parsed (DESIGN.md, "Bounded input").
    ContractChaincode::builder()
        .contract(contract())
        .require_bounded_arguments()
        .build()
        .expect("the metering contract definition is valid")
}

// The test fixture is shared with the benchmark, which names this crate by its name.
#[cfg(test)]
extern crate self as gridledger_metering;

#[cfg(test)]
mod tests;
