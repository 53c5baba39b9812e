//! `gridctl cc plan`: which committed chaincode definitions must change when an org joins or leaves the
//! channel, and the definition directories (`cc-NAME-SEQ/definition.json` + `collections.json`) that
//! `scripts/org.sh` approves and commits. An explicit signature endorsement policy and each collection's member
//! policy follow the membership as `gridctl cc policy --add-org/--drop-org` does ([`super::follow`]); a reference to
//! a channel policy (`/Channel/Application/Endorsement`) grows with the channel by itself and stays.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;
use gridledger_client::text::quote;
use gridledger_governance::{config, expr};
use gridledger_protos::lifecycle::query_chaincode_definitions_result::ChaincodeDefinition;
use gridledger_protos::lifecycle::{QueryChaincodeDefinitionsArgs, QueryChaincodeDefinitionsResult};
use gridledger_protos::peer::application_policy::Type as PolicyType;
use gridledger_protos::peer::collection_config::Payload;
use gridledger_protos::peer::collection_policy_config::Payload as MemberPayload;
use gridledger_protos::peer::{ApplicationPolicy, StaticCollectionConfig};
use prost::Message as _;
use serde_json::{Value, json};

use super::{DEFAULT_ENDORSEMENT, Follow, follow, query};
use crate::conn::{GatewayArgs, connect};

/// `gridctl cc plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Identity, peer (whose committed definitions are read) and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Plan for this org having joined (a member already): every committed definition, at the next sequence
    /// where a policy must name it too.
    #[arg(long, value_name = "MSPID", required_unless_present = "drop_org", conflicts_with = "drop_org")]
    pub add_org: Option<String>,
    /// Plan for this org having left (no member any more): the definitions whose policies must stop naming it.
    #[arg(long, value_name = "MSPID")]
    pub drop_org: Option<String>,
    /// Directory that receives one cc-NAME-SEQ/ directory per definition.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// Installed package of a chaincode, written into its definition.json as packageId (repeatable).
    #[arg(long = "package-id", value_name = "NAME=ID")]
    pub package_ids: Vec<String>,
}

/// What one definition becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// Whether a policy changed (then the sequence is the committed one + 1).
    pub changed: bool,
    /// The definition.json `plan` object: `{changed, policy: {changed, text[, channelPolicy]}, collections}`.
    pub json: Value,
}

/// Runs `gridctl cc plan`: prints `changed|same NAME SEQUENCE DIR` for each directory written.
pub(super) async fn run(a: &PlanArgs) -> anyhow::Result<()> {
    let packages = package_ids(&a.package_ids)?;
    let gateway = connect(&a.gw).await?;
    let channel = &a.gw.channel;
    let members = config::application_orgs(&gateway.channel_config(channel).await?);
    let (change, adding) = match (&a.add_org, &a.drop_org) {
        (Some(new), _) => {
            if !members.contains(new) {
                bail!("{} is not a member of {channel} yet: submit its add proposal first", quote(new));
            }
            let others: Vec<String> = members.iter().filter(|m| *m != new).cloned().collect();
            (Follow::Add { new: new.clone(), members: others }, true)
        }
        (None, Some(gone)) => {
            if members.contains(gone) {
                bail!("{} is still a member of {channel}: remove it first", quote(gone));
            }
            (Follow::Drop { gone: gone.clone() }, false)
        }
        (None, None) => bail!("--add-org or --drop-org is required"),
    };
    let args = QueryChaincodeDefinitionsArgs {}.encode_to_vec();
    let answer: QueryChaincodeDefinitionsResult = query(&gateway, channel, "QueryChaincodeDefinitions", args).await?;
    let mut defs = answer.chaincode_definitions;
    defs.sort_by(|x, y| x.name.cmp(&y.name));
    for def in &defs {
        let p = plan(def, &change).with_context(|| format!("chaincode {}", quote(&def.name)))?;
        // A departed org only matters where it is named; a new one approves every definition.
        if !p.changed && !adding {
            continue;
        }
        let sequence = def.sequence + i64::from(p.changed);
        let dir = write(&a.out, def, sequence, packages.get(&def.name), &p)?;
        println!("{} {} {sequence} {}", if p.changed { "changed" } else { "same" }, def.name, dir.display());
    }
    Ok(())
}

