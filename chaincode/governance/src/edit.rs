//! Edits of a member org in a channel config, each giving the config that
//! [`crate::diff::compute_update`] turns into an update: remove the org, give
//! its MSP a new revocation list, set its anchor peers. What `org.sh` did with
//! jq on configtxlator's JSON, on the typed config instead.

use gridledger_protos::common::{Config, ConfigGroup, ConfigValue};
use gridledger_protos::msp::{FabricMspConfig, MspConfig};
use gridledger_protos::peer::{AnchorPeer, AnchorPeers};
use prost::Message as _;

use crate::config::{APPLICATION, group};
use crate::error::{Error, Result};

/// Config value holding an org's MSP.
const MSP: &str = "MSP";
/// Config value holding an org's anchor peers.
const ANCHOR_PEERS: &str = "AnchorPeers";
/// The policy that guards a new anchor peers value: the org's own admins, as
/// `configtxgen` sets it.
const ADMINS: &str = "Admins";

/// `config` without application org `name`.
pub fn without_org(config: &Config, name: &str) -> Result<Config> {
    let mut updated = config.clone();
    if application_mut(&mut updated)?.groups.remove(name).is_none() {
        return Err(not_member(name));
    }
    Ok(updated)
}

/// `config` with the MSP of application org `name` revoking what the PEM
/// CRLs in `crls` revoke (they replace its revocation list).
pub fn with_revocation_list(config: &Config, name: &str, crls: Vec<Vec<u8>>) -> Result<Config> {
    let mut updated = config.clone();
    let org = org_mut(&mut updated, name)?;
    let value = org.values.get_mut(MSP).ok_or_else(|| Error::Shape(format!("{name} has no MSP value")))?;
    let mut msp = MspConfig::decode(value.value.as_slice()).map_err(Error::decode("MSP config"))?;
    // Only X.509 MSPs have revocation lists; an idemix MSP's config is another message.
    if msp.r#type != 0 {
        return Err(Error::Shape(format!("{name}'s MSP is not an X.509 MSP (type {})", msp.r#type)));
    }
    let mut fabric = FabricMspConfig::decode(msp.config.as_slice()).map_err(Error::decode("Fabric MSP config"))?;
    fabric.revocation_list = crls;
    msp.config = fabric.encode_to_vec();
    value.value = msp.encode_to_vec();
    Ok(updated)
}

/// The anchor peers of application org `name` as (host, port), in config order.
pub fn anchor_peers(config: &Config, name: &str) -> Result<Vec<(String, u16)>> {
    let org = group(config, &[APPLICATION, name]).ok_or_else(|| not_member(name))?;
    let Some(value) = org.values.get(ANCHOR_PEERS) else { return Ok(Vec::new()) };
    let peers = AnchorPeers::decode(value.value.as_slice()).map_err(Error::decode("anchor peers"))?;
    peers
        .anchor_peers
        .into_iter()
        .map(|p| match u16::try_from(p.port) {
            Ok(port) => Ok((p.host, port)),
            Err(_) => Err(Error::Shape(format!("{name} has an anchor peer with port {}", p.port))),
        })
        .collect()
}

/// `config` with exactly `anchors` as the anchor peers of application org `name`.
pub fn with_anchor_peers(config: &Config, name: &str, anchors: &[(String, u16)]) -> Result<Config> {
    let mut updated = config.clone();
    let org = org_mut(&mut updated, name)?;
    let bytes = anchor_peers_value(anchors);
    match org.values.get_mut(ANCHOR_PEERS) {
        // Version and mod_policy stay: compute_update bumps the version of what changed.
        Some(value) => value.value = bytes,
        None => {
            let value = ConfigValue { version: 0, value: bytes, mod_policy: ADMINS.to_owned() };
            org.values.insert(ANCHOR_PEERS.to_owned(), value);
        }
    }
    Ok(updated)
}

/// The encoded `AnchorPeers` value of `anchors` (`host`, `port`), as a new org's group and an anchor update hold it.
pub(crate) fn anchor_peers_value(anchors: &[(String, u16)]) -> Vec<u8> {
    let peers = anchors.iter().map(|(host, port)| AnchorPeer { host: host.clone(), port: i32::from(*port) });
    AnchorPeers { anchor_peers: peers.collect() }.encode_to_vec()
}

/// The config's Application group, to edit its member orgs.
pub(crate) fn application_mut(config: &mut Config) -> Result<&mut ConfigGroup> {
    config
        .channel_group
        .as_mut()
        .and_then(|g| g.groups.get_mut(APPLICATION))
        .ok_or_else(|| Error::Shape("the config has no Application group".into()))
}

fn org_mut<'a>(config: &'a mut Config, name: &str) -> Result<&'a mut ConfigGroup> {
    application_mut(config)?.groups.get_mut(name).ok_or_else(|| not_member(name))
}

fn not_member(name: &str) -> Error {
    Error::Shape(format!("{name} is not a member of the channel"))
}
