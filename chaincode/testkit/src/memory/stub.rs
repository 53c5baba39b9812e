//! One transaction: [`MemoryStub`], its write set and the peer's simulator rules.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use gridledger_shim::protos::peer::ChaincodeEvent;
use gridledger_shim::protos::prost_types::Timestamp;
use gridledger_shim::stub::{HistoryIter, Kv, Page, Query, QueryIter, StateIter, WriteOp};
use gridledger_shim::{Chaincode, ChaincodeStub, Error, Response, Result, TxContext};

use super::ledger::{CommitError, Committed, Entry, MemoryLedger, sha256, unknown_chaincode};
use super::query;
use super::rich::RichQuery;

/// Where a write goes: chaincode namespace, private collection (empty for world state) and key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WriteKey {
    /// The chaincode namespace.
    pub namespace: String,
    /// The private collection; empty for world state.
    pub collection: String,
    /// The key.
    pub key: String,
}

/// The value part of a pending write; the last write of a key in a transaction wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueWrite {
    /// Set the value (never empty: an empty put is recorded as [`ValueWrite::Delete`], as the peer does).
    Put(Vec<u8>),
    /// Delete the key (and its metadata).
    Delete,
    /// Delete a private key and erase its history.
    Purge,
}

/// Everything a transaction writes to one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyWrite {
    /// The value write, if any.
    pub value: Option<ValueWrite>,
    /// The key's new metadata, if set (replaces the committed metadata; ignored for a key that does not exist).
    pub metadata: Option<BTreeMap<String, Vec<u8>>>,
}

/// A range scan of world state, kept for phantom-read validation at commit.
#[derive(Debug, Clone)]
pub(super) struct RangeRead {
    pub(super) namespace: String,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) seen: Vec<(String, u64)>,
    pub(super) exhausted: bool,
}

/// The simulation state of one transaction, shared by the stubs of chaincode-to-chaincode calls.
#[derive(Debug, Default)]
pub(super) struct TxState {
    pub(super) writes: BTreeMap<WriteKey, KeyWrite>,
    /// Versions of committed keys as first read (`None`: absent).
    pub(super) reads: BTreeMap<WriteKey, Option<u64>>,
    pub(super) ranges: Vec<RangeRead>,
    pub(super) event: Option<(String, Vec<u8>)>,
    write_performed: bool,
    paginated_query_performed: bool,
    private_query_performed: bool,
}

#[derive(Debug, Clone)]
struct Spec {
    channel: String,
    tx_id: String,
    args: Vec<Vec<u8>>,
    creator: Vec<u8>,
    transient: BTreeMap<String, Vec<u8>>,
    timestamp: Timestamp,
    init: bool,
}

impl Spec {
    fn context(&self) -> TxContext {
        TxContext::new(self.channel.clone(), self.tx_id.clone(), self.args.clone())
            .with_creator(self.creator.clone())
            .with_transient(self.transient.clone())
            .with_timestamp(self.timestamp)
            .with_init(self.init)
    }
}

/// The [`ChaincodeStub`] of one in-memory transaction. Reads see committed state only; writes collect in the
/// transaction's write set until [`commit`](MemoryStub::commit). Dropping it (or [`abort`](MemoryStub::abort))
/// discards them.
#[derive(Debug)]
pub struct MemoryStub<'l> {
    ledger: &'l MemoryLedger,
    namespace: String,
    spec: Spec,
    ctx: TxContext,
    tx: Rc<RefCell<TxState>>,
    nested: bool,
}

impl<'l> MemoryStub<'l> {
    pub(super) fn new(
        ledger: &'l MemoryLedger,
        namespace: String,
        channel: String,
        tx_id: String,
        args: Vec<Vec<u8>>,
        timestamp: Timestamp,
    ) -> Self {
        let spec =
            Spec { channel, tx_id, args, creator: Vec::new(), transient: BTreeMap::new(), timestamp, init: false };
        let ctx = spec.context();
        Self { ledger, namespace, spec, ctx, tx: Rc::default(), nested: false }
    }

