//! Signature policies that follow the channel's membership: a node of a policy
//! that names each member org once, all with the same role (e.g. metering's
//! collection `OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member')`)
//! gets a new org's principal too, or loses a departed org's. Anywhere in an
//! AND/OR/OutOf tree: `OR` stays 1-of, `AND` grows or shrinks with its rules,
//! `OutOf(k, ..)` keeps `k` (at most the number of rules left). Nodes naming
//! only some of the orgs are left alone (kv's `utilityGrid`).

use std::collections::BTreeSet;

use gridledger_protos::common::signature_policy::{NOutOf, Type};
use gridledger_protos::common::{SignaturePolicy, SignaturePolicyEnvelope};

use crate::error::Result;
use crate::expr;

/// `env` with `new_msp` added wherever a node names exactly the `others`
/// (the current members); `None` when no node does.
pub fn with_org(
    env: &SignaturePolicyEnvelope,
    others: &[String],
    new_msp: &str,
) -> Result<Option<SignaturePolicyEnvelope>> {
    let others: BTreeSet<&str> = others.iter().map(String::as_str).collect();
    let mut rule = env.rule.clone().unwrap_or_default();
    let mut extra = Vec::new();
    let changed = add(&mut rule, env, &others, new_msp, &mut extra);
    finish(env, rule, extra, changed)
}

/// `env` without `gone_msp` wherever a node names it among single-org leaves
/// of one role; `None` when no node does (or a node would be left empty).
pub fn without_org(env: &SignaturePolicyEnvelope, gone_msp: &str) -> Result<Option<SignaturePolicyEnvelope>> {
    let mut rule = env.rule.clone().unwrap_or_default();
    let changed = drop(&mut rule, env, gone_msp);
    finish(env, rule, Vec::new(), changed)
}

/// Renders and re-parses, so principals are numbered exactly as Fabric's parser numbers them.
fn finish(
    env: &SignaturePolicyEnvelope,
    rule: SignaturePolicy,
    extra: Vec<gridledger_protos::common::MspPrincipal>,
    changed: bool,
) -> Result<Option<SignaturePolicyEnvelope>> {
    if !changed {
        return Ok(None);
    }
    let mut identities = env.identities.clone();
    identities.extend(extra);
    let edited = SignaturePolicyEnvelope { version: env.version, rule: Some(rule), identities };
    expr::parse(&expr::render(&edited)).map(Some)
}

/// (msp, role) of each leaf of `n` if every rule is a single role principal.
fn leaves(n: &NOutOf, env: &SignaturePolicyEnvelope) -> Option<Vec<(String, String)>> {
    n.rules
        .iter()
        .map(|r| match r.r#type {
            Some(Type::SignedBy(i)) => {
                let name =
                    usize::try_from(i).ok().and_then(|i| env.identities.get(i)).and_then(expr::principal_name)?;
                let (msp, role) = name.rsplit_once('.')?;
                Some((msp.to_owned(), role.to_owned()))
            }
            _ => None,
        })
        .collect()
}

