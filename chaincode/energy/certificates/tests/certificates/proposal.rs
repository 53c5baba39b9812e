//! Signed proposals for the in-memory ledger, which has none: each chaincode is registered wrapped in
//! [`Proposed`], which hands it a stub whose context carries a real `SignedProposal`. The outermost call builds it
//! (naming the chaincode the test invokes, with the transaction's creator, timestamp, arguments and transient
//! map); chaincode-to-chaincode calls reuse the outer one, as the peer passes the original proposal to the callee.
//! Trade's `PostCertificatePayment` reads the chaincode name from it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use gridledger_protos::common::{ChannelHeader, Header, HeaderType, SignatureHeader};
use gridledger_protos::peer::{
    ChaincodeHeaderExtension, ChaincodeId, ChaincodeInput, ChaincodeInvocationSpec, ChaincodeProposalPayload,
    ChaincodeSpec, Proposal, SignedProposal,
};
use gridledger_protos::prost::Message as _;
use gridledger_shim::stub::{HistoryIter, Page, Query, StateIter, WriteOp};
use gridledger_shim::{Chaincode, ChaincodeStub, Response, Result, TxContext};

thread_local! {
    static OUTER: RefCell<Option<SignedProposal>> = const { RefCell::new(None) };
}

/// A chaincode that sees a signed proposal.
pub(crate) struct Proposed {
    /// The name it is deployed under (what an outermost proposal names).
    pub name: String,
    /// The chaincode.
    pub inner: Arc<dyn Chaincode>,
}

impl Proposed {
    /// Wraps `inner`, deployed as `name`.
    pub(crate) fn new(name: &str, inner: Arc<dyn Chaincode>) -> Arc<Self> {
        Arc::new(Self { name: name.to_string(), inner })
    }
}

/// Clears the outer proposal when the outermost call ends, even by a panic.
struct Outermost;

impl Drop for Outermost {
    fn drop(&mut self) {
        OUTER.with(|o| *o.borrow_mut() = None);
    }
}

/// The proposal a client would send to chaincode `name` for the transaction `stub` simulates.
pub(crate) fn proposal(name: &str, stub: &dyn ChaincodeStub) -> SignedProposal {
    let extension =
        ChaincodeHeaderExtension { chaincode_id: Some(ChaincodeId { name: name.to_string(), ..Default::default() }) };
    let channel_header = ChannelHeader {
        r#type: HeaderType::EndorserTransaction as i32,
        channel_id: stub.channel_id().to_string(),
        tx_id: stub.tx_id().to_string(),
        timestamp: stub.tx_timestamp().ok(),
        extension: extension.encode_to_vec(),
        ..Default::default()
    };
    let signature_header = SignatureHeader { creator: stub.creator().to_vec(), nonce: b"nonce".to_vec() };
    let header =
        Header { channel_header: channel_header.encode_to_vec(), signature_header: signature_header.encode_to_vec() };
    let spec = ChaincodeInvocationSpec {
        chaincode_spec: Some(ChaincodeSpec {
            chaincode_id: Some(ChaincodeId { name: name.to_string(), ..Default::default() }),
            input: Some(ChaincodeInput { args: stub.args().to_vec(), ..Default::default() }),
            ..Default::default()
        }),
    };
    let payload = ChaincodeProposalPayload {
        input: spec.encode_to_vec(),
        transient_map: stub.transient().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    let proposal = Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), ..Default::default() };
    SignedProposal { proposal_bytes: proposal.encode_to_vec(), signature: b"unchecked".to_vec() }
}

impl Chaincode for Proposed {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let outer = OUTER.with(|o| o.borrow().clone());
        let _outermost = outer.is_none().then_some(Outermost);
        let signed = outer.unwrap_or_else(|| {
            let signed = proposal(&self.name, stub);
            OUTER.with(|o| *o.borrow_mut() = Some(signed.clone()));
            signed
        });
        let input = ChaincodeInput { args: stub.args().to_vec(), ..Default::default() };
        let ctx = TxContext::from_peer(stub.channel_id().to_string(), stub.tx_id().to_string(), input, Some(signed))
            .expect("a well-formed proposal");
        self.inner.invoke(&WithProposal { inner: stub, ctx })
    }
}

/// A stub that answers from `ctx` (with the proposal) and delegates the ledger to `inner`.
struct WithProposal<'a> {
    inner: &'a dyn ChaincodeStub,
    ctx: TxContext,
}

impl ChaincodeStub for WithProposal<'_> {
    fn context(&self) -> &TxContext {
        &self.ctx
    }
    fn read(&self, collection: &str, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        self.inner.read(collection, keys)
    }
    fn write(&self, collection: &str, key: &str, op: WriteOp) -> Result<()> {
        self.inner.write(collection, key, op)
    }
    fn read_private_hash(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.inner.read_private_hash(collection, key)
    }
    fn read_metadata(&self, collection: &str, key: &str) -> Result<BTreeMap<String, Vec<u8>>> {
        self.inner.read_metadata(collection, key)
    }
    fn scan(&self, collection: &str, query: Query) -> Result<StateIter<'_>> {
        self.inner.scan(collection, query)
    }
    fn scan_page(&self, query: Query, page_size: i32, bookmark: &str) -> Result<Page> {
        self.inner.scan_page(query, page_size, bookmark)
    }
    fn history(&self, key: &str) -> Result<HistoryIter<'_>> {
        self.inner.history(key)
    }
    fn invoke_chaincode(&self, name: &str, args: &[Vec<u8>], channel: &str) -> Result<Response> {
        self.inner.invoke_chaincode(name, args, channel)
    }
    fn set_event(&self, name: &str, payload: &[u8]) -> Result<()> {
        self.inner.set_event(name, payload)
    }
}
