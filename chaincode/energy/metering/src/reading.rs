//! Readings: the JSON a gateway submits, the canonical bytes a meter signs, [`MeterKey`] (verification) and
//! [`Signer`] (signing, outside the chaincode). They live in the `gridledger-reading` crate, which meters,
//! gateways and `gridctl` use without the chaincode stack; this module is that crate, as metering has always
//! named it.

pub use gridledger_reading::*;

// The reading crate's default interval is the contract's standard interval.
const _: () = assert!(STANDARD_INTERVAL == gridledger_energy_common::interval::DEFAULT_LENGTH);
