//! `gridledger-web`: serves the read-only web view on 127.0.0.1:8088 unless told otherwise.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use gridledger_client::identity::only_file;
use gridledger_client::{PeerTarget, Tls};
use gridledger_web::fabric::Config;

/// A read-only web view of the energy consortium, over the Fabric Gateway. The connection arguments default to the
/// peer CLI's environment, so `source scripts/env.sh ORG [USER]` is all the configuration it needs.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to serve on (loopback by default: put a TLS proxy in front to serve others).
    #[arg(long, env = "GRIDLEDGER_WEB_LISTEN", default_value = "127.0.0.1:8088")]
    listen: SocketAddr,
    /// The gateway peer, host:port.
    #[arg(long, env = "CORE_PEER_ADDRESS", value_name = "HOST:PORT")]
    peer: String,
    /// PEM of the CA of the peer's TLS certificate (plaintext when absent).
    #[arg(long, env = "CORE_PEER_TLS_ROOTCERT_FILE", value_name = "FILE")]
    tls_ca: Option<PathBuf>,
    /// Name to check the peer's TLS certificate against (default: the host of --peer).
    #[arg(long)]
    tls_server_name: Option<String>,
    /// TLS client certificate (PEM), for peers that require mutual TLS.
    #[arg(long, value_name = "FILE", requires = "tls_client_key")]
    tls_client_cert: Option<PathBuf>,
    /// TLS client key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_client_cert")]
    tls_client_key: Option<PathBuf>,
    /// MSP id of the identity the server reads as.
    #[arg(long, env = "CORE_PEER_LOCALMSPID")]
    msp_id: String,
    /// The identity's MSP directory (signcerts/ and keystore/ with one file each); or --cert and --key.
    #[arg(long, env = "CORE_PEER_MSPCONFIGPATH", value_name = "DIR", conflicts_with_all = ["cert", "key"])]
    msp_dir: Option<PathBuf>,
    /// The identity's certificate (PEM).
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// The identity's private key (PEM).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// The channel.
    #[arg(long, env = "CHANNEL", default_value = "energy")]
    channel: String,
    /// The trade chaincode's name.
    #[arg(long, default_value = "trade")]
    trade: String,
    /// The metering chaincode's name.
    #[arg(long, default_value = "metering")]
    metering: String,
    /// The registry chaincode's name.
    #[arg(long, default_value = "registry")]
    registry: String,
    /// The certificates chaincode's name.
    #[arg(long, default_value = "certificates")]
    certificates: String,
    /// The flexibility chaincode's name.
    #[arg(long, default_value = "flexibility")]
    flexibility: String,
    /// The meters' interval length the metering page queries, seconds (one query per interval of the day).
    #[arg(long, default_value_t = 900, value_parser = gridledger_web::serve::interval_length)]
    metering_interval: u32,
}

fn read(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let args = Args::parse();
    let (cert, key) = match (&args.msp_dir, &args.cert, &args.key) {
        (Some(dir), _, _) => (only_file(&dir.join("signcerts"))?, only_file(&dir.join("keystore"))?),
        (None, Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => anyhow::bail!("give --msp-dir, or --cert and --key"),
    };
    let tls = match &args.tls_ca {
        Some(ca) => {
            let tls = Tls { server_name: args.tls_server_name.clone(), ..Tls::from_ca_file(ca)? };
            match (&args.tls_client_cert, &args.tls_client_key) {
                (Some(cert), Some(key)) => Some(tls.with_client_files(cert, key)?),
                _ => Some(tls),
            }
        }
        None => None,
    };
    let config = Config {
        target: PeerTarget { address: args.peer.clone(), tls },
        msp_id: args.msp_id.clone(),
        cert_pem: read(&cert)?,
        key_pem: read(&key)?,
        channel: args.channel.clone(),
        trade: args.trade.clone(),
        metering: args.metering.clone(),
        registry: args.registry.clone(),
        certificates: args.certificates.clone(),
        flexibility: args.flexibility.clone(),
    };
    gridledger_web::serve::run(config, args.listen, args.metering_interval).await?;
    Ok(())
}
