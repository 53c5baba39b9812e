//! The calling identity: which org, which role, and who may do what.
//!
//! What an org *is* (grid operator, supplier, issuing body, prosumer org) and which certificate attribute carries
//! a user's role are not built in: they come from the market roles record ([`crate::roles`]), passed to
//! [`Caller::of`].

use gridledger_contract::{Context, ContractError};
use gridledger_shim::identity::ClientIdentity;

use crate::roles::MarketRoles;

/// What an organization is in the market, per the roles record (an org may be several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    /// A grid operator (of some connection points; [`MarketRoles::operates`] says which).
    Grid,
    /// A supplier and settlement agent (of some customers; [`MarketRoles::supplies`] says which).
    Supplier,
    /// An issuing body.
    IssuingBody,
    /// An org with no market role in the record: prosumers, aggregators, orgs onboarded later.
    Prosumer,
}

impl OrgKind {
    /// Whether `msp_id` is of this kind in `roles`.
    pub fn holds(self, roles: &MarketRoles, msp_id: &str) -> bool {
        match self {
            Self::Grid => roles.is_grid_operator(msp_id),
            Self::Supplier => roles.is_supplier(msp_id),
            Self::IssuingBody => roles.is_issuing_body(msp_id),
            Self::Prosumer => {
                !roles.is_grid_operator(msp_id) && !roles.is_supplier(msp_id) && !roles.is_issuing_body(msp_id)
            }
        }
    }

    /// How a message names an org of this kind.
    pub fn name(self) -> &'static str {
        match self {
            Self::Grid => "a grid operator",
            Self::Supplier => "a supplier",
            Self::IssuingBody => "an issuing body",
            Self::Prosumer => "a prosumer org",
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
    /// Registers production devices and issues energy certificates for an issuing body.
    Issuer,
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
            "issuer" => Self::Issuer,
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
            Self::Issuer => "issuer",
        }
    }
}

pub use crate::party::Party;

impl Party {
    /// The transaction's creator as a party: needs no roles record (an MSP id and an id are not configuration).
    pub fn of(ctx: &Context<'_>) -> Result<Self, ContractError> {
        let identity = ClientIdentity::from_stub(ctx.stub())
            .map_err(|e| ContractError::Forbidden(format!("cannot identify the caller: {e}")))?;
        Ok(Self { msp: identity.msp_id().to_string(), id: identity.id() })
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller as a party.
    pub party: Party,
    /// The org kinds of the caller's org, in [`OrgKind`] order (`Prosumer` alone when it has no market role).
    pub kinds: Vec<OrgKind>,
    /// The role attribute (named by the roles record), if present and known.
    pub role: Option<Role>,
}

/// One allowed (org kind, role) pair; `None` matches any.
pub type Allowed = (Option<OrgKind>, Role);

impl Caller {
    /// Reads the transaction's creator; `roles` says what its org is and which attribute holds its role.
    pub fn of(ctx: &Context<'_>, roles: &MarketRoles) -> Result<Self, ContractError> {
        let identity = ClientIdentity::from_stub(ctx.stub())
            .map_err(|e| ContractError::Forbidden(format!("cannot identify the caller: {e}")))?;
        Ok(Self::from_identity(&identity, roles))
    }

    /// Builds a caller from a parsed identity.
    pub fn from_identity(identity: &ClientIdentity, roles: &MarketRoles) -> Self {
        let party = Party { msp: identity.msp_id().to_string(), id: identity.id() };
        let role = identity.attribute(&roles.role_attribute).as_deref().and_then(Role::parse);
        Self::new(party, role, roles)
    }

    /// A caller of `party` with `role`, its kinds from `roles`.
    pub fn new(party: Party, role: Option<Role>, roles: &MarketRoles) -> Self {
        let kinds = [OrgKind::Grid, OrgKind::Supplier, OrgKind::IssuingBody, OrgKind::Prosumer]
            .into_iter()
            .filter(|k| k.holds(roles, &party.msp))
            .collect();
        Self { party, kinds, role }
    }

