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
    /// `pv`, `wind`, `storage`, `ev-charger`, `flexible-load` or `chp`.
    pub kind: String,
    /// `pending`, `active`, `suspended` or `decommissioned`.
    pub status: String,
}

/// Asset kinds whose nameplate is a rated draw as well as a rated output, so it bounds the import register too.
pub const NAMEPLATE_BOUNDS_IMPORT: [&str; 3] = ["storage", "ev-charger", "flexible-load"];

impl Asset {
    /// The most energy register `register` can measure in one interval of `interval_seconds`, Wh; `None` when
    /// the nameplate does not bound it.
    ///
    /// Export (`2.8.0`) is what the asset delivers to the grid: never more than nameplate power for the whole
    /// interval. Import (`1.8.0`) is bounded by the nameplate only for kinds whose nameplate is a rated draw
    /// (storage charging, EV chargers, flexible loads); a generator's nameplate says nothing about what its site
    /// draws (auxiliaries, night-time standby, loads behind the same meter).
    pub fn max_wh(&self, register: &str, interval_seconds: u32) -> Option<i128> {
        let bounded = register != crate::meter::IMPORT || NAMEPLATE_BOUNDS_IMPORT.contains(&self.kind.as_str());
        bounded.then(|| i128::from(self.nameplate_w) * i128::from(interval_seconds) / 3600)
    }

    /// Whether readings of this asset's meters are accepted: not for a suspended or decommissioned asset (a
    /// pending asset's meter may report commissioning tests before the connection is approved).
    pub fn accepts_readings(&self) -> bool {
        !matches!(self.status.as_str(), "suspended" | "decommissioned")
    }
}

/// Calls `registry GetAsset(id)`: 404 when the registry has no such asset; the registry's other refusals keep
/// their class (`gridledger_contract::call_json`).
pub fn get_asset(stub: &dyn ChaincodeStub, id: &str) -> Result<Asset, ContractError> {
    gridledger_contract::call_json_optional(stub, REGISTRY, "GetAsset", &[id])?
        .ok_or_else(|| ContractError::NotFound(format!("asset {id} is not in the registry")))
}
