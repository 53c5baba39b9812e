//! The ledger API a chaincode sees: [`ChaincodeStub`], mirroring Go's `ChaincodeStubInterface`.
//!
//! Implementations supply a handful of primitives (`read`, `write`, `scan`, ...); every Fabric-named method is a
//! provided method on top of them, so argument rules (empty keys, composite keys, range starts) are checked in one
//! place for the gRPC stub and the in-memory testkit alike.

use std::collections::BTreeMap;

use gridledger_protos::peer::SignedProposal;
use gridledger_protos::prost_types::Timestamp;
pub use gridledger_protos::queryresult::{KeyModification, Kv};

use crate::composite::{
    all_composite_keys_range, create_composite_key, partial_key_range, range_start, validate_simple_keys,
};
use crate::context::TxContext;
use crate::error::{Error, Result};
use crate::response::Response;

/// The metadata key under which Fabric keeps a key's endorsement policy.
pub const VALIDATION_PARAMETER: &str = "VALIDATION_PARAMETER";

/// One write, as the primitive [`ChaincodeStub::write`] receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Set the key's value.
    Put(Vec<u8>),
    /// Delete the key.
    Delete,
    /// Purge a private key and its history (private data only).
    Purge,
    /// Set one metadata entry of the key.
    Metadata {
        /// The metadata key, e.g. [`VALIDATION_PARAMETER`].
        name: String,
        /// Its value.
        value: Vec<u8>,
    },
}

/// What a [`ChaincodeStub::scan`] walks over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Keys in `[start, end)`; an empty `end` means no upper bound.
    Range {
        /// First key (inclusive).
        start: String,
        /// Last key (exclusive); empty for unbounded.
        end: String,
    },
    /// A CouchDB selector query (JSON).
    Rich(String),
}

/// One page of a paginated query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The records of this page.
    pub records: Vec<Kv>,
    /// How many records the peer fetched for this page.
    pub fetched_records_count: i32,
    /// Pass this back to get the next page; empty once exhausted (for rich queries, CouchDB's bookmark).
    pub bookmark: String,
}

/// A lazily fetched query result. Dropping it early releases the peer-side iterator.
pub struct QueryIter<'a, T> {
    inner: Box<dyn Iterator<Item = Result<T>> + 'a>,
}

impl<'a, T> QueryIter<'a, T> {
    /// Wraps any iterator of results (used by stub implementations).
    pub fn new(inner: impl Iterator<Item = Result<T>> + 'a) -> Self {
        Self { inner: Box::new(inner) }
    }
}

impl<T> Iterator for QueryIter<'_, T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<T> std::fmt::Debug for QueryIter<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryIter")
    }
}

/// Iterator over key/value records.
pub type StateIter<'a> = QueryIter<'a, Kv>;
/// Iterator over a key's history.
pub type HistoryIter<'a> = QueryIter<'a, KeyModification>;

/// The ledger and transaction API of one transaction (Go `ChaincodeStubInterface`).
///
/// A transaction never reads its own writes: `get_state` after `put_state` returns the committed value, as on a
/// real peer. The trait is object safe; chaincode code takes `&dyn ChaincodeStub`.
pub trait ChaincodeStub {
    // ---- primitives, supplied by an implementation -------------------------------------------------------------

