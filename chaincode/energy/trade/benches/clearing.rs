//! Clearing 10,000 orders: (a) the pure auction, (b) `ClearMarket` through the MemoryLedger (reads, computation
//! and writes), and its parts: reading and decoding the orders, and encoding the clearing record.
//!
//! Times are the benchmark process's CPU time (`../../cpu_time.rs`), not wall time: the machine is shared.
//!
//! Run: `cargo bench -p gridledger-trade --bench clearing`.

#![allow(missing_docs, clippy::unwrap_used)]

#[path = "../tests/trade/support.rs"]
mod support;

#[path = "../../cpu_time.rs"]
mod cpu_time;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use gridledger_contract::Context;
use gridledger_shim::ChaincodeStub as _;
use gridledger_trade::auction::clear;
use gridledger_trade::model::{ClearingRecord, Order, OrderStatus, Side, Timestamp};
use gridledger_trade::{orders, store};
use support::{CLOSURE, Env, I, OPEN};

const ORDERS: usize = 10_000;

/// Deterministic pseudo-random orders (xorshift), half bids, half asks, overlapping price ranges.
fn random_orders(n: usize) -> Vec<Order> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        i64::try_from(state % bound).unwrap()
    };
    (0..n)
        .map(|k| {
            let side = if next(2) == 0 { Side::Buy } else { Side::Sell };
            let base = if side == Side::Buy { 10 } else { 0 };
            Order {
                id: format!("{:064x}", k * 7919 + 13),
                interval_start: I,
                side,
                wh: 100 + next(10_000),
                limit_per_kwh: base + next(30),
                party: gridledger_energy_common::caller::Party {
                    msp: "ProsumerMSP".into(),
                    id: format!("eDUwOTo6Q049cHJvc3VtZXJ7a31fT1U9Y2xpZW50OjpDTj1jYQ=={}", next(2000)),
                },
                vpp: None,
                placed_at: Timestamp { seconds: OPEN + next(3000), nanos: i32::try_from(next(1_000_000_000)).unwrap() },
                status: OrderStatus::Open,
                interval_seconds: 900,
            }
        })
        .collect()
}

fn split(orders: &[Order]) -> (Vec<Order>, Vec<Order>) {
    orders.iter().cloned().partition(|o| o.side == Side::Buy)
}

fn bench(c: &mut Criterion<cpu_time::ProcessCpuTime>) {
    let orders = random_orders(ORDERS);
    let (bids, asks) = split(&orders);
    let outcome = clear(&bids, &asks);
    eprintln!(
        "{ORDERS} orders: price {:?}, volume {} Wh, {} fills",
        outcome.price_per_kwh,
        outcome.volume_wh,
        outcome.fills.len()
    );

    let mut group = c.benchmark_group("clearing_10k");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));

    group.bench_function("pure_clear", |b| b.iter(|| clear(black_box(&bids), black_box(&asks))));

    // The ledger with 10,000 stored orders, written in one setup transaction.
    let env = Env::new();
    let setup = env.ledger.tx(["setup"]);
    {
        let ctx = Context::new(&setup, "setup", "setup");
        for order in &orders {
            let key = store::keys::order(&ctx, I, &order.id).unwrap();
            store::put_json(&ctx, &key, order).unwrap();
        }
    }
    setup.commit().unwrap();

    group.bench_function("ledger_read_orders", |b| {
        b.iter(|| {
            let stub = env.ledger.tx(["read"]);
            let ctx = Context::new(&stub, "TradeContract", "ClearMarket");
            black_box(orders::open_orders(&ctx, I).unwrap())
        })
    });

    group.bench_function("encode_clearing_record", |b| {
        let record = ClearingRecord {
            interval_start: I,
            price_per_kwh: outcome.price_per_kwh,
            volume_wh: outcome.volume_wh,
            fills: outcome.fills.clone(),
            interval_seconds: 900,
        };
        b.iter(|| black_box(serde_json::to_vec(&record).unwrap()))
    });

    let operator = env.cast.grid_operator.clone();
    let interval = I.to_string();
    group.bench_function("ClearMarket_tx", |b| {
        b.iter(|| {
            // Evaluated, not committed, so every iteration clears the same book.
            let tx = env.ledger.tx(["ClearMarket", interval.as_str()]);
            let response = tx.with_creator(operator.creator.clone()).with_timestamp(CLOSURE, 0).query(&env.cc);
            assert_eq!(response.status, 200, "{}", response.message);
            black_box(response)
        })
    });
    group.finish();

    let stub = env.ledger.tx(["check"]);
    assert_eq!(stub.get_state_by_partial_composite_key("order", &[]).unwrap().count(), ORDERS);
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(cpu_time::ProcessCpuTime);
    targets = bench
}
criterion_main!(benches);
