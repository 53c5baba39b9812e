//! The test chaincode and the harness that wires it to a mock peer in either mode.

use std::net::SocketAddr;
use std::time::Duration;

use gridledger_shim::config::{ClientConfig, ClientTls, ServerConfig, ServerTls};
use gridledger_shim::protos::peer::chaincode_message::Type;
use gridledger_shim::stub::Page;
use gridledger_shim::{CcaasServer, Chaincode, ChaincodeStub, Error, Response};
use gridledger_testkit::mock_peer::tls::{DialTls, ListenTls};
use gridledger_testkit::mock_peer::{Connection, MockPeer, Outcome, PeerOptions, Tx};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub(crate) const CC_ID: &str = "gridledger-test:0123456789abcdef";
pub(crate) const CH: &str = "energy";
const WAIT: Duration = Duration::from_secs(5);

/// A chaincode dispatching on its first argument; `hooks` lets it tell the test where it is.
pub(crate) struct TestCc {
    pub hooks: mpsc::UnboundedSender<String>,
}

impl Chaincode for TestCc {
    fn init(&self, stub: &dyn ChaincodeStub) -> Response {
        let args = strings(stub);
        match args.first().map(String::as_str) {
            Some("fail") => Response::error("init refused"),
            Some("panic") => panic!("init exploded"),
            Some("put") => respond(stub.put_state(&args[1], args[2].as_bytes()).map(|()| b"init".to_vec())),
            _ => Response::success("init"),
        }
    }

    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let args = strings(stub);
        let (f, a) = args.split_first().map_or(("", &[][..]), |(f, a)| (f.as_str(), a));
        if f == "panic" {
            panic!("chaincode exploded on purpose");
        }
        respond(self.run(stub, f, a))
    }
}

fn strings(stub: &dyn ChaincodeStub) -> Vec<String> {
    stub.args().iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()
}

fn respond(result: Result<Vec<u8>, Error>) -> Response {
    match result {
        Ok(payload) => Response::success(payload),
        Err(e) => Response::error(describe(&e)),
    }
}

/// Names the error variant so tests can tell a peer refusal from a decode failure.
pub(crate) fn describe(e: &Error) -> String {
    match e {
        Error::Peer { request, message } => format!("Error::Peer {request}: {message}"),
        Error::Disconnected => "Error::Disconnected".into(),
        other => other.to_string(),
    }
}

fn opt(v: Option<Vec<u8>>) -> Vec<u8> {
    v.unwrap_or_else(|| b"<none>".to_vec())
}

fn num(s: &str) -> i32 {
    s.parse().unwrap_or(0)
}

/// `objectType[attr/attr]` for composite keys, the key itself otherwise.
fn show_key(stub: &dyn ChaincodeStub, key: &str) -> String {
    match stub.split_composite_key(key) {
        Ok((kind, attrs)) if key.starts_with('\u{0}') => format!("{kind}[{}]", attrs.join("/")),
        _ => key.to_string(),
    }
}

fn keys<'a>(
    stub: &dyn ChaincodeStub,
    iter: impl Iterator<Item = Result<gridledger_shim::stub::Kv, Error>> + 'a,
) -> Result<Vec<u8>, Error> {
    let keys: Vec<String> = iter.map(|kv| kv.map(|kv| show_key(stub, &kv.key))).collect::<Result<_, _>>()?;
    Ok(keys.join(",").into_bytes())
}