    /// The transaction's immutable context (arguments, ids, creator, transient data, timestamp).
    fn context(&self) -> &TxContext;
    /// Reads keys of the world state (`collection` empty) or of a private collection; `None` for absent keys.
    fn read(&self, collection: &str, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>>;
    /// Applies one write to the transaction's write set.
    fn write(&self, collection: &str, key: &str, op: WriteOp) -> Result<()>;
    /// Sets a key's value: [`ChaincodeStub::write`] with [`WriteOp::Put`], unless an implementation can take the
    /// value without an owned copy (the gRPC stub encodes batched puts straight from `value`).
    fn write_value(&self, collection: &str, key: &str, value: &[u8]) -> Result<()> {
        self.write(collection, key, WriteOp::Put(value.to_vec()))
    }
    /// Reads the hash of a private value; `None` when absent.
    fn read_private_hash(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// Reads every metadata entry of a key.
    fn read_metadata(&self, collection: &str, key: &str) -> Result<BTreeMap<String, Vec<u8>>>;
    /// Starts a query; results are fetched as the iterator advances.
    fn scan(&self, collection: &str, query: Query) -> Result<StateIter<'_>>;
    /// Runs one page of a query on the world state.
    fn scan_page(&self, query: Query, page_size: i32, bookmark: &str) -> Result<Page>;
    /// Starts a walk over a key's history.
    fn history(&self, key: &str) -> Result<HistoryIter<'_>>;
    /// Calls another chaincode (`channel` empty for this channel) and returns its response.
    fn invoke_chaincode(&self, name: &str, args: &[Vec<u8>], channel: &str) -> Result<Response>;
    /// Sets the transaction's event; the last call wins, as in Fabric.
    fn set_event(&self, name: &str, payload: &[u8]) -> Result<()>;

    // ---- transaction context ---------------------------------------------------------------------------------

    /// All arguments, function name first.
    fn args(&self) -> &[Vec<u8>] {
        self.context().args()
    }
    /// The arguments as UTF-8 strings; a clear error names the first argument that is not.
    fn string_args(&self) -> Result<Vec<String>> {
        self.context().string_args()
    }
    /// The first argument as the function name and the rest as parameters.
    fn function_and_parameters(&self) -> Result<(String, Vec<String>)> {
        let mut args = self.string_args()?;
        if args.is_empty() {
            return Ok((String::new(), args));
        }
        let function = args.remove(0);
        Ok((function, args))
    }
    /// The transaction id.
    fn tx_id(&self) -> &str {
        self.context().tx_id()
    }
    /// The channel the transaction runs on.
    fn channel_id(&self) -> &str {
        self.context().channel_id()
    }
    /// The submitter's serialized identity (`msp.SerializedIdentity` bytes).
    fn creator(&self) -> &[u8] {
        self.context().creator()
    }
    /// The signed proposal, when the peer sent one.
    fn signed_proposal(&self) -> Option<&SignedProposal> {
        self.context().signed_proposal()
    }
    /// The transient map: private inputs that never reach the ledger.
    fn transient(&self) -> &BTreeMap<String, Vec<u8>> {
        self.context().transient()
    }
    /// SHA-256(nonce || creator || epoch) binding the proposal to this transaction.
    fn binding(&self) -> &[u8] {
        self.context().binding()
    }
    /// Decorations the peer attached to the input.
    fn decorations(&self) -> &BTreeMap<String, Vec<u8>> {
        self.context().decorations()
    }
    /// The client-supplied transaction timestamp: the only clock a deterministic chaincode may use.
    fn tx_timestamp(&self) -> Result<Timestamp> {
        self.context().timestamp()
    }

    // ---- world state -----------------------------------------------------------------------------------------

    /// Reads one key; `None` when absent.
    fn get_state(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.read("", &[key])?.pop().flatten())
    }
    /// Reads many keys in one go (GET_STATE_MULTIPLE on peers that offer it); results in `keys` order.
    fn get_multiple_states(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        self.read("", keys)
    }
    /// Writes one key.
    fn put_state(&self, key: &str, value: &[u8]) -> Result<()> {
        non_empty("key", key)?;
        self.write_value("", key, value)
    }
    /// Deletes one key.
    fn del_state(&self, key: &str) -> Result<()> {
        non_empty("key", key)?;
        self.write("", key, WriteOp::Delete)
    }
    /// Keys in `[start, end)`; an empty start or end means unbounded on that side. Composite keys are excluded.
    fn get_state_by_range(&self, start: &str, end: &str) -> Result<StateIter<'_>> {
        self.scan("", simple_range(start, end)?)
    }
    /// One page of [`ChaincodeStub::get_state_by_range`]; pass the returned bookmark to continue.
    fn get_state_by_range_with_pagination(
        &self,
        start: &str,
        end: &str,
        page_size: i32,
        bookmark: &str,
    ) -> Result<Page> {
        self.scan_page(simple_range(start, end)?, page_size, bookmark)
    }
    /// Every key whose composite-key prefix is `object_type` + `attributes`.
    fn get_state_by_partial_composite_key(&self, object_type: &str, attributes: &[&str]) -> Result<StateIter<'_>> {
        self.scan("", partial_range(object_type, attributes)?)
    }
    /// One page of [`ChaincodeStub::get_state_by_partial_composite_key`].
    fn get_state_by_partial_composite_key_with_pagination(
        &self,
        object_type: &str,
        attributes: &[&str],
        page_size: i32,
        bookmark: &str,
    ) -> Result<Page> {
        self.scan_page(partial_range(object_type, attributes)?, page_size, bookmark)
    }
    /// One page over every composite key of the namespace (Go v2.3 `GetAllStatesCompositeKeyWithPagination`).
    fn get_all_states_composite_key_with_pagination(&self, page_size: i32, bookmark: &str) -> Result<Page> {
        let (start, end) = all_composite_keys_range();
        self.scan_page(Query::Range { start, end }, page_size, bookmark)
    }
    /// A CouchDB rich query.
    fn get_query_result(&self, query: &str) -> Result<StateIter<'_>> {
        self.scan("", Query::Rich(query.to_string()))
    }
    /// One page of a CouchDB rich query.
    fn get_query_result_with_pagination(&self, query: &str, page_size: i32, bookmark: &str) -> Result<Page> {
        self.scan_page(Query::Rich(query.to_string()), page_size, bookmark)
    }
    /// Every committed modification of a key.
    fn get_history_for_key(&self, key: &str) -> Result<HistoryIter<'_>> {
        non_empty("key", key)?;
        self.history(key)
    }
    /// Sets the key-level endorsement policy (marshaled `SignaturePolicyEnvelope`, see [`crate::statebased`]).
    fn set_state_validation_parameter(&self, key: &str, policy: &[u8]) -> Result<()> {
        non_empty("key", key)?;
        self.write("", key, validation_parameter(policy))
    }
    /// The key-level endorsement policy, if the key has one.
    fn get_state_validation_parameter(&self, key: &str) -> Result<Option<Vec<u8>>> {
        non_empty("key", key)?;
        Ok(self.read_metadata("", key)?.remove(VALIDATION_PARAMETER))
    }

    // ---- private data ----------------------------------------------------------------------------------------

    /// Reads a private key; `None` when absent.
    fn get_private_data(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        non_empty("collection", collection)?;
        Ok(self.read(collection, &[key])?.pop().flatten())
    }
    /// Reads many private keys; results in `keys` order.
    fn get_multiple_private_data(&self, collection: &str, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        non_empty("collection", collection)?;
        self.read(collection, keys)
    }
    /// The hash of a private value, readable by non-members too.
    fn get_private_data_hash(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        non_empty("collection", collection)?;
        self.read_private_hash(collection, key)
    }
    /// Writes a private key.
    fn put_private_data(&self, collection: &str, key: &str, value: &[u8]) -> Result<()> {
        non_empty("collection", collection)?;
        non_empty("key", key)?;
        self.write_value(collection, key, value)
    }
    /// Deletes a private key.
    fn del_private_data(&self, collection: &str, key: &str) -> Result<()> {
        non_empty("collection", collection)?;
        non_empty("key", key)?;
        self.write(collection, key, WriteOp::Delete)
    }
    /// Deletes a private key and purges its history from every peer (Fabric 2.5+).
    fn purge_private_data(&self, collection: &str, key: &str) -> Result<()> {
        non_empty("collection", collection)?;
        non_empty("key", key)?;
        self.write(collection, key, WriteOp::Purge)
    }
    /// Private keys in `[start, end)`.
    fn get_private_data_by_range(&self, collection: &str, start: &str, end: &str) -> Result<StateIter<'_>> {
        non_empty("collection", collection)?;
        self.scan(collection, simple_range(start, end)?)
    }
    /// Private keys by partial composite key.
    fn get_private_data_by_partial_composite_key(
        &self,
        collection: &str,
        object_type: &str,
        attributes: &[&str],
    ) -> Result<StateIter<'_>> {
        non_empty("collection", collection)?;
        self.scan(collection, partial_range(object_type, attributes)?)
    }
    /// A rich query over a private collection.
    fn get_private_data_query_result(&self, collection: &str, query: &str) -> Result<StateIter<'_>> {
        non_empty("collection", collection)?;
        self.scan(collection, Query::Rich(query.to_string()))
    }
    /// Sets the endorsement policy of a private key.
    fn set_private_data_validation_parameter(&self, collection: &str, key: &str, policy: &[u8]) -> Result<()> {
        non_empty("collection", collection)?;
        non_empty("key", key)?;
        self.write(collection, key, validation_parameter(policy))
    }
    /// The endorsement policy of a private key, if any.
    fn get_private_data_validation_parameter(&self, collection: &str, key: &str) -> Result<Option<Vec<u8>>> {
        non_empty("collection", collection)?;
        non_empty("key", key)?;
        Ok(self.read_metadata(collection, key)?.remove(VALIDATION_PARAMETER))
    }

    // ---- composite keys --------------------------------------------------------------------------------------

    /// See [`crate::composite::create_composite_key`].
    fn create_composite_key(&self, object_type: &str, attributes: &[&str]) -> Result<String> {
        create_composite_key(object_type, attributes)
    }
    /// See [`crate::composite::split_composite_key`].
    fn split_composite_key(&self, key: &str) -> Result<(String, Vec<String>)> {
        crate::composite::split_composite_key(key)
    }
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} must not be an empty string")));
    }
    Ok(())
}

fn simple_range(start: &str, end: &str) -> Result<Query> {
    validate_simple_keys(&[start, end])?;
    Ok(Query::Range { start: range_start(start).to_string(), end: end.to_string() })
}

fn partial_range(object_type: &str, attributes: &[&str]) -> Result<Query> {
    let (start, end) = partial_key_range(create_composite_key(object_type, attributes)?);
    Ok(Query::Range { start, end })
}

fn validation_parameter(policy: &[u8]) -> WriteOp {
    WriteOp::Metadata { name: VALIDATION_PARAMETER.to_string(), value: policy.to_vec() }
}
