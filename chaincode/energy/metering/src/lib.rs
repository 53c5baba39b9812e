//! The metering chaincode (see `chaincode/energy/DESIGN.md`).
