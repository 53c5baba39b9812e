//! The system contract `org.hyperledger.fabric`, which serves the chaincode's metadata to clients and tools.

use std::sync::{Arc, OnceLock};

use crate::contract::Contract;
use crate::error::ContractError;
use crate::transaction::Tx;

/// The system contract's name, as in every Fabric contract API.
pub const SYSTEM_CONTRACT: &str = "org.hyperledger.fabric";

/// The system contract. `GetMetadata` answers with `metadata`, which is filled in once the whole chaincode,
/// this contract included, has been described.
pub(crate) fn system_contract(metadata: Arc<OnceLock<String>>) -> Contract {
    Contract::new(SYSTEM_CONTRACT).evaluate(
        Tx::new("GetMetadata").description("The metadata of every contract of this chaincode"),
        move |_ctx, ()| metadata.get().cloned().ok_or_else(|| ContractError::Internal("metadata is not ready".into())),
    )
}
