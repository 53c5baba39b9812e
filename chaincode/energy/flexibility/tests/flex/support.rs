//! Test support: the four real chaincodes (registry, metering, trade, flexibility) on one in-memory ledger, a cast
//! of callers with roles, two VPPs with metered member assets, and helpers that check a refusal changed nothing.

// Helpers panic on failure, like the tests that use them; each test uses a part of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use gridledger_energy_common::caller::Party;
use gridledger_metering::ingest::TRANSIENT_KEY;
use gridledger_metering::{Reading, Signer};
use gridledger_shim::{Chaincode, Response};
use gridledger_testkit::memory::MemoryLedger;
use gridledger_testkit::response::{assert_refused, ok_json};
use serde_json::{Value, json};

/// The first delivery interval: 2024-01-01T01:00:00Z (aligned to an hour).
pub(crate) const I: i64 = 1_704_070_800;
/// The request's gate closure.
pub(crate) const GATE: i64 = I - 600;
/// A time before gate closure.
pub(crate) const OPEN: i64 = I - 3600;
/// The meters' and the request's interval length.
pub(crate) const LEN: i64 = 900;
/// One day.
pub(crate) const DAY: i64 = 86_400;
/// When the world is set up: before any history reading.
pub(crate) const SETUP: i64 = I - 10 * DAY;

/// The roles record: GridMSP operates everything, NetzMSP only the Berlin area.
pub(crate) const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","NetzMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]},{"msp":"NetzMSP","connectionPoints":["cp-ber-*"]}],
    "suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;

/// A caller: its serialized identity and the party it is.
pub(crate) type Who = gridledger_testkit::identity::Who<Party>;

/// Mints a self-signed certificate with the role attribute and wraps it as a creator.
pub(crate) fn who(msp: &str, name: &str, role: Option<&str>) -> Who {
    gridledger_testkit::identity::who(msp, name, role, |msp, id| Party { msp, id }).unwrap()
}

/// Everyone who acts in the tests.
#[derive(Debug, Clone)]
pub(crate) struct Cast {
    pub grid_operator: Who,
    pub grid_admin: Who,
    pub netz_operator: Who,
    pub installer: Who,
    pub gateway: Who,
    pub alice: Who,
    pub bob: Who,
    pub carol: Who,
    pub agg_a: Who,
    pub agg_b: Who,
}

impl Cast {
    pub(crate) fn new() -> Self {
        Self {
            grid_operator: who("GridMSP", "gridop", Some("operator")),
            grid_admin: who("GridMSP", "gridadmin", Some("admin")),
            netz_operator: who("NetzMSP", "netzop", Some("operator")),
            installer: who("GridMSP", "installer", Some("meter-installer")),
            gateway: who("ProsumerMSP", "head-end", Some("gateway")),
            alice: who("ProsumerMSP", "alice", Some("prosumer")),
            bob: who("ProsumerMSP", "bob", Some("prosumer")),
            carol: who("ProsumerMSP", "carol", Some("prosumer")),
            agg_a: who("ProsumerMSP", "agg-a", Some("aggregator")),
            agg_b: who("ProsumerMSP", "agg-b", Some("aggregator")),
        }
    }
}

/// The namespaces a refused transaction must leave alone.
pub(crate) const NAMESPACES: [&str; 4] = ["registry", "metering", "trade", "flexibility"];

/// The ledger with the four chaincodes, the cast and the meters' keys.
pub(crate) struct World {
    pub ledger: MemoryLedger,
    pub chaincodes: BTreeMap<&'static str, Arc<dyn Chaincode>>,
    pub cast: Cast,
    pub keys: BTreeMap<String, Signer>,
    pub counters: std::cell::RefCell<BTreeMap<String, u64>>,
}

