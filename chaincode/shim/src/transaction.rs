//! One transaction from its TRANSACTION (or INIT) to its final message, whichever executor runs it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{self, ChaincodeMessage};
use gridledger_protos::prost::Message;

use crate::Chaincode;
use crate::context::TxContext;
use crate::handler::{self, Execution, PeerFeatures, TxKind};
use crate::link::Link;
use crate::peer_stub::PeerStub;
use crate::response::Response;
use crate::wire::WireCounts;

/// Runs one transaction to its final message: COMPLETED, or ERROR for a failed Init or a malformed proposal.
pub(crate) fn execute<C: Chaincode, L: Link>(
    chaincode: &C,
    exec: Execution,
    features: PeerFeatures,
    link: L,
) -> ChaincodeMessage {
    let Execution { kind, input, mut message } = exec;
    // The proposal moves into the context; the message keeps only what the final reply needs (txid, channel).
    let proposal = message.proposal.take().map(|boxed| *boxed);
    let ctx = match TxContext::from_peer(message.channel_id.clone(), message.txid.clone(), input, proposal) {
        Ok(ctx) => ctx,
        Err(e) => {
            let last = handler::error_reply(&message, e.to_string());
            let mut wire = WireCounts::default();
            wire.sent(Type::Error, 0);
            wire.log(&last.txid, &last.channel_id);
            return last;
        }
    };
    let stub = PeerStub::new(ctx, features, link);
    let outcome = catch_unwind(AssertUnwindSafe(|| match kind {
        TxKind::Init => chaincode.init(&stub),
        TxKind::Transaction => chaincode.invoke(&stub),
    }));
    let mut response = outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        tracing::error!(tx = %message.txid, "transaction panicked: {what}");
        Response::error(format!("chaincode panicked: {what}"))
    });
    // A failed transaction is never committed, so its buffered writes need not travel.
    if response.is_ok()
        && let Err(e) = stub.flush()
    {
        response = Response::error(format!("cannot write the transaction's batched writes: {e}"));
    }
    // Go's shim reports a failed Init as ERROR; Invoke always completes with the status inside.
    let last = if kind == TxKind::Init && response.status >= Response::ERROR {
        handler::error_reply(&message, response.message)
    } else {
        ChaincodeMessage {
            r#type: Type::Completed as i32,
            payload: peer::Response::from(response).encode_to_vec(),
            txid: message.txid,
            channel_id: message.channel_id,
            chaincode_event: stub.take_event().map(Box::new),
            ..Default::default()
        }
    };
    stub.log_wire(&last);
    last
}
