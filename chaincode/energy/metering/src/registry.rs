//! What metering reads from the registry chaincode: `GetAsset(id)` (DESIGN.md "registry").

use gridledger_contract::ContractError;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::names::REGISTRY;
use gridledger_shim::ChaincodeStub;
use serde::Deserialize;

/// The fields of a registry `Asset` metering uses (others are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// The asset id.
    pub id: String,
    /// Its owner.
    pub owner: Party,
    /// Nameplate power, W.
    pub nameplate_w: i64,
    /// Where it connects to the grid.
    pub connection_point: String,
}

impl Asset {
    /// Whether `wh` fits in one interval at nameplate power: `0 <= wh <= nameplateW * seconds / 3600`.
    pub fn can_deliver(&self, wh: i64, interval_seconds: u32) -> bool {
        wh >= 0 && i128::from(wh) * 3600 <= i128::from(self.nameplate_w) * i128::from(interval_seconds)
    }
}

/// Calls `registry GetAsset(id)`: 404 when the registry has no such asset, 500 on any other failure.
pub fn get_asset(stub: &dyn ChaincodeStub, id: &str) -> Result<Asset, ContractError> {
    let args = [b"GetAsset".to_vec(), id.as_bytes().to_vec()];
    let response = stub.invoke_chaincode(REGISTRY, &args, "")?;
    match response.status {
        200..=399 => serde_json::from_slice(&response.payload).map_err(|e| {
            ContractError::Internal(format!("registry GetAsset({id}) answered with an unreadable asset: {e}"))
        }),
        404 => Err(ContractError::NotFound(format!("asset {id} is not in the registry"))),
        status => Err(ContractError::Internal(format!(
            "registry GetAsset({id}) failed with status {status}: {}",
            response.message
        ))),
    }
}
