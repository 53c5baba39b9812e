//! Chaincode as a service: the peer dials `protos.Chaincode/Connect` and we speak first.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt, future, stream};
use gridledger_protos::peer::ChaincodeMessage;
use gridledger_protos::peer::chaincode_server::{Chaincode as ConnectService, ChaincodeServer};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic::{Request, Status, Streaming};

use crate::Chaincode;
use crate::config::{ServerConfig, ServerTls};
use crate::error::{Error, Result};
use crate::handler::register_message;
use crate::registration::{self, REGISTER_TIMEOUT};
use crate::runtime;

/// Fabric's peer and shims allow 100 MiB messages; gRPC's 4 MiB default breaks large payloads.
pub(crate) const MAX_MESSAGE_SIZE: usize = 100 * 1024 * 1024;
/// The Go shim's keepalive: a ping every minute, a dead peer detected 20 s later.
pub(crate) const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(60);
pub(crate) const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

type Outgoing = Pin<Box<dyn Stream<Item = Result<ChaincodeMessage, Status>> + Send>>;

struct Service<C> {
    chaincode: Arc<C>,
    chaincode_id: String,
    shutdown: watch::Receiver<bool>,
}

#[tonic::async_trait]
impl<C: Chaincode> ConnectService for Service<C> {
    type ConnectStream = Outgoing;

    async fn connect(
        &self,
        request: Request<Streaming<ChaincodeMessage>>,
    ) -> Result<tonic::Response<Self::ConnectStream>, Status> {
        let peer = request.remote_addr();
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(register_message(&self.chaincode_id)).map_err(|_| Status::internal("stream closed"))?;
        let (chaincode, shutdown) = (Arc::clone(&self.chaincode), self.shutdown.clone());
        let chaincode_id = self.chaincode_id.clone();
        let incoming = request.into_inner();
        // A refusal to serve ends our half of the call with a status after the last message: the peer's launch
        // then fails at once, carrying our text to whoever invoked.
        let (refuse, refusal) = oneshot::channel::<Status>();
        tokio::spawn(async move {
            tracing::info!(?peer, "peer connected");
            let incoming = match registration::acknowledged(incoming, &chaincode_id, REGISTER_TIMEOUT).await {
                Ok(incoming) => incoming,
                Err(e) => {
                    tracing::error!(?peer, "{e}");
                    if refuse.send(Status::failed_precondition(e.to_string())).is_err() {
                        tracing::debug!(?peer, "the peer hung up first");
                    }
                    return;
                }
            };
            match runtime::run(chaincode, incoming, tx, shutdown).await.0 {
                Ok(()) => tracing::info!(?peer, "peer stream ended"),
                Err(e) => tracing::warn!(?peer, "peer stream failed: {e}"),
            }
        });
        // Without a refusal the oneshot resolves to Canceled when the task ends, and the call ends with OK.
        let refusal = stream::once(refusal).filter_map(|r| future::ready(r.ok().map(Err)));
        Ok(tonic::Response::new(Box::pin(UnboundedReceiverStream::new(rx).map(Ok).chain(refusal))))
    }
}

/// A bound chaincode server, ready to serve.
#[derive(Debug)]
pub struct CcaasServer {
    incoming: TcpIncoming,
    local_addr: SocketAddr,
    config: ServerConfig,
}

impl CcaasServer {
    /// Binds the listen address (port 0 picks a free port; see [`CcaasServer::local_addr`]).
    pub fn bind(config: ServerConfig) -> Result<Self> {
        let incoming = TcpIncoming::bind(config.address)
            .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", config.address)))?
            // Without NODELAY, Nagle and delayed ACKs add ~40 ms to every ledger round trip.
            .with_nodelay(Some(true));
        let local_addr = incoming.local_addr()?;
        Ok(Self { incoming, local_addr, config })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves, then lets in-flight transactions finish and ends every stream.
    pub async fn serve<C: Chaincode>(self, chaincode: C, shutdown: impl Future<Output = ()>) -> Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let service =
            Service { chaincode: Arc::new(chaincode), chaincode_id: self.config.chaincode_id, shutdown: stop_rx };
        let service = ChaincodeServer::new(service)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let mut builder = Server::builder()
            .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
            .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT));
        if let Some(tls) = &self.config.tls {
            builder = builder.tls_config(server_tls(tls)).map_err(|e| Error::Tls(e.to_string()))?;
        }
        tracing::info!(address = %self.local_addr, tls = self.config.tls.is_some(), "chaincode server listening");
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight transactions");
            // Streams drain and end themselves; the server then stops once they are gone.
            if stop_tx.send(true).is_err() {
                tracing::debug!("no stream was open");
            }
        };
        let incoming = crate::sniff::sniffing(self.incoming, self.config.tls.is_some());
        builder.add_service(service).serve_with_incoming_shutdown(incoming, signal).await?;
        Ok(())
    }
}

fn server_tls(tls: &ServerTls) -> ServerTlsConfig {
    let config = ServerTlsConfig::new().identity(Identity::from_pem(&tls.cert, &tls.key));
    match &tls.client_ca {
        Some(ca) => config.client_ca_root(Certificate::from_pem(ca)),
        None => config,
    }
}
