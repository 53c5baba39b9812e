//! `Settle` against the real registry and metering chaincodes on one ledger, not the fakes.
//!
//! On Fabric, `Settle` reads metering's `MeteredEnergy` through `invoke_chaincode` in its own transaction and then
//! writes; the peer refuses those writes if `MeteredEnergy` ran a private-data range query first. The testkit
//! enforces the same rule, so this flow fails if metering's answer ever comes from such a query again.

// The helpers panic on failure, like the test that uses them.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use gridledger_contract::ContractChaincode;
use gridledger_metering::ingest::TRANSIENT_KEY;
use gridledger_metering::{Reading, Signer};
use gridledger_shim::{Chaincode, Response};
use gridledger_testkit::memory::MemoryLedger;
use serde_json::{Value, json};

use crate::support::{Cast, I, Who, who};

/// A one-minute market, closing 30 s before delivery; the fees of the DESIGN.md worked example.
const CONFIG: &str = r#"{"gateClosureSeconds":30,"gridFeePerKwh":5,"imbalanceShortPerKwh":40,"imbalanceLongPerKwh":3,"intervalSeconds":60}"#;
/// The market's (and the meters') interval length.
const LEN: i64 = 60;

/// The three real chaincodes on one ledger, with the callers.
struct Grid {
    ledger: MemoryLedger,
    trade: ContractChaincode,
    registry: Arc<dyn Chaincode>,
    metering: Arc<dyn Chaincode>,
    cast: Cast,
    installer: Who,
    gateway: Who,
}

impl Grid {
    fn new() -> Self {
        let ledger = MemoryLedger::new().with_namespace("trade");
        let registry: Arc<dyn Chaincode> = Arc::new(gridledger_registry::chaincode().unwrap());
        let metering: Arc<dyn Chaincode> = Arc::new(gridledger_metering::chaincode());
        ledger.register_chaincode("registry", Arc::clone(&registry));
        ledger.register_chaincode("metering", Arc::clone(&metering));
        let roles = ledger.tx(["InitRoles", super::support::ROLES]).with_namespace("registry");
        let r = roles.with_creator(who("GridMSP", "admin", Some("admin")).creator).invoke(registry.as_ref());
        assert_eq!(r.status, 200, "InitRoles: {}", r.message);
        Self {
            ledger,
            trade: gridledger_trade::chaincode(),
            registry,
            metering,
            cast: Cast::new(),
            installer: who("GridMSP", "installer", Some("meter-installer")),
            gateway: who("ProsumerMSP", "head-end", Some("gateway")),
        }
    }

    /// Runs `args` on the chaincode of `namespace` as `who` at `seconds`; panics unless it succeeds (and so commits).
    fn ok(&self, namespace: &str, who: &Who, seconds: i64, args: &[&str]) -> Value {
        let tx = self.ledger.tx(args).with_namespace(namespace).with_creator(who.creator.clone());
        let r = tx.with_timestamp(seconds, 0).invoke(self.chaincode(namespace));
        ok_json(r, args)
    }

    fn chaincode(&self, namespace: &str) -> &dyn Chaincode {
        match namespace {
            "registry" => self.registry.as_ref(),
            "metering" => self.metering.as_ref(),
            _ => &self.trade,
        }
    }

    /// The owner registers an asset, the grid operator connects it, and the installer fits a one-minute meter.
    fn connect(&self, owner: &Who, asset: &str, kind: &str, nameplate_w: i64, meter: &str, key: &Signer) {
        let record = json!({"id": asset, "kind": kind, "nameplateW": nameplate_w, "connectionPoint": "cp-feeder-7",
                            "location": {"lat": "52.37", "lon": "4.89"}, "commissioned": "2024-01-01"});
        self.ok("registry", owner, I - 7200, &["RegisterAsset", &record.to_string()]);
        self.ok("registry", &self.cast.grid_operator, I - 7100, &["ApproveConnection", asset]);
        let meter = json!({"id": meter, "assetId": asset, "publicKey": key.public_key_base64(),
                           "registers": ["1.8.0", "2.8.0"], "intervalSeconds": LEN});
        let out = self.ok("metering", &self.installer, I - 7000, &["RegisterMeter", &meter.to_string()]);
        assert_eq!(out["owner"], json!(owner.party));
    }

    /// The gateway submits a batch in the transient map, as the head-end system does.
    fn submit(&self, seconds: i64, batch: &[Reading]) -> Value {
        let args = ["SubmitReadings", ""];
        let tx = self.ledger.tx(args).with_namespace("metering").with_creator(self.gateway.creator.clone());
        let tx = tx.with_transient([(TRANSIENT_KEY, serde_json::to_vec(batch).unwrap())]);
        ok_json(tx.with_timestamp(seconds, 0).invoke(self.metering.as_ref()), &args)
    }