fn add(
    rule: &mut SignaturePolicy,
    env: &SignaturePolicyEnvelope,
    others: &BTreeSet<&str>,
    new_msp: &str,
    extra: &mut Vec<gridledger_protos::common::MspPrincipal>,
) -> bool {
    let Some(Type::NOutOf(n)) = &mut rule.r#type else { return false };
    if let Some(ls) = leaves(n, env) {
        let msps: BTreeSet<&str> = ls.iter().map(|(m, _)| m.as_str()).collect();
        let roles: BTreeSet<&str> = ls.iter().map(|(_, r)| r.as_str()).collect();
        if msps == *others && msps.len() == ls.len() && roles.len() == 1 {
            let Some(role) = roles.first().and_then(|r| role_of(r)) else { return false };
            let index = env.identities.len() + extra.len();
            extra.push(expr::role_principal(new_msp, role));
            let was_and = usize::try_from(n.n).is_ok_and(|k| k == n.rules.len()) && n.rules.len() > 1;
            n.rules.push(SignaturePolicy { r#type: Some(Type::SignedBy(i32::try_from(index).unwrap_or(i32::MAX))) });
            if was_and {
                n.n += 1;
            }
            return true;
        }
        return false;
    }
    let mut changed = false;
    for r in &mut n.rules {
        changed |= add(r, env, others, new_msp, extra);
    }
    changed
}

fn drop(rule: &mut SignaturePolicy, env: &SignaturePolicyEnvelope, gone: &str) -> bool {
    let Some(Type::NOutOf(n)) = &mut rule.r#type else { return false };
    if let Some(ls) = leaves(n, env) {
        let roles: BTreeSet<&str> = ls.iter().map(|(_, r)| r.as_str()).collect();
        let kept: Vec<SignaturePolicy> =
            n.rules.iter().zip(&ls).filter(|(_, (m, _))| m != gone).map(|(r, _)| r.clone()).collect();
        if roles.len() != 1 || kept.len() == ls.len() || kept.is_empty() {
            return false;
        }
        let was_and = usize::try_from(n.n).is_ok_and(|k| k == n.rules.len()) && n.rules.len() > 1;
        let left = i32::try_from(kept.len()).unwrap_or(i32::MAX);
        n.n = if was_and { left } else { n.n.min(left) };
        n.rules = kept;
        return true;
    }
    let mut changed = false;
    for r in &mut n.rules {
        changed |= drop(r, env, gone);
    }
    changed
}

fn role_of(name: &str) -> Option<gridledger_protos::common::msp_role::MspRoleType> {
    use gridledger_protos::common::msp_role::MspRoleType;
    Some(match name {
        "member" => MspRoleType::Member,
        "admin" => MspRoleType::Admin,
        "client" => MspRoleType::Client,
        "peer" => MspRoleType::Peer,
        "orderer" => MspRoleType::Orderer,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn others() -> Vec<String> {
        ["UtilityMSP", "GridMSP", "ProsumerMSP"].map(String::from).to_vec()
    }

    fn added(text: &str) -> Option<String> {
        let env = expr::parse(text).expect("parses");
        with_org(&env, &others(), "StorageMSP").expect("edits").map(|e| expr::render(&e))
    }

    fn dropped(text: &str) -> Option<String> {
        let env = expr::parse(text).expect("parses");
        without_org(&env, "StorageMSP").expect("edits").map(|e| expr::render(&e))
    }

    #[test]
    fn an_or_of_every_member_grows_and_shrinks() {
        let or3 = "OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member')";
        let or4 = "OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member', 'StorageMSP.member')";
        assert_eq!(added(or3).as_deref(), Some(or4));
        assert_eq!(dropped(or4).as_deref(), Some(or3));
    }

    #[test]
    fn nested_nodes_and_thresholds() {
        let text = "AND('UtilityMSP.admin', OutOf(2, 'UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer'))";
        assert_eq!(
            added(text).as_deref(),
            Some(
                "AND('UtilityMSP.admin', OutOf(2, 'UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer', 'StorageMSP.peer'))"
            )
        );
        let and3 = "AND('UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer')";
        let and4 = "AND('UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer', 'StorageMSP.peer')";
        assert_eq!(added(and3).as_deref(), Some(and4));
        assert_eq!(dropped(and4).as_deref(), Some(and3));
        let k3 = "OutOf(3, 'UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer', 'StorageMSP.peer')";
        assert_eq!(dropped(k3).as_deref(), Some("AND('UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer')"));
    }

    #[test]
    fn policies_naming_some_orgs_or_mixed_roles_stay() {
        assert_eq!(added("OR('UtilityMSP.member', 'GridMSP.member')"), None);
        assert_eq!(added("OR('UtilityMSP.peer', 'GridMSP.member', 'ProsumerMSP.peer')"), None);
        assert_eq!(dropped("OR('UtilityMSP.peer', 'GridMSP.peer')"), None);
        assert_eq!(dropped("OR('StorageMSP.peer')"), None);
    }
}
