//! [`ChaincodeStub`] over the gRPC stream: each call is a request to the peer and a wait for its reply.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{self};
use gridledger_protos::peer::{
    ChaincodeEvent, ChaincodeId, ChaincodeInput, ChaincodeMessage, ChaincodeSpec, DelState, GetHistoryForKey,
    GetQueryResult, GetState, GetStateByRange, GetStateMetadata, GetStateMultiple, GetStateMultipleResult, PutState,
    PutStateMetadata, QueryMetadata, QueryResponse, QueryResponseMetadata, QueryStateClose, QueryStateNext,
    StateMetadata, StateMetadataResult,
};
use gridledger_protos::prost::Message;

use crate::context::TxContext;
use crate::error::{Error, Result};
use crate::handler::PeerFeatures;
use crate::link::Link;
use crate::response::Response;
use crate::stub::{ChaincodeStub, HistoryIter, KeyModification, Kv, Page, Query, QueryIter, StateIter, WriteOp};
use crate::wire::WireCounts;
use crate::write_batch::{Write, WriteBuffer};

/// The stub of one transaction running against a real peer.
#[derive(Debug)]
pub(crate) struct PeerStub<L> {
    ctx: TxContext,
    /// What the peer offered in READY (fixed before any transaction starts).
    features: PeerFeatures,
    link: L,
    /// The buffered writes while the peer batches them; `None` sends each write on its own.
    batch: Mutex<Option<WriteBuffer>>,
    event: Mutex<Option<ChaincodeEvent>>,
    wire: Mutex<WireCounts>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded value is replaced whole, never left half-written, so a poisoned lock is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<L: Link> PeerStub<L> {
    pub(crate) fn new(ctx: TxContext, features: PeerFeatures, link: L) -> Self {
        let batching = features.write_batch.is_some() && !batching_disabled();
        Self {
            ctx,
            features,
            link,
            batch: Mutex::new(batching.then(WriteBuffer::default)),
            event: Mutex::new(None),
            wire: Mutex::new(WireCounts::default()),
        }
    }

    /// Sends one request and waits for its RESPONSE payload.
    fn request(&self, kind: Type, payload: Vec<u8>) -> Result<Vec<u8>> {
        self.request_of(kind, payload, 0)
    }

    /// [`Self::request`] for a message carrying `items` records or keys (for the wire counts).
    fn request_of(&self, kind: Type, payload: Vec<u8>, items: usize) -> Result<Vec<u8>> {
        lock(&self.wire).sent(kind, items);
        let msg = ChaincodeMessage {
            r#type: kind as i32,
            payload,
            txid: self.ctx.tx_id().to_string(),
            channel_id: self.ctx.channel_id().to_string(),
            ..Default::default()
        };
        let reply = self.link.exchange(msg)?;
        match Type::try_from(reply.r#type) {
            Ok(Type::Response) => Ok(reply.payload),
            Ok(Type::Error) => Err(Error::Peer {
                request: kind.as_str_name(),
                message: String::from_utf8_lossy(&reply.payload).into_owned(),
            }),
            _ => Err(Error::UnexpectedReply { request: kind.as_str_name(), got: reply.r#type.to_string() }),
        }
    }

    fn decoded<M: Message + Default>(&self, kind: Type, payload: Vec<u8>, what: &'static str) -> Result<M> {
        let bytes = self.request(kind, payload)?;
        M::decode(bytes.as_slice()).map_err(|e| Error::decode(what, e))
    }

    fn get_one(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let payload = GetState { key: key.to_string(), collection: collection.to_string() }.encode_to_vec();
        Ok(non_empty(self.request(Type::GetState, payload)?))
    }

    fn send_write(&self, collection: &str, key: &str, op: WriteOp) -> Result<()> {
        let (collection, key) = (collection.to_string(), key.to_string());
        let (kind, payload) = match op {
            WriteOp::Put(value) => (Type::PutState, PutState { key, value, collection }.encode_to_vec()),
            WriteOp::Delete => (Type::DelState, DelState { key, collection }.encode_to_vec()),
            // Fabric's PurgePrivateState is wire-identical to DelState.
            WriteOp::Purge => (Type::PurgePrivateData, DelState { key, collection }.encode_to_vec()),
            WriteOp::Metadata { name, value } => {
                let metadata = Some(StateMetadata { metakey: name, value });
                (Type::PutStateMetadata, PutStateMetadata { key, collection, metadata }.encode_to_vec())
            }
        };
        self.request(kind, payload).map(drop)
    }

    /// Sends the buffered writes (Fabric 3.1 WRITE_BATCH_STATE), sorted, in chunks the peer accepts.
    pub(crate) fn flush(&self) -> Result<()> {
        let Some(batch) = lock(&self.batch).as_mut().map(std::mem::take) else { return Ok(()) };
        let max = self.features.write_batch.unwrap_or(1).max(1) as usize;
        for (payload, records) in batch.into_batches(max) {
            self.request_of(Type::WriteBatchState, payload, records)?;
        }
        Ok(())
    }

    /// Counts the transaction's final message (COMPLETED or ERROR) and logs what the transaction sent.
    pub(crate) fn log_wire(&self, last: &ChaincodeMessage) {
        let mut wire = lock(&self.wire);
        wire.sent(Type::try_from(last.r#type).unwrap_or(Type::Undefined), 0);
        wire.log(&last.txid, &last.channel_id);
    }

    pub(crate) fn take_event(&self) -> Option<ChaincodeEvent> {
        lock(&self.event).take()
    }

    fn start_query<T: Message + Default + 'static>(
        &self,
        kind: Type,
        payload: Vec<u8>,
        what: &'static str,
    ) -> Result<QueryIter<'_, T>> {
        let first: QueryResponse = self.decoded(kind, payload, "QueryResponse")?;
        Ok(QueryIter::new(PeerIter::new(self, first, what)))
    }
}

/// Write batching is on whenever the peer offers it; this switch exists for debugging a peer that misbehaves.
/// Read once per process: the environment does not change under a running chaincode, and reading it costs a lock
/// and an allocation per transaction.
fn batching_disabled() -> bool {
    static DISABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DISABLED.get_or_init(|| std::env::var("GRIDLEDGER_WRITE_BATCH").is_ok_and(|v| v == "off" || v == "false"))
}

fn non_empty(bytes: Vec<u8>) -> Option<Vec<u8>> {
    // Fabric cannot store an empty value (putting one deletes the key), so empty means absent.
    (!bytes.is_empty()).then_some(bytes)
}

impl<L: Link> ChaincodeStub for PeerStub<L> {
    fn context(&self) -> &TxContext {
        &self.ctx
    }

    fn read(&self, collection: &str, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        let Some(max) = self.features.get_multiple.filter(|_| keys.len() > 1) else {
            return keys.iter().map(|key| self.get_one(collection, key)).collect();
        };
        let mut values = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(max as usize) {
            let payload = GetStateMultiple {
                keys: chunk.iter().map(|k| k.to_string()).collect(),
                collection: collection.to_string(),
            }
            .encode_to_vec();
            let bytes = self.request_of(Type::GetStateMultiple, payload, chunk.len())?;
            let result = GetStateMultipleResult::decode(bytes.as_slice())
                .map_err(|e| Error::decode("GetStateMultipleResult", e))?;
            if result.values.len() != chunk.len() {
                return Err(Error::UnexpectedReply {
                    request: "GET_STATE_MULTIPLE",
                    got: format!("{} values for {} keys", result.values.len(), chunk.len()),
                });
            }
            values.extend(result.values.into_iter().map(non_empty));
        }
        Ok(values)
    }

    fn write(&self, collection: &str, key: &str, op: WriteOp) -> Result<()> {
        {
            let mut batch = lock(&self.batch);
            if let Some(batch) = batch.as_mut() {
                let write = match &op {
                    WriteOp::Put(value) => Write::Put(value),
                    WriteOp::Delete => Write::Delete,
                    WriteOp::Purge => Write::Purge,
                    WriteOp::Metadata { name, value } => Write::Metadata { name, value },
                };
                batch.push(collection, key, write);
                return Ok(());
            }
        }
        self.send_write(collection, key, op)
    }

    fn write_value(&self, collection: &str, key: &str, value: &[u8]) -> Result<()> {
        {
            let mut batch = lock(&self.batch);
            if let Some(batch) = batch.as_mut() {
                // Encoded into the batch straight from the caller's slice: no owned copy per put.
                batch.push(collection, key, Write::Put(value));
                return Ok(());
            }
        }
        self.send_write(collection, key, WriteOp::Put(value.to_vec()))
    }

    fn read_private_hash(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let payload = GetState { key: key.to_string(), collection: collection.to_string() }.encode_to_vec();
        Ok(non_empty(self.request(Type::GetPrivateDataHash, payload)?))
    }

    fn read_metadata(&self, collection: &str, key: &str) -> Result<BTreeMap<String, Vec<u8>>> {
        let payload = GetStateMetadata { key: key.to_string(), collection: collection.to_string() }.encode_to_vec();
        let result: StateMetadataResult = self.decoded(Type::GetStateMetadata, payload, "StateMetadataResult")?;
        Ok(result.entries.into_iter().map(|e| (e.metakey, e.value)).collect())
    }

    fn scan(&self, collection: &str, query: Query) -> Result<StateIter<'_>> {
        let (kind, payload) = query_request(collection, query, Vec::new());
        self.start_query(kind, payload, "KV")
    }

    fn scan_page(&self, query: Query, page_size: i32, bookmark: &str) -> Result<Page> {
        let metadata = QueryMetadata { page_size, bookmark: bookmark.to_string() }.encode_to_vec();
        let (kind, payload) = query_request("", query, metadata);
        let first: QueryResponse = self.decoded(kind, payload, "QueryResponse")?;
        let meta = QueryResponseMetadata::decode(first.metadata.as_slice())
            .map_err(|e| Error::decode("QueryResponseMetadata", e))?;
        let records = PeerIter::<L, Kv>::new(self, first, "KV").collect::<Result<Vec<_>>>()?;
        Ok(Page { records, fetched_records_count: meta.fetched_records_count, bookmark: meta.bookmark })
    }

    fn history(&self, key: &str) -> Result<HistoryIter<'_>> {
        let payload = GetHistoryForKey { key: key.to_string() }.encode_to_vec();
        self.start_query::<KeyModification>(Type::GetHistoryForKey, payload, "KeyModification")
    }

    fn invoke_chaincode(&self, name: &str, args: &[Vec<u8>], channel: &str) -> Result<Response> {
        let target = if channel.is_empty() { name.to_string() } else { format!("{name}/{channel}") };
        let spec = ChaincodeSpec {
            chaincode_id: Some(ChaincodeId { name: target, ..Default::default() }),
            input: Some(ChaincodeInput { args: args.to_vec(), ..Default::default() }),
            ..Default::default()
        };
        // Like Go's shim, a refused or failed call is a 500 response carrying the peer's text as its payload (and
        // no message), not an error: callers check the status either way, and the bytes match a Go chaincode's.
        let failed = |payload: Vec<u8>| Response { status: Response::ERROR, message: String::new(), payload };
        let inner: ChaincodeMessage =
            match self.decoded(Type::InvokeChaincode, spec.encode_to_vec(), "invoked chaincode's message") {
                Ok(inner) => inner,
                Err(Error::Peer { message, .. }) => return Ok(failed(message.into_bytes())),
                Err(e) => return Err(e),
            };
        match Type::try_from(inner.r#type) {
            Ok(Type::Completed) => {
                let response = peer::Response::decode(inner.payload.as_slice())
                    .map_err(|e| Error::decode("invoked chaincode's response", e))?;
                Ok(response.into())
            }
            _ => Ok(failed(inner.payload)),
        }
    }

    fn set_event(&self, name: &str, payload: &[u8]) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidArgument("event name must not be an empty string".into()));
        }
        let event = ChaincodeEvent { event_name: name.to_string(), payload: payload.to_vec(), ..Default::default() };
        *lock(&self.event) = Some(event);
        Ok(())
    }
}

