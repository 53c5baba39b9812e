//! Everything a person needs before signing or sending an update: what it
//! changes, whether it is stale, who signed (and whether each signature
//! counts), and for each policy that must approve it whether it does.

use gridledger_protos::common::{Config, ConfigUpdate, ConfigUpdateEnvelope};
use x509_parser::prelude::ASN1Time;

use crate::config;
use crate::error::Result;
use crate::identity::Member;
use crate::policy::{self, Outcome};
use crate::proposal::{self, Impact};
use crate::signature::{self, Checked};

/// The review of one update against the current config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Changes, required policies, stale reads.
    pub impact: Impact,
    /// Every signature, in envelope order, with its verdict.
    pub signatures: Vec<Checked>,
    /// Each required policy (absolute path) and how the valid signers fare.
    pub policies: Vec<(String, Outcome)>,
}

impl Review {
    /// Whether it may be sent: not stale, changes something, every required
    /// policy is satisfied by valid signatures, and no signature is invalid
    /// (a forged or foreign signature in a file people pass around means it
    /// was tampered with: start again from a fresh proposal).
    pub fn ready(&self) -> bool {
        self.impact.stale.is_empty()
            && !self.impact.policies.is_empty()
            && self.policies.iter().all(|(_, o)| o.satisfied)
            && self.signatures.iter().all(|s| s.verdict.is_ok())
    }
}

/// Reviews `envelope` (whose decoded update is `update`) against `config` at time `at`.
pub fn review(config: &Config, envelope: &ConfigUpdateEnvelope, update: &ConfigUpdate, at: ASN1Time) -> Result<Review> {
    let impact = proposal::impact(config, update);
    let msps = config::msps(config)?;
    let signatures = signature::check_all(&msps, envelope, at)?;
    // Fabric deduplicates signers by identity: one person signing twice counts once.
    let mut signers: Vec<Member> = Vec::new();
    for member in signatures.iter().filter_map(|c| c.verdict.as_ref().ok()) {
        if !signers.iter().any(|s| s.msp_id == member.msp_id && s.subject == member.subject) {
            signers.push(member.clone());
        }
    }
    let mut policies = Vec::new();
    for path in &impact.policies {
        policies.push((path.clone(), policy::evaluate_path(config, path, &signers)?));
    }
    Ok(Review { impact, signatures, policies })
}

/// The current time, for [`review`] and [`signature::check_all`].
pub fn now() -> ASN1Time {
    ASN1Time::now()
}
