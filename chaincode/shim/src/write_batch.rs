//! The write set of one transaction while the peer batches writes (Fabric 3.1 WRITE_BATCH_STATE).
//!
//! Every endorser must send identical bytes, so the records go out sorted by slot, (collection, key, then the
//! value before the key's metadata entries by name), with only the last write per slot.
//!
//! Measured on 10,000 puts (BENCHMARKS.md, "Write batching and multi-get"): a `BTreeMap` of owned records made
//! ~90 string comparisons per put (a linear scan of each node on the way down), 2.6 us of the 3.6 us per put;
//! after that, allocating, encoding and freeing owned `WriteRecord`s was most of what remained. So each write is
//! encoded once, at the call, straight into one buffer in its final wire form (`WriteBatchState.rec` entries),
//! and only offsets are kept beside it. When the writes arrive in ascending slot order (the common case: keys built
//! in a loop) a batch is a slice of that buffer; otherwise the entries are sorted and the buffer rebuilt once.

use std::cmp::Ordering;
use std::ops::Range;

use gridledger_protos::peer::write_record;
use gridledger_protos::prost::encoding::{encode_varint, encoded_len_varint};

/// Out-of-order buffers are compacted once they hold this many entries (then twice the compacted count), so a
/// transaction rewriting a few keys in a long loop holds at most about twice its distinct writes.
const COMPACT_AT: usize = 8192;

/// One write, borrowed from the caller (nothing is copied until it is encoded into the buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Write<'a> {
    /// PUT_STATE.
    Put(&'a [u8]),
    /// DEL_STATE.
    Delete,
    /// PURGE_PRIVATE_DATA.
    Purge,
    /// PUT_STATE_METADATA of one entry.
    Metadata {
        /// The entry's name.
        name: &'a str,
        /// Its value.
        value: &'a [u8],
    },
}

/// Where one encoded record and the parts of its slot lie in [`WriteBuffer::bytes`].
#[derive(Debug, Clone)]
struct Entry {
    /// The record with its `rec` field tag and length prefix.
    record: Range<usize>,
    collection: Range<usize>,
    key: Range<usize>,
    /// The metadata entry's name; `None` for the value slot (put, delete, purge).
    metadata: Option<Range<usize>>,
}

/// Buffered writes, in call order until sorted.
#[derive(Debug)]
pub(crate) struct WriteBuffer {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// `entries` is in strictly ascending slot order and `bytes` holds exactly their records, in that order.
    ascending: bool,
    compact_at: usize,
}

impl Default for WriteBuffer {
    fn default() -> Self {
        Self { bytes: Vec::new(), entries: Vec::new(), ascending: true, compact_at: COMPACT_AT }
    }
}

impl WriteBuffer {
    /// Buffers one write; a later write to the same slot replaces it when the batch is sent.
    pub(crate) fn push(&mut self, collection: &str, key: &str, write: Write<'_>) {
        let entry = encode(&mut self.bytes, collection, key, write);
        if self.ascending
            && let Some(last) = self.entries.last()
        {
            self.ascending = slot_order(&self.bytes, last, &entry) == Ordering::Less;
        }
        self.entries.push(entry);
        if !self.ascending && self.entries.len() >= self.compact_at {
            self.compact();
            self.compact_at = (2 * self.entries.len()).max(COMPACT_AT);
        }
    }

