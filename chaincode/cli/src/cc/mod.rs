//! `gridctl cc approve | commit | policy | plan`: chaincode definitions through the `_lifecycle` system chaincode over
//! the Gateway, with endorsement and collection policies in Fabric's policy language (any AND/OR/OutOf
//! nesting), typed by `gridledger-protos` and parsed by `gridledger-governance`.

mod collections;
mod fields;
mod plan;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use clap::{Args, Subcommand};
use gridledger_client::Invocation;
use gridledger_client::text::quote;
use gridledger_governance::{expr, membership};
use gridledger_protos::common::SignaturePolicyEnvelope;
use gridledger_protos::lifecycle::chaincode_source::{Local, Type as SourceType};
use gridledger_protos::lifecycle::{
    ApproveChaincodeDefinitionForMyOrgArgs, ChaincodeSource, CheckCommitReadinessArgs, CheckCommitReadinessResult,
    CommitChaincodeDefinitionArgs, QueryApprovedChaincodeDefinitionArgs, QueryApprovedChaincodeDefinitionResult,
};
use gridledger_protos::peer::application_policy::Type as PolicyType;
use gridledger_protos::peer::{ApplicationPolicy, CollectionConfigPackage};
use prost::Message as _;

use crate::conn::{GatewayArgs, connect};
use fields::Fields;
pub use plan::PlanArgs;

/// The system chaincode that holds chaincode definitions.
const LIFECYCLE: &str = "_lifecycle";
/// The channel policy a definition without its own policy refers to (what `_lifecycle` stores for it).
const DEFAULT_ENDORSEMENT: &str = "/Channel/Application/Endorsement";

/// `gridctl cc`.
#[derive(Debug, Subcommand)]
pub enum CcCommand {
    /// Approve a chaincode definition for this identity's org (endorsed by the org's own peer); does nothing when
    /// the org approved exactly this definition already.
    ///
    /// Example: gridctl cc approve --org grid -n kv --version 1.0 --sequence 2 --package-id kv_1.0:ab12..
    ///   --signature-policy "OutOf(2, 'UtilityMSP.peer', 'GridMSP.peer', 'StorageMSP.peer')"
    ///
    /// Example: gridctl cc approve --org grid --plan .cache/run/proposals/cc-metering-2
    // `--version` is the chaincode's version here, as in `peer lifecycle chaincode`.
    #[command(disable_version_flag = true)]
    Approve(ApproveArgs),
    /// Commit a chaincode definition once a majority of the channel's orgs approved exactly these fields
    /// (`_lifecycle` CheckCommitReadiness first; the commit is endorsed by the orgs that approved).
    ///
    /// Example: gridctl cc commit --org utility -n kv --version 1.0 --sequence 2 --signature-policy "..."
    ///
    /// Example: gridctl cc commit --org utility --plan .cache/run/proposals/cc-metering-2
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
    /// A directory `gridctl cc plan` wrote: its definition.json (and collections.json) gives every field below.
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "name", "version", "sequence", "signature_policy", "channel_config_policy", "collections_config", "init_required",
    ])]
    pub plan: Option<PathBuf>,
    /// Chaincode name.
    #[arg(short = 'n', long, required_unless_present = "plan")]
    pub name: Option<String>,
    /// Chaincode version.
    #[arg(long, required_unless_present = "plan")]
    pub version: Option<String>,
    /// Definition sequence (1 for the first definition, +1 for every change).
    #[arg(long, required_unless_present = "plan")]
    pub sequence: Option<i64>,
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
    /// Installed package this org's peers run (default: the plan's packageId; without either: approve without
    /// running the chaincode).
    #[arg(long)]
    pub package_id: Option<String>,
}

/// `gridctl cc commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The definition.
    #[command(flatten)]
    pub def: Definition,
    /// MSP id whose peer must endorse the commit (repeatable; default: every org that approved).
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

impl Definition {
    /// The definition's fields, from `--plan` or from the flags.
    pub(crate) fn fields(&self) -> anyhow::Result<Fields> {
        if let Some(dir) = &self.plan {
            return fields::read_plan(dir);
        }
        Ok(Fields {
            name: self.name.clone().context("--name is required")?,
            version: self.version.clone().context("--version is required")?,
            sequence: self.sequence.context("--sequence is required")?,
            signature_policy: self.signature_policy.clone(),
            channel_config_policy: self.channel_config_policy.clone(),
            collections_config: self.collections_config.clone(),
            init_required: self.init_required,
            package_id: None,
        })
    }
}

