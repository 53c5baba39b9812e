//! `gridctl serve`: the read-only web view (`gridledger-web`) as the identity the connection flags name.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use gridledger_web::fabric::Config;

use crate::conn::{GatewayArgs, client, target};

/// Serve the web view of the energy consortium (market, balances, metering, assets, certificates, flexibility,
/// network) over the Fabric Gateway.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Address to serve on (loopback by default: put a TLS proxy in front to serve others).
    #[arg(long, default_value = "127.0.0.1:8088")]
    pub listen: SocketAddr,
    /// The trade chaincode's name.
    #[arg(long, default_value = "trade")]
    pub trade: String,
    /// The metering chaincode's name.
    #[arg(long, default_value = "metering")]
    pub metering: String,
    /// The registry chaincode's name.
    #[arg(long, default_value = "registry")]
    pub registry: String,
    /// The certificates chaincode's name.
    #[arg(long, default_value = "certificates")]
    pub certificates: String,
    /// The flexibility chaincode's name.
    #[arg(long, default_value = "flexibility")]
    pub flexibility: String,
    /// The meters' interval length the metering page queries, seconds.
    #[arg(long, default_value_t = 900, value_parser = gridledger_web::serve::interval_length)]
    pub metering_interval: u32,
}

fn read(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))
}

/// Resolves the flags and serves until Ctrl-C.
pub async fn run(a: &ServeArgs) -> anyhow::Result<ExitCode> {
    let c = client(&a.gw)?;
    let config = Config {
        target: target(&c)?,
        msp_id: c.msp_id.clone(),
        cert_pem: read(&c.cert)?,
        key_pem: read(&c.key)?,
        channel: a.gw.channel.clone(),
        trade: a.trade.clone(),
        metering: a.metering.clone(),
        registry: a.registry.clone(),
        certificates: a.certificates.clone(),
        flexibility: a.flexibility.clone(),
    };
    eprintln!("gridctl serve: http://{} as {} through {}", a.listen, c.msp_id, c.address);
    gridledger_web::serve::run(config, a.listen, a.metering_interval).await?;
    Ok(ExitCode::SUCCESS)
}
