//! The mock peer's backing store and its default answers to ledger requests.
//!
//! Deliberately simple, but with the peer's visible semantics: writes are buffered per transaction and committed
//! when it COMPLETES with a status below 400 (so a transaction never reads its own writes), range results come in
//! batches behind an iterator id, pagination uses the next key as bookmark.

use std::collections::{BTreeMap, HashMap, VecDeque};

use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    ChaincodeMessage, ChaincodeSpec, DelState, GetHistoryForKey, GetQueryResult, GetState, GetStateByRange,
    GetStateMetadata, GetStateMultiple, GetStateMultipleResult, PutState, PutStateMetadata, QueryMetadata,
    QueryResponse, QueryResponseMetadata, QueryResultBytes, QueryStateClose, QueryStateNext, StateMetadata,
    StateMetadataResult, WriteBatchState, write_record,
};
use gridledger_protos::prost::Message;
use gridledger_protos::prost_types::Timestamp;
use gridledger_protos::queryresult::{KeyModification, Kv};

use super::TxKey;

/// Committed state: world state (collection `""`), private collections, metadata, history.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    data: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    metadata: BTreeMap<(String, String), BTreeMap<String, Vec<u8>>>,
    history: BTreeMap<String, Vec<KeyModification>>,
    commits: i64,
}

