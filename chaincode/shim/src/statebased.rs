//! Key-level endorsement policies, byte-compatible with Go's `pkg/statebased`.
//!
//! A key can carry its own endorsement policy (the `VALIDATION_PARAMETER` metadata entry, set with
//! [`ChaincodeStub::set_state_validation_parameter`](crate::ChaincodeStub::set_state_validation_parameter)).
//! [`KeyEndorsementPolicy`] builds the policies Go's `KeyEndorsementPolicy` builds: every listed
//! organization must endorse, with one role (member or peer) per organization. The bytes of
//! [`KeyEndorsementPolicy::policy`] equal Go's `Policy()` for the same organizations and roles, so Go
//! and Rust chaincodes can share keys; `testdata/statebased_vectors.json` (written by
//! `tests/go-vectors`) pins this.
//!
//! # Example
//! ```
//! use gridledger_shim::statebased::{KeyEndorsementPolicy, RoleType};
//!
//! # fn main() -> gridledger_shim::Result<()> {
//! // Start from the key's current policy, if any (stub.get_state_validation_parameter(key)?).
//! let current: Option<Vec<u8>> = None;
//! let mut policy = KeyEndorsementPolicy::new(current.as_deref())?;
//! policy.add_orgs(RoleType::Peer, &["Org2MSP", "Org1MSP"])?;
//! policy.del_orgs(&["Org3MSP"]);
//! assert_eq!(policy.list_orgs(), ["Org1MSP", "Org2MSP"]);
//! let bytes = policy.policy(); // stub.set_state_validation_parameter(key, &bytes)?
//! assert_eq!(KeyEndorsementPolicy::new(Some(&bytes))?.list_orgs(), policy.list_orgs());
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use gridledger_protos::common::msp_principal::Classification;
use gridledger_protos::common::msp_role::MspRoleType;
use gridledger_protos::common::signature_policy::{NOutOf, Type};
use gridledger_protos::common::{MspPrincipal, MspRole, SignaturePolicy, SignaturePolicyEnvelope};
use gridledger_protos::prost::Message as _;

use crate::error::{Error, Result};

/// The role an organization's endorsers must have (Go: `statebased.RoleType`).
///
/// Use [`Peer`](RoleType::Peer) on channels with node OUs enabled (peers carry the peer OU), else
/// [`Member`](RoleType::Member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleType {
    /// Any member of the organization (`MEMBER`).
    Member,
    /// A peer of the organization (`PEER`).
    Peer,
}

impl RoleType {
    /// Go's name of the role: `MEMBER` or `PEER`.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::Member => "MEMBER",
            RoleType::Peer => "PEER",
        }
    }

    fn msp_role(self) -> MspRoleType {
        match self {
            RoleType::Member => MspRoleType::Member,
            RoleType::Peer => MspRoleType::Peer,
        }
    }
}

impl fmt::Display for RoleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoleType {
    type Err = Error;

    /// Parses `MEMBER` or `PEER` (exact, as Go); anything else fails with Go's message
    /// `role type X does not exist`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "MEMBER" => Ok(RoleType::Member),
            "PEER" => Ok(RoleType::Peer),
            other => Err(Error::InvalidArgument(format!("role type {other} does not exist"))),
        }
    }
}

/// A key-level endorsement policy under construction (Go: `statebased.KeyEndorsementPolicy`).
///
/// It is the set of organizations (MSP ids) that must all endorse a change to the key, each with a
/// role. The role is kept as the raw `MSPRole` value so that a policy read from the ledger with
/// another role (admin, client, orderer, or one this code does not know) is written back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyEndorsementPolicy {
    orgs: BTreeMap<String, i32>,
}

