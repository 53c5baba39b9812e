//! `gridctl org propose | sign | show | submit | members`: channel config updates (add or remove an org, its
//! CRL, its anchor peers) as a file admins pass around (an unsigned CONFIG_UPDATE envelope, the format
//! `peer channel signconfigtx` also reads), checked cryptographically against the channel's MSPs before anything
//! is sent. Thin over `gridledger-governance`.

mod orderer;
mod print;
mod propose;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use gridledger_client::Signer;
use gridledger_client::text::quote;
use gridledger_governance::{config, proposal, review, signature};
use gridledger_protos::common::Config;
use prost::Message as _;

use crate::conn::{GatewayArgs, client};
pub use orderer::OrdererArgs;
pub use propose::ProposeCommand;

/// `gridctl org`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Compute a config update (add, remove, crl, anchor) and write it, unsigned, to --out.
    ///
    /// Example: gridctl org propose add StorageMSP --org utility --msp-dir orgs/storage/msp --out add-storage.pb
    #[command(subcommand)]
    Propose(ProposeCommand),
    /// Add this identity's signature to an update file (in place unless --out).
    ///
    /// Example: gridctl org sign add-storage.pb --org grid
    Sign(SignArgs),
    /// Print what an update changes, who signed it, which signatures count and what the policies still need.
    ///
    /// Example: gridctl org show add-storage.pb --org utility
    Show(ShowArgs),
    /// Check every signature and the policies against the channel's current config; send it only if satisfied.
    ///
    /// Example: gridctl org submit add-storage.pb --org utility
    Submit(SubmitArgs),
    /// Print the MSP ids of the channel's application orgs, one per line.
    ///
    /// Example: gridctl org members --org utility
    Members(Source),
}

/// Where the current config comes from.
#[derive(Debug, Args)]
pub struct Source {
    /// Identity (for Deliver and Broadcast) and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// The orderer.
    #[command(flatten)]
    pub orderer: OrdererArgs,
    /// Read the channel config from this config block (`peer channel fetch config`) instead of the orderer.
    #[arg(long, value_name = "FILE")]
    pub config_block: Option<PathBuf>,
}

/// `gridctl org sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The update file.
    pub file: PathBuf,
    /// The signing identity (an admin of a member org).
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Write the signed update here instead of back to FILE.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `gridctl org show` and `gridctl org submit`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The update file.
    pub file: PathBuf,
    /// Config source and identity.
    #[command(flatten)]
    pub source: Source,
}

/// `gridctl org submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The update and where the config comes from.
    #[command(flatten)]
    pub show: ShowArgs,
    /// Send even if the checks fail (to see the orderer refuse it; for tests).
    #[arg(long)]
    pub force: bool,
}

/// Runs an `org` subcommand.
pub async fn run(cmd: &OrgCommand) -> anyhow::Result<()> {
    match cmd {
        OrgCommand::Propose(p) => propose::run(p).await,
        OrgCommand::Sign(a) => sign(a),
        OrgCommand::Show(a) => show(a, None).await,
        OrgCommand::Submit(a) => show(&a.show, Some(a.force)).await,
        OrgCommand::Members(source) => {
            let (_, current) = current_config(source).await?;
            config::application_orgs(&current).iter().for_each(|msp| println!("{msp}"));
            Ok(())
        }
    }
}

/// The signing identity of the flags: `--org/--user`, or `--msp-id --cert --key` (no peer needed to sign).
pub(crate) fn signer(gw: &GatewayArgs) -> anyhow::Result<Signer> {
    if let (None, Some(msp), Some(cert), Some(key)) = (gw.org, &gw.msp_id, &gw.cert, &gw.key) {
        return Ok(Signer::from_files(msp, cert, key)?);
    }
    let c = client(gw)?;
    Ok(Signer::from_files(&c.msp_id, &c.cert, &c.key)?)
}

pub(crate) async fn current_config(source: &Source) -> anyhow::Result<(u64, Config)> {
    let bytes = match &source.config_block {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => orderer::connect(source).await?.config_block(&source.gw.channel).await?.encode_to_vec(),
    };
    Ok(config::config_from_block(&bytes)?)
}

fn sign(a: &SignArgs) -> anyhow::Result<()> {
    let bytes = read(&a.file)?;
    let (mut envelope, update) = config::update_from_bytes(&bytes)?;
    let who = signer(&a.gw)?;
    signature::add_signature(&mut envelope, &who)?;
    let out = a.out.as_ref().unwrap_or(&a.file);
    write(out, &proposal::unsigned_envelope(&update.channel_id, &envelope).encode_to_vec())?;
    println!("{}: signed by {} ({} signatures)", out.display(), who.msp_id(), envelope.signatures.len());
    Ok(())
}

/// Shows the review; with `submit: Some(force)` also sends (refusing an update that is not ready unless forced).
async fn show(a: &ShowArgs, submit: Option<bool>) -> anyhow::Result<()> {
    let (envelope, update) = config::update_from_bytes(&read(&a.file)?)?;
    if update.channel_id != a.source.gw.channel {
        bail!("the update is for channel {}, not {}", quote(&update.channel_id), quote(&a.source.gw.channel));
    }
    let (block, current) = current_config(&a.source).await?;
    let review = review::review(&current, &envelope, &update, review::now())?;
    print::review(&update.channel_id, block, &review);
    let Some(force) = submit else { return Ok(()) };
    if !review.ready() {
        let problems = print::problems(&review).join("; ");
        if !force {
            bail!("not sent: {problems}");
        }
        eprintln!("--force: sending despite: {problems}");
    }
    let who = signer(&a.source.gw)?;
    let signed = proposal::signed_envelope(&update.channel_id, &envelope, &who)?;
    orderer::connect(&a.source).await?.broadcast(signed).await.context("the orderer rejected the update")?;
    println!("sent to the orderer: accepted");
    Ok(())
}

pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
