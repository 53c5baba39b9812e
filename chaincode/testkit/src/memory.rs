//! In-memory ledger: unit-test chaincode with Fabric's semantics and no network.
//!
//! [`MemoryLedger`] holds the committed state of one channel. Each transaction is a [`MemoryStub`] (a
//! [`ChaincodeStub`](gridledger_shim::ChaincodeStub)) from [`MemoryLedger::tx`]; [`MemoryStub::commit`] applies
//! its write set atomically as one block, and dropping it discards it. [`MemoryLedger::invoke`] runs a
//! [`Chaincode`](gridledger_shim::Chaincode) in a new transaction and commits only when the response status is
//! below 400 (what an endorser and client do); [`MemoryLedger::query`] never commits.
//!
//! ```
//! use gridledger_shim::{Chaincode, ChaincodeStub, Response};
//! use gridledger_testkit::memory::MemoryLedger;
//!
//! struct Counter;
//!
//! impl Chaincode for Counter {
//!     fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
//!         let count = match stub.get_state("count") {
//!             Ok(v) => v.and_then(|b| String::from_utf8(b).ok()?.parse::<u64>().ok()).unwrap_or(0),
//!             Err(e) => return Response::error(e.to_string()),
//!         };
//!         match stub.function_and_parameters() {
//!             Ok((f, _)) if f == "inc" => match stub.put_state("count", (count + 1).to_string().as_bytes()) {
//!                 Ok(()) => Response::success((count + 1).to_string()),
//!                 Err(e) => Response::error(e.to_string()),
//!             },
//!             Ok((f, _)) if f == "get" => Response::success(count.to_string()),
//!             _ => Response::with_status(400, "unknown function"),
//!         }
//!     }
//! }
//!
//! let ledger = MemoryLedger::new();
//! assert_eq!(ledger.invoke(&Counter, ["inc"]).payload, b"1");
//! assert_eq!(ledger.invoke(&Counter, ["inc"]).payload, b"2");
//! assert_eq!(ledger.query(&Counter, ["get"]).payload, b"2");
//! assert_eq!(ledger.invoke(&Counter, ["nope"]).status, 400); // not committed
//! assert_eq!(ledger.get("mycc", "count"), Some(b"2".to_vec()));
//! assert_eq!(ledger.history("mycc", "count")[0].value, b"2"); // newest first
//!
//! // A transaction by hand: it does not read its own writes.
//! let tx = ledger.tx(["manual"]).with_creator(b"my serialized identity".to_vec());
//! tx.put_state("count", b"10").unwrap();
//! assert_eq!(tx.get_state("count").unwrap(), Some(b"2".to_vec()));
//! tx.commit().unwrap();
//! assert_eq!(ledger.get("mycc", "count"), Some(b"10".to_vec()));
//! ```
//!
//! # Fabric semantics emulated
//! - **No read-your-writes**: reads (state, private data, hashes, metadata, ranges, rich queries) see committed
//!   state only. The last write of a key in a transaction wins; deleting an absent key is fine; a put of an
//!   empty value is a delete (the peer records a nil value as `IsDelete`).
//! - **Ranges** are in key (byte) order over `[start, end)`, empty end unbounded; simple ranges skip composite
//!   keys (the shim starts them at U+0001); partial composite keys are prefix ranges. At most
//!   `totalQueryLimit` ([`DEFAULT_TOTAL_QUERY_LIMIT`]) records, silently capped like the peer.
//! - **Pagination**: a page holds `page_size` records (0 or more than the total limit: the total limit;
//!   negative: error); the bookmark of a range page is the key after its last record, empty once exhausted
//!   (LevelDB); `fetched_records_count` is the page's record count. Rich-query bookmarks are opaque and, like
//!   CouchDB's, never empty: loop until a page comes back short.
//! - **Read-only rules** of the peer's simulator, with its error texts: a paginated query after a write fails
//!   ("Paginated queries are supported only in a read-only transaction"), a write after one fails ("already
//!   performed a paginated query"); private range/partial/rich queries likewise. Private data APIs fail in
//!   INIT transactions.
//! - **Rich queries** (CouchDB Mango subset, see below) over JSON-object values, results in key order; on
//!   [`MemoryLedger::with_leveldb`] they fail as on a LevelDB peer.
//! - **Private data**: values, SHA-256 hashes (`get_private_data_hash`), metadata; purge removes value, hash,
//!   metadata and the history this ledger keeps for the key.
//! - **Metadata** (`VALIDATION_PARAMETER`, public and private): a write replaces the key's metadata, a put keeps
//!   it, a delete drops it, and metadata on a key that does not exist is dropped at commit.
//! - **History** ([`MemoryLedger::history`], `get_history_for_key`): every committed put and delete (deletes of
//!   absent keys too) with tx id, timestamp and `is_delete`, **newest first** as Fabric 2.x returns it.
//! - **Events**: the last `set_event` wins; recorded with the commit ([`MemoryLedger::events`]).
//! - **Chaincode-to-chaincode** calls to chaincodes registered with [`MemoryLedger::register_chaincode`] run on
//!   the same transaction (same tx id, callee's namespace, its writes part of the transaction even if it
//!   answers with an error status); only the outermost chaincode's event is kept; unknown names are a peer error.
//! - **MVCC validation** at commit: a transaction whose read keys changed (`MVCC_READ_CONFLICT`) or whose world
//!   state ranges changed (`PHANTOM_READ_CONFLICT`) since it read them is rejected and applies nothing. Rich
//!   queries are not re-validated (as on Fabric).
//! - **Determinism**: tx ids `tx1`, `tx2`, ...; timestamps from [`DEFAULT_EPOCH_SECONDS`], one second per
//!   transaction (override with [`MemoryLedger::set_clock`] or [`MemoryStub::with_timestamp`]); `BTreeMap`s only.
//!
//! Rich-query subset: `selector` with implicit equality, nested fields (`{"a": {"b": 1}}` or `"a.b"`), `_id`,
//! `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $nor $not`, and `limit`, `skip`, `use_index` (ignored),
//! `sort` on `_id` ascending. Anything else is an "unsupported" error.
//!
//! # Gaps
//! One channel (cross-channel calls are an error); no collection definitions or membership checks; strings in
//! rich queries compare by code point, not ICU collation; range validation re-checks every key a scan could return,
//! not only those the chaincode consumed (stricter than Fabric); a chaincode panic propagates to the test.

mod ledger;
mod query;
mod rich;
mod stub;

pub use ledger::{
    CommitError, Committed, DEFAULT_CHANNEL, DEFAULT_EPOCH_SECONDS, DEFAULT_NAMESPACE, DEFAULT_TOTAL_QUERY_LIMIT,
    MemoryLedger,
};
pub use stub::{KeyWrite, MemoryStub, ValueWrite, WriteKey};

#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod tests;
