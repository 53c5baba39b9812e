//! Runs the protocol on one stream, in either mode: picks the executor and puts the [`crate::driver`] to work with
//! it.
//!
//! Dependencies point one way: this module uses the driver and the executors; the driver knows executors only
//! through [`TxExecutor`](crate::executor::TxExecutor); the executors use the transaction runner, the stub and the
//! stream's link, none of which know about drivers or executors.

use std::sync::Arc;

use futures_util::Stream;
use gridledger_protos::peer::ChaincodeMessage;
use tokio::sync::{mpsc, watch};

use crate::Chaincode;
use crate::driver::drive;
use crate::error::Result;
use crate::executor::Executor;
use crate::link::Outgoing;
use crate::threads::Threads;

/// Runs the protocol on one stream until the peer ends it or `shutdown` fires and in-flight work is done; hands
/// the incoming stream back (the client mode keeps reading it until the peer closes its side) unless it was lost.
///
/// REGISTER must already be queued on `outgoing`: the chaincode always speaks first.
pub(crate) async fn run<C, S>(
    chaincode: Arc<C>,
    incoming: S,
    outgoing: mpsc::UnboundedSender<ChaincodeMessage>,
    shutdown: watch::Receiver<bool>,
) -> (Result<()>, Option<S>)
where
    C: Chaincode,
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin + Send + 'static,
{
    let outgoing = Outgoing::new(outgoing);
    match Executor::for_chaincode(chaincode.executor()) {
        Executor::Threads => {
            let mut incoming = incoming;
            let mut executor = Threads::new(chaincode, outgoing.clone());
            let result = drive(&mut executor, &mut incoming, &outgoing, shutdown).await;
            (result, Some(incoming))
        }
        Executor::Coroutine => crate::placement::run_coroutines(chaincode, incoming, outgoing, shutdown).await,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use gridledger_protos::peer::ChaincodeInput;
    use gridledger_protos::peer::chaincode_message::Type;
    use gridledger_protos::prost::Message;
    use tokio_stream::wrappers::UnboundedReceiverStream;

    use super::*;
    use crate::Response;
    use crate::error::Error;
    use crate::stub::ChaincodeStub;

    /// Reads one key and reports how the read ended.
    struct Reader(std::sync::mpsc::Sender<String>);

    impl Chaincode for Reader {
        fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
            let outcome = stub.get_state("k").map(drop).map_err(|e| e.to_string());
            let _ = self.0.send(format!("{outcome:?}"));
            Response::success(Vec::new())
        }
    }

    fn msg(kind: Type, payload: Vec<u8>) -> Result<ChaincodeMessage, tonic::Status> {
        Ok(ChaincodeMessage {
            r#type: kind as i32,
            payload,
            txid: "t1".into(),
            channel_id: "ch".into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_failed_send_still_wakes_transactions_waiting_for_replies() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (ended, report) = rt.block_on(async {
            let (peer, incoming) = mpsc::unbounded_channel();
            let (outgoing, mut sent) = mpsc::unbounded_channel();
            let (_stop, stop) = watch::channel(false);
            let (report, reports) = std::sync::mpsc::channel();
            let driver = tokio::spawn(async move {
                run(Arc::new(Reader(report)), UnboundedReceiverStream::new(incoming), outgoing, stop).await.0
            });
            peer.send(msg(Type::Registered, Vec::new())).unwrap();
            peer.send(msg(Type::Ready, Vec::new())).unwrap();
            peer.send(msg(Type::Transaction, ChaincodeInput::default().encode_to_vec())).unwrap();
            let request = tokio::time::timeout(Duration::from_secs(5), sent.recv()).await.unwrap().unwrap();
            assert_eq!(request.r#type, Type::GetState as i32);
            // The transport drops our sending side; the next message that needs an answer fails to send.
            drop(sent);
            peer.send(msg(Type::Keepalive, Vec::new())).unwrap();
            let ended = tokio::time::timeout(Duration::from_secs(5), driver).await.unwrap().unwrap();
            let report =
                tokio::task::spawn_blocking(move || reports.recv_timeout(Duration::from_secs(5))).await.unwrap();
            (ended, report)
        });
        // A stranded worker thread must fail the test, not hang it.
        rt.shutdown_timeout(Duration::from_secs(1));
        assert!(matches!(ended, Err(Error::Disconnected)), "{ended:?}");
        assert_eq!(report.as_deref(), Ok(r#"Err("connection to the peer is closed")"#), "the waiting read is woken");
    }
}
