//! Dialing a chaincode server the way a peer does (plaintext, TCP_NODELAY, Fabric's 100 MB message limit).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gridledger_protos::peer::chaincode_client::ChaincodeClient;
use tonic::transport::{Channel, Endpoint};

/// Fabric's message size limit, both directions.
const MAX_MESSAGE_SIZE: usize = 100 << 20;

/// Connects to `address` (host:port), retrying for `timeout` while the chaincode starts.
pub async fn dial(address: &str, timeout: Duration) -> Result<ChaincodeClient<Channel>> {
    let endpoint =
        Endpoint::from_shared(format!("http://{address}"))?.tcp_nodelay(true).connect_timeout(Duration::from_secs(1));
    let give_up = Instant::now() + timeout;
    loop {
        match endpoint.connect().await {
            Ok(channel) => {
                return Ok(ChaincodeClient::new(channel)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .max_encoding_message_size(MAX_MESSAGE_SIZE));
            }
            Err(e) if Instant::now() >= give_up => return Err(e).context(format!("connecting to {address}")),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
