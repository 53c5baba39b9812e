//! `gridctl org propose add | remove | crl | anchor`: one config update each, computed on the typed config
//! (`gridledger-governance` `org`, `edit`, `diff`) and written unsigned to --out. Every kind prints
//! `config block N` (the block the update builds on), which `scripts/org.sh` records.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use gridledger_client::gateway::host_port;
use gridledger_client::text::quote;
use gridledger_governance::{config, diff, edit, org, proposal};
use gridledger_protos::common::{Config, ConfigUpdateEnvelope};
use prost::Message as _;

use super::{Source, current_config, read, write};

/// `gridctl org propose`.
#[derive(Debug, Subcommand)]
pub enum ProposeCommand {
    /// Add an application org from its public MSP directory (the Application admins approve).
    ///
    /// Example: gridctl org propose add StorageMSP --msp-dir orgs/storage/msp --org utility --out add-storage.pb
    Add(AddArgs),
    /// Remove an application org (the Application admins approve).
    ///
    /// Example: gridctl org propose remove StorageMSP --org utility --out remove-storage.pb
    Remove(Common),
    /// Replace an org's certificate revocation list with a CRL file (the org's own admins approve).
    ///
    /// Example: gridctl org propose crl StorageMSP --crl orgs/storage/msp/crls/crl.pem --out crl.pb ...
    Crl(CrlArgs),
    /// Set an org's anchor peers (the org's own admins approve). When the config already has exactly these,
    /// prints `unchanged:` and writes nothing.
    ///
    /// Example: gridctl org propose anchor StorageMSP --anchor-peer 127.0.0.1:6051 --out anchor.pb ...
    Anchor(AnchorArgs),
}

/// What every kind of proposal takes.
#[derive(Debug, Args)]
pub struct Common {
    /// MSP id of the org the update is about (its group's name under /Channel/Application).
    #[arg(value_name = "MSPID")]
    pub msp: String,
    /// Config source and identity.
    #[command(flatten)]
    pub source: Source,
    /// Where to write the update.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
}

/// `gridctl org propose add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The org, the config and the output.
    #[command(flatten)]
    pub common: Common,
    /// The new org's public MSP directory (cacerts, tlscacerts, optional intermediatecerts, crls, config.yaml).
    #[arg(long, value_name = "DIR")]
    pub msp_dir: PathBuf,
    /// Anchor peer of the new org (repeatable).
    #[arg(long, value_name = "HOST:PORT")]
    pub anchor_peer: Vec<String>,
}

/// `gridctl org propose crl`.
#[derive(Debug, Args)]
pub struct CrlArgs {
    /// The org, the config and the output.
    #[command(flatten)]
    pub common: Common,
    /// PEM CRL file that becomes the org's whole revocation list (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub crl: Vec<PathBuf>,
}

/// `gridctl org propose anchor`.
#[derive(Debug, Args)]
pub struct AnchorArgs {
    /// The org, the config and the output.
    #[command(flatten)]
    pub common: Common,
    /// Anchor peer (repeatable): the org's anchor peers become exactly these.
    #[arg(long, value_name = "HOST:PORT", required = true)]
    pub anchor_peer: Vec<String>,
}

