//! One target for the contract API's whole client-facing surface: function routing, argument and JSON decoding, the
//! bounded-input policy, and the registry, metering (readings and batches) and trade transactions behind them, on the
//! in-memory ledger with the three chaincodes able to call each other.
//!
//! Input: up to `MAX_CALLS` (4) calls separated by `0xFF`. A call's first byte picks the chaincode (`b % 3`) and the
//! caller (`b / 3 % CAST.len()`); the rest, split at `0x00`, is the function name and its arguments. Each call is
//! one transaction; accepted ones commit, so later calls see their state.

use std::sync::{Arc, OnceLock};

use gridledger_contract::{ContractChaincode, MAX_MESSAGE_BYTES};
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::prost::Message as _;
use gridledger_shim::Chaincode;
use gridledger_testkit::memory::MemoryLedger;

/// Calls per input.
const MAX_CALLS: usize = 4;
/// Arguments per call (the function name included).
const MAX_ARGS: usize = 16;
/// The role attribute of [`ROLES`].
const ROLE_ATTRIBUTE: &str = "gridledger.role";
/// Fabric CA's attribute extension.
const ATTRIBUTES_OID: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 1];
/// The test consortium's roles record (what `network.sh deploy-energy` writes).
const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]}],"suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;
/// The callers: (MSP, name, role attribute).
pub const CAST: &[(&str, &str, Option<&str>)] = &[
    ("GridMSP", "gridadmin", Some("admin")),
    ("GridMSP", "gridop", Some("operator")),
    ("GridMSP", "installer", Some("meter-installer")),
    ("UtilityMSP", "utilop", Some("operator")),
    ("ProsumerMSP", "head-end", Some("gateway")),
    ("ProsumerMSP", "alice", Some("prosumer")),
    ("ProsumerMSP", "norole", None),
];
/// The chaincodes by the names they call each other by.
pub const CHAINCODES: [&str; 3] = ["registry", "metering", "trade"];

struct World {
    creators: Vec<Vec<u8>>,
    chaincodes: [Arc<ContractChaincode>; 3],
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| World {
        creators: CAST.iter().map(|(msp, name, role)| creator(msp, name, *role)).collect(),
        chaincodes: [
            Arc::new(gridledger_registry::chaincode().expect("the registry's definition is valid")),
            Arc::new(gridledger_metering::chaincode()),
            Arc::new(gridledger_trade::chaincode()),
        ],
    })
}

/// A serialized identity with a self-signed certificate carrying `role` the way Fabric CA does.
fn creator(msp: &str, name: &str, role: Option<&str>) -> Vec<u8> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("no subject alt names");
    params.distinguished_name.push(rcgen::DnType::OrganizationName, msp);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    if let Some(role) = role {
        let attrs = serde_json::json!({ "attrs": { ROLE_ATTRIBUTE: role } });
        let attrs = serde_json::to_vec(&attrs).expect("JSON of a literal");
        params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(ATTRIBUTES_OID, attrs)];
    }
    let key = rcgen::KeyPair::generate().expect("P-256 key");
    let cert = params.self_signed(&key).expect("self-signed certificate");
    SerializedIdentity { mspid: msp.to_string(), id_bytes: cert.pem().into_bytes() }.encode_to_vec()
}

/// The first byte of a call to chaincode `which` (index into [`CHAINCODES`]) by caller `who` (index into [`CAST`]).
pub fn call_byte(which: usize, who: usize) -> u8 {
    u8::try_from(who * CHAINCODES.len() + which).expect("fewer than 256 (chaincode, caller) pairs")
}

/// The target: see the module docs.
pub fn calls(data: &[u8]) {
    let _ = outcomes(data);
}

/// Runs [`calls`]' session and returns each call's status and message (tests check that seeds go deep).
pub fn outcomes(data: &[u8]) -> Vec<(i32, String)> {
    let mut outcomes = Vec::new();
    let world = world();
    let ledger = MemoryLedger::new();
    for (name, cc) in CHAINCODES.iter().zip(&world.chaincodes) {
        ledger.register_chaincode(*name, cc.clone());
    }
    let roles = ledger.tx(["InitRoles", ROLES]).with_namespace("registry").with_creator(world.creators[0].clone());
    let r = roles.invoke(world.chaincodes[0].as_ref());
    assert_eq!(r.status, 200, "InitRoles: {}", r.message);

    for call in data.split(|b| *b == 0xFF).take(MAX_CALLS) {
        let Some((&pick, rest)) = call.split_first() else { continue };
        let which = usize::from(pick) % CHAINCODES.len();
        let who = usize::from(pick) / CHAINCODES.len() % CAST.len();
        let args: Vec<&[u8]> = rest.split(|b| *b == 0).take(MAX_ARGS).collect();
        let stub = ledger.tx(&args).with_namespace(CHAINCODES[which]).with_creator(world.creators[who].clone());
        let cc: &dyn Chaincode = world.chaincodes[which].as_ref();
        let response = cc.invoke(&stub);
        assert!(
            response.message.len() <= MAX_MESSAGE_BYTES,
            "a {}-byte error message from {}",
            response.message.len(),
            CHAINCODES[which]
        );
        if response.status < 400 {
            assert!(response.status == 200, "status {} from {}", response.status, CHAINCODES[which]);
            // A commit fails only on an MVCC-style conflict, which one transaction at a time cannot cause.
            if let Err(e) = stub.commit() {
                panic!("an accepted transaction did not commit: {e}");
            }
        } else {
            assert!(stub.writes().is_empty(), "refused ({}) but wrote {:?}", response.message, stub.writes());
        }
        outcomes.push((response.status, response.message));
    }
    outcomes
}
