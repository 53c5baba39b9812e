//! shim-echo: the transport floor for the shim benchmark.
//!
//! A chaincode server on `protos.Chaincode/Connect` that performs the `GetPut` message exchange with no chaincode
//! runtime at all: on TRANSACTION it sends GET_STATE for `args[1]`, on that RESPONSE it sends PUT_STATE of
//! `args[2]`, on the next RESPONSE it sends COMPLETED carrying the value read. Everything happens on the stream's
//! own task (no worker threads, no per-transaction tasks, no proposal decoding), so it measures what gRPC over
//! loopback costs: no real shim can beat it on this transport.
//!
//! With `--flush` (`SHIM_ECHO_FLUSH=true`) it lets the writer send its replies early in a run of messages, exactly
//! as the shim's stream driver does (after the 4th, then every 16th: `FIRST_FLUSH`, `FLUSH_EVERY` in
//! `chaincode/shim/src/driver.rs`); without, it handles every message already received before anything is written.
//!
//! Reads the same environment as the chaincodes: `CHAINCODE_SERVER_ADDRESS` and `CHAINCODE_ID`.

use std::collections::HashMap;
use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Parser;
use futures_util::FutureExt;
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::chaincode_server::{Chaincode, ChaincodeServer};
use gridledger_protos::peer::{ChaincodeId, ChaincodeInput, ChaincodeMessage, GetState, PutState, Response};
use gridledger_protos::prost::Message;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Status, Streaming};

/// Echo chaincode server: the GetPut message exchange with no chaincode logic.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Listen address.
    #[arg(long, env = "CHAINCODE_SERVER_ADDRESS")]
    address: SocketAddr,
    /// Package id sent in REGISTER.
    #[arg(long, env = "CHAINCODE_ID", default_value = "echo:0")]
    chaincode_id: String,
    /// Runtime worker threads; 0 = one per core, 1 = a current-thread runtime (as the gridledger shim's default
    /// coroutine executor).
    #[arg(long, env = "SHIM_ECHO_THREADS", default_value_t = 0)]
    threads: usize,
    /// Send replies early in a run of messages, as the shim does.
    #[arg(long, env = "SHIM_ECHO_FLUSH", default_value_t = false)]
    flush: bool,
}

/// The shim driver's flush points (`chaincode/shim/src/driver.rs`), mirrored: this binary has no shim in it.
const FIRST_FLUSH: usize = 4;
const FLUSH_EVERY: usize = 16;

#[derive(Debug)]
struct Echo {
    chaincode_id: String,
    flush: bool,
}

type Outgoing = UnboundedReceiverStream<Result<ChaincodeMessage, Status>>;

#[tonic::async_trait]
impl Chaincode for Echo {
    type ConnectStream = Outgoing;

    async fn connect(
        &self,
        request: Request<Streaming<ChaincodeMessage>>,
    ) -> Result<tonic::Response<Outgoing>, Status> {
        let (out, rx) = mpsc::unbounded_channel();
        let register = ChaincodeMessage {
            r#type: Type::Register as i32,
            payload: ChaincodeId { name: self.chaincode_id.clone(), ..Default::default() }.encode_to_vec(),
            ..Default::default()
        };
        out.send(Ok(register)).map_err(|_| Status::internal("stream closed"))?;
        let incoming = request.into_inner();
        let flush = self.flush;
        tokio::spawn(async move {
            if let Err(e) = serve(incoming, out, flush).await {
                eprintln!("shim-echo: stream ended: {e:#}");
            }
        });
        Ok(tonic::Response::new(UnboundedReceiverStream::new(rx)))
    }
}

/// Where a transaction is in the GetPut exchange.
#[derive(Debug)]
enum Stage {
    /// GET_STATE sent; the key and value to write next.
    Reading { key: String, value: Vec<u8> },
    /// PUT_STATE sent; the value read, returned in COMPLETED.
    Writing { old: Vec<u8> },
}

