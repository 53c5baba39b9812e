//! Market roles as ledger configuration: which MSP ids act as grid operators (and for which connection points),
//! suppliers (and for which customers) and issuing bodies, which certificate attribute carries a user's role, and
//! which member orgs must agree to change any of it (DESIGN.md, "Organizations and roles").
//!
//! The record lives in one place, the registry's key [`ROLES_KEY`], because metering and trade already consult
//! the registry through `invoke_chaincode`: one record can never disagree with itself, and one key carries one
//! key-level endorsement policy ([`MarketRoles::endorsement_policy`], a majority of the members' peers). The
//! registry reads it from its own state ([`from_state`]); metering and trade ask the registry ([`from_registry`],
//! registry `GetRoles`). No MSP id is built in: a contract knows only what this record says.

use std::collections::BTreeSet;

#[cfg(feature = "chaincode")]
use gridledger_contract::{ContractError, Object};
#[cfg(feature = "chaincode")]
use gridledger_shim::ChaincodeStub;
#[cfg(feature = "chaincode")]
use gridledger_shim::protos::common::signature_policy::{NOutOf, Type};
#[cfg(feature = "chaincode")]
use gridledger_shim::protos::prost::Message as _;
#[cfg(feature = "chaincode")]
use gridledger_shim::statebased::{KeyEndorsementPolicy, RoleType};
use gridledger_text::quote;
use serde::{Deserialize, Serialize};

use crate::bounds::{MAX_ID_LEN, MAX_MSP_LEN};
#[cfg(feature = "chaincode")]
use crate::names::REGISTRY;

/// The registry key (a simple key) that holds the roles record.
pub const ROLES_KEY: &str = "roles";
/// The most bytes a roles record argument may have (a consortium of 64 orgs with a few areas each fits easily).
pub const MAX_ROLES_BYTES: usize = 16 * 1024;
/// The most member orgs a record lists.
pub const MAX_MEMBERS: usize = 64;
/// The most connection-point patterns or customer entries one org may have.
pub const MAX_PATTERNS: usize = 256;
/// The longest role attribute name (Fabric CA attribute names are short; this only bounds the input).
pub const MAX_ATTRIBUTE_LEN: usize = 128;
/// The pattern that matches every connection point or every customer.
pub const ANY: &str = "*";

/// A grid operator and the connection points it acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "chaincode", derive(Object))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GridOperator {
    /// Its MSP id.
    pub msp: String,
    /// Connection-point patterns: `*` (all of them), a prefix ending in `*` (`cp-ams-*`, one grid area), or one
    /// connection point exactly.
    pub connection_points: Vec<String>,
}

/// A supplier (settlement agent) and the orgs whose parties are its customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "chaincode", derive(Object))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Supplier {
    /// Its MSP id.
    pub msp: String,
    /// MSP ids of the orgs whose parties it supplies and settles, `VPP` for virtual power plants, or `*` for all.
    pub customers: Vec<String>,
}

/// The roles record (registry key [`ROLES_KEY`]); the argument of registry `InitRoles` and `SetRoles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "chaincode", derive(Object))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarketRoles {
    /// The certificate attribute that carries a user's role (e.g. `gridledger.role`).
    pub role_attribute: String,
    /// The consortium's member orgs: a majority of their peers must endorse a change of this record.
    pub members: Vec<String>,
    /// Grid operators, each with its connection points.
    pub grid_operators: Vec<GridOperator>,
    /// Suppliers and settlement agents, each with its customers.
    pub suppliers: Vec<Supplier>,
    /// Issuing bodies: they register production devices and issue energy certificates (the `certificates`
    /// chaincode). When the list is empty, the operator of the whole market area ([`Self::issues_certificates`])
    /// acts as the issuing body.
    #[serde(default)]
    // `#[serde(default)]`: a record may leave it out, so optional although not an `Option`.
    #[cfg_attr(feature = "chaincode", object(optional))]
    pub issuing_bodies: Vec<String>,
}

/// Why a roles record is refused (400 as a transaction argument).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("roles record: {0}")]
pub struct InvalidRoles(pub String);

#[cfg(feature = "chaincode")]
impl From<InvalidRoles> for ContractError {
    fn from(e: InvalidRoles) -> Self {
        ContractError::BadRequest(e.to_string())
    }
}

fn bad(message: String) -> InvalidRoles {
    InvalidRoles(message)
}

