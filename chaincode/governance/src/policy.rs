//! Policy evaluation over checked signers: signature policies (AND/OR/OutOf,
//! nested) with Fabric's semantics (each signer satisfies at most one leaf of
//! a policy), ImplicitMeta policies (ANY/ALL/MAJORITY of a sub-policy over the
//! child groups), and how many more signatures a policy still needs.

use gridledger_protos::common::msp_principal::Classification;
use gridledger_protos::common::msp_role::MspRoleType;
use gridledger_protos::common::policy::PolicyType;
use gridledger_protos::common::signature_policy::Type;
use gridledger_protos::common::{
    Config, ConfigGroup, ImplicitMetaPolicy, MspPrincipal, MspRole, SignaturePolicy, SignaturePolicyEnvelope,
    implicit_meta_policy::Rule,
};
use prost::Message as _;

use crate::config::ROOT;
use crate::error::{Error, Result};
use crate::expr;
use crate::identity::{Member, Role};

/// Deepest ImplicitMeta nesting followed (the channel tree is three levels).
const MAX_META_DEPTH: usize = 8;

/// The result of evaluating one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the signers satisfy it.
    pub satisfied: bool,
    /// At least this many more valid signatures (of the right principals) are
    /// needed; 0 when satisfied. For signature policies it is the smallest
    /// number of further leaves to satisfy, counted per leaf.
    pub missing: usize,
    /// The policy in words, e.g. `MAJORITY Admins (2 of 3)` or `OR('A.admin')`.
    pub describe: String,
}

/// Evaluates a signature policy envelope for `signers` (distinct identities).
pub fn evaluate_signature(env: &SignaturePolicyEnvelope, signers: &[Member]) -> Outcome {
    let describe = expr::render(env);
    let Some(rule) = env.rule.as_ref() else {
        return Outcome { satisfied: false, missing: 0, describe };
    };
    let mut used = vec![false; signers.len()];
    let satisfied = eval(rule, &env.identities, signers, &mut used);
    let missing = if satisfied { 0 } else { missing(rule, &env.identities, signers, &mut vec![false; signers.len()]) };
    Outcome { satisfied, missing, describe }
}

/// Evaluates the policy at an absolute path such as `/Channel/Application/Admins`.
pub fn evaluate_path(config: &Config, path: &str, signers: &[Member]) -> Result<Outcome> {
    let (groups, name) = split_path(path)?;
    let mut group = config.channel_group.as_ref().ok_or_else(|| Error::Shape("config without channel group".into()))?;
    for g in &groups {
        group = group.groups.get(*g).ok_or_else(|| Error::Shape(format!("no group {g} on the path {path}")))?;
    }
    evaluate_in(group, name, signers, 0)?.ok_or_else(|| Error::Shape(format!("no policy {path}")))
}

/// Splits `/Channel/A/B/Name` into `(["A", "B"], "Name")`.
pub fn split_path(path: &str) -> Result<(Vec<&str>, &str)> {
    let rest = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(ROOT))
        .ok_or_else(|| Error::Shape(format!("policy path {path} is not absolute (/Channel/...)")))?;
    let mut parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.pop().ok_or_else(|| Error::Shape(format!("policy path {path} names no policy")))?;
    Ok((parts, name))
}

