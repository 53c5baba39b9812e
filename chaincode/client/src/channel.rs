//! Who is in a channel, from its configuration (cscc `GetChannelConfig`): the application organizations' MSP ids
//! and the orderer organizations with their nodes' endpoints.

use gridledger_protos::common::{Config, ConfigGroup, OrdererAddresses};
use gridledger_protos::msp::{FabricMspConfig, MspConfig};
use prost::Message;

use crate::error::{Error, Result};
use crate::gateway::Gateway;

/// An orderer organization and its nodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrdererOrg {
    /// MSP id (the config group's name when its MSP cannot be read).
    pub msp: String,
    /// The nodes' `host:port` endpoints (the organization's `Endpoints`, or the channel's older
    /// `OrdererAddresses`).
    pub endpoints: Vec<String>,
}

/// The members of a channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Members {
    /// The application organizations' MSP ids, sorted.
    pub organizations: Vec<String>,
    /// The orderer organizations, by MSP id.
    pub orderers: Vec<OrdererOrg>,
}

/// The MSP id of an organization's config group (`MSP` value: `msp.MSPConfig` holding a `FabricMSPConfig`).
fn msp_id(name: &str, group: &ConfigGroup) -> String {
    group
        .values
        .get("MSP")
        .and_then(|v| MspConfig::decode(v.value.as_slice()).ok())
        .and_then(|m| FabricMspConfig::decode(m.config.as_slice()).ok())
        .map_or_else(|| name.to_string(), |f| f.name)
}

fn addresses(group: &ConfigGroup, key: &str) -> Vec<String> {
    group
        .values
        .get(key)
        .and_then(|v| OrdererAddresses::decode(v.value.as_slice()).ok())
        .map(|a| a.addresses)
        .unwrap_or_default()
}

/// Reads the members from a channel configuration.
pub fn members(config: &Config) -> Result<Members> {
    let channel = config.channel_group.as_ref().ok_or(Error::Malformed("a channel config without groups"))?;
    let mut organizations: Vec<String> = channel
        .groups
        .get("Application")
        .map(|app| app.groups.iter().map(|(name, g)| msp_id(name, g)).collect())
        .unwrap_or_default();
    organizations.sort();
    let global = addresses(channel, "OrdererAddresses");
    let mut orderers: Vec<OrdererOrg> = channel
        .groups
        .get("Orderer")
        .map(|o| {
            o.groups
                .iter()
                .map(|(name, g)| {
                    let own = addresses(g, "Endpoints");
                    OrdererOrg { msp: msp_id(name, g), endpoints: if own.is_empty() { global.clone() } else { own } }
                })
                .collect()
        })
        .unwrap_or_default();
    orderers.sort_by(|a, b| a.msp.cmp(&b.msp));
    Ok(Members { organizations, orderers })
}

impl Gateway {
    /// The members of `channel`, from its current configuration.
    pub async fn members(&self, channel: &str) -> Result<Members> {
        members(&self.channel_config(channel).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use gridledger_protos::common::ConfigValue;

    use super::*;

    fn value(bytes: Vec<u8>) -> ConfigValue {
        ConfigValue { value: bytes, ..ConfigValue::default() }
    }

    fn org(msp: &str, endpoints: &[&str]) -> ConfigGroup {
        let fabric = FabricMspConfig { name: msp.into(), ..FabricMspConfig::default() };
        let mut values = HashMap::from([(
            "MSP".to_string(),
            value(MspConfig { r#type: 0, config: fabric.encode_to_vec() }.encode_to_vec()),
        )]);
        if !endpoints.is_empty() {
            let addresses = OrdererAddresses { addresses: endpoints.iter().map(|e| e.to_string()).collect() };
            values.insert("Endpoints".into(), value(addresses.encode_to_vec()));
        }
        ConfigGroup { values, ..ConfigGroup::default() }
    }

    fn group(groups: Vec<(&str, ConfigGroup)>) -> ConfigGroup {
        ConfigGroup { groups: groups.into_iter().map(|(k, g)| (k.to_string(), g)).collect(), ..ConfigGroup::default() }
    }

    #[test]
    fn members_of_a_config_block() {
        let application = group(vec![("Utility", org("UtilityMSP", &[])), ("Grid", org("GridMSP", &[]))]);
        let orderer = group(vec![("Orderer", org("OrdererMSP", &["o1:7050", "o2:7050"]))]);
        let channel = group(vec![("Application", application), ("Orderer", orderer)]);
        let config = Config { channel_group: Some(channel), ..Config::default() };
        // As cscc answers it.
        let config = Config::decode(config.encode_to_vec().as_slice()).expect("decodes");
        let got = members(&config).expect("a channel config");
        assert_eq!(got.organizations, ["GridMSP", "UtilityMSP"]);
        assert_eq!(
            got.orderers,
            [OrdererOrg { msp: "OrdererMSP".into(), endpoints: vec!["o1:7050".into(), "o2:7050".into()] }]
        );
        assert!(members(&Config::default()).is_err());
    }
}
