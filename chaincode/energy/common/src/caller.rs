//! The calling identity: which org, which role, and who may do what.

use gridledger_contract::{Context, ContractError, Fields, Object};
use gridledger_shim::identity::ClientIdentity;
use serde::{Deserialize, Serialize};

/// The grid operator's MSP id.
pub const GRID_MSP: &str = "GridMSP";
/// The utility's (supplier and settlement agent) MSP id.
pub const UTILITY_MSP: &str = "UtilityMSP";
/// The certificate attribute that carries a user's role.
pub const ROLE_ATTRIBUTE: &str = "gridledger.role";

/// What kind of organization an MSP is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    /// `GridMSP`.
    Grid,
    /// `UtilityMSP`.
    Utility,
    /// Every other org (ProsumerMSP, and orgs onboarded later).
    Prosumer,
}

impl OrgKind {
    /// The kind of an MSP id.
    pub fn of(msp_id: &str) -> Self {
        match msp_id {
            GRID_MSP => Self::Grid,
            UTILITY_MSP => Self::Utility,
            _ => Self::Prosumer,
        }
    }
}

/// A user's role, from the `gridledger.role` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Org administrator.
    Admin,
    /// Operations staff (grid operator, utility desk).
    Operator,
    /// Owner of DERs and meters.
    Prosumer,
    /// Registers meters.
    MeterInstaller,
    /// Submits meter readings (a head-end system).
    Gateway,
    /// Groups assets into virtual power plants.
    Aggregator,
}

impl Role {
    /// Parses the attribute value.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "admin" => Self::Admin,
            "operator" => Self::Operator,
            "prosumer" => Self::Prosumer,
            "meter-installer" => Self::MeterInstaller,
            "gateway" => Self::Gateway,
            "aggregator" => Self::Aggregator,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Prosumer => "prosumer",
            Self::MeterInstaller => "meter-installer",
            Self::Gateway => "gateway",
            Self::Aggregator => "aggregator",
        }
    }
}

/// A market participant or asset owner: MSP id plus the Go-compatible identity id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Party {
    /// MSP id.
    pub msp: String,
    /// `ClientIdentity::id()` (base64 of `x509::subject::issuer`).
    pub id: String,
}

impl Object for Party {
    const NAME: &'static str = "Party";
    fn describe(fields: &mut Fields<'_>) {
        fields.field::<String>("msp").field::<String>("id");
    }
}

impl Party {
    /// The balance account name of this party: `msp/id`.
    pub fn account(&self) -> String {
        format!("{}/{}", self.msp, self.id)
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller as a party.
    pub party: Party,
    /// The org kind.
    pub org: OrgKind,
    /// The role attribute, if present and known.
    pub role: Option<Role>,
}

/// One allowed (org kind, role) pair; `None` matches any.
pub type Allowed = (Option<OrgKind>, Role);

impl Caller {
    /// Reads the transaction's creator.
    pub fn of(ctx: &Context<'_>) -> Result<Self, ContractError> {
        let identity = ClientIdentity::from_stub(ctx.stub())
            .map_err(|e| ContractError::Forbidden(format!("cannot identify the caller: {e}")))?;
        Ok(Self::from_identity(&identity))
    }

    /// Builds a caller from a parsed identity.
    pub fn from_identity(identity: &ClientIdentity) -> Self {
        let party = Party { msp: identity.msp_id().to_string(), id: identity.id() };
        let role = identity.attribute(ROLE_ATTRIBUTE).as_deref().and_then(Role::parse);
        Self { org: OrgKind::of(&party.msp), party, role }
    }

    /// Whether the caller matches one of `allowed`.
    pub fn is(&self, allowed: &[Allowed]) -> bool {
        allowed.iter().any(|(org, role)| org.is_none_or(|o| o == self.org) && self.role == Some(*role))
    }

    /// Refuses the caller (403) unless it matches one of `allowed`; the message names who may.
    pub fn require(&self, action: &str, allowed: &[Allowed]) -> Result<(), ContractError> {
        if self.is(allowed) {
            return Ok(());
        }
        let who: Vec<String> = allowed
            .iter()
            .map(|(org, role)| match org {
                Some(org) => format!("{} of {}", role.as_str(), org_name(*org)),
                None => format!("{} of any org", role.as_str()),
            })
            .collect();
        let role = self.role.map_or("no role", Role::as_str);
        Err(ContractError::Forbidden(format!(
            "{action} is for {}; the caller is {role} of {}",
            who.join(" or "),
            self.party.msp
        )))
    }
}

fn org_name(org: OrgKind) -> &'static str {
    match org {
        OrgKind::Grid => GRID_MSP,
        OrgKind::Utility => UTILITY_MSP,
        OrgKind::Prosumer => "a prosumer org",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(msp: &str, role: Option<Role>) -> Caller {
        Caller { party: Party { msp: msp.into(), id: "x".into() }, org: OrgKind::of(msp), role }
    }

    #[test]
    fn org_kinds() {
        assert_eq!(OrgKind::of("GridMSP"), OrgKind::Grid);
        assert_eq!(OrgKind::of("StorageMSP"), OrgKind::Prosumer);
    }

    #[test]
    fn require_names_who_may() {
        let allowed = [(Some(OrgKind::Grid), Role::Operator), (None, Role::Admin)];
        assert!(caller("GridMSP", Some(Role::Operator)).require("approve", &allowed).is_ok());
        assert!(caller("ProsumerMSP", Some(Role::Admin)).require("approve", &allowed).is_ok());
        let err = caller("ProsumerMSP", Some(Role::Prosumer)).require("approve", &allowed).unwrap_err();
        assert_eq!(
            err.to_string(),
            "approve is for operator of GridMSP or admin of any org; the caller is prosumer of ProsumerMSP"
        );
        assert!(caller("GridMSP", None).require("approve", &allowed).is_err());
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Admin, Role::Operator, Role::Prosumer, Role::MeterInstaller, Role::Gateway, Role::Aggregator]
        {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
