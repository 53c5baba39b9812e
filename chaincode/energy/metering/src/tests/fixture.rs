//! Test world shared by the unit tests and `benches/verify.rs` (which includes this file by path): a
//! MemoryLedger with the metering chaincode, a fake registry, callers with roles, and meter keys.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use gridledger_contract::ContractChaincode;
use gridledger_metering::reading::{Reading, Signer};
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::prost::Message as _;
use gridledger_shim::identity::ClientIdentity;
use gridledger_shim::{Chaincode, ChaincodeStub, Response};
use gridledger_testkit::memory::MemoryLedger;
use serde_json::json;

/// An aligned interval start; the ledger clock starts ten intervals later.
pub(crate) const T0: i64 = 1_700_000_100;
/// The ledger clock at the start of every world.
pub(crate) const NOW: i64 = T0 + 10 * 900;
/// PV nameplate 4 kW: at most 1000 Wh in 15 minutes.
pub(crate) const PV1_MAX_WH: i64 = 1000;

/// The test consortium's roles record (what `scripts/lib/deploy.sh` writes): GridMSP operates every connection
/// point, UtilityMSP supplies everyone, roles in `gridledger.role`.
pub(crate) const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]}],"suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;

/// A registry that answers `GetAsset` with the DESIGN.md asset JSON, and `GetRoles` with its roles record.
#[derive(Debug, Default)]
pub(crate) struct FakeRegistry {
    /// Asset JSON by id.
    pub assets: BTreeMap<String, serde_json::Value>,
    /// The roles record (`None`: 404, as before `InitRoles`).
    pub roles: Option<String>,
}

impl Chaincode for FakeRegistry {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        match stub.function_and_parameters() {
            Ok((f, args)) if f == "GetAsset" && args.len() == 1 => match self.assets.get(&args[0]) {
                Some(asset) => Response::success(asset.to_string()),
                None => Response::with_status(404, format!("asset {} not found", args[0])),
            },
            Ok((f, args)) if f == "GetRoles" && args.is_empty() => match &self.roles {
                Some(roles) => Response::success(roles.clone()),
                None => Response::with_status(404, "no roles record"),
            },
            _ => Response::with_status(400, "the fake registry only knows GetAsset(id) and GetRoles()"),
        }
    }
}

/// A serialized identity (`SerializedIdentity` bytes) whose certificate carries `gridledger.role`.
pub(crate) fn identity(msp: &str, name: &str, role: Option<&str>) -> Vec<u8> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    if let Some(role) = role {
        let attrs = json!({"attrs": {"gridledger.role": role}}).to_string().into_bytes();
        params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(&[1, 2, 3, 4, 5, 6, 7, 8, 1], attrs)];
    }
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("certificate");
    SerializedIdentity { mspid: msp.into(), id_bytes: cert.pem().into_bytes() }.encode_to_vec()
}

/// The callers and meter keys, made once per test process (certificates and keys are slow-ish to make).
#[derive(Debug)]
pub(crate) struct Cast {
    /// GridMSP meter-installer.
    pub installer: Vec<u8>,
    /// GridMSP operator.
    pub operator: Vec<u8>,
    /// ProsumerMSP gateway (a head-end system).
    pub gateway: Vec<u8>,
    /// ProsumerMSP prosumer, owner of pv-1 and bat-1.
    pub alice: Vec<u8>,
    /// ProsumerMSP prosumer, owner of pv-2.
    pub bob: Vec<u8>,
    /// UtilityMSP operator.
    pub utility: Vec<u8>,
    /// GridMSP user without a role.
    pub nobody: Vec<u8>,
    /// Meter keys by meter id: m-1, m-2, m-3, and `rogue` (registered to no meter).
    pub keys: BTreeMap<&'static str, (Signer, Vec<u8>)>,
}

/// The shared cast.
pub(crate) fn cast() -> &'static Cast {
    static CAST: OnceLock<Cast> = OnceLock::new();
    CAST.get_or_init(|| Cast {
        installer: identity("GridMSP", "installer", Some("meter-installer")),
        operator: identity("GridMSP", "operator", Some("operator")),
        gateway: identity("ProsumerMSP", "head-end", Some("gateway")),
        alice: identity("ProsumerMSP", "alice", Some("prosumer")),
        bob: identity("ProsumerMSP", "bob", Some("prosumer")),
        utility: identity("UtilityMSP", "desk", Some("operator")),
        nobody: identity("GridMSP", "nobody", None),
        keys: ["m-1", "m-2", "m-3", "rogue"].into_iter().map(|m| (m, Signer::generate().expect("key"))).collect(),
    })
}

/// The party JSON of a creator, as the registry would record the owner.
pub(crate) fn party(creator: &[u8]) -> serde_json::Value {
    let id = ClientIdentity::new(creator).expect("identity");
    json!({"msp": id.msp_id(), "id": id.id()})
}