impl KeyEndorsementPolicy {
    /// Starts from an existing policy (a serialized `SignaturePolicyEnvelope`), or from nothing.
    ///
    /// As in Go, only the envelope's ROLE principals are read, every one of them, whatever the rule
    /// says; other principal kinds are ignored, and a later principal for the same MSP wins.
    /// `Some(&[])` is an empty policy. Errors ([`Error::InvalidArgument`]) if the bytes or a ROLE
    /// principal do not decode.
    pub fn new(existing: Option<&[u8]>) -> Result<Self> {
        let mut policy = Self::default();
        let Some(bytes) = existing else { return Ok(policy) };
        let envelope = SignaturePolicyEnvelope::decode(bytes)
            .map_err(|e| Error::InvalidArgument(format!("Error unmarshaling to SignaturePolicy: {e}")))?;
        for principal in envelope.identities {
            if principal.principal_classification != Classification::Role as i32 {
                continue;
            }
            let role = MspRole::decode(principal.principal.as_slice())
                .map_err(|e| Error::InvalidArgument(format!("error unmarshaling msp principal: {e}")))?;
            policy.orgs.insert(role.msp_identifier, role.role);
        }
        Ok(policy)
    }

    /// Requires endorsement by each of `msp_ids`, with `role` (replacing the role of an organization
    /// already listed). Duplicates are harmless.
    ///
    /// Unlike Go, an empty MSP id is refused ([`Error::InvalidArgument`], nothing added): no identity
    /// can satisfy it, so the key could never be changed again.
    pub fn add_orgs(&mut self, role: RoleType, msp_ids: &[&str]) -> Result<()> {
        if msp_ids.iter().any(|id| id.is_empty()) {
            return Err(Error::InvalidArgument("empty MSP id in key endorsement policy".into()));
        }
        for id in msp_ids {
            self.orgs.insert((*id).to_owned(), role.msp_role() as i32);
        }
        Ok(())
    }

    /// Stops requiring endorsement by `msp_ids`; ids not listed are ignored.
    pub fn del_orgs(&mut self, msp_ids: &[&str]) {
        for id in msp_ids {
            self.orgs.remove(*id);
        }
    }

    /// The organizations that must endorse, sorted by MSP id (byte order).
    pub fn list_orgs(&self) -> Vec<String> {
        self.orgs.keys().cloned().collect()
    }

    /// The role required of `msp_id`, if listed and one of [`RoleType`]'s (a policy read from the
    /// ledger may hold another role, which is kept but not reported here).
    pub fn role(&self, msp_id: &str) -> Option<RoleType> {
        match MspRoleType::try_from(*self.orgs.get(msp_id)?) {
            Ok(MspRoleType::Member) => Some(RoleType::Member),
            Ok(MspRoleType::Peer) => Some(RoleType::Peer),
            _ => None,
        }
    }

    /// The policy, serialized as Go's `Policy()` serializes it: a `SignaturePolicyEnvelope` (version
    /// 0) with one ROLE principal per organization, sorted by MSP id, and the rule
    /// `NOutOf(n = number of organizations, [SignedBy(0), SignedBy(1), ...])`.
    ///
    /// With no organizations this is `NOutOf(0, [])`, which any (even no) endorsement satisfies.
    pub fn policy(&self) -> Vec<u8> {
        self.envelope().encode_to_vec()
    }

    /// The policy as a message (what [`policy`](Self::policy) serializes).
    pub fn envelope(&self) -> SignaturePolicyEnvelope {
        let identities = self
            .orgs
            .iter()
            .map(|(id, &role)| MspPrincipal {
                principal_classification: Classification::Role as i32,
                principal: MspRole { msp_identifier: id.clone(), role }.encode_to_vec(),
            })
            .collect();
        let rules = (0..self.orgs.len())
            .map(|i| SignaturePolicy { r#type: Some(Type::SignedBy(i32::try_from(i).unwrap_or(i32::MAX))) })
            .collect();
        let n = i32::try_from(self.orgs.len()).unwrap_or(i32::MAX);
        SignaturePolicyEnvelope {
            version: 0,
            rule: Some(SignaturePolicy { r#type: Some(Type::NOutOf(NOutOf { n, rules })) }),
            identities,
        }
    }
}

#[cfg(test)]
mod tests;
