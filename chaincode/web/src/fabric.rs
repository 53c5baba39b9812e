//! The production [`DataSource`]: evaluate calls through the Fabric Gateway (`gridledger-client`) as the one
//! configured identity, over one connection that is made again after the network was unreachable.

use std::sync::Arc;

use futures_util::future::join_all;
use gridledger_client::{Gateway, Invocation, PeerTarget, Signer};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::model::{
    Balances, Clearing, IntervalTotals, MarketConfig, NetworkInfo, Order, OrdererOrg, OrgHeight, Settlement,
};
use crate::proto;
use crate::source::{Contract, DataSource, SourceError};

/// Which channel and chaincodes to read, and as whom. Its `Debug` leaves the key out.
#[derive(Clone)]
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
    /// The registry chaincode's name.
    pub registry: String,
    /// The certificates chaincode's name.
    pub certificates: String,
    /// The flexibility chaincode's name.
    pub flexibility: String,
}

impl Config {
    /// The chaincode name of `contract` on the channel.
    pub fn chaincode(&self, contract: Contract) -> &str {
        match contract {
            Contract::Registry => &self.registry,
            Contract::Metering => &self.metering,
            Contract::Certificates => &self.certificates,
            Contract::Flexibility => &self.flexibility,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.target.address)
            .field("msp_id", &self.msp_id)
            .field("channel", &self.channel)
            .field("trade", &self.trade)
            .field("metering", &self.metering)
            .field("registry", &self.registry)
            .field("certificates", &self.certificates)
            .field("flexibility", &self.flexibility)
            .finish_non_exhaustive()
    }
}

/// How many of the latest blocks the network page lists.
pub const LATEST_BLOCKS: u64 = 5;

/// Reads the ledger through the gateway. Calls run concurrently on one connection (HTTP/2 streams); the lock is
/// held only to dial or drop it.
#[derive(Debug)]
pub struct GatewaySource {
    config: Config,
    gateway: Mutex<Option<Arc<Gateway>>>,
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

    /// The connection, dialled when there is none.
    async fn gateway(&self) -> Result<Arc<Gateway>, SourceError> {
        let mut slot = self.gateway.lock().await;
        if let Some(gateway) = slot.as_ref() {
            return Ok(gateway.clone());
        }
        let gateway = Arc::new(Self::connect(&self.config).await?);
        *slot = Some(gateway.clone());
        Ok(gateway)
    }

    /// Maps a failed call; after an unreachable peer the connection is dropped, to be dialled again next time.
    async fn failed(&self, gateway: &Arc<Gateway>, error: gridledger_client::Error) -> SourceError {
        let mapped = map_error(error);
        if matches!(mapped, SourceError::Unreachable(_)) {
            let mut slot = self.gateway.lock().await;
            if slot.as_ref().is_some_and(|g| Arc::ptr_eq(g, gateway)) {
                *slot = None;
            }
        }
        mapped
    }

    /// Evaluates `args` on `chaincode`: the payload, [`SourceError::NotFound`] on a 404.
    async fn evaluate(&self, chaincode: &str, args: Vec<Vec<u8>>) -> Result<Vec<u8>, SourceError> {
        let gateway = self.gateway().await?;
        let inv = Invocation { args, ..Invocation::new::<&str>(&self.config.channel, chaincode, []) };
        match gateway.evaluate(&inv).await {
            Ok(response) if response.status < 400 => Ok(response.payload),
            Ok(response) => Err(by_status(response.status, &response.message)),
            Err(e) => Err(self.failed(&gateway, e).await),
        }
    }