    /// Sorts by slot, keeps the last write of each, and rewrites the buffer in that order.
    fn compact(&mut self) {
        if self.ascending {
            return;
        }
        let bytes = &self.bytes;
        // A stable sort keeps the writes to one slot in call order, so the last of each run is the one that counts.
        self.entries.sort_by(|a, b| slot_order(bytes, a, b));
        self.entries.dedup_by(|later, kept| {
            let same = slot_order(bytes, later, kept) == Ordering::Equal;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        let mut packed = Vec::with_capacity(self.entries.iter().map(|e| e.record.len()).sum());
        for entry in &mut self.entries {
            // The record moves from `from` to `to`; its parts move with it.
            let (from, to) = (entry.record.start, packed.len());
            let shift = |r: &Range<usize>| r.start - from + to..r.end - from + to;
            entry.collection = shift(&entry.collection);
            entry.key = shift(&entry.key);
            entry.metadata = entry.metadata.as_ref().map(shift);
            packed.extend_from_slice(&self.bytes[entry.record.clone()]);
            entry.record = to..packed.len();
        }
        self.bytes = packed;
        self.ascending = true;
    }

    /// The WRITE_BATCH_STATE payloads, sorted, at most `max` records each, with their record counts.
    pub(crate) fn into_batches(mut self, max: usize) -> Vec<(Vec<u8>, usize)> {
        self.compact();
        self.entries
            .chunks(max.max(1))
            .filter_map(|chunk| {
                let (first, last) = (chunk.first()?, chunk.last()?);
                // Sorted and packed: a chunk's records are one contiguous run of the buffer.
                Some((self.bytes[first.record.start..last.record.end].to_vec(), chunk.len()))
            })
            .collect()
    }
}

fn slot<'b>(bytes: &'b [u8], e: &Entry) -> (&'b [u8], &'b [u8], Option<&'b [u8]>) {
    (&bytes[e.collection.clone()], &bytes[e.key.clone()], e.metadata.clone().map(|m| &bytes[m]))
}

/// (collection, key, value before metadata entries by name), bytewise, which for UTF-8 is string order.
fn slot_order(bytes: &[u8], a: &Entry, b: &Entry) -> Ordering {
    slot(bytes, a).cmp(&slot(bytes, b))
}

/// Appends `WriteBatchState.rec` = `WriteRecord { key, value, collection, metadata, type }` exactly as prost
/// encodes it (fields in number order, empty ones left out) and returns where its parts are.
fn encode(buf: &mut Vec<u8>, collection: &str, key: &str, write: Write<'_>) -> Entry {
    let (kind, value, metadata) = match write {
        Write::Put(value) => (write_record::Type::PutState, value, None),
        Write::Delete => (write_record::Type::DelState, &[][..], None),
        Write::Purge => (write_record::Type::PurgePrivateData, &[][..], None),
        Write::Metadata { name, value } => (write_record::Type::PutStateMetadata, &[][..], Some((name, value))),
    };
    let metadata_len = metadata.map(|(name, value)| field_len(name.len()) + field_len(value.len()));
    let record_len = field_len(key.len())
        + field_len(value.len())
        + field_len(collection.len())
        + metadata_len.map_or(0, |len| 1 + encoded_len_varint(len as u64) + len)
        + 1
        + encoded_len_varint(kind as u64);
    let start = buf.len();
    buf.reserve(1 + encoded_len_varint(record_len as u64) + record_len);
    buf.push(tag(1, LEN));
    encode_varint(record_len as u64, buf);
    let key_range = bytes_field(buf, 1, key.as_bytes());
    bytes_field(buf, 2, value);
    let collection_range = bytes_field(buf, 3, collection.as_bytes());
    let metadata_range = metadata.zip(metadata_len).map(|((name, value), len)| {
        buf.push(tag(4, LEN));
        encode_varint(len as u64, buf);
        let name_range = bytes_field(buf, 1, name.as_bytes());
        bytes_field(buf, 2, value);
        name_range
    });
    buf.push(tag(5, VARINT));
    encode_varint(kind as u64, buf);
    Entry { record: start..buf.len(), collection: collection_range, key: key_range, metadata: metadata_range }
}

/// Protobuf wire types.
const VARINT: u8 = 0;
const LEN: u8 = 2;

fn tag(field: u8, wire_type: u8) -> u8 {
    // Field numbers here are below 16, so every tag is one byte.
    (field << 3) | wire_type
}

/// Encoded size of a string or bytes field of `len` bytes; proto3 leaves an empty one out.
fn field_len(len: usize) -> usize {
    if len == 0 { 0 } else { 1 + encoded_len_varint(len as u64) + len }
}

/// Appends a string or bytes field (nothing if empty) and returns where its content lies.
fn bytes_field(buf: &mut Vec<u8>, field: u8, content: &[u8]) -> Range<usize> {
    if !content.is_empty() {
        buf.push(tag(field, LEN));
        encode_varint(content.len() as u64, buf);
        buf.extend_from_slice(content);
    }
    buf.len() - content.len()..buf.len()
}

#[cfg(test)]
mod tests;
