//! Property tests: the encoding is injective; a batch with one bad reading never changes state.

use gridledger_shim::Chaincode as _;
use proptest::prelude::*;

use super::fixture::{NOW, T0, World, cast, signed, signed_by};
use super::snapshot;
use crate::reading::{Reading, canonical_bytes};

/// Decodes canonical bytes back into (reading without signature, interval length); `None` if they are not
/// exactly one encoding. That this inverts `canonical_bytes` proves the encoding injective.
fn decode(bytes: &[u8]) -> Option<(Reading, u32)> {
    fn take<'b>(b: &mut &'b [u8], n: usize) -> Option<&'b [u8]> {
        let (head, tail) = (b.get(..n)?, b.get(n..)?);
        *b = tail;
        Some(head)
    }
    fn text(b: &mut &[u8]) -> Option<String> {
        let len = u16::from_be_bytes(take(b, 2)?.try_into().ok()?);
        String::from_utf8(take(b, len.into())?.to_vec()).ok()
    }
    let b = &mut &bytes[..];
    (take(b, 4)? == b"GLR1").then_some(())?;
    let meter_id = text(b)?;
    let interval_start = i64::from_be_bytes(take(b, 8)?.try_into().ok()?);
    let interval = u32::from_be_bytes(take(b, 4)?.try_into().ok()?);
    let register = text(b)?;
    let wh = i64::from_be_bytes(take(b, 8)?.try_into().ok()?);
    let counter = u64::from_be_bytes(take(b, 8)?.try_into().ok()?);
    b.is_empty().then_some(())?;
    Some((Reading { meter_id, interval_start, register, wh, counter, signature: String::new() }, interval))
}

/// Small alphabets and values, so that naive encodings (concatenation, decimal text) would collide.
fn reading() -> impl Strategy<Value = (Reading, u32)> {
    ("[a1.]{0,4}", -2i64..3, "[1.8]{0,4}", -2i64..3, 0u64..3, 0u32..3).prop_map(|(m, s, r, wh, c, len)| {
        (Reading { meter_id: m, interval_start: s, register: r, wh, counter: c, signature: String::new() }, len)
    })
}

fn any_reading() -> impl Strategy<Value = (Reading, u32)> {
    (".{0,20}", any::<i64>(), ".{0,8}", any::<i64>(), any::<u64>(), any::<u32>()).prop_map(|(m, s, r, wh, c, len)| {
        (Reading { meter_id: m, interval_start: s, register: r, wh, counter: c, signature: String::new() }, len)
    })
}

proptest! {
    #[test]
    fn encoding_round_trips((r, len) in any_reading()) {
        prop_assert_eq!(decode(&canonical_bytes(&r, len)), Some((r, len)));
    }

    #[test]
    fn distinct_readings_encode_differently(a in reading(), b in reading()) {
        let same_bytes = canonical_bytes(&a.0, a.1) == canonical_bytes(&b.0, b.1);
        prop_assert_eq!(same_bytes, a == b);
    }
}

#[test]
fn field_splits_do_not_collide() {
    let r = |m: &str, reg: &str| Reading {
        meter_id: m.into(),
        interval_start: 0,
        register: reg.into(),
        wh: 0,
        counter: 0,
        signature: String::new(),
    };
    assert_ne!(canonical_bytes(&r("m-11", ".8.0"), 900), canonical_bytes(&r("m-1", "1.8.0"), 900));
    assert_ne!(canonical_bytes(&r("", "a"), 900), canonical_bytes(&r("a", ""), 900));
}

/// The meters and their registers in the fixture world.
const METERS: [(&str, &[&str]); 3] = [("m-1", &["1.8.0", "2.8.0"]), ("m-2", &["2.8.0"]), ("m-3", &["1.8.0", "2.8.0"])];

/// A valid batch: reading i is for interval T0 − 900·i (so keys are distinct) with counter i + 1.
fn valid_batch(choices: &[(usize, usize, i64)]) -> Vec<Reading> {
    let batch = choices.iter().enumerate().map(|(i, &(m, reg, wh))| {
        let (meter, registers) = METERS[m];
        signed(meter, T0 - 900 * i as i64, registers[reg % registers.len()], wh, i as u64 + 1)
    });
    batch.collect()
}

/// Replaces reading `k` with a bad one; `recorded` is a reading already on the ledger.
fn corrupt(batch: &mut [Reading], k: usize, kind: u8, recorded: &Reading) {
    let r = &batch[k];
    let (start, counter) = (r.interval_start, r.counter);
    batch[k] = match kind {
        0 => Reading { wh: r.wh + 1, ..r.clone() },
        1 => signed_by("rogue", &r.meter_id, start, &r.register, r.wh, counter),
        2 => signed(&r.meter_id, start + 1, &r.register, r.wh, counter),
        3 => signed(&r.meter_id, NOW + 900 * 100, &r.register, r.wh, counter),
        4 => signed_by("rogue", "m-404", start, "1.8.0", r.wh, counter),
        5 => signed("m-2", start, "1.8.0", r.wh, counter),
        // Above nameplate on the export register, which every kind bounds.
        6 => signed(&r.meter_id, start, "2.8.0", 100_000, counter),
        7 => signed(&r.meter_id, start, &r.register, -1, counter),
        8 => recorded.clone(),
        9 => signed("m-1", start, "1.8.0", 1, 0),
        _ if k > 0 => {
            let p = &batch[k - 1];
            signed(&p.meter_id, p.interval_start, &p.register, 1, counter)
        }
        _ => Reading { counter: counter + 1, ..r.clone() },
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn one_bad_reading_rejects_the_batch_and_changes_nothing(
        choices in prop::collection::vec((0usize..3, 0usize..2, 0i64..=1000), 1..12),
        k in any::<prop::sample::Index>(),
        kind in 0u8..11,
    ) {
        let w = World::with_meters();
        let recorded = signed("m-1", T0 + 900, "1.8.0", 5, 0);
        prop_assert_eq!(w.submit(std::slice::from_ref(&recorded)).status, 200);
        let good = valid_batch(&choices);
        let k = k.index(good.len());
        let mut bad = good.clone();
        corrupt(&mut bad, k, kind, &recorded);

        let before = snapshot(&w);
        let tx = w.ledger.tx(["SubmitReadings", &serde_json::to_string(&bad).unwrap()])
            .with_creator(cast().gateway.clone());
        let r = w.cc.invoke(&tx);
        prop_assert!((400..500).contains(&r.status), "kind {} at {}: {} {}", kind, k, r.status, r.message);
        let place = format!("reading {k} (");
        prop_assert!(r.message.starts_with(&place), "kind {}: {}", kind, r.message);
        prop_assert!(tx.writes().keys().all(|key| key.namespace != "metering"));
        drop(tx);
        prop_assert_eq!(snapshot(&w), before);

        let r = w.submit(&good);
        prop_assert_eq!(r.status, 200, "{}", r.message);
    }
}
