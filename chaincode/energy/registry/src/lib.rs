//! The registry chaincode: DERs, their ownership and grid connection, and virtual power plants
//! (see `chaincode/energy/DESIGN.md`, section "registry", and this crate's `README.md`).
//!
//! [`chaincode`] builds the [`ContractChaincode`]; its one contract, [`CONTRACT`], is the default, so clients call
//! plain function names (`GetAsset`) as well as `RegistryContract:GetAsset`.
//!
//! # Layout
//! - [`model`]: the records and their JSON ([`Asset`](model::Asset), [`Vpp`](model::Vpp), ids, statuses).
//! - [`error`]: [`RegistryError`] and its statuses.
//! - [`access`]: who may call what.
//! - [`validate`]: input checks that need no ledger.
//! - [`store`]: keys, record reads and writes, index maintenance.
//! - [`consortium`]: the market roles record (`InitRoles`, `SetRoles`, `GetRoles`) every energy contract reads.
//! - [`assets`], [`transfer`], [`vpp`], [`queries`]: the transactions.
//!
//! Every handler checks everything first and writes last, so a refused transaction changes nothing.

pub mod access;
pub mod assets;
pub mod consortium;
pub mod error;
pub mod model;
pub mod queries;
pub mod store;
pub mod transfer;
pub mod validate;
pub mod vpp;

use gridledger_contract::{Contract, ContractChaincode, DefinitionError, Info, Tx};

pub use error::RegistryError;

/// The contract's name.
pub const CONTRACT: &str = "RegistryContract";

/// The registry contract with all its transactions.
pub fn contract() -> Contract {
    let info = Info::new(CONTRACT, env!("CARGO_PKG_VERSION"))
        .description("DERs, ownership, grid connection and virtual power plants");
    Contract::new(CONTRACT)
        .info(info)
        .default_contract()
        .submit(Tx::new("RegisterAsset").params(["asset"]), assets::register)
        .submit(Tx::new("ApproveConnection").params(["id"]), assets::approve)
        .submit(Tx::new("SuspendAsset").params(["id", "reason"]), assets::suspend)
        .submit(Tx::new("ReactivateAsset").params(["id", "reason"]), assets::reactivate)
        .submit(Tx::new("DecommissionAsset").params(["id", "reason"]), assets::decommission)
        .submit(Tx::new("OfferTransfer").params(["id", "toMsp", "toId"]), transfer::offer)
        .submit(Tx::new("AcceptTransfer").params(["id"]), transfer::accept)
        .submit(Tx::new("CancelTransfer").params(["id"]), transfer::cancel)
        .submit(Tx::new("ConsentToVpp").params(["assetId", "vppId"]), vpp::consent)
        .submit(Tx::new("WithdrawConsent").params(["assetId", "vppId"]), vpp::withdraw)
        .submit(Tx::new("CreateVpp").params(["id", "name"]), vpp::create)
        .submit(Tx::new("AddVppMember").params(["vppId", "assetId"]), vpp::add_member)
        .submit(Tx::new("AddVppMembers").params(["vppId", "assetIds"]), vpp::add_members)
        .submit(Tx::new("LeaveVpp").params(["vppId", "assetId"]), vpp::leave)
        .submit(Tx::new("InitRoles").params(["roles"]), consortium::init)
        .submit(Tx::new("SetRoles").params(["roles"]), consortium::set)
        .evaluate(Tx::new("GetRoles"), consortium::get)
        .evaluate(Tx::new("GetAsset").params(["id"]), assets::get)
        .evaluate(Tx::new("GetVpp").params(["id"]), vpp::get)
        .evaluate(Tx::new("AssetsByOwner").params(["msp", "id", "pageSize", "bookmark"]), queries::by_owner)
        .evaluate(Tx::new("AssetsByKind").params(["kind", "pageSize", "bookmark"]), queries::by_kind)
        .evaluate(
            Tx::new("AssetsByConnectionPoint").params(["connectionPoint", "pageSize", "bookmark"]),
            queries::by_connection_point,
        )
        .evaluate(Tx::new("AssetsByStatus").params(["status", "pageSize", "bookmark"]), queries::by_status)
        .evaluate(Tx::new("AssetHistory").params(["id"]), queries::history)
}

/// The registry chaincode, ready for `gridledger_shim::main`.
pub fn chaincode() -> Result<ContractChaincode, DefinitionError> {
    // Every argument has a documented bound, checked before it is parsed (DESIGN.md, "Bounded input").
    ContractChaincode::builder()
        .info(Info::new("registry", env!("CARGO_PKG_VERSION")))
        .contract(contract())
        .require_bounded_arguments()
        .build()
}

#[cfg(test)]
mod tests;