fn page(stub: &dyn ChaincodeStub, page: Page) -> Vec<u8> {
    let keys: Vec<String> = page.records.iter().map(|kv| show_key(stub, &kv.key)).collect();
    format!("{}|{}|{}", keys.join(","), show_key(stub, &page.bookmark), page.fetched_records_count).into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TestCc {
    fn hook(&self, text: String) {
        // The test may have stopped listening; the chaincode carries on.
        let _ = self.hooks.send(text);
    }

    fn run(&self, stub: &dyn ChaincodeStub, f: &str, a: &[String]) -> Result<Vec<u8>, Error> {
        let arg = |i: usize| a.get(i).map_or("", String::as_str);
        let rest = |from: usize| a.iter().skip(from).map(String::as_str).collect::<Vec<_>>();
        Ok(match f {
            "get" => opt(stub.get_state(arg(0))?),
            "put" => stub.put_state(arg(0), arg(1).as_bytes()).map(|()| Vec::new())?,
            "del" => stub.del_state(arg(0)).map(|()| Vec::new())?,
            "range" => keys(stub, stub.get_state_by_range(arg(0), arg(1))?)?,
            "range_first" => {
                let mut iter = stub.get_state_by_range(arg(0), arg(1))?;
                let first = iter.next().transpose()?.map(|kv| kv.key).unwrap_or_default();
                drop(iter);
                first.into_bytes()
            }
            "page" => page(stub, stub.get_state_by_range_with_pagination(arg(0), arg(1), num(arg(2)), arg(3))?),
            "partial" => keys(stub, stub.get_state_by_partial_composite_key(arg(0), &rest(1))?)?,
            "partial_page" => page(
                stub,
                stub.get_state_by_partial_composite_key_with_pagination(arg(0), &rest(3), num(arg(1)), arg(2))?,
            ),
            "all_composite_page" => page(stub, stub.get_all_states_composite_key_with_pagination(num(arg(0)), arg(1))?),
            "rich" => keys(stub, stub.get_query_result(arg(0))?)?,
            "rich_page" => page(stub, stub.get_query_result_with_pagination(arg(0), num(arg(1)), arg(2))?),
            "history" => {
                let mods: Vec<String> = stub
                    .get_history_for_key(arg(0))?
                    .map(|m| {
                        m.map(|m| {
                            let v = if m.is_delete {
                                "(deleted)".into()
                            } else {
                                String::from_utf8_lossy(&m.value).into_owned()
                            };
                            format!("{}={v}", m.tx_id)
                        })
                    })
                    .collect::<Result<_, _>>()?;
                mods.join(",").into_bytes()
            }
            "setvp" => stub.set_state_validation_parameter(arg(0), arg(1).as_bytes()).map(|()| Vec::new())?,
            "getvp" => opt(stub.get_state_validation_parameter(arg(0))?),
            "multi" => join(stub.get_multiple_states(&rest(0))?),
            "pmulti" => join(stub.get_multiple_private_data(arg(0), &rest(1))?),
            "pget" => opt(stub.get_private_data(arg(0), arg(1))?),
            "pput" => stub.put_private_data(arg(0), arg(1), arg(2).as_bytes()).map(|()| Vec::new())?,
            "pdel" => stub.del_private_data(arg(0), arg(1)).map(|()| Vec::new())?,
            "ppurge" => stub.purge_private_data(arg(0), arg(1)).map(|()| Vec::new())?,
            "phash" => stub.get_private_data_hash(arg(0), arg(1))?.map(|h| hex(&h)).unwrap_or_default().into_bytes(),
            "prange" => keys(stub, stub.get_private_data_by_range(arg(0), arg(1), arg(2))?)?,
            "ppartial" => keys(stub, stub.get_private_data_by_partial_composite_key(arg(0), arg(1), &rest(2))?)?,
            "prich" => keys(stub, stub.get_private_data_query_result(arg(0), arg(1))?)?,
            "psetvp" => {
                stub.set_private_data_validation_parameter(arg(0), arg(1), arg(2).as_bytes()).map(|()| Vec::new())?
            }
            "pgetvp" => opt(stub.get_private_data_validation_parameter(arg(0), arg(1))?),
            "transient" => opt(stub.transient().get(arg(0)).cloned()),
            "proposal" => {
                let ts = stub.tx_timestamp()?;
                let decorations: Vec<String> =
                    stub.decorations().iter().map(|(k, v)| format!("{k}={}", String::from_utf8_lossy(v))).collect();
                format!(
                    "tx={} ch={} creator={} binding={} ts={}.{} decorations={} signed={}",
                    stub.tx_id(),
                    stub.channel_id(),
                    hex(stub.creator()),
                    hex(stub.binding()),
                    ts.seconds,
                    ts.nanos,
                    decorations.join(";"),
                    stub.signed_proposal().is_some_and(|p| !p.proposal_bytes.is_empty()),
                )
                .into_bytes()
            }
            "event" => stub.set_event(arg(0), arg(1).as_bytes()).map(|()| Vec::new())?,
            "invoke" => {
                let args: Vec<Vec<u8>> = rest(2).iter().map(|s| s.as_bytes().to_vec()).collect();
                let r = stub.invoke_chaincode(arg(0), &args, arg(1))?;
                format!("{}|{}|{}", r.status, r.message, String::from_utf8_lossy(&r.payload)).into_bytes()
            }
            "fail_after_put" => {
                stub.put_state(arg(0), arg(1).as_bytes())?;
                return Err(Error::InvalidArgument("failing on purpose after a write".into()));
            }
            "putmany" => {
                // Reverse order, a repeated key, a delete, a private write and metadata: the batch must sort them.
                let n = num(arg(0));
                for i in (0..n).rev() {
                    stub.put_state(&format!("m{i:04}"), format!("v{i}").as_bytes())?;
                }
                stub.put_state("m0000", b"last")?;
                stub.del_state("gone")?;
                stub.put_private_data("c1", "p", b"secret")?;
                stub.set_state_validation_parameter("m0000", b"policy")?;
                Vec::new()
            }
            "putdel" => {
                // Ascending puts, then a delete of the first key: batched, the delete replaces that put.
                for i in 0..num(arg(0)) {
                    stub.put_state(&format!("n{i:05}"), b"v")?;
                }
                stub.del_state("n00000")?;
                Vec::new()
            }
            "hook_then_get" => {
                self.hook(format!("entered {}", stub.tx_id()));
                opt(stub.get_state(arg(0))?)
            }
            "get_report" => {
                let result = stub.get_state(arg(0));
                self.hook(match &result {
                    Ok(v) => format!("ok {v:?}"),
                    Err(e) => describe(e),
                });
                opt(result?)
            }
            "whoami" => {
                stub.get_state(arg(0))?;
                stub.channel_id().as_bytes().to_vec()
            }
            other => return Err(Error::InvalidArgument(format!("unknown function {other:?}"))),
        })
    }
}

fn join(values: Vec<Option<Vec<u8>>>) -> Vec<u8> {
    let values: Vec<String> = values.into_iter().map(|v| String::from_utf8_lossy(&opt(v)).into_owned()).collect();
    values.join(",").into_bytes()
}

/// How the chaincode reaches the mock peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The peer dials the chaincode server.
    Ccaas,
    /// The chaincode dials the peer.
    Classic,
}