fn check_name(what: &str, value: &str, max: usize) -> Result<(), InvalidRoles> {
    let ok = !value.is_empty()
        && value.chars().count() <= max
        && !value.chars().any(|c| c.is_control() || c.is_whitespace() || c == '/');
    if ok {
        return Ok(());
    }
    let q = quote(value);
    Err(bad(format!("{what} {q} must be 1 to {max} characters without spaces, control characters or '/'")))
}

fn check_patterns(what: &str, patterns: &[String], max_len: usize) -> Result<(), InvalidRoles> {
    if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
        return Err(bad(format!("{what} needs 1 to {MAX_PATTERNS} entries, got {}", patterns.len())));
    }
    let mut seen = BTreeSet::new();
    for p in patterns {
        if p != ANY {
            let body = p.strip_suffix('*').unwrap_or(p);
            check_name(what, body, max_len)?;
            if body.contains('*') {
                return Err(bad(format!("{what} {}: '*' may only end a pattern", quote(p))));
            }
        }
        if !seen.insert(p.as_str()) {
            return Err(bad(format!("{what} lists {} twice", quote(p))));
        }
    }
    Ok(())
}

/// Whether `pattern` (`*`, `prefix*` or an exact value) matches `value`.
pub fn matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

impl MarketRoles {
    /// Checks the record: names bounded, members unique, every grid operator, supplier and issuing body a
    /// member listed once per role, at least one grid operator and one supplier, valid patterns.
    pub fn validate(&self) -> Result<(), InvalidRoles> {
        check_name("roleAttribute", &self.role_attribute, MAX_ATTRIBUTE_LEN)?;
        if self.members.is_empty() || self.members.len() > MAX_MEMBERS {
            return Err(bad(format!("members needs 1 to {MAX_MEMBERS} MSP ids, got {}", self.members.len())));
        }
        let mut members = BTreeSet::new();
        for m in &self.members {
            check_name("member", m, MAX_MSP_LEN)?;
            if !members.insert(m.as_str()) {
                return Err(bad(format!("member {} is listed twice", quote(m))));
            }
        }
        let member = |role: &str, msp: &str, seen: &mut BTreeSet<String>| {
            if !members.contains(msp) {
                return Err(bad(format!("{role} {} is not among the members", quote(msp))));
            }
            if !seen.insert(msp.to_string()) {
                return Err(bad(format!("{role} {} is listed twice", quote(msp))));
            }
            Ok(())
        };
        if self.grid_operators.is_empty() || self.suppliers.is_empty() {
            return Err(bad("at least one grid operator and one supplier are needed".into()));
        }
        let mut seen = BTreeSet::new();
        for g in &self.grid_operators {
            member("grid operator", &g.msp, &mut seen)?;
            check_patterns("connection point", &g.connection_points, MAX_ID_LEN)?;
        }
        let mut seen = BTreeSet::new();
        for s in &self.suppliers {
            member("supplier", &s.msp, &mut seen)?;
            check_patterns("customer", &s.customers, MAX_MSP_LEN)?;
        }
        let mut seen = BTreeSet::new();
        for i in &self.issuing_bodies {
            member("issuing body", i, &mut seen)?;
        }
        Ok(())
    }

    /// Whether `msp` is a grid operator (of any connection point).
    pub fn is_grid_operator(&self, msp: &str) -> bool {
        self.grid_operators.iter().any(|g| g.msp == msp)
    }

    /// Whether `msp` is the grid operator of connection point `cp`.
    pub fn operates(&self, msp: &str, cp: &str) -> bool {
        self.grid_operators.iter().any(|g| g.msp == msp && g.connection_points.iter().any(|p| matches(p, cp)))
    }

    /// Whether `msp` operates every connection point (`*`): the operator of the whole market area, who sets the
    /// market's configuration.
    pub fn operates_everywhere(&self, msp: &str) -> bool {
        self.grid_operators.iter().any(|g| g.msp == msp && g.connection_points.iter().any(|p| p == ANY))
    }

    /// The grid operators of connection point `cp` (for messages).
    pub fn operators_of(&self, cp: &str) -> Vec<&str> {
        let of = |g: &&GridOperator| g.connection_points.iter().any(|p| matches(p, cp));
        self.grid_operators.iter().filter(of).map(|g| g.msp.as_str()).collect()
    }

    /// Whether `msp` is a supplier.
    pub fn is_supplier(&self, msp: &str) -> bool {
        self.suppliers.iter().any(|s| s.msp == msp)
    }

