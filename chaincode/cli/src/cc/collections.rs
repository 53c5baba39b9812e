//! Private data collection definitions in the JSON `peer lifecycle chaincode --collections-config` reads.

use anyhow::{Context as _, bail};
use gridledger_governance::expr;
use gridledger_protos::peer::application_policy::Type as PolicyType;
use gridledger_protos::peer::collection_config::Payload;
use gridledger_protos::peer::collection_policy_config::Payload as MemberPayload;
use gridledger_protos::peer::{
    ApplicationPolicy, CollectionConfig, CollectionConfigPackage, CollectionPolicyConfig, StaticCollectionConfig,
};
use serde_json::Value;

/// Most collections accepted in one file.
const MAX_COLLECTIONS: usize = 64;

/// Parses the JSON array of collections.
pub(super) fn parse(text: &str) -> anyhow::Result<CollectionConfigPackage> {
    let all: Vec<Value> = serde_json::from_str(text).context("not a JSON array")?;
    if all.len() > MAX_COLLECTIONS {
        bail!("more than {MAX_COLLECTIONS} collections");
    }
    let config = all.iter().map(one).collect::<anyhow::Result<Vec<_>>>()?;
    Ok(CollectionConfigPackage { config })
}

fn one(c: &Value) -> anyhow::Result<CollectionConfig> {
    let name = c["name"].as_str().context("a collection without \"name\"")?.to_owned();
    let policy = c["policy"].as_str().with_context(|| format!("collection {name}: no \"policy\""))?;
    let int = |key: &str| c[key].as_i64().unwrap_or(0);
    let endorsement = match &c["endorsementPolicy"] {
        Value::Null => None,
        e => Some(ApplicationPolicy {
            r#type: Some(match (e["signaturePolicy"].as_str(), e["channelConfigPolicy"].as_str()) {
                (Some(text), _) => PolicyType::SignaturePolicy(expr::parse(text)?),
                (None, Some(path)) => PolicyType::ChannelConfigPolicyReference(path.to_owned()),
                (None, None) => bail!("collection {name}: endorsementPolicy names no policy"),
            }),
        }),
    };
    let member_orgs = CollectionPolicyConfig { payload: Some(MemberPayload::SignaturePolicy(expr::parse(policy)?)) };
    let config = StaticCollectionConfig {
        name,
        member_orgs_policy: Some(member_orgs),
        required_peer_count: i32::try_from(int("requiredPeerCount")).context("requiredPeerCount out of range")?,
        maximum_peer_count: i32::try_from(int("maxPeerCount")).context("maxPeerCount out of range")?,
        block_to_live: u64::try_from(int("blockToLive")).context("blockToLive out of range")?,
        member_only_read: c["memberOnlyRead"].as_bool().unwrap_or(false),
        member_only_write: c["memberOnlyWrite"].as_bool().unwrap_or(false),
        endorsement_policy: endorsement,
    };
    Ok(CollectionConfig { payload: Some(Payload::StaticCollectionConfig(config)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_energy_collections_parse() {
        let text = include_str!("../../../../network/collections-energy.json");
        let package = parse(text).expect("parses");
        let Some(Payload::StaticCollectionConfig(c)) = &package.config[0].payload else { panic!("static") };
        assert_eq!(c.name, "meterReadings");
        assert_eq!((c.maximum_peer_count, c.member_only_read, c.member_only_write), (2, true, false));
        let Some(MemberPayload::SignaturePolicy(p)) = c.member_orgs_policy.as_ref().and_then(|m| m.payload.clone())
        else {
            panic!("member policy")
        };
        assert_eq!(expr::render(&p), "OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member')");
    }

    #[test]
    fn bad_collections_are_refused() {
        for bad in ["{}", "[{}]", "[{\"name\":\"x\"}]", "[{\"name\":\"x\",\"policy\":\"OR(\"}]"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