impl Ledger {
    /// Sets a world-state key directly (seeding; no history).
    pub fn put(&mut self, key: &str, value: &[u8]) {
        self.put_private("", key, value);
    }
    /// Sets a key of a collection (`""` = world state) directly.
    pub fn put_private(&mut self, collection: &str, key: &str, value: &[u8]) {
        self.data.entry(collection.to_string()).or_default().insert(key.to_string(), value.to_vec());
    }
    /// A world-state value.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.get_private("", key)
    }
    /// A value of a collection (`""` = world state).
    pub fn get_private(&self, collection: &str, key: &str) -> Option<&[u8]> {
        self.data.get(collection)?.get(key).map(Vec::as_slice)
    }
    /// Sets a metadata entry directly.
    pub fn set_metadata(&mut self, collection: &str, key: &str, name: &str, value: &[u8]) {
        self.metadata.entry((collection.to_string(), key.to_string())).or_default().insert(name.into(), value.to_vec());
    }
    /// The metadata entries of a key.
    pub fn metadata(&self, collection: &str, key: &str) -> BTreeMap<String, Vec<u8>> {
        self.metadata.get(&(collection.to_string(), key.to_string())).cloned().unwrap_or_default()
    }
    /// The committed modifications of a world-state key, oldest first.
    pub fn history(&self, key: &str) -> &[KeyModification] {
        self.history.get(key).map_or(&[], Vec::as_slice)
    }

    fn range(&self, collection: &str, start: &str, end: &str) -> Vec<(String, Vec<u8>)> {
        let Some(data) = self.data.get(collection) else { return Vec::new() };
        data.range(start.to_string()..)
            .take_while(|(k, _)| end.is_empty() || k.as_str() < end)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn commit(&mut self, tx_id: &str, writes: Vec<Write>) {
        self.commits += 1;
        let timestamp = Some(Timestamp { seconds: self.commits, nanos: 0 });
        for write in writes {
            let Write { collection, key, op } = write;
            let data = self.data.entry(collection.clone()).or_default();
            let (value, is_delete) = match op {
                Op::Put(value) => {
                    data.insert(key.clone(), value.clone());
                    (value, false)
                }
                Op::Delete | Op::Purge => {
                    data.remove(&key);
                    self.metadata.remove(&(collection.clone(), key.clone()));
                    (Vec::new(), true)
                }
                Op::Metadata(entry) => {
                    self.set_metadata(&collection, &key, &entry.metakey, &entry.value);
                    continue;
                }
            };
            if collection.is_empty() {
                let m = KeyModification { tx_id: tx_id.to_string(), value, timestamp, is_delete };
                self.history.entry(key).or_default().push(m);
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Write {
    collection: String,
    key: String,
    op: Op,
}

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<u8>),
    Delete,
    Purge,
    Metadata(StateMetadata),
}

/// Features the peer advertised in READY, with the batch limits a compliant shim may use.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Advertised {
    pub(crate) write_batch: Option<usize>,
    pub(crate) get_multiple: Option<usize>,
}

/// The answer to one request: RESPONSE payload or ERROR text, and a protocol complaint if any.
pub(crate) struct Answer {
    pub(crate) reply: Result<Vec<u8>, String>,
    pub(crate) complaint: Option<String>,
}

struct Iter {
    tx: TxKey,
    rest: VecDeque<Vec<u8>>,
}

/// Per-stream transaction state: buffered writes and open iterators.
#[derive(Default)]
pub(crate) struct Session {
    writes: HashMap<TxKey, Vec<Write>>,
    iterators: HashMap<String, Iter>,
    next_id: u64,
}

impl Session {
    pub(crate) fn begin(&mut self, tx: TxKey) {
        self.writes.insert(tx, Vec::new());
    }

    pub(crate) fn is_active(&self, tx: &TxKey) -> bool {
        self.writes.contains_key(tx)
    }

    /// Ends a transaction: commits its writes if it succeeded, closes its iterators.
    pub(crate) fn end(&mut self, tx: &TxKey, commit: bool, ledger: &mut Ledger) {
        self.iterators.retain(|_, it| it.tx != *tx);
        if let Some(writes) = self.writes.remove(tx)
            && commit
        {
            ledger.commit(&tx.tx_id, writes);
        }
    }

    /// The number of open iterators (all transactions).
    pub(crate) fn open_iterators(&self) -> usize {
        self.iterators.len()
    }

    pub(crate) fn answer(&mut self, ledger: &Ledger, ads: Advertised, batch: usize, msg: &ChaincodeMessage) -> Answer {
        let tx = TxKey::of(msg);
        let kind = Type::try_from(msg.r#type).unwrap_or(Type::Undefined);
        let p = msg.payload.as_slice();
        let mut complaint = None;
        let reply = match kind {
            Type::GetState => {
                decode(p, |g: GetState| Ok(ledger.get_private(&g.collection, &g.key).unwrap_or_default().to_vec()))
            }
            Type::GetPrivateDataHash => {
                decode(p, |g: GetState| Ok(ledger.get_private(&g.collection, &g.key).map(sha256).unwrap_or_default()))
            }
            Type::PutState => decode(p, |w: PutState| self.buffer(&tx, w.collection, w.key, Op::Put(w.value))),
            Type::DelState => decode(p, |w: DelState| self.buffer(&tx, w.collection, w.key, Op::Delete)),
            Type::PurgePrivateData => decode(p, |w: DelState| self.buffer(&tx, w.collection, w.key, Op::Purge)),
            Type::PutStateMetadata => decode(p, |w: PutStateMetadata| {
                let entry = w.metadata.ok_or("PUT_STATE_METADATA without metadata")?;
                self.buffer(&tx, w.collection, w.key, Op::Metadata(entry))
            }),
            Type::GetStateMetadata => decode(p, |g: GetStateMetadata| {
                let entries = ledger.metadata(&g.collection, &g.key);
                let entries = entries.into_iter().map(|(metakey, value)| StateMetadata { metakey, value }).collect();
                Ok(StateMetadataResult { entries }.encode_to_vec())
            }),
            Type::GetStateByRange => decode(p, |q: GetStateByRange| {
                let rows = ledger.range(&q.collection, &q.start_key, &q.end_key);
                self.query(&tx, rows, &q.metadata, batch)
            }),
            Type::GetQueryResult => decode(p, |q: GetQueryResult| {
                // No CouchDB here: a "rich query" matches every value containing the query text.
                let rows = ledger.range(&q.collection, "", "");
                let rows = rows.into_iter().filter(|(_, v)| contains(v, q.query.as_bytes())).collect();
                self.query(&tx, rows, &q.metadata, batch)
            }),
            Type::GetHistoryForKey => decode(p, |h: GetHistoryForKey| {
                let rows = ledger.history(&h.key).iter().map(Message::encode_to_vec).collect();
                Ok(self.open(&tx, rows, batch))
            }),
            Type::QueryStateNext => decode(p, |n: QueryStateNext| self.next_batch(&tx, &n.id, batch)),
            Type::QueryStateClose => decode(p, |c: QueryStateClose| {
                self.iterators.remove(&c.id);
                Ok(QueryResponse { id: c.id, ..Default::default() }.encode_to_vec())
            }),
            Type::InvokeChaincode => decode(p, |s: ChaincodeSpec| {
                let name = s.chaincode_id.map(|id| id.name).unwrap_or_default();
                Err(format!(
                    "chaincode {name} is not known to the mock peer (script INVOKE_CHAINCODE with a responder)"
                ))
            }),
            Type::WriteBatchState => decode(p, |b: WriteBatchState| {
                if let Some(max) = ads.write_batch.filter(|max| b.rec.len() > *max) {
                    complaint = Some(format!("WRITE_BATCH_STATE of {} records exceeds {max}", b.rec.len()));
                }
                for rec in b.rec {
                    let op = match write_record::Type::try_from(rec.r#type) {
                        Ok(write_record::Type::PutState) => Op::Put(rec.value),
                        Ok(write_record::Type::DelState) => Op::Delete,
                        Ok(write_record::Type::PurgePrivateData) => Op::Purge,
                        Ok(write_record::Type::PutStateMetadata) => {
                            Op::Metadata(rec.metadata.ok_or("metadata record without metadata")?)
                        }
                        _ => return Err(format!("write record of unknown type {}", rec.r#type)),
                    };
                    self.buffer(&tx, rec.collection, rec.key, op)?;
                }
                Ok(Vec::new())
            }),
            Type::GetStateMultiple => decode(p, |g: GetStateMultiple| {
                if let Some(max) = ads.get_multiple.filter(|max| g.keys.len() > *max) {
                    complaint = Some(format!("GET_STATE_MULTIPLE of {} keys exceeds {max}", g.keys.len()));
                }
                let values = g.keys.iter().map(|k| ledger.get_private(&g.collection, k).unwrap_or_default().to_vec());
                Ok(GetStateMultipleResult { values: values.collect() }.encode_to_vec())
            }),
            other => Err(format!("the mock peer does not answer {}", other.as_str_name())),
        };
        Answer { reply, complaint }
    }

    fn buffer(&mut self, tx: &TxKey, collection: String, key: String, op: Op) -> Result<Vec<u8>, String> {
        let writes = self.writes.get_mut(tx).ok_or("no transaction context")?;
        writes.push(Write { collection, key, op });
        Ok(Vec::new())
    }

    fn query(
        &mut self,
        tx: &TxKey,
        rows: Vec<(String, Vec<u8>)>,
        metadata: &[u8],
        batch: usize,
    ) -> Result<Vec<u8>, String> {
        let kv = |(key, value): (String, Vec<u8>)| Kv { namespace: String::new(), key, value }.encode_to_vec();
        if metadata.is_empty() {
            return Ok(self.open(tx, rows.into_iter().map(kv).collect(), batch));
        }
        let meta = QueryMetadata::decode(metadata).map_err(|e| format!("bad QueryMetadata: {e}"))?;
        let start = meta.bookmark.as_str();
        let size = usize::try_from(meta.page_size).map_err(|_| format!("bad page size {}", meta.page_size))?;
        let mut rows = rows.into_iter().skip_while(|(k, _)| !start.is_empty() && k.as_str() < start);
        let page: Vec<_> = rows.by_ref().take(size).collect();
        let bookmark = rows.next().map(|(k, _)| k).unwrap_or_default();
        let count = i32::try_from(page.len()).unwrap_or(i32::MAX);
        let results = page.into_iter().map(|r| QueryResultBytes { result_bytes: kv(r) }).collect();
        let metadata = QueryResponseMetadata { fetched_records_count: count, bookmark }.encode_to_vec();
        self.next_id += 1;
        Ok(QueryResponse { results, has_more: false, id: format!("page-{}", self.next_id), metadata }.encode_to_vec())
    }

    fn open(&mut self, tx: &TxKey, rows: Vec<Vec<u8>>, batch: usize) -> Vec<u8> {
        self.next_id += 1;
        let id = format!("iter-{}", self.next_id);
        self.iterators.insert(id.clone(), Iter { tx: tx.clone(), rest: rows.into() });
        // Cannot fail: the iterator was just inserted.
        self.next_batch(tx, &id, batch).unwrap_or_default()
    }

    fn next_batch(&mut self, tx: &TxKey, id: &str, batch: usize) -> Result<Vec<u8>, String> {
        let iter = self.iterators.get_mut(id).filter(|it| it.tx == *tx).ok_or(format!("no query iterator {id}"))?;
        let n = batch.max(1).min(iter.rest.len());
        let results = iter.rest.drain(..n).map(|result_bytes| QueryResultBytes { result_bytes }).collect();
        let has_more = !iter.rest.is_empty();
        if !has_more {
            // Like the peer: an exhausted iterator is released without QUERY_STATE_CLOSE.
            self.iterators.remove(id);
        }
        Ok(QueryResponse { results, has_more, id: id.to_string(), metadata: Vec::new() }.encode_to_vec())
    }
}

fn decode<M: Message + Default>(
    payload: &[u8],
    f: impl FnOnce(M) -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    let msg = M::decode(payload).map_err(|e| format!("cannot decode request payload: {e}"))?;
    f(msg)
}

fn sha256(value: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, value).as_ref().to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}
