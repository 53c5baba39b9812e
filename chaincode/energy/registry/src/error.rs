//! [`RegistryError`]: every way a registry transaction is refused, with its status.

use gridledger_contract::ContractError;

use crate::model::{AssetId, AssetStatus, VppId};

/// A refused registry transaction. Converts into [`ContractError`] with status 400, 403, 404, 409 (or 500 for a
/// ledger failure).
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Bad input (400).
    #[error("{0}")]
    Invalid(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such asset (404).
    #[error("asset {0} does not exist")]
    AssetNotFound(AssetId),
    /// No such VPP (404).
    #[error("virtual power plant {0} does not exist")]
    VppNotFound(VppId),
    /// No open transfer offer for the asset (404).
    #[error("asset {0} has no open transfer offer")]
    NoOffer(AssetId),
    /// No consent of the asset's owner for the VPP (404 when withdrawing).
    #[error("the owner of asset {asset} has not consented to virtual power plant {vpp}")]
    NoConsent {
        /// The asset.
        asset: AssetId,
        /// The VPP.
        vpp: VppId,
    },
    /// The asset id is taken (409).
    #[error("asset {0} already exists")]
    AssetExists(AssetId),
    /// The VPP id is taken (409).
    #[error("virtual power plant {0} already exists")]
    VppExists(VppId),
    /// The asset is in the wrong status for the transaction (409).
    #[error("{action} needs asset {asset} to be {needed}, but it is {actual}")]
    WrongStatus {
        /// The transaction.
        action: &'static str,
        /// The asset.
        asset: AssetId,
        /// What it must be.
        needed: &'static str,
        /// What it is.
        actual: AssetStatus,
    },
    /// The market roles record was never written (404 from `GetRoles`; other transactions answer 409).
    #[error("{}", gridledger_energy_common::roles::NOT_CONFIGURED)]
    RolesNotConfigured,
    /// Any other conflict with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// An error from the contract layer or the ledger, with its own status.
    #[error(transparent)]
    Contract(#[from] ContractError),
}

impl From<gridledger_shim::Error> for RegistryError {
    fn from(e: gridledger_shim::Error) -> Self {
        Self::Contract(e.into())
    }
}

impl From<serde_json::Error> for RegistryError {
    fn from(e: serde_json::Error) -> Self {
        Self::Contract(ContractError::Internal(format!("a stored record does not decode: {e}")))
    }
}

impl RegistryError {
    /// The Fabric response status.
    pub fn status(&self) -> i32 {
        match self {
            Self::Invalid(_) => 400,
            Self::Forbidden(_) => 403,
            Self::AssetNotFound(_)
            | Self::VppNotFound(_)
            | Self::NoOffer(_)
            | Self::NoConsent { .. }
            | Self::RolesNotConfigured => 404,
            Self::AssetExists(_) | Self::VppExists(_) | Self::WrongStatus { .. } | Self::Conflict(_) => 409,
            Self::Contract(e) => e.status(),
        }
    }
}

/// Shorthand for the registry's results.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

impl From<RegistryError> for ContractError {
    fn from(e: RegistryError) -> Self {
        let message = e.to_string();
        match e {
            RegistryError::Invalid(_) => Self::BadRequest(message),
            RegistryError::Forbidden(_) => Self::Forbidden(message),
            RegistryError::AssetNotFound(_)
            | RegistryError::VppNotFound(_)
            | RegistryError::NoOffer(_)
            | RegistryError::NoConsent { .. }
            | RegistryError::RolesNotConfigured => Self::NotFound(message),
            RegistryError::AssetExists(_)
            | RegistryError::VppExists(_)
            | RegistryError::WrongStatus { .. }
            | RegistryError::Conflict(_) => Self::Conflict(message),
            RegistryError::Contract(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_survive_the_conversion() {
        let id = AssetId::parse("a1").unwrap();
        let cases = [
            RegistryError::Invalid("x".into()),
            RegistryError::Forbidden("x".into()),
            RegistryError::AssetNotFound(id.clone()),
            RegistryError::NoOffer(id.clone()),
            RegistryError::AssetExists(id.clone()),
            RegistryError::WrongStatus { action: "A", asset: id, needed: "active", actual: AssetStatus::Pending },
            RegistryError::Conflict("x".into()),
            RegistryError::Contract(ContractError::Internal("x".into())),
        ];
        for (e, status) in cases.into_iter().zip([400, 403, 404, 404, 409, 409, 409, 500]) {
            assert_eq!(e.status(), status, "{e}");
            assert_eq!(ContractError::from(e).status(), status);
        }
    }

    #[test]
    fn wrong_status_reads_well() {
        let e = RegistryError::WrongStatus {
            action: "SuspendAsset",
            asset: AssetId::parse("pv-1").unwrap(),
            needed: "active",
            actual: AssetStatus::Pending,
        };
        assert_eq!(e.to_string(), "SuspendAsset needs asset pv-1 to be active, but it is pending");
    }
}