fn asset(id: &str, owner: &[u8], kind: &str, nameplate_w: i64, cp: &str) -> serde_json::Value {
    json!({
        "id": id, "owner": party(owner), "kind": kind, "nameplateW": nameplate_w,
        "storageWh": if kind == "storage" { json!(10_000) } else { json!(null) },
        "connectionPoint": cp, "location": {"lat": "52.52", "lon": "13.40"}, "commissioned": "2024-01-01",
        "status": "active", "statusReason": "", "vpp": null
    })
}

/// The registry every world starts with: pv-1 (alice, 4 kW, cp-1), pv-2 (bob, 10 kW, cp-1), bat-1 (alice, 5 kW,
/// cp-2).
pub(crate) fn registry() -> FakeRegistry {
    let c = cast();
    let assets = [
        asset("pv-1", &c.alice, "pv", 4000, "cp-1"),
        asset("pv-2", &c.bob, "pv", 10_000, "cp-1"),
        asset("bat-1", &c.alice, "storage", 5000, "cp-2"),
    ];
    let assets = assets.into_iter().map(|a| (a["id"].as_str().unwrap_or_default().to_string(), a)).collect();
    FakeRegistry { assets, roles: Some(ROLES.to_string()) }
}

/// A ledger with the metering chaincode (namespace `metering`) and the fake registry.
pub(crate) struct World {
    /// The ledger.
    pub ledger: MemoryLedger,
    /// The metering chaincode.
    pub cc: ContractChaincode,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    /// A fresh world with the clock at [`NOW`] and no meters.
    pub(crate) fn new() -> Self {
        let ledger = MemoryLedger::new().with_namespace("metering");
        ledger.register_chaincode("registry", Arc::new(registry()));
        ledger.set_clock(NOW, 0);
        Self { ledger, cc: gridledger_metering::chaincode() }
    }

    /// A world with m-1 (pv-1, import and export), m-2 (pv-2, export) and m-3 (bat-1, import and export).
    pub(crate) fn with_meters() -> Self {
        let w = Self::new();
        w.register("m-1", "pv-1", &["1.8.0", "2.8.0"]);
        w.register("m-2", "pv-2", &["2.8.0"]);
        w.register("m-3", "bat-1", &["1.8.0", "2.8.0"]);
        w
    }

    /// Runs a transaction as `creator` and commits it when it succeeds.
    pub(crate) fn call(&self, creator: &[u8], args: &[&str]) -> Response {
        self.ledger.tx(args).with_creator(creator.to_vec()).invoke(&self.cc)
    }

    /// Like [`World::call`] but panics unless it succeeds; returns the payload as text.
    pub(crate) fn ok(&self, creator: &[u8], args: &[&str]) -> String {
        let r = self.call(creator, args);
        assert_eq!(r.status, 200, "{args:?}: {}", r.message);
        String::from_utf8(r.payload).expect("utf-8 payload")
    }

    /// Like [`World::ok`], the answer parsed as JSON.
    pub(crate) fn json(&self, creator: &[u8], args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(creator, args)).expect("a JSON answer")
    }

    /// Registers a 900-second meter with its cast key.
    pub(crate) fn register(&self, id: &str, asset: &str, registers: &[&str]) {
        self.register_with(id, asset, registers, 900);
    }

    /// Registers a meter with its cast key and interval length.
    pub(crate) fn register_with(&self, id: &str, asset: &str, registers: &[&str], interval_seconds: u32) {
        let meter = json!({"id": id, "assetId": asset, "publicKey": public_key(id), "registers": registers,
                           "intervalSeconds": interval_seconds});
        self.ok(&cast().installer, &["RegisterMeter", &meter.to_string()]);
    }

    /// Submits a batch as the gateway.
    pub(crate) fn submit(&self, batch: &[Reading]) -> Response {
        let json = serde_json::to_string(batch).expect("json");
        self.call(&cast().gateway, &["SubmitReadings", &json])
    }

    /// Submits a batch as the gateway in a transaction at `seconds`.
    pub(crate) fn submit_at(&self, batch: &[Reading], seconds: i64) -> Response {
        let json = serde_json::to_string(batch).expect("json");
        let tx = self.ledger.tx(["SubmitReadings", &json]).with_creator(cast().gateway.clone());
        tx.with_timestamp(seconds, 0).invoke(&self.cc)
    }
}

/// The base64 public key of a cast meter key.
pub(crate) fn public_key(meter: &str) -> String {
    cast().keys[meter].0.public_key_base64()
}

/// A reading signed with the meter's own key.
pub(crate) fn signed(meter: &str, start: i64, register: &str, wh: i64, counter: u64) -> Reading {
    signed_by(meter, meter, start, register, wh, counter)
}

/// A reading of `meter` signed with `key`'s key, for a 900-second meter.
pub(crate) fn signed_by(key: &str, meter: &str, start: i64, register: &str, wh: i64, counter: u64) -> Reading {
    signed_for(key, meter, 900, start, register, wh, counter)
}

/// A reading of `meter` signed with `key`'s key, for a meter of `len`-second intervals.
pub(crate) fn signed_for(
    key: &str,
    meter: &str,
    len: u32,
    start: i64,
    register: &str,
    wh: i64,
    counter: u64,
) -> Reading {
    cast().keys[key].0.reading(meter, start, register, wh, counter, len).expect("sign")
}
