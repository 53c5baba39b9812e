//! A config update as people exchange it (an unsigned CONFIG_UPDATE envelope,
//! as `configtxlator` and `peer channel signconfigtx` use), what it changes,
//! which policies must approve it, and the signed envelope the orderer takes.

use std::collections::BTreeSet;

use gridledger_client::Signer;
use gridledger_protos::common::{
    ChannelHeader, Config, ConfigGroup, ConfigUpdate, ConfigUpdateEnvelope, Envelope, Header, HeaderType, Payload,
    SignatureHeader,
};
use prost::Message as _;

use crate::config::ROOT;
use crate::error::Result;

/// The unsigned CONFIG_UPDATE envelope holding `update_env` (channel header
/// only, as `configtxlator` builds it for people to sign).
pub fn unsigned_envelope(channel: &str, update_env: &ConfigUpdateEnvelope) -> Envelope {
    let channel_header =
        ChannelHeader { r#type: HeaderType::ConfigUpdate as i32, channel_id: channel.to_owned(), ..Default::default() };
    let payload = Payload {
        header: Some(Header { channel_header: channel_header.encode_to_vec(), signature_header: Vec::new() }),
        data: update_env.encode_to_vec(),
    };
    Envelope { payload: payload.encode_to_vec(), signature: Vec::new() }
}

/// The envelope the submitter broadcasts: its signature header and signature
/// over the payload (the orderer checks the config signatures inside).
pub fn signed_envelope(channel: &str, update_env: &ConfigUpdateEnvelope, submitter: &Signer) -> Result<Envelope> {
    let nonce = gridledger_client::proposal::nonce()?;
    let channel_header = ChannelHeader {
        r#type: HeaderType::ConfigUpdate as i32,
        channel_id: channel.to_owned(),
        timestamp: Some(now()),
        ..Default::default()
    };
    let signature_header = SignatureHeader { creator: submitter.creator(), nonce: nonce.to_vec() };
    let payload = Payload {
        header: Some(Header {
            channel_header: channel_header.encode_to_vec(),
            signature_header: signature_header.encode_to_vec(),
        }),
        data: update_env.encode_to_vec(),
    };
    let payload = payload.encode_to_vec();
    let signature = submitter.sign(&payload)?;
    Ok(Envelope { payload, signature })
}

fn now() -> prost_types::Timestamp {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(since.subsec_nanos()).unwrap_or(0),
    }
}

/// One change an update makes, for display.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Path such as `/Channel/Application/StorageMSP`.
    pub path: String,
    /// `group`, `value` or `policy`.
    pub kind: &'static str,
    /// `added` or `modified`.
    pub how: &'static str,
}

/// What `update` changes relative to `config`, and the absolute paths of the
/// policies that must approve it (the current `mod_policy` of every modified
/// element, resolved relative to its group). Also reports read-set versions
/// that no longer match (`stale`): such an update was computed from an older
/// config and the orderer would refuse it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Impact {
    /// Every added or modified element.
    pub changes: Vec<Change>,
    /// Policies that must be satisfied.
    pub policies: BTreeSet<String>,
    /// Paths whose read-set version differs from the current config.
    pub stale: Vec<String>,
}

/// Computes the [`Impact`] of `update` on `config`.
pub fn impact(config: &Config, update: &ConfigUpdate) -> Impact {
    let mut out = Impact::default();
    let empty = ConfigGroup::default();
    let current = config.channel_group.as_ref().unwrap_or(&empty);
    if let Some(read) = &update.read_set {
        check_reads(&format!("/{ROOT}"), current, read, &mut out.stale);
    }
    if let Some(write) = &update.write_set {
        walk(&format!("/{ROOT}"), Some(current), write, &mut out);
    }
    out.changes.sort();
    out.stale.sort();
    out
}

fn check_reads(path: &str, current: &ConfigGroup, read: &ConfigGroup, stale: &mut Vec<String>) {
    if current.version != read.version {
        stale.push(path.to_owned());
    }
    for (name, g) in &read.groups {
        match current.groups.get(name) {
            Some(c) => check_reads(&format!("{path}/{name}"), c, g, stale),
            None => stale.push(format!("{path}/{name}")),
        }
    }
    for (name, v) in &read.values {
        if current.values.get(name).map(|c| c.version) != Some(v.version) {
            stale.push(format!("{path}/{name}"));
        }
    }
    for (name, p) in &read.policies {
        if current.policies.get(name).map(|c| c.version) != Some(p.version) {
            stale.push(format!("{path}/{name}"));
        }
    }
}

fn policy_path(group_path: &str, mod_policy: &str) -> String {
    if mod_policy.starts_with('/') { mod_policy.to_owned() } else { format!("{group_path}/{mod_policy}") }
}

fn walk(path: &str, current: Option<&ConfigGroup>, write: &ConfigGroup, out: &mut Impact) {
    let Some(current) = current else {
        // A new group: its parent's version went up, which its parent's mod_policy guards.
        out.changes.push(Change { path: path.to_owned(), kind: "group", how: "added" });
        return;
    };
    if write.version > current.version {
        out.changes.push(Change { path: path.to_owned(), kind: "group", how: "modified" });
        out.policies.insert(policy_path(path, &current.mod_policy));
    }
    for (name, v) in &write.values {
        let here = format!("{path}/{name}");
        match current.values.get(name) {
            Some(c) if v.version > c.version => {
                out.changes.push(Change { path: here, kind: "value", how: "modified" });
                out.policies.insert(policy_path(path, &c.mod_policy));
            }
            Some(_) => {}
            None => out.changes.push(Change { path: here, kind: "value", how: "added" }),
        }
    }
    for (name, p) in &write.policies {
        let here = format!("{path}/{name}");
        match current.policies.get(name) {
            Some(c) if p.version > c.version => {
                out.changes.push(Change { path: here, kind: "policy", how: "modified" });
                out.policies.insert(policy_path(path, &c.mod_policy));
            }
            Some(_) => {}
            None => out.changes.push(Change { path: here, kind: "policy", how: "added" }),
        }
    }
    for (name, g) in &write.groups {
        walk(&format!("{path}/{name}"), current.groups.get(name), g, out);
    }
}
