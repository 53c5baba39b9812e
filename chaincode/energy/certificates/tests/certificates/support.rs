//! Test support: the real registry, metering, trade and certificates chaincodes on one in-memory ledger, callers
//! with roles, signed meter readings.

// Helpers panic on failure, like the tests that use them; each test uses a part of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use gridledger_energy_common::caller::Party;
use gridledger_metering::{Reading, Signer};
use gridledger_shim::{Chaincode, Response};
use gridledger_testkit::memory::MemoryLedger;
use gridledger_testkit::response::{assert_refused, ok_json};
use serde_json::{Value, json};

use crate::proposal::Proposed;

/// The first hour of the tests: 2024-01-01T00:00:00Z (a UTC day starts here too).
pub(crate) const H0: i64 = 1_704_067_200;
/// An hour.
pub(crate) const HOUR: i64 = 3600;
/// The meters' interval length.
pub(crate) const LEN: i64 = 900;

/// The test consortium's roles record (what `scripts/deploy.sh` writes): no issuing body, so GridMSP, the
/// operator of every connection point, issues.
pub(crate) const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]}],"suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;

/// A caller: its serialized identity and the party it is.
pub(crate) type Who = gridledger_testkit::identity::Who<Party>;

/// Mints a self-signed certificate with the role attribute and wraps it as a creator.
pub(crate) fn who(msp: &str, name: &str, role: Option<&str>) -> Who {
    gridledger_testkit::identity::who(msp, name, role, |msp, id| Party { msp, id }).unwrap()
}

/// The cast, made once per test binary (certificates are slow-ish to mint).
#[derive(Debug)]
pub(crate) struct Cast {
    /// GridMSP issuer.
    pub issuer: Who,
    /// GridMSP operator (a grid operator, not an issuer by role).
    pub grid_operator: Who,
    /// GridMSP admin.
    pub grid_admin: Who,
    pub installer: Who,
    pub gateway: Who,
    /// ProsumerMSP prosumer: owns pv-1, bat-1.
    pub alice: Who,
    /// ProsumerMSP prosumer: owns load-1, buys and claims.
    pub bob: Who,
    /// ProsumerMSP prosumer: owns load-2.
    pub carol: Who,
    /// UtilityMSP operator: supplies everyone.
    pub utility: Who,
    /// ProsumerMSP, no role.
    pub mallory: Who,
    /// The meters' keys.
    pub keys: BTreeMap<&'static str, Signer>,
}

pub(crate) fn cast() -> &'static Cast {
    static CAST: OnceLock<Cast> = OnceLock::new();
    CAST.get_or_init(|| Cast {
        issuer: who("GridMSP", "issuer", Some("issuer")),
        grid_operator: who("GridMSP", "gridop", Some("operator")),
        grid_admin: who("GridMSP", "gridadmin", Some("admin")),
        installer: who("GridMSP", "installer", Some("meter-installer")),
        gateway: who("ProsumerMSP", "head-end", Some("gateway")),
        alice: who("ProsumerMSP", "alice", Some("prosumer")),
        bob: who("ProsumerMSP", "bob", Some("prosumer")),
        carol: who("ProsumerMSP", "carol", Some("prosumer")),
        utility: who("UtilityMSP", "desk", Some("operator")),
        mallory: who("ProsumerMSP", "mallory", None),
        keys: ["m-pv-1", "m-pv-1b", "m-load-1", "m-load-2", "m-bat-1", "m-pend"]
            .into_iter()
            .map(|m| (m, Signer::generate().unwrap().0))
            .collect(),
    })
}

/// Everything a refused transaction must leave alone.
pub(crate) type Snapshot = (Vec<BTreeMap<String, Vec<u8>>>, u64, usize);

/// The four chaincodes on one ledger.
pub(crate) struct World {
    pub ledger: MemoryLedger,
    pub chaincodes: BTreeMap<&'static str, Arc<dyn Chaincode>>,
    counters: Mutex<BTreeMap<String, u64>>,
}

impl World {
    /// The chaincodes, the roles record, and nothing else.
    pub(crate) fn empty() -> Self {
        let ledger = MemoryLedger::new().with_namespace("certificates");
        let mut chaincodes: BTreeMap<&'static str, Arc<dyn Chaincode>> = BTreeMap::new();
        chaincodes.insert("registry", Arc::new(gridledger_registry::chaincode().unwrap()));
        chaincodes.insert("metering", Arc::new(gridledger_metering::chaincode()));
        chaincodes.insert("trade", Arc::new(gridledger_trade::chaincode()));
        chaincodes.insert("certificates", Arc::new(gridledger_certificates::chaincode()));
        for (name, cc) in &chaincodes {
            ledger.register_chaincode(*name, Proposed::new(name, Arc::clone(cc)));
        }
        let w = Self { ledger, chaincodes, counters: Mutex::default() };
        w.ok("registry", &cast().grid_admin, H0 - 90_000, &["InitRoles", ROLES]);
        w
    }

