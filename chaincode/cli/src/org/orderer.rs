//! Which orderer `gridctl org` talks to, with the test network's defaults when `--org` is given.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use gridledger_client::{Orderer, PeerTarget, Tls};

use super::Source;

/// The orderer endpoint.
#[derive(Debug, Args)]
pub struct OrdererArgs {
    /// Orderer host:port (with --org default: GL_ORDERER_HOST or GL_HOST, and GL_ORDERER_PORT or 7050).
    #[arg(long, value_name = "HOST:PORT")]
    pub orderer: Option<String>,
    /// PEM CA of the orderer's TLS certificate (with --org default: RUN_DIR/orgs/orderer/msp/tlscacerts/ca.pem).
    #[arg(long, value_name = "FILE")]
    pub orderer_tls_ca: Option<PathBuf>,
    /// Server name to verify the orderer's TLS certificate against (default: the host of --orderer).
    #[arg(long)]
    pub orderer_tls_hostname: Option<String>,
}

/// Connects to the orderer as the identity of `source`.
pub(super) async fn connect(source: &Source) -> anyhow::Result<Orderer> {
    let o = &source.orderer;
    let test_network = source.gw.org.is_some();
    let address = match (&o.orderer, test_network) {
        (Some(a), _) => a.clone(),
        (None, true) => {
            let env = |k: &str| std::env::var(k).ok();
            let host = env("GL_ORDERER_HOST").or_else(|| env("GL_HOST")).unwrap_or_else(|| "127.0.0.1".into());
            format!("{host}:{}", env("GL_ORDERER_PORT").unwrap_or_else(|| "7050".into()))
        }
        (None, false) => bail!("missing --orderer HOST:PORT (or --org for the test network)"),
    };
    let ca = match (&o.orderer_tls_ca, test_network) {
        (Some(ca), _) => Some(ca.clone()),
        (None, true) => Some(source.gw.run_dir.join("orgs/orderer/msp/tlscacerts/ca.pem")),
        (None, false) => None,
    };
    let tls = match ca {
        Some(ca) => Some(Tls { server_name: o.orderer_tls_hostname.clone(), ..Tls::from_ca_file(&ca)? }),
        None => None,
    };
    Ok(Orderer::connect(&PeerTarget { address, tls }, super::signer(&source.gw)?).await?)
}