async fn serve(
    mut incoming: Streaming<ChaincodeMessage>,
    out: mpsc::UnboundedSender<Result<ChaincodeMessage, Status>>,
    flush: bool,
) -> Result<()> {
    let mut echo = Exchange { txs: HashMap::new(), out };
    while let Some(msg) = incoming.message().await? {
        echo.handle(msg)?;
        // The rest of the run: every message already received.
        let mut handled = 1;
        while let Some(next) = incoming.message().now_or_never() {
            let Some(msg) = next? else { return Ok(()) };
            if flush && (handled == FIRST_FLUSH || handled.is_multiple_of(FLUSH_EVERY)) {
                tokio::task::yield_now().await;
            }
            echo.handle(msg)?;
            handled += 1;
        }
    }
    Ok(())
}

/// The transactions of one stream, and the writer towards the peer.
struct Exchange {
    // Keyed like a shim: the same txid may run on two channels.
    txs: HashMap<(String, String), Stage>,
    out: mpsc::UnboundedSender<Result<ChaincodeMessage, Status>>,
}

impl Exchange {
    fn handle(&mut self, msg: ChaincodeMessage) -> Result<()> {
        let (txs, out) = (&mut self.txs, &self.out);
        let send = |kind: Type, payload: Vec<u8>, txid: String, channel_id: String| {
            let msg = ChaincodeMessage { r#type: kind as i32, payload, txid, channel_id, ..Default::default() };
            out.send(Ok(msg)).map_err(|_| anyhow::anyhow!("peer stream closed"))
        };
        match Type::try_from(msg.r#type) {
            Ok(Type::Transaction | Type::Init) => {
                let mut args = ChaincodeInput::decode(msg.payload.as_slice()).context("ChaincodeInput")?.args;
                let value = if args.len() > 2 { std::mem::take(&mut args[2]) } else { Vec::new() };
                let key = args.get_mut(1).map(std::mem::take).unwrap_or_default();
                let key = String::from_utf8(key).unwrap_or_default();
                let request = GetState { key: key.clone(), collection: String::new() }.encode_to_vec();
                txs.insert((msg.channel_id.clone(), msg.txid.clone()), Stage::Reading { key, value });
                send(Type::GetState, request, msg.txid, msg.channel_id)?;
            }
            Ok(Type::Response | Type::Error) => {
                let id = (msg.channel_id, msg.txid);
                match txs.remove(&id) {
                    Some(Stage::Reading { key, value }) => {
                        let request = PutState { key, value, collection: String::new() }.encode_to_vec();
                        txs.insert(id.clone(), Stage::Writing { old: msg.payload });
                        send(Type::PutState, request, id.1, id.0)?;
                    }
                    Some(Stage::Writing { old }) => {
                        let response = Response { status: 200, message: String::new(), payload: old }.encode_to_vec();
                        send(Type::Completed, response, id.1, id.0)?;
                    }
                    None => eprintln!("shim-echo: reply for no transaction {:?}", id.1),
                }
            }
            Ok(Type::Keepalive) => send(Type::Keepalive, Vec::new(), msg.txid, msg.channel_id)?,
            // REGISTERED and READY need no answer.
            _ => {}
        }
        Ok(())
    }
}

async fn shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = match args.threads {
        0 => tokio::runtime::Builder::new_multi_thread().enable_all().build()?,
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        n => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build()?,
    };
    runtime.block_on(async {
        let incoming = TcpIncoming::bind(args.address)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.address))?
            .with_nodelay(Some(true));
        let service = ChaincodeServer::new(Echo { chaincode_id: args.chaincode_id, flush: args.flush })
            .max_decoding_message_size(100 << 20)
            .max_encoding_message_size(100 << 20);
        Server::builder().add_service(service).serve_with_incoming_shutdown(incoming, shutdown()).await?;
        Ok(())
    })
}