    fn place(&self, who: &Who, seconds: i64, side: &str, wh: i64, limit: i64) {
        let args = ["PlaceOrder", &I.to_string(), side, &wh.to_string(), &limit.to_string()];
        self.ok("trade", who, seconds, &args);
    }

    fn balance(&self, account: &str) -> i64 {
        ok_json(self.ledger.query(&self.trade, ["Balance", account]), &["Balance"]).as_i64().unwrap()
    }
}

fn ok_json(r: Response, args: &[&str]) -> Value {
    assert_eq!(r.status, 200, "{args:?} failed: {}", r.message);
    if r.payload.is_empty() { Value::Null } else { serde_json::from_slice(&r.payload).unwrap() }
}

/// A reading signed by the meter's key for a one-minute meter.
fn signed(key: &Signer, meter: &str, start: i64, register: &str, wh: i64, counter: u64) -> Reading {
    key.reading(meter, start, register, wh, counter, 60).unwrap()
}

#[test]
fn a_one_minute_interval_settles_on_real_readings() {
    let g = Grid::new();
    let c = &g.cast;
    let keys: Vec<Signer> = (0..4).map(|_| Signer::generate().unwrap().0).collect();
    g.ok("trade", &c.grid_operator, I - 7300, &["SetMarketConfig", CONFIG]);
    // Kinds and nameplates that allow the Wh below in one minute (an EV charger's and a load's import is bounded).
    g.connect(&c.alice, "load-alice", "flexible-load", 200_000, "m-alice", &keys[0]);
    g.connect(&c.bob, "ev-bob", "ev-charger", 100_000, "m-bob", &keys[1]);
    g.connect(&c.carol, "pv-carol", "pv", 150_000, "m-carol", &keys[2]);
    g.connect(&c.dave, "wind-dave", "wind", 180_000, "m-dave", &keys[3]);

    // The DESIGN.md worked example without its unfilled orders: price 22, 4500 Wh.
    g.place(&c.alice, I - 600, "buy", 3000, 30);
    g.place(&c.bob, I - 599, "buy", 2000, 25);
    g.place(&c.carol, I - 600, "sell", 2500, 12);
    g.place(&c.dave, I - 599, "sell", 2000, 20);
    let cleared = g.ok("trade", &c.grid_operator, I - 30, &["ClearMarket", &I.to_string()]);
    assert_eq!(cleared, json!({"intervalStart": I, "pricePerKwh": 22, "volumeWh": 4500}));

    // The previous minute's readings must not count towards interval I.
    let earlier = [signed(&keys[3], "m-dave", I - LEN, "2.8.0", 2900, 1)];
    assert_eq!(g.submit(I, &earlier)["accepted"], 1);
    let batch = [
        signed(&keys[0], "m-alice", I, "1.8.0", 3200, 1),
        signed(&keys[1], "m-bob", I, "1.8.0", 1500, 1),
        signed(&keys[2], "m-carol", I, "2.8.0", 2000, 1),
        signed(&keys[3], "m-dave", I, "1.8.0", 100, 2),
        signed(&keys[3], "m-dave", I, "2.8.0", 2700, 3),
    ];
    assert_eq!(g.submit(I + LEN, &batch), json!({"accepted": 5, "meters": 4}));

    // Settle reads MeteredEnergy four times, then writes postings, balances and the settlement in the same
    // transaction: success means no private-data query preceded those writes.
    let summary = g.ok("trade", &c.utility_operator, I + LEN + 1, &["Settle", &I.to_string()]);
    assert_eq!(summary, json!({"intervalStart": I, "parties": 4, "postings": 8, "totalAmount": 150}));

    let settlement = ok_json(g.ledger.query(&g.trade, ["GetSettlement", &I.to_string()]), &["GetSettlement"]);
    let metered: BTreeMap<String, i64> = settlement["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (format!("{}/{}", p["party"]["msp"].as_str().unwrap(), p["party"]["id"].as_str().unwrap()), p))
        .map(|(account, p)| (account, p["meteredWh"].as_i64().unwrap()))
        .collect();
    let expected: BTreeMap<String, i64> = [(&c.alice, 3200), (&c.bob, 1500), (&c.carol, -2000), (&c.dave, -2600)]
        .into_iter()
        .map(|(who, wh)| (who.party.account(), wh))
        .collect();
    assert_eq!(metered, expected, "import - export of interval {I} only, per party");

    // DESIGN.md: alice -89, bob -40, carol 35, dave 45, GRID 49.
    let accounts = [(&c.alice, -89), (&c.bob, -40), (&c.carol, 35), (&c.dave, 45)];
    for (who, expected) in accounts {
        assert_eq!(g.balance(&who.party.account()), expected, "{}", who.party.account());
    }
    assert_eq!(g.balance("GRID"), 49);
    let all = ok_json(g.ledger.query(&g.trade, ["Balances"]), &["Balances"]);
    let all = all.as_object().unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all.values().map(|v| v.as_i64().unwrap()).sum::<i64>(), 0);
}