impl World {
    /// The four chaincodes and the roles record; VPP `vpp-a` (agg-a: alice's battery `bat-a` and bob's PV `pv-b` at
    /// `cp-ams-1`, alice's PV `pv-x` at `cp-ber-1`, bob's EV charger `ev-e` with an hourly meter) and `vpp-b`
    /// (agg-b: carol's battery `bat-c` at `cp-ams-2`), each asset with a 900 s meter `m-<asset suffix>`.
    pub(crate) fn new() -> Self {
        let ledger = MemoryLedger::new().with_namespace("flexibility");
        let mut chaincodes: BTreeMap<&'static str, Arc<dyn Chaincode>> = BTreeMap::new();
        chaincodes.insert("registry", Arc::new(gridledger_registry::chaincode().unwrap()));
        chaincodes.insert("metering", Arc::new(gridledger_metering::chaincode()));
        chaincodes.insert("trade", Arc::new(gridledger_trade::chaincode()));
        chaincodes.insert("flexibility", Arc::new(gridledger_flexibility::chaincode()));
        for (name, cc) in &chaincodes {
            ledger.register_chaincode(*name, Arc::clone(cc));
        }
        let w = Self { ledger, chaincodes, cast: Cast::new(), keys: BTreeMap::new(), counters: Default::default() };
        w.ok("registry", &who("GridMSP", "admin", Some("admin")), SETUP, &["InitRoles", ROLES]);
        let mut w = w;
        let c = w.cast.clone();
        w.ok("registry", &c.agg_a, SETUP, &["CreateVpp", "vpp-a", "VPP A"]);
        w.ok("registry", &c.agg_b, SETUP, &["CreateVpp", "vpp-b", "VPP B"]);
        w.asset(&c.alice, "bat-a", ("storage", 40_000), "cp-ams-1", "vpp-a", 900);
        w.asset(&c.bob, "pv-b", ("pv", 20_000), "cp-ams-1", "vpp-a", 900);
        w.asset(&c.alice, "pv-x", ("pv", 20_000), "cp-ber-1", "vpp-a", 900);
        w.asset(&c.bob, "ev-e", ("ev-charger", 11_000), "cp-ams-1", "vpp-a", 3600);
        w.asset(&c.carol, "bat-c", ("storage", 40_000), "cp-ams-2", "vpp-b", 900);
        w
    }

    /// Registers, connects and meters an asset, and makes it a member of `vpp`.
    pub(crate) fn asset(
        &mut self,
        owner: &Who,
        id: &str,
        (kind, nameplate_w): (&str, i64),
        cp: &str,
        vpp: &str,
        len: i64,
    ) {
        let mut record = json!({"id": id, "kind": kind, "nameplateW": nameplate_w, "connectionPoint": cp,
                                "location": {"lat": "52.37", "lon": "4.89"}, "commissioned": "2023-06-01"});
        if kind == "storage" {
            record["storageWh"] = json!(80_000);
        }
        let c = self.cast.clone();
        self.ok("registry", owner, SETUP, &["RegisterAsset", &record.to_string()]);
        self.ok("registry", &c.grid_operator, SETUP, &["ApproveConnection", id]);
        self.ok("registry", owner, SETUP, &["ConsentToVpp", id, vpp]);
        let aggregator = if vpp == "vpp-a" { &c.agg_a } else { &c.agg_b };
        self.ok("registry", aggregator, SETUP, &["AddVppMember", vpp, id]);
        let meter_id = meter_of(id);
        let key = Signer::generate().unwrap().0;
        let meter = json!({"id": meter_id, "assetId": id, "publicKey": key.public_key_base64(),
                           "registers": ["1.8.0", "2.8.0"], "intervalSeconds": len});
        self.ok("metering", &c.installer, SETUP, &["RegisterMeter", &meter.to_string()]);
        self.keys.insert(meter_id, key);
    }

    /// Runs `args` on `namespace` as `who` at `seconds` (commits below 400).
    pub(crate) fn call(&self, namespace: &str, who: &Who, seconds: i64, args: &[&str]) -> Response {
        let tx = self.ledger.tx(args).with_namespace(namespace).with_creator(who.creator.clone());
        tx.with_timestamp(seconds, 0).invoke(self.chaincodes[namespace].as_ref())
    }

    /// Like [`World::call`], but panics unless it succeeds; the payload as JSON.
    pub(crate) fn ok(&self, namespace: &str, who: &Who, seconds: i64, args: &[&str]) -> Value {
        let r = self.call(namespace, who, seconds, args);
        ok_json(&r, &format!("{namespace} {args:?}"))
    }