    /// Assets and meters: alice's pv-1 (two meters, 10 kW) and bat-1 (storage), bob's load-1, carol's load-2
    /// (flexible loads), and a pending pv asset `pend-1`; all 15-minute meters.
    pub(crate) fn new() -> Self {
        let w = Self::empty();
        let c = cast();
        w.asset(&c.alice, "pv-1", "pv", true, &["m-pv-1", "m-pv-1b"]);
        w.asset(&c.alice, "bat-1", "storage", true, &["m-bat-1"]);
        w.asset(&c.bob, "load-1", "flexible-load", true, &["m-load-1"]);
        w.asset(&c.carol, "load-2", "flexible-load", true, &["m-load-2"]);
        w.asset(&c.alice, "pend-1", "pv", false, &["m-pend"]);
        w
    }

    /// Registers an asset (approved when `approve`) and its meters.
    pub(crate) fn asset(&self, owner: &Who, id: &str, kind: &str, approve: bool, meters: &[&str]) {
        let c = cast();
        let mut record = json!({"id": id, "kind": kind, "nameplateW": 10_000, "connectionPoint": "cp-feeder-7",
                                "location": {"lat": "52.37", "lon": "4.89"}, "commissioned": "2023-06-01"});
        if kind == "storage" {
            record["storageWh"] = json!(20_000);
        }
        self.ok("registry", owner, H0 - 86_000, &["RegisterAsset", &record.to_string()]);
        if approve {
            self.ok("registry", &c.grid_operator, H0 - 85_000, &["ApproveConnection", id]);
        }
        for m in meters {
            let meter = json!({"id": m, "assetId": id, "publicKey": c.keys[m].public_key_base64(),
                               "registers": ["1.8.0", "2.8.0"], "intervalSeconds": LEN});
            self.ok("metering", &c.installer, H0 - 84_000, &["RegisterMeter", &meter.to_string()]);
        }
    }

    /// The issuer registers `asset` as a device with `meters`.
    pub(crate) fn device(&self, asset: &str, meters: &[&str]) -> Value {
        let reg = json!({"assetId": asset, "technology": "T020001", "area": "10YNL----------L", "meters": meters});
        self.ok("certificates", &cast().issuer, H0 - 80_000, &["RegisterDevice", &reg.to_string()])
    }

    /// Signed readings of `meter` for the hour starting at `hour`, one per interval where `whs` has a value.
    pub(crate) fn readings(&self, meter: &str, hour: i64, register: &str, whs: &[Option<i64>]) -> Vec<Reading> {
        let key = &cast().keys[meter];
        let mut counters = self.counters.lock().unwrap();
        let counter = counters.entry(meter.to_string()).or_insert(0);
        let mut out = Vec::new();
        for (i, wh) in whs.iter().enumerate() {
            let Some(wh) = wh else { continue };
            *counter += 1;
            out.push(key.reading(meter, hour + i as i64 * LEN, register, *wh, *counter, LEN as u32).unwrap());
        }
        out
    }

    /// Submits readings as the gateway at `t`.
    pub(crate) fn submit(&self, t: i64, batch: &[Reading]) {
        self.ok("metering", &cast().gateway, t, &["SubmitReadings", &serde_json::to_string(batch).unwrap()]);
    }

    /// The hour's four export readings of `meter` (`whs`), submitted right after the hour.
    pub(crate) fn export(&self, meter: &str, hour: i64, whs: [i64; 4]) {
        let batch = self.readings(meter, hour, "2.8.0", &whs.map(Some));
        self.submit(hour + HOUR, &batch);
    }

    /// The hour's four import readings of `meter`.
    pub(crate) fn import(&self, meter: &str, hour: i64, whs: [i64; 4]) {
        let batch = self.readings(meter, hour, "1.8.0", &whs.map(Some));
        self.submit(hour + HOUR, &batch);
    }

    pub(crate) fn call(&self, namespace: &str, who: &Who, t: i64, args: &[&str]) -> Response {
        let tx = self.ledger.tx(args).with_namespace(namespace).with_creator(who.creator.clone());
        let cc = Proposed::new(namespace, Arc::clone(&self.chaincodes[namespace]));
        tx.with_timestamp(t, 0).invoke(cc.as_ref())
    }