    fn respec(mut self, change: impl FnOnce(&mut Spec)) -> Self {
        change(&mut self.spec);
        self.ctx = self.spec.context();
        self
    }
    /// Sets the submitter's serialized identity (`msp.SerializedIdentity` bytes).
    pub fn with_creator(self, creator: impl Into<Vec<u8>>) -> Self {
        self.respec(|s| s.creator = creator.into())
    }
    /// Sets the transient map.
    pub fn with_transient<K: Into<String>, V: Into<Vec<u8>>>(self, map: impl IntoIterator<Item = (K, V)>) -> Self {
        let map = map.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self.respec(|s| s.transient = map)
    }
    /// Sets the transaction timestamp (instead of the ledger's clock).
    pub fn with_timestamp(self, seconds: i64, nanos: i32) -> Self {
        self.respec(|s| s.timestamp = Timestamp { seconds, nanos })
    }
    /// Sets the transaction id (instead of `tx<n>`).
    pub fn with_tx_id(self, tx_id: impl Into<String>) -> Self {
        self.respec(|s| s.tx_id = tx_id.into())
    }
    /// Sets the channel the transaction reports (the ledger's data is the same).
    pub fn with_channel(self, channel: impl Into<String>) -> Self {
        self.respec(|s| s.channel = channel.into())
    }
    /// Marks the transaction as INIT (private data APIs are then refused, as on the peer).
    pub fn with_init(self, init: bool) -> Self {
        self.respec(|s| s.init = init)
    }
    /// Runs the transaction in another chaincode namespace.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The chaincode namespace this stub reads and writes.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    /// The pending write set, in (namespace, collection, key) order.
    pub fn writes(&self) -> BTreeMap<WriteKey, KeyWrite> {
        self.tx.borrow().writes.clone()
    }
    /// The pending event (the last `set_event` of the outermost chaincode).
    pub fn event(&self) -> Option<ChaincodeEvent> {
        self.tx.borrow().event.as_ref().map(|(name, payload)| ChaincodeEvent {
            chaincode_id: self.namespace.clone(),
            tx_id: self.spec.tx_id.clone(),
            event_name: name.clone(),
            payload: payload.clone(),
        })
    }

    /// Validates the reads (MVCC) and applies the write set and event atomically as one block.
    pub fn commit(self) -> std::result::Result<Committed, CommitError> {
        let tx = self.tx.borrow();
        self.ledger.apply(&tx, &self.namespace, &self.spec.tx_id, self.spec.timestamp)
    }
    /// Discards the transaction (same as dropping it).
    pub fn abort(self) {}

    /// Runs `chaincode` (its `init` for an INIT transaction) on this stub and commits when the status is below
    /// 400. A commit that fails validation turns into a 500 response naming the conflict.
    pub fn invoke(self, chaincode: &dyn Chaincode) -> Response {
        let response = self.run(chaincode);
        if !response.is_ok() {
            return response;
        }
        let tx_id = self.spec.tx_id.clone();
        match self.commit() {
            Ok(_) => response,
            Err(e) => Response::error(format!("transaction {tx_id} was invalidated: {e}")),
        }
    }
    /// Runs `chaincode` on this stub and discards the transaction whatever the outcome.
    pub fn query(self, chaincode: &dyn Chaincode) -> Response {
        self.run(chaincode)
    }

    fn run(&self, chaincode: &dyn Chaincode) -> Response {
        if self.spec.init { chaincode.init(self) } else { chaincode.invoke(self) }
    }

    // ---- peer rules ----------------------------------------------------------------------------------------------

    fn peer_error(&self, request: &'static str, message: &str) -> Error {
        Error::Peer { request, message: format!("txid [{}]: {message}", self.spec.tx_id) }
    }

    fn check_private(&self, request: &'static str, collection: &str) -> Result<()> {
        if !collection.is_empty() && self.spec.init {
            return Err(Error::Peer {
                request,
                message: "private data APIs are not allowed in chaincode Init()".into(),
            });
        }
        Ok(())
    }

    // The peer's texts, typo included (core/ledger/kvledger/txmgmt/txmgr/tx_simulator.go).
    fn check_write(&self, request: &'static str) -> Result<()> {
        let tx = self.tx.borrow();
        if tx.private_query_performed {
            let m =
                "unsuppored transaction. Transaction has already performed queries on pvt data. Writes are not allowed";
            return Err(self.peer_error(request, m));
        }
        if tx.paginated_query_performed {
            let m =
                "unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed";
            return Err(self.peer_error(request, m));
        }
        Ok(())
    }

    fn check_read_only(&self, request: &'static str, paginated: bool) -> Result<()> {
        if self.tx.borrow().write_performed {
            let m = if paginated {
                "unsuppored transaction. Paginated queries are supported only in a read-only transaction"
            } else {
                "unsuppored transaction. Queries on pvt data is supported only in a read-only transaction"
            };
            return Err(self.peer_error(request, m));
        }
        Ok(())
    }