fn query_request(collection: &str, query: Query, metadata: Vec<u8>) -> (Type, Vec<u8>) {
    let collection = collection.to_string();
    match query {
        Query::Range { start, end } => (
            Type::GetStateByRange,
            GetStateByRange { start_key: start, end_key: end, collection, metadata }.encode_to_vec(),
        ),
        Query::Rich(query) => (Type::GetQueryResult, GetQueryResult { query, collection, metadata }.encode_to_vec()),
    }
}

/// Walks a peer-side iterator: a batch at a time, QUERY_STATE_NEXT while the peer has more, QUERY_STATE_CLOSE if
/// dropped early.
struct PeerIter<'a, L: Link, T> {
    stub: &'a PeerStub<L>,
    buffered: VecDeque<Vec<u8>>,
    id: String,
    has_more: bool,
    what: &'static str,
    _item: std::marker::PhantomData<T>,
}

impl<'a, L: Link, T> PeerIter<'a, L, T> {
    fn new(stub: &'a PeerStub<L>, first: QueryResponse, what: &'static str) -> Self {
        let mut iter = Self {
            stub,
            buffered: VecDeque::new(),
            id: String::new(),
            has_more: false,
            what,
            _item: std::marker::PhantomData,
        };
        iter.take(first);
        iter
    }

