//! An in-process Fabric peer speaking the real gRPC chaincode protocol, for testing the shim over the wire.
//!
//! Both directions: [`MockPeer::dial`] connects to a chaincode-as-a-service server (`protos.Chaincode/Connect`), and
//! [`MockPeer::listen`] serves `protos.ChaincodeSupport/Register` on `127.0.0.1:0` for classic chaincodes. Either
//! way the test gets a [`Connection`]: it drives the peer side of the handshake, sends INIT/TRANSACTION ([`Tx`]),
//! and receives each transaction's COMPLETED/ERROR by (channel, txid).
//!
//! Ledger requests are answered from a [`Ledger`] (or by a scripted [`Responder`] that can inject ERROR replies,
//! garbage payloads, delays or silence). Like a real peer, the mock
//! - allows at most one outstanding request per (channel, txid): a second one is a [`Violation`] and gets no reply;
//! - ends the stream on WRITE_BATCH_STATE / GET_STATE_MULTIPLE unless READY advertised them (a 2.5 peer does), on
//!   unknown message types, and on ledger requests before READY;
//! - answers requests for a transaction it is not running with ERROR;
//! - matches COMPLETED/ERROR by (channel, txid); one it cannot match (e.g. no channel id) is a violation.
//!
//! Every message received is recorded. All waits are bounded by [`PeerOptions::timeout`], so a shim bug fails a
//! test instead of hanging it.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use gridledger_protos::peer::chaincode_client::ChaincodeClient;
use gridledger_protos::peer::chaincode_support_server::{ChaincodeSupport, ChaincodeSupportServer};
use gridledger_protos::peer::{ChaincodeAdditionalParams, ChaincodeMessage};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity, Server, ServerTlsConfig};
use tonic::{Request as GrpcRequest, Status, Streaming};

mod conn;
pub mod ledger;
pub mod reply;
pub mod tls;
pub mod tx;

pub use conn::{Connection, PendingTx, Violation, ViolationKind};
pub use ledger::Ledger;
pub use reply::{Gate, Reply, Request, Responder};
pub use tx::{Outcome, ProposalBuilder, Tx, serialized_identity};

/// Fabric's message size limit (both directions).
const MAX_MESSAGE_SIZE: usize = 100 * 1024 * 1024;

/// What READY carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Ready {
    /// Empty, as peers up to 3.0 send it: no write batching, no multi-key reads.
    Empty,
    /// Fabric 3.1 `ChaincodeAdditionalParams`.
    Params(ChaincodeAdditionalParams),
    /// Arbitrary bytes (to test undecodable parameters; the mock then advertises nothing).
    Raw(Vec<u8>),
}

/// How the mock peer behaves.
#[derive(Clone)]
pub struct PeerOptions {
    /// The READY payload.
    pub ready: Ready,
    /// Results per query batch (the real peer uses 100).
    pub range_batch: usize,
    /// Bound on every wait (handshake, results, accept).
    pub timeout: Duration,
    /// Send KEEPALIVE at this interval (Fabric's `chaincode.keepalive`; off by default).
    pub keepalive: Option<Duration>,
    /// Scripted answers; `None` answers everything from the ledger.
    pub responder: Option<Responder>,
}

impl std::fmt::Debug for PeerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerOptions")
            .field("ready", &self.ready)
            .field("range_batch", &self.range_batch)
            .field("timeout", &self.timeout)
            .field("keepalive", &self.keepalive)
            .field("responder", &self.responder.is_some())
            .finish()
    }
}

impl Default for PeerOptions {
    fn default() -> Self {
        Self::fabric_2_5()
    }
}

impl PeerOptions {
    /// A 2.5/3.0 peer: empty READY.
    pub fn fabric_2_5() -> Self {
        Self {
            ready: Ready::Empty,
            range_batch: 100,
            timeout: Duration::from_secs(5),
            keepalive: None,
            responder: None,
        }
    }

    /// A 3.1 peer with core.yaml defaults: write batching and multi-key reads on, 1000 each.
    pub fn fabric_3_1() -> Self {
        Self::fabric_2_5().with_params(ChaincodeAdditionalParams {
            use_write_batch: true,
            max_size_write_batch: 1000,
            use_get_multiple_keys: true,
            max_size_get_multiple_keys: 1000,
        })
    }

    /// READY with these parameters.
    pub fn with_params(mut self, params: ChaincodeAdditionalParams) -> Self {
        self.ready = Ready::Params(params);
        self
    }

    /// Query results per batch.
    pub fn with_range_batch(mut self, n: usize) -> Self {
        self.range_batch = n;
        self
    }

    /// Scripted answers.
    pub fn with_responder(mut self, f: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        self.responder = Some(Arc::new(f));
        self
    }

    /// Periodic KEEPALIVE.
    pub fn with_keepalive(mut self, every: Duration) -> Self {
        self.keepalive = Some(every);
        self
    }

    /// Bound on every wait.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What can go wrong on the mock peer's side.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// Connecting or serving failed.
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The gRPC call failed.
    #[error("gRPC status: {0}")]
    Status(#[from] Status),
    /// Binding a socket failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A wait exceeded [`PeerOptions::timeout`].
    #[error("timed out waiting for {0}")]
    Timeout(String),
    /// The stream ended.
    #[error("stream closed: {0}")]
    Closed(String),
    /// The test used the mock wrongly (e.g. started a transaction twice).
    #[error("{0}")]
    Usage(String),
}

/// A transaction's identity on a stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TxKey {
    /// The channel.
    pub channel_id: String,
    /// The transaction id.
    pub tx_id: String,
}