fn evaluate_in(group: &ConfigGroup, name: &str, signers: &[Member], depth: usize) -> Result<Option<Outcome>> {
    let Some(policy) = group.policies.get(name).and_then(|p| p.policy.as_ref()) else { return Ok(None) };
    if policy.r#type == PolicyType::Signature as i32 {
        let env =
            SignaturePolicyEnvelope::decode(policy.value.as_slice()).map_err(Error::decode("signature policy"))?;
        return Ok(Some(evaluate_signature(&env, signers)));
    }
    if policy.r#type != PolicyType::ImplicitMeta as i32 {
        return Err(Error::Shape(format!("policy {name} has type {}, which is not evaluated here", policy.r#type)));
    }
    if depth >= MAX_META_DEPTH {
        return Err(Error::Shape("ImplicitMeta policies nested too deep".into()));
    }
    let meta = ImplicitMetaPolicy::decode(policy.value.as_slice()).map_err(Error::decode("ImplicitMeta policy"))?;
    let mut children: Vec<(&String, &ConfigGroup)> = group.groups.iter().collect();
    children.sort_by(|a, b| a.0.cmp(b.0));
    let mut subs = Vec::new();
    for (_, child) in children {
        if let Some(o) = evaluate_in(child, &meta.sub_policy, signers, depth + 1)? {
            subs.push(o);
        }
    }
    let rule = Rule::try_from(meta.rule).unwrap_or(Rule::Majority);
    let threshold = match rule {
        Rule::Any => 1,
        Rule::All => subs.len(),
        Rule::Majority => subs.len() / 2 + 1,
    };
    let have = subs.iter().filter(|o| o.satisfied).count();
    let mut lacking: Vec<usize> = subs.iter().filter(|o| !o.satisfied).map(|o| o.missing).collect();
    lacking.sort_unstable();
    let missing = lacking.iter().take(threshold.saturating_sub(have)).sum();
    // ANY over no sub-policies cannot be satisfied; ALL/MAJORITY over none are, as in Fabric.
    let satisfied = have >= threshold;
    let describe = format!("{} {} ({threshold} of {})", rule.as_str_name(), meta.sub_policy, subs.len());
    Ok(Some(Outcome { satisfied, missing, describe }))
}

/// Fabric's evaluation: a leaf takes the first unused signer matching its
/// principal; an n-out-of node tries its rules in order, keeping the signers a
/// satisfied rule used.
fn eval(rule: &SignaturePolicy, ids: &[MspPrincipal], signers: &[Member], used: &mut [bool]) -> bool {
    match &rule.r#type {
        Some(Type::SignedBy(i)) => {
            let Some(principal) = usize::try_from(*i).ok().and_then(|i| ids.get(i)) else { return false };
            for (k, s) in signers.iter().enumerate() {
                if !used[k] && matches(principal, s) {
                    used[k] = true;
                    return true;
                }
            }
            false
        }
        Some(Type::NOutOf(n)) => {
            let mut verified = 0;
            let mut trial = used.to_vec();
            for r in &n.rules {
                trial.copy_from_slice(used);
                if eval(r, ids, signers, &mut trial) {
                    verified += 1;
                    used.copy_from_slice(&trial);
                }
            }
            verified >= n.n
        }
        None => false,
    }
}

/// How many more leaves must be satisfied: 0 for a satisfied rule, 1 for an
/// unsatisfied leaf, and for n-out-of the cheapest unsatisfied rules that
/// make up the shortfall.
fn missing(rule: &SignaturePolicy, ids: &[MspPrincipal], signers: &[Member], used: &mut [bool]) -> usize {
    match &rule.r#type {
        Some(Type::SignedBy(_)) => usize::from(!eval(rule, ids, signers, used)),
        Some(Type::NOutOf(n)) => {
            let mut have = 0usize;
            let mut costs = Vec::new();
            let mut trial = used.to_vec();
            for r in &n.rules {
                trial.copy_from_slice(used);
                if eval(r, ids, signers, &mut trial) {
                    have += 1;
                    used.copy_from_slice(&trial);
                } else {
                    trial.copy_from_slice(used);
                    costs.push(missing(r, ids, signers, &mut trial));
                }
            }
            costs.sort_unstable();
            let need = usize::try_from(n.n).unwrap_or(0).saturating_sub(have);
            costs.iter().take(need).sum()
        }
        None => 0,
    }
}

fn matches(principal: &MspPrincipal, signer: &Member) -> bool {
    if principal.principal_classification != Classification::Role as i32 {
        return false;
    }
    let Ok(role) = MspRole::decode(principal.principal.as_slice()) else { return false };
    let Ok(kind) = MspRoleType::try_from(role.role) else { return false };
    role.msp_identifier == signer.msp_id && signer.roles.contains(&Role::from_proto(kind))
}