    /// Whether supplier `supplier` supplies the parties of org `customer_msp` (`VPP` for a VPP party).
    pub fn supplies(&self, supplier: &str, customer_msp: &str) -> bool {
        self.suppliers.iter().any(|s| s.msp == supplier && s.customers.iter().any(|c| matches(c, customer_msp)))
    }

    /// Whether `msp` is an issuing body.
    pub fn is_issuing_body(&self, msp: &str) -> bool {
        self.issuing_bodies.iter().any(|i| i == msp)
    }

    /// Whether `msp` issues energy certificates: an issuing body, or, when the record names none, the grid
    /// operator of every connection point (`*`). Grid operators already authenticate the meters whose readings
    /// certificates are issued from, so the market-area operator is the natural default issuer of a consortium
    /// that has not named one (the test consortium's record lists no issuing body).
    pub fn issues_certificates(&self, msp: &str) -> bool {
        if self.issuing_bodies.is_empty() { self.operates_everywhere(msp) } else { self.is_issuing_body(msp) }
    }

    /// Whether `msp` is a member org.
    pub fn is_member(&self, msp: &str) -> bool {
        self.members.iter().any(|m| m == msp)
    }

    /// How many members' peers must endorse a change: a majority, `members / 2 + 1`.
    pub fn majority(&self) -> usize {
        self.members.len() / 2 + 1
    }

    /// The key-level endorsement policy of the record (the `VALIDATION_PARAMETER` of [`ROLES_KEY`]): a
    /// `SignaturePolicyEnvelope` with one `PEER` principal per member, sorted by MSP id as Go's `statebased`
    /// sorts them, and the rule `NOutOf(majority, [SignedBy(0), …])`. Go's `KeyEndorsementPolicy` can only
    /// require all of its orgs; a majority is what the channel's own `MAJORITY Endorsement` asks, so no single
    /// org (nor a minority) can change who the grid operators are.
    #[cfg(feature = "chaincode")]
    pub fn endorsement_policy(&self) -> Result<Vec<u8>, InvalidRoles> {
        let mut policy = KeyEndorsementPolicy::new(None).map_err(|e| bad(e.to_string()))?;
        let members: Vec<&str> = self.members.iter().map(String::as_str).collect();
        policy.add_orgs(RoleType::Peer, &members).map_err(|e| bad(e.to_string()))?;
        let mut envelope = policy.envelope();
        let n = i32::try_from(self.majority()).map_err(|_| bad("too many members".into()))?;
        if let Some(rule) = envelope.rule.as_mut()
            && let Some(Type::NOutOf(NOutOf { n: required, .. })) = rule.r#type.as_mut()
        {
            *required = n;
        }
        Ok(envelope.encode_to_vec())
    }
}

/// The message of a missing record: what to do about it.
#[cfg(feature = "chaincode")]
pub const NOT_CONFIGURED: &str =
    "the market roles are not configured: the consortium writes them once with registry InitRoles";

/// Reads the record from the current chaincode's own state (the registry's): 409 when it was never written.
#[cfg(feature = "chaincode")]
pub fn from_state(stub: &dyn ChaincodeStub) -> Result<MarketRoles, ContractError> {
    match stub.get_state(ROLES_KEY)? {
        Some(bytes) => parse(&bytes),
        None => Err(ContractError::Conflict(NOT_CONFIGURED.into())),
    }
}

/// Asks the registry (`GetRoles`) for the record: 409 when it was never written, 500 on another failure.
#[cfg(feature = "chaincode")]
pub fn from_registry(stub: &dyn ChaincodeStub) -> Result<MarketRoles, ContractError> {
    let response = stub.invoke_chaincode(REGISTRY, &[b"GetRoles".to_vec()], "")?;
    match response.status {
        200..=399 => parse(&response.payload),
        404 => Err(ContractError::Conflict(NOT_CONFIGURED.into())),
        status => Err(ContractError::Internal(format!(
            "registry GetRoles failed with status {status}: {}",
            gridledger_contract::clip(&response.message, 512)
        ))),
    }
}

#[cfg(feature = "chaincode")]
fn parse(bytes: &[u8]) -> Result<MarketRoles, ContractError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ContractError::Internal(format!("the stored roles record is unreadable: {e}")))
}

#[cfg(test)]
#[cfg(feature = "chaincode")]
mod tests;
