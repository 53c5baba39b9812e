//! The trade chaincode (see `chaincode/energy/DESIGN.md`).