/// The serialized `ApplicationPolicy` of a definition; empty (the channel default) when it names none.
pub(crate) fn validation_parameter(def: &Fields) -> anyhow::Result<Vec<u8>> {
    let ty = match (&def.signature_policy, &def.channel_config_policy) {
        (Some(text), _) => PolicyType::SignaturePolicy(expr::parse(text)?),
        (None, Some(path)) => PolicyType::ChannelConfigPolicyReference(path.clone()),
        (None, None) => return Ok(Vec::new()),
    };
    Ok(ApplicationPolicy { r#type: Some(ty) }.encode_to_vec())
}

fn collections(def: &Fields) -> anyhow::Result<Option<CollectionConfigPackage>> {
    let Some(path) = &def.collections_config else { return Ok(None) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(collections::parse(&text).with_context(|| format!("collections in {}", path.display()))?))
}

async fn approve(a: &ApproveArgs) -> anyhow::Result<()> {
    let d = a.def.fields()?;
    let source = a
        .package_id
        .clone()
        .or_else(|| d.package_id.clone())
        .map(|id| ChaincodeSource { r#type: Some(SourceType::LocalPackage(Local { package_id: id })) });
    let args = ApproveChaincodeDefinitionForMyOrgArgs {
        sequence: d.sequence,
        name: d.name.clone(),
        version: d.version.clone(),
        validation_parameter: validation_parameter(&d)?,
        collections: collections(&d)?,
        init_required: d.init_required,
        source,
        ..Default::default()
    };
    let mut gateway = connect(&a.def.gw).await?;
    let own = gateway.signer().msp_id().to_owned();
    let channel = &a.def.gw.channel;
    // Approving the same definition again would cost a transaction for nothing (scripts re-run after a failure).
    // `_lifecycle` answers 500 when the org approved nothing for this sequence yet.
    let query = QueryApprovedChaincodeDefinitionArgs { name: d.name.clone(), sequence: d.sequence };
    let inv = lifecycle(channel, "QueryApprovedChaincodeDefinition", query.encode_to_vec(), Vec::new());
    let current = match gateway.evaluate(&inv).await {
        Ok(answer) if (200..300).contains(&answer.status) => {
            QueryApprovedChaincodeDefinitionResult::decode(answer.payload.as_slice()).ok()
        }
        Ok(_) => None,
        Err(e) if e.chaincode_response().is_some() => None,
        Err(e) => return Err(e).context("_lifecycle QueryApprovedChaincodeDefinition"),
    };
    if current.is_some_and(|current| same_approval(&current, &args)) {
        println!("{own} approved {} sequence {} already", d.name, d.sequence);
        return Ok(());
    }
    let inv = lifecycle(channel, "ApproveChaincodeDefinitionForMyOrg", args.encode_to_vec(), vec![own.clone()]);
    let done = gateway.submit(&inv).await?;
    println!("{own} approved {} sequence {} (block {})", d.name, d.sequence, done.block);
    Ok(())
}

/// Whether the org's current approval is the one `args` would make, as `_lifecycle` stores it: no policy is the
/// channel's default endorsement policy, no collections an empty package (the plugins are left to the peer's
/// defaults, `escc` and `vscc`, either way).
fn same_approval(
    current: &QueryApprovedChaincodeDefinitionResult,
    args: &ApproveChaincodeDefinitionForMyOrgArgs,
) -> bool {
    let policy = |bytes: &[u8]| {
        if bytes.is_empty() {
            Some(ApplicationPolicy {
                r#type: Some(PolicyType::ChannelConfigPolicyReference(DEFAULT_ENDORSEMENT.into())),
            })
        } else {
            ApplicationPolicy::decode(bytes).ok()
        }
    };
    current.sequence == args.sequence
        && current.version == args.version
        && policy(&current.validation_parameter).is_some_and(|p| policy(&args.validation_parameter) == Some(p))
        && current.collections.clone().unwrap_or_default() == args.collections.clone().unwrap_or_default()
        && current.init_required == args.init_required
        && current.source == args.source
}

async fn commit(a: &CommitArgs) -> anyhow::Result<()> {
    let d = a.def.fields()?;
    let args = CommitChaincodeDefinitionArgs {
        sequence: d.sequence,
        name: d.name.clone(),
        version: d.version.clone(),
        validation_parameter: validation_parameter(&d)?,
        collections: collections(&d)?,
        init_required: d.init_required,
        ..Default::default()
    };
    let mut gateway = connect(&a.def.gw).await?;
    let channel = &a.def.gw.channel;
    let readiness = CheckCommitReadinessArgs {
        sequence: args.sequence,
        name: args.name.clone(),
        version: args.version.clone(),
        validation_parameter: args.validation_parameter.clone(),
        collections: args.collections.clone(),
        init_required: args.init_required,
        ..Default::default()
    };
    let ready: CheckCommitReadinessResult =
        query(&gateway, channel, "CheckCommitReadiness", readiness.encode_to_vec()).await?;
    let approvals: BTreeMap<String, bool> = ready.approvals.into_iter().collect();
    let approved: Vec<String> = approvals.iter().filter(|(_, yes)| **yes).map(|(msp, _)| msp.clone()).collect();
    let listed = approvals.iter().map(|(msp, yes)| format!("{msp}={yes}")).collect::<Vec<_>>().join(" ");
    // The channel's default LifecycleEndorsement is MAJORITY Endorsement: a commit with fewer approvals fails
    // validation after ordering; refusing here says why.
    if approved.len() * 2 <= approvals.len() {
        bail!(
            "not committed: a majority of the channel's orgs must approve {} sequence {} first; approvals: {listed}",
            d.name,
            d.sequence
        );
    }
    println!("approvals: {listed}");
    // A peer endorses the commit only if its own org approved the definition.
    let endorsers = if a.endorsing_orgs.is_empty() { approved } else { a.endorsing_orgs.clone() };
    let inv = lifecycle(channel, "CommitChaincodeDefinition", args.encode_to_vec(), endorsers);
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

/// Evaluates the `_lifecycle` query `function` on the gateway's own peer and decodes its answer.
pub(crate) async fn query<R: prost::Message + Default>(
    gateway: &gridledger_client::Gateway,
    channel: &str,
    function: &str,
    arg: Vec<u8>,
) -> anyhow::Result<R> {
    let answer = gateway.evaluate(&lifecycle(channel, function, arg, Vec::new())).await?;
    if !(200..300).contains(&answer.status) {
        bail!("_lifecycle {function}: status {} {}", answer.status, quote(&answer.message));
    }
    R::decode(answer.payload.as_slice()).with_context(|| format!("malformed answer to _lifecycle {function}"))
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
        let fields = a.def.fields().expect("fields");
        assert_eq!((fields.version.as_str(), fields.sequence), ("1.0", 2));
        assert!(!validation_parameter(&fields).expect("policy").is_empty());
    }

    /// What `_lifecycle` answered for an approval made without policy and collections (recorded on Fabric 3.1.5).
    #[test]
    fn an_approval_is_the_same_as_lifecycle_stores_it() {
        let source = Some(ChaincodeSource {
            r#type: Some(SourceType::LocalPackage(Local { package_id: "registry_1.0:b284".into() })),
        });
        let args = ApproveChaincodeDefinitionForMyOrgArgs {
            sequence: 2,
            name: "registry".into(),
            version: "1.0".into(),
            source: source.clone(),
            ..Default::default()
        };
        let default = ApplicationPolicy {
            r#type: Some(PolicyType::ChannelConfigPolicyReference("/Channel/Application/Endorsement".into())),
        };
        let stored = QueryApprovedChaincodeDefinitionResult {
            sequence: 2,
            version: "1.0".into(),
            endorsement_plugin: "escc".into(),
            validation_plugin: "vscc".into(),
            validation_parameter: default.encode_to_vec(),
            collections: Some(CollectionConfigPackage { config: Vec::new() }),
            init_required: false,
            source,
        };
        assert!(same_approval(&stored, &args));
        for other in [
            QueryApprovedChaincodeDefinitionResult { version: "1.1".into(), ..stored.clone() },
            QueryApprovedChaincodeDefinitionResult { source: None, ..stored.clone() },
            QueryApprovedChaincodeDefinitionResult {
                validation_parameter: ApplicationPolicy {
                    r#type: Some(PolicyType::SignaturePolicy(expr::parse("OR('A.peer')").expect("parses"))),
                }
                .encode_to_vec(),
                ..stored.clone()
            },
        ] {
            assert!(!same_approval(&other, &args), "{other:?}");
        }
    }

    #[test]
    fn a_plan_stands_for_the_definition_flags_and_excludes_them() {
        let cli = Cli::try_parse_from(["gridctl", "cc", "commit", "--org", "grid", "--plan", "proposals/cc-kv-2"])
            .expect("parses");
        let Command::Cc(CcCommand::Commit(a)) = cli.command else { panic!("cc commit") };
        assert_eq!(a.def.plan.as_deref(), Some(std::path::Path::new("proposals/cc-kv-2")));
        let both = ["gridctl", "cc", "approve", "--org", "grid", "--plan", "p", "-n", "kv"];
        assert!(Cli::try_parse_from(both).is_err(), "--plan with a definition flag");
        assert!(
            Cli::try_parse_from(["gridctl", "cc", "approve", "--org", "grid", "-n", "kv"]).is_err(),
            "no --plan, no --version"
        );
    }
}
