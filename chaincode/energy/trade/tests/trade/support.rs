//! Test support: identities with roles, fake registry and metering chaincodes, and a ledger with trade on it.

// Helpers panic on failure, like the tests that use them; each test binary uses a part of them.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use gridledger_contract::ContractChaincode;
use gridledger_energy_common::caller::Party;
use gridledger_shim::{Chaincode, ChaincodeStub, Response};
use gridledger_testkit::memory::MemoryLedger;
use gridledger_testkit::response::{assert_refused, ok_json};
use serde_json::{Value, json};

/// An aligned delivery interval: 2024-01-01T01:00:00Z.
pub(crate) const I: i64 = 1_704_070_800;
/// The default gate closure of [`I`].
pub(crate) const CLOSURE: i64 = I - 300;
/// A time well before gate closure.
pub(crate) const OPEN: i64 = I - 3600;

/// A caller: its serialized identity and the party it is.
pub(crate) type Who = gridledger_testkit::identity::Who<Party>;

/// Mints a self-signed certificate with the role attribute and wraps it as a creator.
pub(crate) fn who(msp: &str, name: &str, role: Option<&str>) -> Who {
    gridledger_testkit::identity::who(msp, name, role, |msp, id| Party { msp, id }).unwrap()
}

/// The cast of the tests.
#[derive(Debug, Clone)]
pub(crate) struct Cast {
    pub alice: Who,
    pub bob: Who,
    pub carol: Who,
    pub dave: Who,
    pub storage: Who,
    pub no_role: Who,
    pub aggregator: Who,
    pub other_aggregator: Who,
    pub grid_operator: Who,
    pub grid_admin: Who,
    pub utility_operator: Who,
    pub utility_admin: Who,
    pub utility_prosumer: Who,
}

impl Cast {
    pub(crate) fn new() -> Self {
        Self {
            alice: who("ProsumerMSP", "alice", Some("prosumer")),
            bob: who("ProsumerMSP", "bob", Some("prosumer")),
            carol: who("ProsumerMSP", "carol", Some("prosumer")),
            dave: who("ProsumerMSP", "dave", Some("prosumer")),
            storage: who("StorageMSP", "battery", Some("prosumer")),
            no_role: who("ProsumerMSP", "mallory", None),
            aggregator: who("ProsumerMSP", "agg", Some("aggregator")),
            other_aggregator: who("ProsumerMSP", "agg2", Some("aggregator")),
            grid_operator: who("GridMSP", "gridop", Some("operator")),
            grid_admin: who("GridMSP", "gridadmin", Some("admin")),
            utility_operator: who("UtilityMSP", "desk", Some("operator")),
            utility_admin: who("UtilityMSP", "utiladmin", Some("admin")),
            utility_prosumer: who("UtilityMSP", "utilprosumer", Some("prosumer")),
        }
    }
}

/// The test consortium's roles record (what `scripts/lib/deploy.sh` writes).
pub(crate) const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]}],"suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;

/// A registry answering `GetVpp` for the VPPs it is given, and `GetRoles` with its roles record (default
/// [`ROLES`]; `None` answers 404 as before `InitRoles`).
#[derive(Debug)]
pub(crate) struct FakeRegistry {
    pub vpps: Mutex<BTreeMap<String, Party>>,
    pub roles: Mutex<Option<String>>,
}

impl Default for FakeRegistry {
    fn default() -> Self {
        Self { vpps: Mutex::default(), roles: Mutex::new(Some(ROLES.to_string())) }
    }
}

impl Chaincode for FakeRegistry {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let Ok((function, params)) = stub.function_and_parameters() else { return Response::error("bad args") };
        match (function.as_str(), params.as_slice()) {
            ("GetVpp", [id]) => match self.vpps.lock().unwrap().get(id) {
                Some(aggregator) => Response::success(
                    json!({"id": id, "name": "a VPP", "aggregator": aggregator, "members": ["pv-1"], "capacityW": 5000})
                        .to_string(),
                ),
                None => Response::with_status(404, format!("no VPP {id}")),
            },
            ("GetRoles", []) => match self.roles.lock().unwrap().as_ref() {
                Some(roles) => Response::success(roles.clone()),
                None => Response::with_status(404, "no roles record"),
            },
            _ => Response::with_status(400, format!("fake registry: unexpected {function}")),
        }
    }
}

/// (importWh, exportWh).
pub(crate) type ImportExport = (i64, i64);

/// A metering chaincode answering `MeteredEnergy` from a table (0/0 for parties not in it), and refusing the
/// parties in `refuse`.
#[derive(Debug, Default)]
pub(crate) struct FakeMetering {
    pub energy: Mutex<BTreeMap<(String, String, i64), ImportExport>>,
    pub refuse: Mutex<Vec<Party>>,
    pub calls: Mutex<Vec<(String, String, String)>>,
    /// The `intervalSeconds` it answers with (absent when `None`).
    pub length: Mutex<Option<u32>>,
}

impl FakeMetering {
    pub(crate) fn set(&self, party: &Party, interval: i64, import_wh: i64, export_wh: i64) {
        self.energy.lock().unwrap().insert((party.msp.clone(), party.id.clone(), interval), (import_wh, export_wh));
    }
}

