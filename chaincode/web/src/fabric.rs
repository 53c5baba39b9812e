//! The production [`DataSource`]: evaluate calls through the Fabric Gateway (`gridledger-client`) as the one
//! configured identity, over one connection that is made again after the network was unreachable.

use gridledger_client::{Gateway, Invocation, PeerTarget, Signer};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::model::{Balances, Clearing, IntervalTotals, MarketConfig, NetworkInfo, Order, Settlement};
use crate::proto;
use crate::source::{DataSource, SourceError};

/// Which channel and chaincodes to read, and as whom.
#[derive(Debug, Clone)]
pub struct Config {
    /// The gateway peer and its TLS.
    pub target: PeerTarget,
    /// MSP id of the identity.
    pub msp_id: String,
    /// Its certificate (PEM).
    pub cert_pem: Vec<u8>,
    /// Its private key (PEM); only ever given to the signer, never shown.
    pub key_pem: Vec<u8>,
    /// The channel.
    pub channel: String,
    /// The trade chaincode's name.
    pub trade: String,
    /// The metering chaincode's name.
    pub metering: String,
}

/// Reads the ledger through the gateway.
#[derive(Debug)]
pub struct GatewaySource {
    config: Config,
    gateway: Mutex<Option<Gateway>>,
}

impl GatewaySource {
    /// A source that connects on first use; fails now if the identity cannot sign.
    pub fn new(config: Config) -> Result<Self, gridledger_client::Error> {
        Signer::from_pem(&config.msp_id, &config.cert_pem, &config.key_pem)?;
        Ok(GatewaySource { config, gateway: Mutex::new(None) })
    }

    /// The configuration (for the event stream, which needs its own connection).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Connects as the configured identity.
    pub async fn connect(config: &Config) -> Result<Gateway, SourceError> {
        let signer = Signer::from_pem(&config.msp_id, &config.cert_pem, &config.key_pem).map_err(map_error)?;
        Gateway::connect(&config.target, signer).await.map_err(map_error)
    }

    /// Evaluates `args` on `chaincode`: the payload, [`SourceError::NotFound`] on a 404.
    async fn evaluate(&self, chaincode: &str, args: Vec<Vec<u8>>) -> Result<Vec<u8>, SourceError> {
        let mut slot = self.gateway.lock().await;
        if slot.is_none() {
            *slot = Some(Self::connect(&self.config).await?);
        }
        let Some(gateway) = slot.as_mut() else { return Err(SourceError::Failed("no gateway".into())) };
        let inv = Invocation { args, ..Invocation::new::<&str>(&self.config.channel, chaincode, []) };
        match gateway.evaluate(&inv).await {
            Ok(response) if response.status < 400 => Ok(response.payload),
            Ok(response) => Err(by_status(response.status, &response.message)),
            Err(e) => {
                let mapped = map_error(e);
                if matches!(mapped, SourceError::Unreachable(_)) {
                    // Dial again next time: the peer may be back.
                    *slot = None;
                }
                Err(mapped)
            }
        }
    }

    async fn json<T: DeserializeOwned>(&self, chaincode: &str, args: &[&str]) -> Result<T, SourceError> {
        let payload = self.evaluate(chaincode, args.iter().map(|a| a.as_bytes().to_vec()).collect()).await?;
        serde_json::from_slice(&payload).map_err(|e| SourceError::Malformed(format!("{chaincode} {}: {e}", args[0])))
    }

    async fn optional<T: DeserializeOwned>(&self, args: &[&str]) -> Result<Option<T>, SourceError> {
        match self.json(&self.config.trade, args).await {
            Err(SourceError::NotFound(_)) => Ok(None),
            other => other.map(Some),
        }
    }
}

fn by_status(status: i32, message: &str) -> SourceError {
    let message = gridledger_client::peer_message(message).into_owned();
    match status {
        403 => SourceError::Refused(message),
        404 => SourceError::NotFound(message),
        _ => SourceError::Failed(format!("status {status}: {message}")),
    }
}

/// The client library's error as the pages tell it: unreachable, refused, not found, or failed.
pub fn map_error(error: gridledger_client::Error) -> SourceError {
    use gridledger_client::Error;
    use tonic::Code;
    let text = error.to_string();
    match &error {
        Error::Connect { .. } => SourceError::Unreachable(text),
        Error::Rpc { status, .. } => match status.code() {
            Code::Unavailable | Code::DeadlineExceeded => SourceError::Unreachable(text),
            Code::PermissionDenied => SourceError::Refused(text),
            // The gateway reports a chaincode's error status inside its message.
            _ if text.contains("chaincode response 403") => SourceError::Refused(text),
            _ if text.contains("chaincode response 404") => SourceError::NotFound(text),
            _ => SourceError::Failed(text),
        },
        _ => SourceError::Failed(text),
    }
}

impl DataSource for GatewaySource {
    async fn market_config(&self) -> Result<MarketConfig, SourceError> {
        self.json(&self.config.trade, &["GetMarketConfig"]).await
    }

    async fn orders(&self, interval_start: i64) -> Result<Vec<Order>, SourceError> {
        self.json(&self.config.trade, &["Orders", &interval_start.to_string()]).await
    }

    async fn clearing(&self, interval_start: i64) -> Result<Option<Clearing>, SourceError> {
        self.optional(&["GetClearing", &interval_start.to_string()]).await
    }

    async fn settlement(&self, interval_start: i64) -> Result<Option<Settlement>, SourceError> {
        self.optional(&["GetSettlement", &interval_start.to_string()]).await
    }

    async fn balances(&self) -> Result<Balances, SourceError> {
        self.json(&self.config.trade, &["Balances"]).await
    }

    async fn interval_totals(
        &self,
        connection_point: &str,
        interval_start: i64,
    ) -> Result<IntervalTotals, SourceError> {
        let start = interval_start.to_string();
        self.json(&self.config.metering, &["IntervalTotals", connection_point, &start]).await
    }

    async fn network(&self) -> NetworkInfo {
        let mut info = NetworkInfo {
            channel: self.config.channel.clone(),
            identity_msp: self.config.msp_id.clone(),
            gateway_peer: self.config.target.address.clone(),
            ..NetworkInfo::default()
        };
        let args = vec![b"GetChainInfo".to_vec(), self.config.channel.as_bytes().to_vec()];
        match self.evaluate("qscc", args).await.and_then(|p| proto::height(&p)) {
            Ok(height) => info.height = Some(height),
            Err(e) => info.missing.push(format!("block height (qscc GetChainInfo): {e}")),
        }
        let args = vec![b"QueryChaincodeDefinitions".to_vec(), Vec::new()];
        match self.evaluate("_lifecycle", args).await.and_then(|p| proto::definitions(&p)) {
            Ok(list) => info.chaincodes = Some(list),
            Err(e) => info.missing.push(format!("committed chaincodes (_lifecycle QueryChaincodeDefinitions): {e}")),
        }
        info.missing.push(
            "the other organizations' peers, their heights and the orderer nodes: the gateway client has no \
             discovery service query yet"
                .into(),
        );
        info
    }
}
