//! `gridctl cc approve | commit | policy | plan`: chaincode definitions through the `_lifecycle` system chaincode over
//! the Gateway, with endorsement and collection policies in Fabric's policy language (any AND/OR/OutOf
//! nesting), typed by `gridledger-protos` and parsed by `gridledger-governance`.

mod collections;
mod plan;

use std::path::PathBuf;

use anyhow::Context as _;
use base64::Engine as _;
use clap::{Args, Subcommand};
use gridledger_client::Invocation;
use gridledger_governance::{expr, membership};
use gridledger_protos::common::SignaturePolicyEnvelope;
use gridledger_protos::lifecycle::chaincode_source::{Local, Type as SourceType};
use gridledger_protos::lifecycle::{
    ApproveChaincodeDefinitionForMyOrgArgs, ChaincodeSource, CommitChaincodeDefinitionArgs,
};
use gridledger_protos::peer::application_policy::Type as PolicyType;
use gridledger_protos::peer::{ApplicationPolicy, CollectionConfigPackage};
use prost::Message as _;

use crate::conn::{GatewayArgs, connect};
pub use plan::PlanArgs;

/// The system chaincode that holds chaincode definitions.
const LIFECYCLE: &str = "_lifecycle";

/// `gridctl cc`.
#[derive(Debug, Subcommand)]
pub enum CcCommand {
    /// Approve a chaincode definition for this identity's org (endorsed by the org's own peer).
    ///
    /// Example: gridctl cc approve --org grid -n kv --version 1.0 --sequence 2 --package-id kv_1.0:ab12..
    ///   --signature-policy "OutOf(2, 'UtilityMSP.peer', 'GridMSP.peer', 'StorageMSP.peer')"
    // `--version` is the chaincode's version here, as in `peer lifecycle chaincode`.
    #[command(disable_version_flag = true)]
    Approve(ApproveArgs),
    /// Commit a chaincode definition once enough orgs approved exactly these fields.
    ///
    /// Example: gridctl cc commit --org utility -n kv --version 1.0 --sequence 2
    ///   --endorsing-org UtilityMSP --endorsing-org GridMSP --signature-policy "..."
    #[command(disable_version_flag = true)]
    Commit(CommitArgs),
    /// Parse a policy expression and print its canonical form, principals and encoded ApplicationPolicy.
    ///
    /// Example: gridctl cc policy "OutOf(2, 'AMSP.peer', AND('BMSP.member', 'CMSP.peer'))"
    Policy(PolicyArgs),
    /// Read the committed definitions and write, per chaincode, the definition an org joining (--add-org) or
    /// leaving (--drop-org) needs: cc-NAME-SEQ/definition.json and collections.json under --out; prints
    /// `changed|same NAME SEQUENCE DIR` for each.
    ///
    /// Example: gridctl cc plan --org grid --drop-org StorageMSP --out proposals --package-id metering=metering_1.0:ab..
    Plan(PlanArgs),
}

/// The fields of a chaincode definition.
#[derive(Debug, Args)]
pub struct Definition {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Chaincode name.
    #[arg(short = 'n', long)]
    pub name: String,
    /// Chaincode version.
    #[arg(long)]
    pub version: String,
    /// Definition sequence (1 for the first definition, +1 for every change).
    #[arg(long)]
    pub sequence: i64,
    /// Endorsement policy in Fabric's language (default: the channel's /Channel/Application/Endorsement).
    #[arg(long, conflicts_with = "channel_config_policy")]
    pub signature_policy: Option<String>,
    /// Endorsement policy as a channel config policy path, e.g. /Channel/Application/Endorsement.
    #[arg(long)]
    pub channel_config_policy: Option<String>,
    /// Private data collections, JSON as `peer lifecycle chaincode` reads it.
    #[arg(long, value_name = "FILE")]
    pub collections_config: Option<PathBuf>,
    /// The chaincode requires Init before other calls.
    #[arg(long)]
    pub init_required: bool,
}

/// `gridctl cc approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The definition.
    #[command(flatten)]
    pub def: Definition,
    /// Installed package this org's peers run (without it: approve without running the chaincode).
    #[arg(long)]
    pub package_id: Option<String>,
}

/// `gridctl cc commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The definition.
    #[command(flatten)]
    pub def: Definition,
    /// MSP id whose peer must endorse the commit (repeatable; default: the gateway picks by the lifecycle policy).
    #[arg(long = "endorsing-org", value_name = "MSPID")]
    pub endorsing_orgs: Vec<String>,
}

/// `gridctl cc policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The expression, e.g. "OR('UtilityMSP.peer', 'GridMSP.peer')".
    pub expr: String,
    /// Print the policy with this org added wherever a node names every current member (with --member).
    #[arg(long, value_name = "MSPID", requires = "member", conflicts_with = "drop_org")]
    pub add_org: Option<String>,
    /// The channel's current member orgs (repeatable; with --add-org).
    #[arg(long, value_name = "MSPID")]
    pub member: Vec<String>,
    /// Print the policy without this org wherever a node names it among single-org principals of one role.
    #[arg(long, value_name = "MSPID")]
    pub drop_org: Option<String>,
}

/// Runs a `cc` subcommand.
pub async fn run(cmd: &CcCommand) -> anyhow::Result<()> {
    match cmd {
        CcCommand::Approve(a) => approve(a).await,
        CcCommand::Commit(a) => commit(a).await,
        CcCommand::Policy(a) => policy(a),
        CcCommand::Plan(a) => plan::run(a).await,
    }
}

