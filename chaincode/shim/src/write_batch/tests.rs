use std::collections::BTreeMap;

use gridledger_protos::peer::{StateMetadata, WriteBatchState, WriteRecord};
use gridledger_protos::prost::Message;
use proptest::prelude::*;

use super::*;

/// The old implementation, as the reference: a sorted map from slot to owned record, last write wins.
fn reference(writes: &[(String, String, Op)]) -> Vec<WriteRecord> {
    let mut map = BTreeMap::new();
    for (collection, key, op) in writes {
        let mut rec = WriteRecord { key: key.clone(), collection: collection.clone(), ..Default::default() };
        let mut slot = None;
        rec.r#type = match op {
            Op::Put(v) => {
                rec.value = v.clone();
                write_record::Type::PutState
            }
            Op::Delete => write_record::Type::DelState,
            Op::Purge => write_record::Type::PurgePrivateData,
            Op::Metadata(name, value) => {
                slot = Some(name.clone());
                rec.metadata = Some(StateMetadata { metakey: name.clone(), value: value.clone() });
                write_record::Type::PutStateMetadata
            }
        } as i32;
        map.insert((collection.clone(), key.clone(), slot), rec);
    }
    map.into_values().collect()
}

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<u8>),
    Delete,
    Purge,
    Metadata(String, Vec<u8>),
}

fn buffer(writes: &[(String, String, Op)]) -> WriteBuffer {
    let mut b = WriteBuffer::default();
    for (collection, key, op) in writes {
        let write = match op {
            Op::Put(v) => Write::Put(v),
            Op::Delete => Write::Delete,
            Op::Purge => Write::Purge,
            Op::Metadata(name, value) => Write::Metadata { name, value },
        };
        b.push(collection, key, write);
    }
    b
}

/// The batches' payloads, each checked to be the prost encoding of its records.
fn sent(b: WriteBuffer, max: usize) -> (Vec<usize>, Vec<WriteRecord>) {
    let mut sizes = Vec::new();
    let mut records = Vec::new();
    for (payload, count) in b.into_batches(max) {
        let batch = WriteBatchState::decode(payload.as_slice()).unwrap();
        assert_eq!(batch.rec.len(), count);
        assert_eq!(batch.encode_to_vec(), payload, "byte-identical to prost's encoding");
        sizes.push(count);
        records.extend(batch.rec);
    }
    (sizes, records)
}

fn w(collection: &str, key: &str, op: Op) -> (String, String, Op) {
    (collection.into(), key.into(), op)
}

fn put(v: &str) -> Op {
    Op::Put(v.as_bytes().to_vec())
}

#[test]
fn sorted_by_slot_and_the_last_write_wins() {
    let writes = vec![
        w("", "b", put("1")),
        w("c", "a", put("private")),
        w("", "a", Op::Metadata("Z".into(), b"z".to_vec())),
        w("", "a", put("first")),
        w("", "b", Op::Delete),
        w("", "a", put("last")),
        w("", "a", Op::Metadata("A".into(), b"a".to_vec())),
        w("c", "x", Op::Purge),
    ];
    let (sizes, records) = sent(buffer(&writes), 4);
    assert_eq!(sizes, vec![4, 2]);
    let order: Vec<_> =
        records.iter().map(|r| (r.collection.as_str(), r.key.as_str(), r.value.as_slice(), r.r#type)).collect();
    let (put, del, meta, purge) = (9, 10, 21, 23);
    assert_eq!(
        order,
        vec![
            ("", "a", &b"last"[..], put),
            ("", "a", &b""[..], meta),
            ("", "a", &b""[..], meta),
            ("", "b", &b""[..], del),
            ("c", "a", &b"private"[..], put),
            ("c", "x", &b""[..], purge),
        ]
    );
    assert_eq!(records[1].metadata.as_ref().unwrap().metakey, "A", "metadata entries by name");
    assert_eq!(records, reference(&writes));
}

#[test]
fn ascending_puts_are_sent_as_they_came() {
    let writes: Vec<_> = (0..2500).map(|i| w("", &format!("k{i:05}"), put("v"))).collect();
    let b = buffer(&writes);
    assert!(b.ascending);
    let (sizes, records) = sent(b, 1000);
    assert_eq!(sizes, vec![1000, 1000, 500]);
    assert_eq!(records, reference(&writes));
}

#[test]
fn rewriting_a_few_keys_for_long_stays_bounded() {
    let mut b = WriteBuffer::default();
    for i in 0..100_000u32 {
        let value = i.to_string();
        b.push("", &format!("k{}", i % 3), Write::Put(value.as_bytes()));
        assert!(b.entries.len() <= 2 * COMPACT_AT, "{} entries held", b.entries.len());
        assert!(b.bytes.len() <= 2 * COMPACT_AT * 16, "{} bytes held", b.bytes.len());
    }
    let (_, records) = sent(b, 1000);
    let values: Vec<_> = records.iter().map(|r| (r.key.as_str(), r.value.as_slice())).collect();
    assert_eq!(values, vec![("k0", &b"99999"[..]), ("k1", &b"99997"[..]), ("k2", &b"99998"[..])]);
}

#[test]
fn nothing_buffered_sends_nothing() {
    assert!(WriteBuffer::default().into_batches(1000).is_empty());
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Op::Put),
        Just(Op::Delete),
        Just(Op::Purge),
        ("[a-c]{0,2}", proptest::collection::vec(any::<u8>(), 0..3)).prop_map(|(n, v)| Op::Metadata(n, v)),
    ]
}

proptest! {
    /// Any mix of writes (long values for multi-byte lengths, empty keys and names, repeats, any order) is sent
    /// as the reference sends it, in prost's exact bytes, chunked in order.
    #[test]
    fn matches_the_sorted_map(
        writes in proptest::collection::vec(("[ab]?", "[a-d\u{e9}]{0,3}", op()), 0..60),
        max in 1usize..8,
    ) {
        let (sizes, records) = sent(buffer(&writes), max);
        prop_assert!(sizes.iter().all(|&n| n >= 1 && n <= max));
        prop_assert_eq!(records, reference(&writes));
    }
}