    /// Whether the caller's org is of `kind`.
    pub fn has(&self, kind: OrgKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether the caller matches one of `allowed`.
    pub fn is(&self, allowed: &[Allowed]) -> bool {
        allowed.iter().any(|(org, role)| org.is_none_or(|o| self.has(o)) && self.role == Some(*role))
    }

    /// Refuses the caller (403) unless it matches one of `allowed`; the message names who may.
    pub fn require(&self, action: &str, allowed: &[Allowed]) -> Result<(), ContractError> {
        if self.is(allowed) {
            return Ok(());
        }
        Err(ContractError::Forbidden(format!("{action} is for {}; the caller is {}", who(allowed), self.describe())))
    }

    /// Refuses the caller (403) unless it matches one of `allowed` (grid kinds) **and** its org is the grid
    /// operator of connection point `cp` in `roles`: a grid operator acts for its own area only.
    pub fn require_operator_of(
        &self,
        action: &str,
        allowed: &[Allowed],
        roles: &MarketRoles,
        cp: &str,
    ) -> Result<(), ContractError> {
        if self.is(allowed) && roles.operates(&self.party.msp, cp) {
            return Ok(());
        }
        let operators = roles.operators_of(cp);
        let operators = if operators.is_empty() { "none is configured".to_string() } else { operators.join(", ") };
        Err(ContractError::Forbidden(format!(
            "{action} is for {} of the grid operator of connection point {cp} ({operators}); the caller is {}",
            roles_only(allowed),
            self.describe()
        )))
    }

    /// `operator of TenneTMSP`, `no role of Org1MSP`: for messages.
    pub fn describe(&self) -> String {
        format!("{} of {}", self.role.map_or("no role", Role::as_str), self.party.msp)
    }
}

/// `operator or admin of a grid operator, or admin of any org`: roles grouped by consecutive org kinds.
pub fn who(allowed: &[Allowed]) -> String {
    let mut groups: Vec<(Option<OrgKind>, Vec<&str>)> = Vec::new();
    for (org, role) in allowed {
        match groups.last_mut() {
            Some((last, roles)) if last == org => roles.push(role.as_str()),
            _ => groups.push((*org, vec![role.as_str()])),
        }
    }
    let groups: Vec<String> = groups
        .into_iter()
        .map(|(org, roles)| format!("{} of {}", roles.join(" or "), org.map_or("any org", OrgKind::name)))
        .collect();
    groups.join(", or ")
}

fn roles_only(allowed: &[Allowed]) -> String {
    let mut roles: Vec<&str> = Vec::new();
    for (_, role) in allowed {
        if !roles.contains(&role.as_str()) {
            roles.push(role.as_str());
        }
    }
    roles.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> MarketRoles {
        serde_json::from_value(serde_json::json!({
            "roleAttribute": "market.role",
            "members": ["TenneTMSP", "NetzMSP", "StadtwerkeMSP", "Org1MSP"],
            "gridOperators": [{"msp": "TenneTMSP", "connectionPoints": ["*"]},
                              {"msp": "NetzMSP", "connectionPoints": ["cp-ber-*"]}],
            "suppliers": [{"msp": "StadtwerkeMSP", "customers": ["*"]}]
        }))
        .unwrap()
    }

    fn caller(msp: &str, role: Option<Role>) -> Caller {
        Caller::new(Party { msp: msp.into(), id: "x".into() }, role, &roles())
    }

    #[test]
    fn org_kinds_come_from_the_record() {
        assert_eq!(caller("NetzMSP", None).kinds, [OrgKind::Grid]);
        assert_eq!(caller("StadtwerkeMSP", None).kinds, [OrgKind::Supplier]);
        assert_eq!(caller("Org1MSP", None).kinds, [OrgKind::Prosumer]);
        assert_eq!(
            caller("StorageMSP", None).kinds,
            [OrgKind::Prosumer],
            "an org outside the record is a prosumer org"
        );
    }

    #[test]
    fn require_names_who_may() {
        let allowed = [(Some(OrgKind::Grid), Role::Operator), (None, Role::Admin)];
        assert!(caller("NetzMSP", Some(Role::Operator)).require("approve", &allowed).is_ok());
        assert!(caller("Org1MSP", Some(Role::Admin)).require("approve", &allowed).is_ok());
        let err = caller("Org1MSP", Some(Role::Prosumer)).require("approve", &allowed).unwrap_err();
        assert_eq!(
            err.to_string(),
            "approve is for operator of a grid operator, or admin of any org; the caller is prosumer of Org1MSP"
        );
        assert!(caller("NetzMSP", None).require("approve", &allowed).is_err());
    }

    #[test]
    fn grid_operators_act_for_their_area() {
        let staff = [(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];
        let r = roles();
        let netz = caller("NetzMSP", Some(Role::Operator));
        assert!(netz.require_operator_of("ApproveConnection", &staff, &r, "cp-ber-1").is_ok());
        let err = netz.require_operator_of("ApproveConnection", &staff, &r, "cp-ams-1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ApproveConnection is for operator or admin of the grid operator of connection point cp-ams-1 \
             (TenneTMSP); the caller is operator of NetzMSP"
        );
        assert!(caller("TenneTMSP", Some(Role::Admin)).require_operator_of("x", &staff, &r, "cp-ber-1").is_ok());
        assert!(caller("Org1MSP", Some(Role::Admin)).require_operator_of("x", &staff, &r, "cp-ber-1").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for role in [
            Role::Admin,
            Role::Operator,
            Role::Prosumer,
            Role::MeterInstaller,
            Role::Gateway,
            Role::Aggregator,
            Role::Issuer,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