/// How a policy follows the channel's membership.
#[derive(Debug, Clone)]
pub(crate) enum Follow {
    /// `new` joined; `members` are the orgs that were members before.
    Add { new: String, members: Vec<String> },
    /// `gone` left.
    Drop { gone: String },
}

/// `env` after `change` ([`membership::with_org`] / [`membership::without_org`]); `None` when no node of it names
/// the membership.
pub(crate) fn follow(
    env: &SignaturePolicyEnvelope,
    change: &Follow,
) -> anyhow::Result<Option<SignaturePolicyEnvelope>> {
    Ok(match change {
        Follow::Add { new, members } => membership::with_org(env, members, new)?,
        Follow::Drop { gone } => membership::without_org(env, gone)?,
    })
}

/// The serialized `ApplicationPolicy` of the flags; empty (the channel default) when none is given.
pub fn validation_parameter(def: &Definition) -> anyhow::Result<Vec<u8>> {
    let ty = match (&def.signature_policy, &def.channel_config_policy) {
        (Some(text), _) => PolicyType::SignaturePolicy(expr::parse(text)?),
        (None, Some(path)) => PolicyType::ChannelConfigPolicyReference(path.clone()),
        (None, None) => return Ok(Vec::new()),
    };
    Ok(ApplicationPolicy { r#type: Some(ty) }.encode_to_vec())
}

fn collections(def: &Definition) -> anyhow::Result<Option<CollectionConfigPackage>> {
    let Some(path) = &def.collections_config else { return Ok(None) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(collections::parse(&text).with_context(|| format!("collections in {}", path.display()))?))
}

async fn approve(a: &ApproveArgs) -> anyhow::Result<()> {
    let d = &a.def;
    let source = a
        .package_id
        .as_ref()
        .map(|id| ChaincodeSource { r#type: Some(SourceType::LocalPackage(Local { package_id: id.clone() })) });
    let args = ApproveChaincodeDefinitionForMyOrgArgs {
        sequence: d.sequence,
        name: d.name.clone(),
        version: d.version.clone(),
        validation_parameter: validation_parameter(d)?,
        collections: collections(d)?,
        init_required: d.init_required,
        source,
        ..Default::default()
    };
    let mut gateway = connect(&d.gw).await?;
    let own = gateway.signer().msp_id().to_owned();
    let inv = lifecycle(&d.gw.channel, "ApproveChaincodeDefinitionForMyOrg", args.encode_to_vec(), vec![own.clone()]);
    let done = gateway.submit(&inv).await?;
    println!("{own} approved {} sequence {} (block {})", d.name, d.sequence, done.block);
    Ok(())
}

async fn commit(a: &CommitArgs) -> anyhow::Result<()> {
    let d = &a.def;
    let args = CommitChaincodeDefinitionArgs {
        sequence: d.sequence,
        name: d.name.clone(),
        version: d.version.clone(),
        validation_parameter: validation_parameter(d)?,
        collections: collections(d)?,
        init_required: d.init_required,
        ..Default::default()
    };
    let mut gateway = connect(&d.gw).await?;
    let inv = lifecycle(&d.gw.channel, "CommitChaincodeDefinition", args.encode_to_vec(), a.endorsing_orgs.clone());
    let done = gateway.submit(&inv).await?;
    println!("committed {} sequence {} (block {})", d.name, d.sequence, done.block);
    Ok(())
}

pub(crate) fn lifecycle(channel: &str, function: &str, arg: Vec<u8>, endorsing_orgs: Vec<String>) -> Invocation {
    Invocation {
        channel: channel.to_owned(),
        chaincode: LIFECYCLE.to_owned(),
        args: vec![function.as_bytes().to_vec(), arg],
        endorsing_orgs,
        ..Invocation::default()
    }
}

fn policy(a: &PolicyArgs) -> anyhow::Result<()> {
    let mut env = expr::parse(&a.expr)?;
    let change = match (&a.add_org, &a.drop_org) {
        (Some(new), _) => Some(Follow::Add { new: new.clone(), members: a.member.clone() }),
        (None, Some(gone)) => Some(Follow::Drop { gone: gone.clone() }),
        (None, None) => None,
    };
    if let Some(change) = &change {
        match follow(&env, change)? {
            Some(e) => {
                println!("changed:    yes");
                env = e;
            }
            None => println!("changed:    no (no node names exactly the member orgs)"),
        }
    }
    println!("policy:     {}", expr::render(&env));
    let principals: Vec<String> = env.identities.iter().filter_map(expr::principal_name).collect();
    println!("principals: {}", principals.join(", "));
    let fewest = gridledger_governance::policy::evaluate_signature(&env, &[]).missing;
    println!("signatures: at least {fewest}");
    let app = ApplicationPolicy { r#type: Some(PolicyType::SignaturePolicy(env)) };
    println!(
        "validation_parameter (base64): {}",
        base64::engine::general_purpose::STANDARD.encode(app.encode_to_vec())
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    use crate::cli::{Cli, Command};

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn approve_takes_the_chaincode_version() {
        let cli = Cli::try_parse_from([
            "gridctl",
            "cc",
            "approve",
            "--org",
            "grid",
            "-n",
            "kv",
            "--version",
            "1.0",
            "--sequence",
            "2",
            "--signature-policy",
            "OR('A.peer')",
            "--package-id",
            "kv_1.0:ab",
        ])
        .expect("parses");
        let Command::Cc(CcCommand::Approve(a)) = cli.command else { panic!("cc approve") };
        assert_eq!((a.def.version.as_str(), a.def.sequence), ("1.0", 2));
        assert!(!validation_parameter(&a.def).expect("policy").is_empty());
    }
}