/// The plan of one committed definition.
pub(crate) fn plan(def: &ChaincodeDefinition, change: &Follow) -> anyhow::Result<Plan> {
    let app =
        ApplicationPolicy::decode(def.validation_parameter.as_slice()).context("malformed validation parameter")?;
    let policy = match app.r#type {
        Some(PolicyType::SignaturePolicy(env)) => {
            let edited = follow(&env, change)?;
            json!({"changed": edited.is_some(), "text": expr::render(edited.as_ref().unwrap_or(&env))})
        }
        Some(PolicyType::ChannelConfigPolicyReference(r)) if r != DEFAULT_ENDORSEMENT => {
            json!({"changed": false, "text": "", "channelPolicy": r})
        }
        // The default, given or not: approving without a policy gives it again.
        _ => json!({"changed": false, "text": ""}),
    };
    let mut changed = policy["changed"] == true;
    let mut cols = Vec::new();
    for c in def.collections.iter().flat_map(|p| &p.config) {
        let Some(Payload::StaticCollectionConfig(c)) = &c.payload else { bail!("a collection that is not static") };
        let (json, edited) = collection(c, change)?;
        changed |= edited;
        cols.push(json);
    }
    Ok(Plan { changed, json: json!({"changed": changed, "policy": policy, "collections": cols}) })
}

/// A collection in the JSON `collections::parse` reads, its member policy following `change`.
fn collection(c: &StaticCollectionConfig, change: &Follow) -> anyhow::Result<(Value, bool)> {
    let Some(MemberPayload::SignaturePolicy(env)) = c.member_orgs_policy.as_ref().and_then(|m| m.payload.as_ref())
    else {
        bail!("collection {} has no member policy", quote(&c.name));
    };
    let edited = follow(env, change)?;
    let mut json = json!({
        "name": c.name,
        "policy": expr::render(edited.as_ref().unwrap_or(env)),
        "requiredPeerCount": c.required_peer_count,
        "maxPeerCount": c.maximum_peer_count,
        "blockToLive": c.block_to_live,
        "memberOnlyRead": c.member_only_read,
        "memberOnlyWrite": c.member_only_write,
    });
    // The collection's own endorsement policy is part of the definition: it is approved again unchanged.
    match c.endorsement_policy.as_ref().and_then(|p| p.r#type.as_ref()) {
        Some(PolicyType::SignaturePolicy(e)) => json["endorsementPolicy"] = json!({"signaturePolicy": expr::render(e)}),
        Some(PolicyType::ChannelConfigPolicyReference(r)) => {
            json["endorsementPolicy"] = json!({"channelConfigPolicy": r});
        }
        None => {}
    }
    Ok((json, edited.is_some()))
}

/// Writes `OUT/cc-NAME-SEQ/{definition.json, collections.json}` (replacing earlier ones) and returns the directory.
fn write(
    out: &Path,
    def: &ChaincodeDefinition,
    sequence: i64,
    package: Option<&String>,
    p: &Plan,
) -> anyhow::Result<PathBuf> {
    if def.name.is_empty() || !def.name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        bail!("chaincode name {} is not usable as a directory name", quote(&def.name));
    }
    let dir = out.join(format!("cc-{}-{sequence}", def.name));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let definition = json!({
        "name": def.name,
        "version": def.version,
        "sequence": sequence,
        "initRequired": def.init_required,
        "packageId": package,
        "plan": p.json,
    });
    for (file, value) in [("definition.json", &definition), ("collections.json", &p.json["collections"])] {
        let path = dir.join(file);
        let text = serde_json::to_string_pretty(value)?;
        std::fs::write(&path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dir)
}