    fn take(&mut self, response: QueryResponse) {
        self.buffered.extend(response.results.into_iter().map(|r| r.result_bytes));
        self.id = response.id;
        self.has_more = response.has_more;
    }

    fn fetch_more(&mut self) -> Result<()> {
        let payload = QueryStateNext { id: self.id.clone() }.encode_to_vec();
        let next: QueryResponse = self.stub.decoded(Type::QueryStateNext, payload, "QueryResponse")?;
        self.take(next);
        Ok(())
    }
}

impl<L: Link, T: Message + Default> Iterator for PeerIter<'_, L, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.buffered.is_empty() && self.has_more {
            if let Err(e) = self.fetch_more() {
                self.has_more = false;
                return Some(Err(e));
            }
        }
        let bytes = self.buffered.pop_front()?;
        Some(T::decode(bytes.as_slice()).map_err(|e| Error::decode(self.what, e)))
    }
}

impl<L: Link, T> Drop for PeerIter<'_, L, T> {
    fn drop(&mut self) {
        if !self.has_more {
            return; // The peer frees an exhausted iterator by itself.
        }
        let payload = QueryStateClose { id: self.id.clone() }.encode_to_vec();
        // The peer also closes every iterator when the transaction completes, so a failed close loses nothing.
        if let Err(e) = self.stub.request(Type::QueryStateClose, payload) {
            tracing::debug!("closing query iterator {}: {e}", self.id);
        }
    }
}
