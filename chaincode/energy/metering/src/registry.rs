//! What metering reads from the registry chaincode: `GetAsset(id)` (DESIGN.md "registry").

use gridledger_contract::ContractError;
pub use gridledger_energy_common::asset::Asset;
use gridledger_energy_common::names::REGISTRY;
use gridledger_shim::ChaincodeStub;

/// Asset kinds whose nameplate is a rated draw as well as a rated output, so it bounds the import register too.
pub const NAMEPLATE_BOUNDS_IMPORT: [&str; 3] = ["storage", "ev-charger", "flexible-load"];

/// What metering asks of an asset.
pub trait AssetRules {
    /// The most energy register `register` can measure in one interval of `interval_seconds`, Wh; `None` when
    /// the nameplate does not bound it.
    fn max_wh(&self, register: &str, interval_seconds: u32) -> Option<i128>;
    /// Whether readings of this asset's meters are accepted.
    fn accepts_readings(&self) -> bool;
}

impl AssetRules for Asset {
    /// Export (`2.8.0`) is what the asset delivers to the grid: never more than nameplate power for the whole
    /// interval. Import (`1.8.0`) is bounded by the nameplate only for kinds whose nameplate is a rated draw
    /// (storage charging, EV chargers, flexible loads); a generator's nameplate says nothing about what its site
    /// draws (auxiliaries, night-time standby, loads behind the same meter).
    fn max_wh(&self, register: &str, interval_seconds: u32) -> Option<i128> {
        let bounded = register != crate::meter::IMPORT || NAMEPLATE_BOUNDS_IMPORT.contains(&self.kind.as_str());
        bounded.then(|| i128::from(self.nameplate_w) * i128::from(interval_seconds) / 3600)
    }

    /// Not for a suspended or decommissioned asset (a pending asset's meter may report commissioning tests before
    /// the connection is approved).
    fn accepts_readings(&self) -> bool {
        !matches!(self.status.as_str(), "suspended" | "decommissioned")
    }
}

/// Calls `registry GetAsset(id)`: 404 when the registry has no such asset; the registry's other refusals keep
/// their class (`gridledger_contract::call_json`).
pub fn get_asset(stub: &dyn ChaincodeStub, id: &str) -> Result<Asset, ContractError> {
    gridledger_contract::call_json_optional(stub, REGISTRY, "GetAsset", &[id])?
        .ok_or_else(|| ContractError::NotFound(format!("asset {id} is not in the registry")))
}