impl TxKey {
    /// The key of a message.
    pub fn of(msg: &ChaincodeMessage) -> Self {
        Self { channel_id: msg.channel_id.clone(), tx_id: msg.txid.clone() }
    }
}

pub(crate) struct PeerInner {
    pub(crate) options: PeerOptions,
    pub(crate) ledger: Mutex<Ledger>,
}

impl PeerInner {
    pub(crate) fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The mock peer: options and a ledger shared by all its connections.
#[derive(Clone)]
pub struct MockPeer {
    inner: Arc<PeerInner>,
}

impl std::fmt::Debug for MockPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockPeer").field("options", &self.inner.options).finish_non_exhaustive()
    }
}

impl MockPeer {
    /// A peer with an empty ledger.
    pub fn new(options: PeerOptions) -> Self {
        Self { inner: Arc::new(PeerInner { options, ledger: Mutex::new(Ledger::default()) }) }
    }

    /// The committed ledger (seed it before transactions, inspect it after).
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.inner.ledger()
    }

    /// Dials a chaincode server (CCaaS) and opens the `Connect` stream. Call [`Connection::handshake`] next.
    pub async fn dial(&self, addr: SocketAddr, tls: Option<&tls::DialTls>) -> Result<Connection, MockError> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let timeout = self.inner.options.timeout;
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{addr}"))?.connect_timeout(timeout);
        if let Some(tls) = tls {
            let mut config = ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&tls.ca_pem))
                .domain_name(tls.domain.clone());
            if let Some(id) = &tls.identity {
                config = config.identity(Identity::from_pem(&id.cert_pem, &id.key_pem));
            }
            endpoint = endpoint.tls_config(config)?;
        }
        let open = async {
            let channel = endpoint.connect().await?;
            let mut client = ChaincodeClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE);
            let (tx, rx) = mpsc::unbounded_channel();
            let incoming = client.connect(UnboundedReceiverStream::new(rx)).await?.into_inner();
            Ok::<_, MockError>(Connection::start(Arc::clone(&self.inner), incoming, tx))
        };
        tokio::time::timeout(timeout, open).await.map_err(|_| MockError::Timeout(format!("dialing {addr}")))?
    }

    /// Serves `ChaincodeSupport/Register` on `127.0.0.1:0` for classic chaincodes.
    pub async fn listen(&self, tls: Option<&tls::ListenTls>) -> Result<Listener, MockError> {
        let incoming = TcpIncoming::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?.with_nodelay(Some(true));
        let addr = incoming.local_addr()?;
        let (accepted_tx, accepted) = mpsc::unbounded_channel();
        let service = SupportService { peer: Arc::clone(&self.inner), accepted: accepted_tx };
        let service = ChaincodeSupportServer::new(service)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let mut builder = Server::builder();
        if let Some(tls) = tls {
            let mut config =
                ServerTlsConfig::new().identity(Identity::from_pem(&tls.server.cert_pem, &tls.server.key_pem));
            if let Some(ca) = &tls.client_ca {
                config = config.client_ca_root(Certificate::from_pem(ca));
            }
            builder = builder.tls_config(config)?;
        }
        let router = builder.add_service(service);
        let task = tokio::spawn(async move {
            if let Err(e) = router.serve_with_incoming(incoming).await {
                tracing::warn!("mock peer listener failed: {e}");
            }
        });
        Ok(Listener { addr, accepted, task, timeout: self.inner.options.timeout })
    }
}

type Outgoing = Pin<Box<dyn Stream<Item = Result<ChaincodeMessage, Status>> + Send>>;

struct SupportService {
    peer: Arc<PeerInner>,
    accepted: mpsc::UnboundedSender<Connection>,
}

#[tonic::async_trait]
impl ChaincodeSupport for SupportService {
    type RegisterStream = Outgoing;

    async fn register(
        &self,
        request: GrpcRequest<Streaming<ChaincodeMessage>>,
    ) -> Result<tonic::Response<Outgoing>, Status> {
        let (tx, rx) = mpsc::unbounded_channel();
        let conn = Connection::start(Arc::clone(&self.peer), request.into_inner(), tx);
        if self.accepted.send(conn).is_err() {
            return Err(Status::unavailable("the mock peer's listener is gone"));
        }
        Ok(tonic::Response::new(Box::pin(UnboundedReceiverStream::new(rx).map(Ok))))
    }
}

/// The mock peer's chaincode listener (classic mode). Stops serving when dropped.
#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    accepted: mpsc::UnboundedReceiver<Connection>,
    task: JoinHandle<()>,
    timeout: Duration,
}

impl Listener {
    /// The bound address (give it to the chaincode as `peer_address`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The next chaincode that called `Register`.
    pub async fn accept(&mut self) -> Result<Connection, MockError> {
        match tokio::time::timeout(self.timeout, self.accepted.recv()).await {
            Ok(Some(conn)) => Ok(conn),
            Ok(None) => Err(MockError::Closed("listener stopped".into())),
            Err(_) => Err(MockError::Timeout("a chaincode to register".into())),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests;
