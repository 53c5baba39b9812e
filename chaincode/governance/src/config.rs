//! Channel configs as Fabric stores them: the config block, the config tree
//! and the MSPs defined in it; config update envelopes as people exchange them.

use std::collections::BTreeMap;

use gridledger_protos::common::{
    Block, ChannelHeader, Config, ConfigEnvelope, ConfigGroup, ConfigUpdate, ConfigUpdateEnvelope, Envelope,
    HeaderType, Payload,
};
use gridledger_protos::msp::{FabricMspConfig, MspConfig};
use prost::Message as _;

use crate::error::{Error, Result};

/// Name of the root group of every channel config.
pub const ROOT: &str = "Channel";
/// Group of the application (peer) orgs.
pub const APPLICATION: &str = "Application";
/// Group of the orderer orgs.
pub const ORDERER: &str = "Orderer";
/// MSP type of an X.509 MSP in `MSPConfig.type`.
const FABRIC_MSP_TYPE: i32 = 0;

/// The config a config block carries, and the block's number.
pub fn config_from_block(block_bytes: &[u8]) -> Result<(u64, Config)> {
    let block = Block::decode(block_bytes).map_err(Error::decode("block"))?;
    let number = block.header.as_ref().map_or(0, |h| h.number);
    let first =
        block.data.as_ref().and_then(|d| d.data.first()).ok_or_else(|| shape("the block holds no transaction"))?;
    let envelope = Envelope::decode(first.as_slice()).map_err(Error::decode("envelope"))?;
    let (header, data) = payload_of(&envelope)?;
    if header.r#type != HeaderType::Config as i32 {
        return Err(shape(format!("block {number} is not a config block (header type {})", header.r#type)));
    }
    let config = ConfigEnvelope::decode(data.as_slice()).map_err(Error::decode("config envelope"))?.config;
    Ok((number, config.ok_or_else(|| shape("the config envelope holds no config"))?))
}

/// The channel header and data of an envelope's payload.
pub fn payload_of(envelope: &Envelope) -> Result<(ChannelHeader, Vec<u8>)> {
    let payload = Payload::decode(envelope.payload.as_slice()).map_err(Error::decode("payload"))?;
    let header = payload.header.ok_or_else(|| shape("the payload has no header"))?;
    let channel = ChannelHeader::decode(header.channel_header.as_slice()).map_err(Error::decode("channel header"))?;
    Ok((channel, payload.data))
}

/// A config update envelope read from a file: a CONFIG_UPDATE [`Envelope`]
/// (what `peer channel signconfigtx` and `peer channel update` take) or a bare
/// [`ConfigUpdateEnvelope`].
pub fn update_from_bytes(bytes: &[u8]) -> Result<(ConfigUpdateEnvelope, ConfigUpdate)> {
    let from_envelope = Envelope::decode(bytes)
        .ok()
        .and_then(|env| payload_of(&env).ok())
        .filter(|(h, _)| h.r#type == HeaderType::ConfigUpdate as i32);
    let update_env = match from_envelope {
        Some((_, data)) => ConfigUpdateEnvelope::decode(data.as_slice()),
        None => ConfigUpdateEnvelope::decode(bytes),
    }
    .map_err(Error::decode("config update envelope"))?;
    let update = ConfigUpdate::decode(update_env.config_update.as_slice()).map_err(Error::decode("config update"))?;
    if update.write_set.is_none() {
        return Err(shape("the config update has no write set"));
    }
    Ok((update_env, update))
}

/// The group at `path` below the root group, e.g. `["Application", "GridMSP"]`.
pub fn group<'a>(config: &'a Config, path: &[&str]) -> Option<&'a ConfigGroup> {
    let mut g = config.channel_group.as_ref()?;
    for name in path {
        g = g.groups.get(*name)?;
    }
    Some(g)
}

/// MSP ids of the application orgs, sorted.
pub fn application_orgs(config: &Config) -> Vec<String> {
    let mut orgs: Vec<String> =
        group(config, &[APPLICATION]).map(|g| g.groups.keys().cloned().collect()).unwrap_or_default();
    orgs.sort();
    orgs
}

/// Every X.509 MSP of the channel (application and orderer orgs) by MSP id.
/// Idemix MSPs carry no certificates to check and are left out.
pub fn msps(config: &Config) -> Result<BTreeMap<String, FabricMspConfig>> {
    let mut out = BTreeMap::new();
    for top in [APPLICATION, ORDERER] {
        let Some(parent) = group(config, &[top]) else { continue };
        for org in parent.groups.values() {
            let Some(value) = org.values.get("MSP") else { continue };
            let msp = MspConfig::decode(value.value.as_slice()).map_err(Error::decode("MSP config"))?;
            if msp.r#type != FABRIC_MSP_TYPE {
                continue;
            }
            let fabric = FabricMspConfig::decode(msp.config.as_slice()).map_err(Error::decode("Fabric MSP config"))?;
            // Org groups are keyed by org name, which may differ from the MSP id: signatures name the MSP id.
            out.insert(fabric.name.clone(), fabric);
        }
    }
    Ok(out)
}

fn shape(message: impl Into<String>) -> Error {
    Error::Shape(message.into())
}