    /// Runs `args` and panics unless it succeeds; the payload as JSON (null when empty).
    pub(crate) fn ok(&self, namespace: &str, who: &Who, t: i64, args: &[&str]) -> Value {
        let r = self.call(namespace, who, t, args);
        ok_json(&r, &format!("{namespace} {args:?}"))
    }

    /// A certificates transaction that must succeed.
    pub(crate) fn cert(&self, who: &Who, t: i64, args: &[&str]) -> Value {
        self.ok("certificates", who, t, args)
    }

    /// A certificates query without identity.
    pub(crate) fn query(&self, args: &[&str]) -> Value {
        let r = self.ledger.query(self.chaincodes["certificates"].as_ref(), args);
        ok_json(&r, &format!("{args:?}"))
    }

    /// A certificates query's status and message.
    pub(crate) fn query_status(&self, args: &[&str]) -> (i32, String) {
        let r = self.ledger.query(self.chaincodes["certificates"].as_ref(), args);
        (r.status, r.message)
    }

    /// A certificates transaction that must fail with `status` and a message containing `needle`, changing
    /// nothing in any chaincode's state, the height or the events.
    pub(crate) fn refused(&self, who: &Who, t: i64, args: &[&str], status: i32, needle: &str) -> String {
        self.refused_in("certificates", who, t, args, status, needle)
    }

    pub(crate) fn refused_in(
        &self,
        namespace: &str,
        who: &Who,
        t: i64,
        args: &[&str],
        status: i32,
        needle: &str,
    ) -> String {
        let before = self.snapshot();
        // Run by hand to see the write set: handlers check everything before they write, so a refusal leaves
        // even its uncommitted write set empty (and the ledger does not commit a refused transaction).
        let tx = self.ledger.tx(args).with_namespace(namespace).with_creator(who.creator.clone()).with_timestamp(t, 0);
        let r = Proposed::new(namespace, Arc::clone(&self.chaincodes[namespace])).invoke(&tx);
        let writes: Vec<_> = tx.writes().into_keys().collect();
        assert!(writes.is_empty(), "a refused {args:?} wrote {writes:?}");
        drop(tx);
        assert_refused(&r, status, needle, &format!("{args:?}"));
        assert_eq!(self.snapshot(), before, "{args:?} changed the ledger");
        r.message
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let states = ["certificates", "trade", "registry", "metering"].map(|ns| self.ledger.state(ns)).to_vec();
        (states, self.ledger.height(), self.ledger.events().len())
    }

    /// Trade `Balance(account)`.
    pub(crate) fn balance(&self, who: &Who) -> i64 {
        let r = self.trade_query(&["Balance", &who.party.account()]);
        assert_eq!(r.status, 200, "{}", r.message);
        serde_json::from_slice::<Value>(&r.payload).unwrap().as_i64().unwrap()
    }

    /// A trade query (the ledger's default namespace is certificates').
    pub(crate) fn trade_query(&self, args: &[&str]) -> Response {
        self.ledger.tx(args).with_namespace("trade").query(self.chaincodes["trade"].as_ref())
    }

    /// The sum of every trade balance.
    pub(crate) fn balances_sum(&self) -> i64 {
        let r = self.trade_query(&["Balances"]);
        let all: BTreeMap<String, i64> = serde_json::from_slice(&r.payload).unwrap();
        all.values().sum()
    }

    /// The last committed event: (name, payload JSON).
    pub(crate) fn last_event(&self) -> (String, Value) {
        let e = self.ledger.events().pop().unwrap();
        (e.event_name, serde_json::from_slice(&e.payload).unwrap())
    }
}

/// `n` as an argument.
pub(crate) fn s(n: i64) -> String {
    n.to_string()
}

/// A world with pv-1 registered as a device and certificates issued for hour `H0` (export 1000, 1100, 1200,
/// 1300 on m-pv-1 and 100 each on m-pv-1b: 5000 Wh); returns the certificate id.
pub(crate) fn issued() -> (World, String) {
    let w = World::new();
    w.device("pv-1", &["m-pv-1", "m-pv-1b"]);
    w.export("m-pv-1", H0, [1000, 1100, 1200, 1300]);
    w.export("m-pv-1b", H0, [100, 100, 100, 100]);
    let cert = w.cert(&cast().alice, H0 + HOUR + 10, &["IssueCertificates", "pv-1", &s(H0)]);
    assert_eq!(cert["wh"], 5000);
    (w, cert["id"].as_str().unwrap().to_string())
}