    /// The application organizations and orderer organizations, and where they were read: the channel's
    /// configuration, or (when this identity may not read it) the approvals of trade's committed definition, which
    /// list every application organization but no orderer.
    async fn organizations(&self, gateway: &Gateway) -> Result<(Vec<String>, Vec<OrdererOrg>, String), SourceError> {
        let config_error = match gateway.members(&self.config.channel).await {
            Ok(members) => {
                let from = "the channel's configuration (cscc GetChannelConfig)".to_string();
                return Ok((members.organizations, members.orderers, from));
            }
            Err(e) => map_error(e),
        };
        let approvals = gateway.approvals(&self.config.channel, &self.config.trade).await.map_err(map_error)?;
        let from = format!(
            "the approvals of the committed definition of {} (_lifecycle QueryChaincodeDefinition; the channel \
             configuration could not be read: {config_error}): every application organization of the channel",
            self.config.trade
        );
        Ok((approvals.into_keys().collect(), Vec::new(), from))
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
        Error::Chaincode { status: 403, .. } => SourceError::Refused(text),
        Error::Chaincode { status: 404, .. } => SourceError::NotFound(text),
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

    async fn query(&self, contract: Contract, args: Vec<String>) -> Result<serde_json::Value, SourceError> {
        let function = args.first().cloned().unwrap_or_default();
        let chaincode = self.config.chaincode(contract).to_string();
        let payload = self.evaluate(&chaincode, args.into_iter().map(String::into_bytes).collect()).await?;
        serde_json::from_slice(&payload).map_err(|e| SourceError::Malformed(format!("{chaincode} {function}: {e}")))
    }

    async fn network(&self) -> NetworkInfo {
        let mut info = NetworkInfo {
            channel: self.config.channel.clone(),
            identity_msp: self.config.msp_id.clone(),
            gateway_peer: self.config.target.address.clone(),
            ..NetworkInfo::default()
        };
        let args = vec![b"QueryChaincodeDefinitions".to_vec(), Vec::new()];
        match self.evaluate("_lifecycle", args).await.and_then(|p| proto::definitions(&p)) {
            Ok(list) => info.chaincodes = Some(list),
            Err(e) => info.missing.push(format!("committed chaincodes (_lifecycle QueryChaincodeDefinitions): {e}")),
        }
        let gateway = match self.gateway().await {
            Ok(g) => g,
            Err(e) => {
                info.missing.push(format!("block heights, organizations and blocks: {e}"));
                return info;
            }
        };
        let channel = self.config.channel.as_str();
        match gateway.height(channel, None).await {
            Ok(height) => info.height = Some(height),
            Err(e) => info.missing.push(format!("block height (qscc GetChainInfo): {}", map_error(e))),
        }
        match self.organizations(&gateway).await {
            Ok((orgs, orderers, from)) => {
                // Each organization's own peer: an evaluate with target_organizations goes to one of its peers.
                let heights = join_all(orgs.iter().map(|msp| gateway.height(channel, Some(msp)))).await;
                info.organizations = orgs
                    .into_iter()
                    .zip(heights)
                    .map(|(msp, h)| OrgHeight { msp, height: h.map_err(|e| map_error(e).to_string()) })
                    .collect();
                info.orderers = orderers;
                info.organizations_from = from;
            }
            Err(e) => info.missing.push(format!("the channel's organizations: {e}")),
        }
        let latest = info.height.unwrap_or(0);
        let numbers: Vec<u64> = (latest.saturating_sub(LATEST_BLOCKS)..latest).rev().collect();
        for (n, block) in numbers.iter().zip(join_all(numbers.iter().map(|n| gateway.block(channel, *n, None))).await) {
            match block {
                Ok(b) => info.blocks.push(b),
                Err(e) => info.missing.push(format!("block {n} (qscc GetBlockByNumber): {}", map_error(e))),
            }
        }
        if info.orderers.is_empty() {
            info.missing
                .push("the orderer nodes: read from the channel configuration, which is not decoded yet".into());
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use gridledger_client::Error;

    use super::*;

    fn rpc(status: tonic::Status) -> Error {
        Error::Rpc { call: "evaluate".into(), status: Box::new(status) }
    }

    #[test]
    fn client_errors_become_page_errors() {
        let unknown = |m: &str| rpc(tonic::Status::unknown(m.to_string()));
        let cases = [
            (rpc(tonic::Status::unavailable("connection refused")), "Unreachable"),
            (rpc(tonic::Status::deadline_exceeded("slow")), "Unreachable"),
            (rpc(tonic::Status::permission_denied("access denied")), "Refused"),
            (unknown("evaluate call to endorser returned error: chaincode response 403, refused"), "Refused"),
            (unknown("evaluate call to endorser returned error: chaincode response 404, not cleared"), "NotFound"),
            (unknown("evaluate call to endorser returned error: chaincode response 500, broken"), "Failed"),
            (Error::Malformed("no result"), "Failed"),
        ];
        for (error, want) in cases {
            let got = map_error(error);
            assert!(format!("{got:?}").starts_with(want), "{got:?} is not {want}");
        }
        assert!(matches!(by_status(404, "no clearing"), SourceError::NotFound(m) if m == "no clearing"));
        assert!(matches!(by_status(403, "no"), SourceError::Refused(_)));
        assert!(matches!(by_status(500, "x"), SourceError::Failed(m) if m == "status 500: x"));
    }

    #[tokio::test]
    async fn a_peer_that_is_not_there_is_unreachable() {
        let made = rcgen::generate_simple_self_signed(vec!["web".to_string()]).expect("a P-256 certificate");
        let mut config = Config {
            // Port 9 (discard) on loopback: nothing listens there in a test environment.
            target: PeerTarget { address: "127.0.0.1:9".into(), tls: None },
            msp_id: "M".into(),
            cert_pem: made.cert.pem().into_bytes(),
            key_pem: made.signing_key.serialize_pem().into_bytes(),
            channel: "energy".into(),
            trade: "trade".into(),
            metering: "metering".into(),
            registry: "registry".into(),
            certificates: "certificates".into(),
            flexibility: "flexibility".into(),
        };
        let source = GatewaySource::new(config.clone()).expect("the identity signs");
        assert!(!format!("{source:?}").contains("PRIVATE KEY"), "{source:?}");
        assert!(matches!(source.balances().await, Err(SourceError::Unreachable(_))));
        let info = source.network().await;
        assert_eq!((info.height, info.chaincodes.is_none(), info.missing.len()), (None, true, 2), "{info:?}");
        config.cert_pem = b"not a certificate".to_vec();
        assert!(GatewaySource::new(config).is_err(), "an identity that cannot sign is refused at start");
    }
}
