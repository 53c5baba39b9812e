//! How `gridctl org show` prints a review: plain lines a person reads before signing.

use gridledger_governance::identity::Role;
use gridledger_governance::review::Review;

/// Prints `review` of an update on `channel` against config block `block`.
pub(super) fn review(channel: &str, block: u64, review: &Review) {
    println!("update on channel {channel}, checked against config block {block}");
    println!("changes:");
    for c in &review.impact.changes {
        println!("  {} {} {}", c.how, c.kind, c.path);
    }
    for path in &review.impact.stale {
        println!("  STALE: {path} changed since the update was computed; propose it again");
    }
    println!("signatures:");
    if review.signatures.is_empty() {
        println!("  none");
    }
    for s in &review.signatures {
        match &s.verdict {
            Ok(m) => {
                let roles: Vec<String> = m.roles.iter().map(|r| format!("{r:?}").to_lowercase()).collect();
                println!("  valid   {} '{}' ({})", m.msp_id, m.subject, roles.join(", "));
            }
            Err(why) => println!("  INVALID {}: {why}", s.claimed_msp),
        }
    }
    println!("policies:");
    for (path, o) in &review.policies {
        let state = if o.satisfied { "satisfied".to_owned() } else { format!("needs {} more signature(s)", o.missing) };
        println!("  {path}: {} — {state}", o.describe);
    }
    println!("ready to submit: {}", if review.ready() { "yes" } else { "no" });
}

/// Why a review is not ready, one phrase each (what `gridctl org submit` refuses with).
pub(super) fn problems(review: &Review) -> Vec<String> {
    let mut out = Vec::new();
    for path in &review.impact.stale {
        out.push(format!("stale: {path} changed since the update was computed; propose it again"));
    }
    // A stale update may look like it changes nothing (its versions are the current ones): say stale only.
    if review.impact.policies.is_empty() && review.impact.stale.is_empty() {
        out.push("the update changes nothing that a policy guards".into());
    }
    for s in &review.signatures {
        if let Err(why) = &s.verdict {
            out.push(format!("invalid signature ({}): {why}; start again from a fresh proposal", s.claimed_msp));
        }
    }
    for (path, o) in review.policies.iter().filter(|(_, o)| !o.satisfied) {
        out.push(format!("too few signatures: {path} is {}, {} more needed", o.describe, o.missing));
    }
    let needs_admins = review.policies.iter().any(|(p, o)| p.ends_with("/Admins") && !o.satisfied);
    for s in &review.signatures {
        if let Ok(m) = &s.verdict
            && needs_admins
            && !m.roles.contains(&Role::Admin)
        {
            out.push(format!("signature by a non-admin: {} '{}' does not count for Admins", m.msp_id, m.subject));
        }
    }
    out
}