pub(crate) const BOTH: [Mode; 2] = [Mode::Ccaas, Mode::Classic];

/// TLS for a harness: the chaincode side and the mock-peer side.
pub(crate) struct TlsSetup {
    pub server: Option<ServerTls>,
    pub dial: Option<DialTls>,
    pub client: Option<ClientTls>,
    pub listen: Option<ListenTls>,
}

/// A chaincode (in a task) connected to a mock peer.
pub(crate) struct Harness {
    pub peer: MockPeer,
    pub conn: Connection,
    pub hooks: mpsc::UnboundedReceiver<String>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<JoinHandle<gridledger_shim::Result<()>>>,
    _listener: Option<gridledger_testkit::mock_peer::Listener>,
}

/// Starts a chaincode in `mode` and completes the handshake.
pub(crate) async fn start(mode: Mode, options: PeerOptions) -> Harness {
    let h = connect(mode, options, None).await.expect("connect");
    h.conn.handshake().await.expect("handshake");
    h
}

/// Starts a chaincode in `mode` and opens the stream, without the handshake.
pub(crate) async fn connect(mode: Mode, options: PeerOptions, tls: Option<TlsSetup>) -> Result<Harness, String> {
    let peer = MockPeer::new(options);
    let (hooks_tx, hooks) = mpsc::unbounded_channel();
    let chaincode = TestCc { hooks: hooks_tx };
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        // A dropped sender (test over) also stops the chaincode.
        let _ = stopped.await;
    };
    let tls = tls.unwrap_or(TlsSetup { server: None, dial: None, client: None, listen: None });
    let (conn, done, listener) = match mode {
        Mode::Ccaas => {
            let address = SocketAddr::from(([127, 0, 0, 1], 0));
            let config = ServerConfig { chaincode_id: CC_ID.into(), address, tls: tls.server };
            let server = CcaasServer::bind(config).map_err(|e| e.to_string())?;
            let addr = server.local_addr();
            let done = tokio::spawn(server.serve(chaincode, shutdown));
            let conn = peer.dial(addr, tls.dial.as_ref()).await.map_err(|e| e.to_string())?;
            (conn, done, None)
        }
        Mode::Classic => {
            let mut listener = peer.listen(tls.listen.as_ref()).await.map_err(|e| e.to_string())?;
            let peer_address = listener.local_addr().to_string();
            let config = ClientConfig { chaincode_id: CC_ID.into(), peer_address, tls: tls.client };
            let mut done = tokio::spawn(gridledger_shim::register(config, chaincode, shutdown));
            let conn = tokio::select! {
                conn = listener.accept() => conn.map_err(|e| e.to_string())?,
                result = &mut done => return Err(format!("the chaincode stopped before registering: {result:?}")),
            };
            (conn, done, Some(listener))
        }
    };
    Ok(Harness { peer, conn, hooks, stop: Some(stop), done: Some(done), _listener: listener })
}

