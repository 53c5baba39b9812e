//! The committed side: world state, private data, metadata, history, events, and the commit itself.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use gridledger_shim::protos::peer::ChaincodeEvent;
use gridledger_shim::protos::prost_types::Timestamp;
use gridledger_shim::stub::KeyModification;
use gridledger_shim::{Chaincode, Response};

use super::query;
use super::stub::{MemoryStub, TxState, ValueWrite};

/// The channel a new ledger emulates (fabric-samples' test network name).
pub const DEFAULT_CHANNEL: &str = "mychannel";
/// The chaincode name (namespace) transactions run in unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "mycc";
/// The first transaction's timestamp: 2024-01-01T00:00:00Z. Each new transaction is one second later.
pub const DEFAULT_EPOCH_SECONDS: i64 = 1_704_067_200;
/// `ledger.state.totalQueryLimit` of Fabric's sample `core.yaml`: the most records one query returns.
pub const DEFAULT_TOTAL_QUERY_LIMIT: usize = 100_000;

/// Why a transaction failed validation at commit (Fabric's `TxValidationCode`). Nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// A key the transaction read was changed by a transaction committed since (`MVCC_READ_CONFLICT`).
    #[error("MVCC_READ_CONFLICT: {namespace}/{collection}/{key:?} changed since the transaction read it")]
    MvccReadConflict {
        /// The chaincode namespace.
        namespace: String,
        /// The private collection, empty for world state.
        collection: String,
        /// The key.
        key: String,
    },
    /// A range the transaction scanned gained, lost or changed keys since (`PHANTOM_READ_CONFLICT`).
    #[error("PHANTOM_READ_CONFLICT: range [{start:?}, {end:?}) of {namespace} changed since the transaction read it")]
    PhantomReadConflict {
        /// The chaincode namespace.
        namespace: String,
        /// Range start.
        start: String,
        /// Range end (empty: unbounded).
        end: String,
    },
}

/// What a successful commit produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The block the transaction went into (one transaction per block); also the new version of written keys.
    pub block: u64,
    /// The transaction id.
    pub tx_id: String,
}

/// One committed key: value, private-data hash, metadata and version (the block that last wrote it).
#[derive(Debug, Clone, Default)]
pub(super) struct Entry {
    pub(super) value: Vec<u8>,
    pub(super) metadata: BTreeMap<String, Vec<u8>>,
    pub(super) version: u64,
}

/// The keys of one namespace's world state (collection `""`) or of one private collection.
#[derive(Debug, Clone, Default)]
pub(super) struct Space {
    pub(super) entries: BTreeMap<String, Entry>,
    /// Oldest first; served newest first like Fabric 2.x's history database.
    pub(super) history: BTreeMap<String, Vec<KeyModification>>,
}

#[derive(Debug)]
pub(super) struct State {
    /// namespace -> collection (`""` for world state) -> keys.
    pub(super) spaces: BTreeMap<String, BTreeMap<String, Space>>,
    events: Vec<ChaincodeEvent>,
    height: u64,
    next_tx: u64,
    clock: Timestamp,
}

impl State {
    pub(super) fn space(&self, namespace: &str, collection: &str) -> Option<&Space> {
        self.spaces.get(namespace)?.get(collection)
    }
    pub(super) fn entry(&self, namespace: &str, collection: &str, key: &str) -> Option<&Entry> {
        self.space(namespace, collection)?.entries.get(key)
    }
    fn space_mut(&mut self, namespace: &str, collection: &str) -> &mut Space {
        self.spaces.entry(namespace.to_string()).or_default().entry(collection.to_string()).or_default()
    }
}

/// An in-memory Fabric ledger for one channel: committed state of every chaincode namespace, private collections,
/// key metadata, history, events and block height. See the [module docs](super) for the semantics.
///
/// All methods take `&self`; the state sits behind a mutex, so a ledger can be shared by reference.
pub struct MemoryLedger {
    channel: String,
    namespace: String,
    total_query_limit: usize,
    rich_queries: bool,
    state: Mutex<State>,
    chaincodes: Mutex<BTreeMap<String, Arc<dyn Chaincode>>>,
}