    fn write_key(&self, collection: &str, key: &str) -> WriteKey {
        WriteKey { namespace: self.namespace.clone(), collection: collection.to_string(), key: key.to_string() }
    }

    /// Records the committed version a read saw (the first read of a key counts).
    fn record_read(&self, collection: &str, key: &str, entry: Option<&Entry>) {
        let version = entry.map(|e| e.version);
        self.tx.borrow_mut().reads.entry(self.write_key(collection, key)).or_insert(version);
    }

    fn kv(&self, key: &str, entry: &Entry) -> Kv {
        Kv { namespace: self.namespace.clone(), key: key.to_string(), value: entry.value.clone() }
    }
}

impl ChaincodeStub for MemoryStub<'_> {
    fn context(&self) -> &TxContext {
        &self.ctx
    }

    fn read(&self, collection: &str, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        self.check_private("GET_PRIVATE_DATA", collection)?;
        let state = self.ledger.lock();
        let values = keys.iter().map(|key| {
            let entry = state.entry(&self.namespace, collection, key);
            self.record_read(collection, key, entry);
            entry.map(|e| e.value.clone())
        });
        Ok(values.collect())
    }

    fn write(&self, collection: &str, key: &str, op: WriteOp) -> Result<()> {
        let request = match (&op, collection.is_empty()) {
            (WriteOp::Put(_), true) => "PUT_STATE",
            (WriteOp::Put(_), false) => "PUT_PRIVATE_DATA",
            (WriteOp::Delete, true) => "DEL_STATE",
            (WriteOp::Delete, false) => "DEL_PRIVATE_DATA",
            (WriteOp::Purge, _) => "PURGE_PRIVATE_DATA",
            (WriteOp::Metadata { .. }, _) => "PUT_STATE_METADATA",
        };
        self.check_private(request, collection)?;
        self.check_write(request)?;
        if matches!(op, WriteOp::Purge) && collection.is_empty() {
            return Err(Error::InvalidArgument("only private data can be purged".into()));
        }
        let mut tx = self.tx.borrow_mut();
        tx.write_performed = true;
        let slot = tx.writes.entry(self.write_key(collection, key)).or_default();
        match op {
            // The peer records a nil value as a delete (rwsetutil newKVWrite: IsDelete = value == nil).
            WriteOp::Put(value) if value.is_empty() => slot.value = Some(ValueWrite::Delete),
            WriteOp::Put(value) => slot.value = Some(ValueWrite::Put(value)),
            WriteOp::Delete => slot.value = Some(ValueWrite::Delete),
            WriteOp::Purge => slot.value = Some(ValueWrite::Purge),
            // The peer sends a one-entry map, which replaces the key's metadata; an empty value removes it.
            WriteOp::Metadata { name, value } => {
                slot.metadata = Some(if value.is_empty() { BTreeMap::new() } else { BTreeMap::from([(name, value)]) });
            }
        }
        Ok(())
    }

    fn read_private_hash(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.check_private("GET_PRIVATE_DATA_HASH", collection)?;
        let state = self.ledger.lock();
        let entry = state.entry(&self.namespace, collection, key);
        self.record_read(collection, key, entry);
        Ok(entry.map(|e| sha256(&e.value)))
    }

    fn read_metadata(&self, collection: &str, key: &str) -> Result<BTreeMap<String, Vec<u8>>> {
        self.check_private("GET_STATE_METADATA", collection)?;
        let state = self.ledger.lock();
        let entry = state.entry(&self.namespace, collection, key);
        self.record_read(collection, key, entry);
        Ok(entry.map(|e| e.metadata.clone()).unwrap_or_default())
    }

    fn scan(&self, collection: &str, query: Query) -> Result<StateIter<'_>> {
        let request = if matches!(query, Query::Rich(_)) { "GET_QUERY_RESULT" } else { "GET_STATE_BY_RANGE" };
        self.check_private(request, collection)?;
        if !collection.is_empty() {
            self.check_read_only(request, false)?;
        }
        let rich = match &query {
            Query::Rich(text) => Some(self.parse_rich(text)?),
            Query::Range { .. } => None,
        };
        let limit = self.ledger.total_query_limit();
        let state = self.ledger.lock();
        let empty = BTreeMap::new();
        let entries = state.space(&self.namespace, collection).map_or(&empty, |s| &s.entries);
        let records: Vec<_> = match (&query, &rich) {
            (_, Some(rich)) => query::rich(entries, rich, limit),
            (Query::Range { start, end }, None) => query::range(entries, start, end).take(limit).collect(),
            (Query::Rich(_), None) => Vec::new(),
        };
        let mut tx = self.tx.borrow_mut();
        if !collection.is_empty() {
            tx.private_query_performed = true;
        } else if let Query::Range { start, end } = &query {
            let seen = records.iter().map(|(k, e)| ((*k).clone(), e.version)).collect::<Vec<_>>();
            let exhausted = seen.len() < limit;
            tx.ranges.push(RangeRead {
                namespace: self.namespace.clone(),
                start: start.clone(),
                end: end.clone(),
                seen,
                exhausted,
            });
        }
        let kvs: Vec<Kv> = records.into_iter().map(|(k, e)| self.kv(k, e)).collect();
        Ok(QueryIter::new(kvs.into_iter().map(Ok)))
    }

    fn scan_page(&self, query: Query, page_size: i32, bookmark: &str) -> Result<Page> {
        let request = if matches!(query, Query::Rich(_)) { "GET_QUERY_RESULT" } else { "GET_STATE_BY_RANGE" };
        self.check_read_only(request, true)?;
        let limit = query::page_limit(page_size, self.ledger.total_query_limit())?;
        let rich = match &query {
            Query::Rich(text) => Some(self.parse_rich(text)?),
            Query::Range { .. } => None,
        };
        let state = self.ledger.lock();
        let empty = BTreeMap::new();
        let entries = state.space(&self.namespace, "").map_or(&empty, |s| &s.entries);
        let (records, next) = match (&query, &rich) {
            (_, Some(rich)) => query::rich_page(entries, rich, bookmark, limit)?,
            (Query::Range { start, end }, None) => query::range_page(entries, start, end, bookmark, limit),
            (Query::Rich(_), None) => (Vec::new(), String::new()),
        };
        let mut tx = self.tx.borrow_mut();
        tx.paginated_query_performed = true;
        if let Query::Range { start, end } = &query {
            let start = if bookmark.is_empty() { start.clone() } else { bookmark.to_string() };
            let seen = records.iter().map(|(k, e)| ((*k).clone(), e.version)).collect();
            let exhausted = next.is_empty();
            tx.ranges.push(RangeRead { namespace: self.namespace.clone(), start, end: end.clone(), seen, exhausted });
        }
        let records: Vec<Kv> = records.into_iter().map(|(k, e)| self.kv(k, e)).collect();
        let fetched_records_count = i32::try_from(records.len()).unwrap_or(i32::MAX);
        Ok(Page { records, fetched_records_count, bookmark: next })
    }

    fn history(&self, key: &str) -> Result<HistoryIter<'_>> {
        let history = self.ledger.history(&self.namespace, key);
        Ok(QueryIter::new(history.into_iter().map(Ok)))
    }

    fn invoke_chaincode(&self, name: &str, args: &[Vec<u8>], channel: &str) -> Result<Response> {
        if !channel.is_empty() && channel != self.spec.channel {
            let message =
                format!("cross-channel call to {name}/{channel} is not emulated: the ledger holds one channel");
            return Err(Error::Peer { request: "INVOKE_CHAINCODE", message });
        }
        let chaincode = self
            .ledger
            .chaincode(name)
            .ok_or_else(|| Error::Peer { request: "INVOKE_CHAINCODE", message: unknown_chaincode(name) })?;
        let mut spec = self.spec.clone();
        spec.args = args.to_vec();
        spec.init = false;
        let callee = MemoryStub {
            ledger: self.ledger,
            namespace: name.to_string(),
            ctx: spec.context(),
            spec,
            tx: Rc::clone(&self.tx),
            nested: true,
        };
        Ok(chaincode.invoke(&callee))
    }

    fn set_event(&self, name: &str, payload: &[u8]) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidArgument("event name can not be empty string".into()));
        }
        // Only the outermost chaincode's event reaches the block; a callee's is lost, as on the peer.
        if !self.nested {
            self.tx.borrow_mut().event = Some((name.to_string(), payload.to_vec()));
        }
        Ok(())
    }
}

impl MemoryStub<'_> {
    fn parse_rich(&self, text: &str) -> Result<RichQuery> {
        if !self.ledger.rich_queries() {
            return Err(Error::Peer {
                request: "GET_QUERY_RESULT",
                message: "ExecuteQuery not supported for leveldb".into(),
            });
        }
        RichQuery::parse(text)
    }
}
