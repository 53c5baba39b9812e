//! The registry chaincode (see `chaincode/energy/DESIGN.md`).
