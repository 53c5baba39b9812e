//! Classic mode: we dial the peer's `protos.ChaincodeSupport/Register`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use gridledger_protos::peer::chaincode_support_client::ChaincodeSupportClient;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

use crate::Chaincode;
use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::handler::register_message;
use crate::registration::{self, REGISTER_TIMEOUT};
use crate::runtime;
use crate::server::{KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, MAX_MESSAGE_SIZE};

/// How long the end of a stream waits for the peer to close its side.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to the peer, registers, and serves transactions until the peer ends the stream or `shutdown` resolves.
pub async fn register<C: Chaincode>(
    config: ClientConfig,
    chaincode: C,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{}", config.peer_address))
        .map_err(|e| Error::Config(format!("peer address {:?}: {e}", config.peer_address)))?
        .tcp_nodelay(true)
        .http2_keep_alive_interval(KEEPALIVE_INTERVAL)
        .keep_alive_timeout(KEEPALIVE_TIMEOUT)
        .keep_alive_while_idle(true);
    if let Some(tls) = &config.tls {
        // The peer's chaincode listener certificate names the host part of its address.
        let host = config.peer_address.rsplit_once(':').map_or(config.peer_address.as_str(), |(h, _)| h);
        let tls_config = ClientTlsConfig::new()
            .domain_name(host.trim_start_matches('[').trim_end_matches(']'))
            .ca_certificate(Certificate::from_pem(&tls.root_cert))
            .identity(Identity::from_pem(&tls.cert, &tls.key));
        endpoint = endpoint.tls_config(tls_config).map_err(|e| Error::Tls(e.to_string()))?;
    }
    tracing::info!(peer = %config.peer_address, tls = config.tls.is_some(), "connecting to the peer");
    let channel = endpoint.connect().await?;
    let mut client = ChaincodeSupportClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let (tx, rx) = mpsc::unbounded_channel();
    tx.send(register_message(&config.chaincode_id)).map_err(|_| Error::Disconnected)?;
    let incoming = client.register(UnboundedReceiverStream::new(rx)).await?.into_inner();
    let incoming = registration::acknowledged(incoming, &config.chaincode_id, REGISTER_TIMEOUT).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight transactions");
        if stop_tx.send(true).is_err() {
            tracing::debug!("stream already ended");
        }
    });
    let (result, incoming) = runtime::run(Arc::new(chaincode), incoming, tx, stop_rx).await;
    let Some(mut incoming) = incoming else { return result };
    // Our side of the call ends once the last transaction drops its sender; the peer then ends its side. Keep the
    // call open until it has: dropping the response stream now resets the call, and h2 discards the DATA it still
    // buffers for sending (after a graceful shutdown: the last transactions' COMPLETED).
    let drained = tokio::time::timeout(CLOSE_TIMEOUT, async {
        while let Some(Ok(msg)) = incoming.next().await {
            tracing::debug!(tx = %msg.txid, "ignoring message type {} after the stream ended", msg.r#type);
        }
    });
    if drained.await.is_err() {
        tracing::warn!("the peer did not end the stream within {CLOSE_TIMEOUT:?}; closing it");
    }
    result
}