    /// A flexibility transaction that must succeed.
    pub(crate) fn flex(&self, who: &Who, seconds: i64, args: &[&str]) -> Value {
        self.ok("flexibility", who, seconds, args)
    }

    /// Submits `args` on `namespace`, expects `status` and a message containing `needle`, and checks that nothing
    /// changed in any namespace, nor the height or events.
    pub(crate) fn refused(&self, namespace: &str, who: &Who, seconds: i64, args: &[&str], status: i32, needle: &str) {
        let before = self.snapshot();
        let r = self.call(namespace, who, seconds, args);
        assert_refused(&r, status, needle, &format!("{args:?}"));
        assert_eq!(self.snapshot(), before, "{args:?} changed the ledger");
    }

    pub(crate) fn snapshot(&self) -> (Vec<BTreeMap<String, Vec<u8>>>, u64, usize) {
        (NAMESPACES.iter().map(|ns| self.ledger.state(ns)).collect(), self.ledger.height(), self.ledger.events().len())
    }

    /// Evaluates a query on `namespace` without identity.
    pub(crate) fn query(&self, namespace: &str, args: &[&str]) -> Value {
        let r = self.ledger.tx(args).with_namespace(namespace).query(self.chaincodes[namespace].as_ref());
        ok_json(&r, &format!("{args:?}"))
    }

    /// A trade balance.
    pub(crate) fn balance(&self, account: &str) -> i64 {
        self.query("trade", &["Balance", account]).as_i64().unwrap()
    }

    /// The meter's signed reading (its next counter) of `register` for the interval at `start`.
    pub(crate) fn reading(&self, meter: &str, start: i64, register: &str, wh: i64) -> Reading {
        let mut counters = self.counters.borrow_mut();
        let counter = counters.entry(meter.to_string()).or_insert(0);
        *counter += 1;
        let len = if meter == "m-e" { 3600 } else { 900 };
        self.keys[meter].reading(meter, start, register, wh, *counter, len).unwrap()
    }

    /// The gateway submits `batch` at `seconds`.
    pub(crate) fn submit(&self, seconds: i64, batch: &[Reading]) {
        let args = ["SubmitReadings", ""];
        let tx = self.ledger.tx(args).with_namespace("metering").with_creator(self.cast.gateway.creator.clone());
        let tx = tx.with_transient([(TRANSIENT_KEY, serde_json::to_vec(batch).unwrap())]);
        let r = tx.with_timestamp(seconds, 0).invoke(self.chaincodes["metering"].as_ref());
        assert_eq!(r.status, 200, "SubmitReadings: {}", r.message);
    }

    /// Creates a request as the grid operator at `OPEN - 600`; returns its id.
    pub(crate) fn request(&self, spec: &Value) -> String {
        let out = self.flex(&self.cast.grid_operator, OPEN - 600, &["CreateRequest", &spec.to_string()]);
        out["id"].as_str().unwrap().to_string()
    }
}

/// `bat-a` -> `m-a`: the meter of an asset.
pub(crate) fn meter_of(asset: &str) -> String {
    format!("m-{}", asset.rsplit('-').next().unwrap())
}

/// The request of the scenario: 10 kWh up at `cp-ams-*` in interval `I`, schedule baseline, cap 200, 10 %
/// tolerance, penalty 300 per kWh.
pub(crate) fn request_spec() -> Value {
    json!({"connectionPoints": ["cp-ams-*"], "intervalStart": I, "intervalSeconds": LEN, "intervals": 1,
           "direction": "up", "wh": 10_000, "priceCapPerKwh": 200, "gateClosure": GATE,
           "baseline": {"method": "schedule"}, "toleranceBps": 1000, "penaltyPerKwh": 300})
}

/// An offer document.
pub(crate) fn offer(vpp: &str, wh: i64, price: i64, meters: &[&str], schedule: Option<&[i64]>) -> String {
    let mut o = json!({"vppId": vpp, "wh": wh, "pricePerKwh": price, "meters": meters});
    if let Some(s) = schedule {
        o["schedule"] = json!(s);
    }
    o.to_string()
}