fn package_ids(specs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some((name, id)) if !name.is_empty() && !id.is_empty() => Ok((name.to_owned(), id.to_owned())),
            _ => bail!("--package-id {}: expected NAME=ID", quote(s)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use gridledger_protos::peer::{CollectionConfig, CollectionConfigPackage, CollectionPolicyConfig};

    use super::*;

    /// The collections of a plan as `gridctl cc approve --collections-config` reads them (for tests).
    fn reread(p: &Plan) -> gridledger_protos::peer::CollectionConfigPackage {
        super::super::collections::parse(&p.json["collections"].to_string()).expect("collections parse")
    }

    fn definition(policy: PolicyType, members: Option<&str>) -> ChaincodeDefinition {
        let collections = members.map(|m| CollectionConfigPackage {
            config: vec![CollectionConfig {
                payload: Some(Payload::StaticCollectionConfig(StaticCollectionConfig {
                    name: "meterReadings".into(),
                    member_orgs_policy: Some(CollectionPolicyConfig {
                        payload: Some(MemberPayload::SignaturePolicy(expr::parse(m).expect("parses"))),
                    }),
                    required_peer_count: 0,
                    maximum_peer_count: 2,
                    block_to_live: 0,
                    member_only_read: true,
                    member_only_write: false,
                    endorsement_policy: Some(ApplicationPolicy {
                        r#type: Some(PolicyType::SignaturePolicy(expr::parse("OR('GridMSP.peer')").expect("parses"))),
                    }),
                })),
            }],
        });
        ChaincodeDefinition {
            name: "metering".into(),
            sequence: 3,
            version: "1.0".into(),
            validation_parameter: ApplicationPolicy { r#type: Some(policy) }.encode_to_vec(),
            collections,
            ..ChaincodeDefinition::default()
        }
    }

    fn add() -> Follow {
        let members = ["UtilityMSP", "GridMSP", "ProsumerMSP"].map(String::from).to_vec();
        Follow::Add { new: "StorageMSP".into(), members }
    }

    const PEERS3: &str = "OR('UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer')";
    const PEERS4: &str = "OR('UtilityMSP.peer', 'GridMSP.peer', 'ProsumerMSP.peer', 'StorageMSP.peer')";
    const MEMBERS3: &str = "OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member')";
    const MEMBERS4: &str = "OR('UtilityMSP.member', 'GridMSP.member', 'ProsumerMSP.member', 'StorageMSP.member')";

    #[test]
    fn an_explicit_policy_and_a_collection_follow_a_new_org() {
        let def = definition(PolicyType::SignaturePolicy(expr::parse(PEERS3).expect("parses")), Some(MEMBERS3));
        let p = plan(&def, &add()).expect("plans");
        assert!(p.changed);
        assert_eq!(p.json["policy"], json!({"changed": true, "text": PEERS4}));
        assert_eq!(p.json["collections"][0]["policy"], MEMBERS4);
        assert_eq!(p.json["collections"][0]["endorsementPolicy"], json!({"signaturePolicy": "OR('GridMSP.peer')"}));
        let Some(Payload::StaticCollectionConfig(c)) = &reread(&p).config[0].payload else { panic!("static") };
        assert_eq!((c.maximum_peer_count, c.member_only_read, c.endorsement_policy.is_some()), (2, true, true));
        // And without it again.
        let def = definition(PolicyType::SignaturePolicy(expr::parse(PEERS4).expect("parses")), Some(MEMBERS4));
        let p = plan(&def, &Follow::Drop { gone: "StorageMSP".into() }).expect("plans");
        assert_eq!((p.changed, &p.json["policy"]["text"]), (true, &json!(PEERS3)));
        assert_eq!(p.json["collections"][0]["policy"], MEMBERS3);
    }

    #[test]
    fn channel_policies_and_partial_policies_stay() {
        let default = definition(PolicyType::ChannelConfigPolicyReference(DEFAULT_ENDORSEMENT.into()), None);
        let p = plan(&default, &add()).expect("plans");
        assert_eq!(p.json, json!({"changed": false, "policy": {"changed": false, "text": ""}, "collections": []}));
        let other = definition(PolicyType::ChannelConfigPolicyReference("/Channel/Application/Writers".into()), None);
        let p = plan(&other, &add()).expect("plans");
        assert_eq!(p.json["policy"]["channelPolicy"], "/Channel/Application/Writers");
        let partial = "OR('UtilityMSP.peer', 'GridMSP.peer')";
        let def = definition(PolicyType::SignaturePolicy(expr::parse(partial).expect("parses")), Some(partial));
        let p = plan(&def, &add()).expect("plans");
        assert!(!p.changed, "{p:?}");
        assert_eq!(p.json["policy"]["text"], partial);
    }

    #[test]
    fn written_definitions_keep_the_scripts_schema() {
        let def = definition(PolicyType::SignaturePolicy(expr::parse(PEERS3).expect("parses")), Some(MEMBERS3));
        let p = plan(&def, &add()).expect("plans");
        let tmp = std::env::temp_dir().join(format!("gridctl-plan-{}", std::process::id()));
        let id = "metering_1.0:ab".to_owned();
        let dir = write(&tmp, &def, 4, Some(&id), &p).expect("writes");
        assert!(dir.ends_with("cc-metering-4"));
        let read = |f: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(dir.join(f)).expect("file")).expect("json")
        };
        let d = read("definition.json");
        assert_eq!(
            (d["name"].clone(), d["sequence"].clone(), d["packageId"].clone()),
            (json!("metering"), json!(4), json!(id))
        );
        assert_eq!(d["plan"]["collections"], read("collections.json"));
        std::fs::remove_dir_all(&tmp).expect("cleans up");
        assert!(package_ids(&["kv=kv_1:ab".into()]).is_ok() && package_ids(&["kv".into()]).is_err());
    }
}
