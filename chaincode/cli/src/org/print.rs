//! How `gridctl org show` prints a review: plain lines a person reads before signing.

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