/// Runs `gridctl org propose KIND`.
pub(super) async fn run(cmd: &ProposeCommand) -> anyhow::Result<()> {
    match cmd {
        ProposeCommand::Add(a) => {
            let anchors = anchors(&a.anchor_peer)?;
            let c = &a.common;
            let (block, current) = current_config(&c.source).await?;
            if config::msps(&current)?.contains_key(&c.msp) {
                bail!("{} is already a member of the channel", quote(&c.msp));
            }
            let group = org::org_group(&c.msp, &a.msp_dir, &anchors)?;
            let updated = org::with_org(&current, &c.msp, group)?;
            finish(c, block, &current, &updated, &format!("adds {}", c.msp))
        }
        ProposeCommand::Remove(c) => {
            let (block, current) = current_config(&c.source).await?;
            let updated = edit::without_org(&current, &c.msp)?;
            finish(c, block, &current, &updated, &format!("removes {}", c.msp))
        }
        ProposeCommand::Crl(a) => {
            let crls = a.crl.iter().map(|p| read(p)).collect::<anyhow::Result<Vec<_>>>()?;
            for (path, pem) in a.crl.iter().zip(&crls) {
                if !pem.starts_with(b"-----BEGIN X509 CRL-----") {
                    bail!("{} is not a PEM CRL", path.display());
                }
            }
            let c = &a.common;
            let (block, current) = current_config(&c.source).await?;
            let updated = edit::with_revocation_list(&current, &c.msp, crls)?;
            finish(c, block, &current, &updated, &format!("replaces the CRL of {}", c.msp))
        }
        ProposeCommand::Anchor(a) => {
            let anchors = anchors(&a.anchor_peer)?;
            let c = &a.common;
            let (block, current) = current_config(&c.source).await?;
            if edit::anchor_peers(&current, &c.msp)? == anchors {
                // Exit 0 without a file: the caller has nothing to sign or submit.
                println!(
                    "unchanged: {} anchor peers already {} (config block {block})",
                    c.msp,
                    a.anchor_peer.join(", ")
                );
                return Ok(());
            }
            let updated = edit::with_anchor_peers(&current, &c.msp, &anchors)?;
            finish(
                c,
                block,
                &current,
                &updated,
                &format!("sets the anchor peers of {} to {}", c.msp, a.anchor_peer.join(", ")),
            )
        }
    }
}

/// Computes the update from `current` to `updated`, writes it and says what it needs.
fn finish(c: &Common, block: u64, current: &Config, updated: &Config, what: &str) -> anyhow::Result<()> {
    let channel = &c.source.gw.channel;
    let update = diff::compute_update(channel, current, updated).context("nothing to propose")?;
    let envelope = ConfigUpdateEnvelope { config_update: update.encode_to_vec(), signatures: Vec::new() };
    write(&c.out, &proposal::unsigned_envelope(channel, &envelope).encode_to_vec())?;
    let policies = proposal::impact(current, &update).policies.into_iter().collect::<Vec<_>>().join(", ");
    let out = c.out.display();
    println!(
        "{out}: {what} on {channel} (config block {block}); needs {policies}; next: each admin runs 'gridctl org sign {out}'"
    );
    Ok(())
}

fn anchors(specs: &[String]) -> anyhow::Result<Vec<(String, u16)>> {
    specs.iter().map(|s| anchor(s)).collect()
}

fn anchor(spec: &str) -> anyhow::Result<(String, u16)> {
    match host_port(spec) {
        Some((host, port)) => Ok((host.to_owned(), port)),
        None => bail!("--anchor-peer {}: expected HOST:PORT (a port up to 65535)", quote(spec)),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::org::OrgCommand;

    fn parse(args: &[&str]) -> ProposeCommand {
        let all = ["gridctl", "org", "propose"].iter().chain(args).copied();
        let cli = Cli::try_parse_from(all).expect("parses");
        let Command::Org(OrgCommand::Propose(p)) = cli.command else { panic!("org propose") };
        p
    }

    #[test]
    fn every_kind_names_the_org_first() {
        let ProposeCommand::Remove(c) = parse(&["remove", "StorageMSP", "--org", "utility", "-o", "r.pb"]) else {
            panic!("remove")
        };
        assert_eq!((c.msp.as_str(), c.out.to_str()), ("StorageMSP", Some("r.pb")));
        let ProposeCommand::Anchor(a) =
            parse(&["anchor", "StorageMSP", "--anchor-peer", "127.0.0.1:6051", "--org", "grid", "-o", "a.pb"])
        else {
            panic!("anchor")
        };
        assert_eq!(anchors(&a.anchor_peer).expect("anchors"), [("127.0.0.1".to_owned(), 6051)]);
        assert!(Cli::try_parse_from(["gridctl", "org", "propose", "crl", "StorageMSP", "-o", "c.pb"]).is_err());
        assert!(anchor("host").is_err() && anchor(":1").is_err() && anchor("h:70000").is_err());
    }
}