impl Chaincode for FakeMetering {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let Ok((function, params)) = stub.function_and_parameters() else { return Response::error("bad args") };
        match (function.as_str(), params.as_slice()) {
            ("MeteredEnergy", [msp, id, interval]) => {
                self.calls.lock().unwrap().push((msp.clone(), id.clone(), interval.clone()));
                let party = Party { msp: msp.clone(), id: id.clone() };
                if self.refuse.lock().unwrap().contains(&party) {
                    return Response::with_status(403, "not a member of meterReadings");
                }
                let Ok(interval) = interval.parse::<i64>() else { return Response::with_status(400, "interval") };
                let (import_wh, export_wh) =
                    self.energy.lock().unwrap().get(&(msp.clone(), id.clone(), interval)).copied().unwrap_or((0, 0));
                let mut answer = json!({"importWh": import_wh, "exportWh": export_wh});
                if let Some(len) = *self.length.lock().unwrap() {
                    answer["intervalSeconds"] = json!(len);
                }
                Response::success(answer.to_string())
            }
            _ => Response::with_status(400, format!("fake metering: unexpected {function}")),
        }
    }
}

/// A ledger with the trade chaincode (namespace `trade`) and the fakes registered.
pub(crate) struct Env {
    pub ledger: MemoryLedger,
    pub cc: ContractChaincode,
    pub registry: Arc<FakeRegistry>,
    pub metering: Arc<FakeMetering>,
    pub cast: Cast,
}

impl Env {
    pub(crate) fn new() -> Self {
        Self::with_cast(Cast::new())
    }

    pub(crate) fn with_cast(cast: Cast) -> Self {
        let ledger = MemoryLedger::new().with_namespace("trade");
        let registry = Arc::new(FakeRegistry::default());
        let metering = Arc::new(FakeMetering::default());
        ledger.register_chaincode("registry", registry.clone());
        ledger.register_chaincode("metering", metering.clone());
        registry.vpps.lock().unwrap().insert("vpp-1".into(), cast.aggregator.party.clone());
        Self { ledger, cc: gridledger_trade::chaincode(), registry, metering, cast }
    }

    /// Submits `args` as `who` at `seconds` (nanos 0); commits when the status is below 400.
    pub(crate) fn call(&self, who: &Who, seconds: i64, args: &[&str]) -> Response {
        self.call_at(who, seconds, 0, args)
    }

    pub(crate) fn call_at(&self, who: &Who, seconds: i64, nanos: i32, args: &[&str]) -> Response {
        self.ledger.tx(args).with_creator(who.creator.clone()).with_timestamp(seconds, nanos).invoke(&self.cc)
    }

    /// Like [`Env::call`] but panics unless it succeeds; returns the payload as JSON (null when empty).
    pub(crate) fn ok(&self, who: &Who, seconds: i64, args: &[&str]) -> Value {
        let r = self.call(who, seconds, args);
        ok_json(&r, &format!("{args:?}"))
    }

    /// Evaluates a query without identity.
    pub(crate) fn query(&self, args: &[&str]) -> Value {
        let r = self.ledger.query(&self.cc, args);
        ok_json(&r, &format!("{args:?}"))
    }

    pub(crate) fn query_status(&self, args: &[&str]) -> (i32, String) {
        let r = self.ledger.query(&self.cc, args);
        (r.status, r.message)
    }

    /// Submits `args`, expects `status` and a message containing `needle`, and checks nothing changed.
    pub(crate) fn refused(&self, who: &Who, seconds: i64, args: &[&str], status: i32, needle: &str) {
        self.refused_at(who, seconds, 0, args, status, needle);
    }

    pub(crate) fn refused_at(&self, who: &Who, seconds: i64, nanos: i32, args: &[&str], status: i32, needle: &str) {
        let before = self.snapshot();
        let r = self.call_at(who, seconds, nanos, args);
        assert_refused(&r, status, needle, &format!("{args:?}"));
        assert_eq!(self.snapshot(), before, "{args:?} changed the ledger");
    }

    /// Everything a refused transaction must leave alone: every namespace, the height, the events.
    pub(crate) fn snapshot(&self) -> (BTreeMap<String, Vec<u8>>, u64, usize) {
        (self.ledger.state("trade"), self.ledger.height(), self.ledger.events().len())
    }

    /// Places an order; returns its id.
    pub(crate) fn place(&self, who: &Who, side: &str, wh: i64, limit: i64) -> String {
        self.place_at(who, OPEN, side, wh, limit)
    }

    pub(crate) fn place_at(&self, who: &Who, seconds: i64, side: &str, wh: i64, limit: i64) -> String {
        let order = self.ok(who, seconds, &["PlaceOrder", &I.to_string(), side, &wh.to_string(), &limit.to_string()]);
        order["id"].as_str().unwrap().to_string()
    }

    pub(crate) fn clear(&self) -> Value {
        self.ok(&self.cast.grid_operator, CLOSURE, &["ClearMarket", &I.to_string()])
    }

    pub(crate) fn settle(&self) -> Value {
        self.ok(&self.cast.utility_operator, I + 900, &["Settle", &I.to_string()])
    }

    pub(crate) fn clearing(&self) -> Value {
        self.query(&["GetClearing", &I.to_string()])
    }

    pub(crate) fn balance(&self, who: &Who) -> i64 {
        self.query(&["Balance", &who.party.account()]).as_i64().unwrap()
    }
}

/// `I` as an argument.
pub(crate) fn i() -> String {
    I.to_string()
}