impl std::fmt::Debug for MemoryLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryLedger")
            .field("channel", &self.channel)
            .field("namespace", &self.namespace)
            .field("height", &self.height())
            .field("chaincodes", &lock(&self.chaincodes).keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryLedger {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryLedger {
    /// An empty ledger on channel [`DEFAULT_CHANNEL`] whose transactions run in namespace [`DEFAULT_NAMESPACE`].
    pub fn new() -> Self {
        Self {
            channel: DEFAULT_CHANNEL.to_string(),
            namespace: DEFAULT_NAMESPACE.to_string(),
            total_query_limit: DEFAULT_TOTAL_QUERY_LIMIT,
            rich_queries: true,
            state: Mutex::new(State {
                spaces: BTreeMap::new(),
                events: Vec::new(),
                height: 0,
                next_tx: 1,
                clock: Timestamp { seconds: DEFAULT_EPOCH_SECONDS, nanos: 0 },
            }),
            chaincodes: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sets the channel name transactions report.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = channel.into();
        self
    }
    /// Sets the default chaincode name (namespace) of [`MemoryLedger::tx`] and [`MemoryLedger::invoke`].
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }
    /// Caps the records of one query, like `ledger.state.totalQueryLimit` (results beyond it are silently dropped).
    pub fn with_total_query_limit(mut self, limit: usize) -> Self {
        self.total_query_limit = limit.max(1);
        self
    }
    /// Emulates a LevelDB state database: rich (CouchDB) queries fail as they do on such a peer.
    pub fn with_leveldb(mut self) -> Self {
        self.rich_queries = false;
        self
    }
    /// Sets the timestamp of the next transaction; later ones follow one second apart.
    pub fn set_clock(&self, seconds: i64, nanos: i32) {
        self.lock().clock = Timestamp { seconds, nanos };
    }

    /// Registers a chaincode under `name`, callable from others with `invoke_chaincode` and by
    /// [`MemoryLedger::invoke_named`]. Its state lives in namespace `name`.
    pub fn register_chaincode(&self, name: impl Into<String>, chaincode: Arc<dyn Chaincode>) {
        lock(&self.chaincodes).insert(name.into(), chaincode);
    }

    /// Starts a transaction with these arguments (function name first) in the default namespace. Configure it
    /// with the `with_*` methods, use it as a [`gridledger_shim::ChaincodeStub`], then
    /// [`commit`](MemoryStub::commit) it or drop it.
    pub fn tx<A: AsRef<[u8]>>(&self, args: impl IntoIterator<Item = A>) -> MemoryStub<'_> {
        let args = args.into_iter().map(|a| a.as_ref().to_vec()).collect();
        let (tx_id, timestamp) = {
            let mut state = self.lock();
            let n = state.next_tx;
            state.next_tx += 1;
            let timestamp = state.clock;
            state.clock.seconds += 1;
            (format!("tx{n}"), timestamp)
        };
        MemoryStub::new(self, self.namespace.clone(), self.channel.clone(), tx_id, args, timestamp)
    }

    /// Runs `chaincode.invoke` in a new transaction in the default namespace and commits it when the response
    /// status is below 400, as an endorsing peer and a client would. Returns the chaincode's response.
    pub fn invoke<A: AsRef<[u8]>>(&self, chaincode: &dyn Chaincode, args: impl IntoIterator<Item = A>) -> Response {
        self.tx(args).invoke(chaincode)
    }
    /// Runs `chaincode.invoke` in a new transaction that is never committed (an evaluate / query).
    pub fn query<A: AsRef<[u8]>>(&self, chaincode: &dyn Chaincode, args: impl IntoIterator<Item = A>) -> Response {
        self.tx(args).query(chaincode)
    }
    /// Runs `chaincode.init` in a new INIT transaction and commits it when the status is below 400.
    pub fn init<A: AsRef<[u8]>>(&self, chaincode: &dyn Chaincode, args: impl IntoIterator<Item = A>) -> Response {
        self.tx(args).with_init(true).invoke(chaincode)
    }
    /// [`MemoryLedger::invoke`] for a chaincode registered under `name`, in its namespace.
    pub fn invoke_named<A: AsRef<[u8]>>(&self, name: &str, args: impl IntoIterator<Item = A>) -> Response {
        match self.chaincode(name) {
            Some(chaincode) => self.tx(args).with_namespace(name).invoke(chaincode.as_ref()),
            None => Response::error(unknown_chaincode(name)),
        }
    }

    // ---- inspection --------------------------------------------------------------------------------------------

    /// The committed value of a world-state key.
    pub fn get(&self, namespace: &str, key: &str) -> Option<Vec<u8>> {
        self.lock().entry(namespace, "", key).map(|e| e.value.clone())
    }
    /// The committed world state of a namespace, in key order.
    pub fn state(&self, namespace: &str) -> BTreeMap<String, Vec<u8>> {
        self.collection(namespace, "")
    }
    /// The committed value of a private key.
    pub fn private(&self, namespace: &str, collection: &str, key: &str) -> Option<Vec<u8>> {
        self.lock().entry(namespace, collection, key).map(|e| e.value.clone())
    }
    /// The SHA-256 hash of a committed private value, as every peer of the channel holds it.
    pub fn private_hash(&self, namespace: &str, collection: &str, key: &str) -> Option<Vec<u8>> {
        self.lock().entry(namespace, collection, key).map(|e| sha256(&e.value))
    }
    /// The committed keys of a private collection, in key order.
    pub fn collection(&self, namespace: &str, collection: &str) -> BTreeMap<String, Vec<u8>> {
        let state = self.lock();
        let entries = state.space(namespace, collection).map(|s| s.entries.iter());
        entries.into_iter().flatten().map(|(k, e)| (k.clone(), e.value.clone())).collect()
    }
    /// The committed metadata of a key (`collection` empty for world state).
    pub fn metadata(&self, namespace: &str, collection: &str, key: &str) -> BTreeMap<String, Vec<u8>> {
        self.lock().entry(namespace, collection, key).map(|e| e.metadata.clone()).unwrap_or_default()
    }
    /// Every committed modification of a world-state key, newest first (Fabric 2.x order).
    pub fn history(&self, namespace: &str, key: &str) -> Vec<KeyModification> {
        self.private_history(namespace, "", key)
    }
    /// The modifications of a private key this ledger still holds (purging erases them), newest first.
    pub fn private_history(&self, namespace: &str, collection: &str, key: &str) -> Vec<KeyModification> {
        let state = self.lock();
        let history = state.space(namespace, collection).and_then(|s| s.history.get(key));
        history.map(|h| h.iter().rev().cloned().collect()).unwrap_or_default()
    }
    /// The events of committed transactions, in commit order.
    pub fn events(&self) -> Vec<ChaincodeEvent> {
        self.lock().events.clone()
    }
    /// The number of committed transactions (blocks; genesis not counted).
    pub fn height(&self) -> u64 {
        self.lock().height
    }

    // ---- crate internals ---------------------------------------------------------------------------------------

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
    pub(super) fn total_query_limit(&self) -> usize {
        self.total_query_limit
    }
    pub(super) fn rich_queries(&self) -> bool {
        self.rich_queries
    }
    pub(super) fn chaincode(&self, name: &str) -> Option<Arc<dyn Chaincode>> {
        lock(&self.chaincodes).get(name).cloned()
    }

    /// Validates the transaction's reads against the current state, then applies its writes atomically.
    pub(super) fn apply(
        &self,
        tx: &TxState,
        namespace: &str,
        tx_id: &str,
        timestamp: Timestamp,
    ) -> Result<Committed, CommitError> {
        let mut state = self.lock();
        validate(&state, tx, self.total_query_limit)?;
        state.height += 1;
        let block = state.height;
        for (wk, write) in &tx.writes {
            let space = state.space_mut(&wk.namespace, &wk.collection);
            let modification = |value: Vec<u8>, is_delete| KeyModification {
                tx_id: tx_id.to_string(),
                value,
                timestamp: Some(timestamp),
                is_delete,
            };
            match &write.value {
                Some(ValueWrite::Put(value)) => {
                    let entry = space.entries.entry(wk.key.clone()).or_default();
                    entry.value.clone_from(value);
                    entry.version = block;
                    if let Some(metadata) = &write.metadata {
                        entry.metadata.clone_from(metadata);
                    }
                    space.history.entry(wk.key.clone()).or_default().push(modification(value.clone(), false));
                }
                Some(ValueWrite::Delete) => {
                    space.entries.remove(&wk.key);
                    space.history.entry(wk.key.clone()).or_default().push(modification(Vec::new(), true));
                }
                Some(ValueWrite::Purge) => {
                    space.entries.remove(&wk.key);
                    space.history.remove(&wk.key);
                }
                None => {
                    // A metadata-only write keeps the value; on an absent key the peer drops it.
                    if let (Some(entry), Some(metadata)) = (space.entries.get_mut(&wk.key), &write.metadata) {
                        entry.metadata.clone_from(metadata);
                        entry.version = block;
                    }
                }
            }
        }
        if let Some((name, payload)) = &tx.event {
            state.events.push(ChaincodeEvent {
                chaincode_id: namespace.to_string(),
                tx_id: tx_id.to_string(),
                event_name: name.clone(),
                payload: payload.clone(),
            });
        }
        Ok(Committed { block, tx_id: tx_id.to_string() })
    }
}

/// MVCC validation: every key read must still have the version it had; every range must return the same keys.
fn validate(state: &State, tx: &TxState, limit: usize) -> Result<(), CommitError> {
    for (wk, version) in &tx.reads {
        let now = state.entry(&wk.namespace, &wk.collection, &wk.key).map(|e| e.version);
        if now != *version {
            return Err(CommitError::MvccReadConflict {
                namespace: wk.namespace.clone(),
                collection: wk.collection.clone(),
                key: wk.key.clone(),
            });
        }
    }
    for range in &tx.ranges {
        let space = state.space(&range.namespace, "");
        let now: Vec<(String, u64)> = space
            .map(|s| query::range(&s.entries, &range.start, &range.end).take(limit))
            .into_iter()
            .flatten()
            .take(if range.exhausted { usize::MAX } else { range.seen.len() })
            .map(|(k, e)| (k.clone(), e.version))
            .collect();
        if now != range.seen {
            return Err(CommitError::PhantomReadConflict {
                namespace: range.namespace.clone(),
                start: range.start.clone(),
                end: range.end.clone(),
            });
        }
    }
    Ok(())
}

pub(super) fn unknown_chaincode(name: &str) -> String {
    format!("could not find chaincode with name '{name}' (register it with MemoryLedger::register_chaincode)")
}

pub(super) fn sha256(value: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, value).as_ref().to_vec()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking chaincode must not poison the ledger for the rest of the test.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