impl Harness {
    /// Runs one transaction on the default channel.
    pub(crate) async fn run(&self, tx_id: &str, args: &[&str]) -> Outcome {
        self.conn.invoke(Tx::new(CH, tx_id, args)).await.expect("transaction result")
    }

    /// Runs one transaction and returns its payload, insisting on status 200.
    pub(crate) async fn ok(&self, tx_id: &str, args: &[&str]) -> String {
        let out = self.run(tx_id, args).await;
        assert_eq!(out.status(), Some(200), "{tx_id} {args:?}: {out:?}");
        out.payload_text()
    }

    /// The next message the chaincode sent through its hook.
    pub(crate) async fn hook(&mut self) -> String {
        tokio::time::timeout(WAIT, self.hooks.recv()).await.expect("hook in time").expect("hook channel open")
    }

    /// Fires the chaincode's shutdown future.
    pub(crate) fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits (bounded) for the chaincode's serve/register future to return.
    pub(crate) async fn finished(&mut self) -> gridledger_shim::Result<()> {
        let done = self.done.take().expect("not awaited twice");
        tokio::time::timeout(WAIT, done).await.expect("the chaincode returns in time").expect("no panic")
    }

    /// No protocol violations, and every result carried its txid and channel.
    pub(crate) fn assert_clean(&self) {
        assert_eq!(self.conn.violations(), vec![], "protocol violations");
        for m in self.conn.received() {
            if m.r#type == Type::Completed as i32 || m.r#type == Type::Error as i32 {
                assert!(!m.txid.is_empty() && !m.channel_id.is_empty(), "result without txid/channel: {m:?}");
            }
        }
    }

    /// The received messages of `kind` for one transaction.
    pub(crate) fn sent_by(&self, tx_id: &str, kind: Type) -> Vec<gridledger_shim::protos::peer::ChaincodeMessage> {
        self.conn.received_of(kind).into_iter().filter(|m| m.txid == tx_id).collect()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            done.abort();
        }
    }
}
