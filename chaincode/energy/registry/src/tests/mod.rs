//! Unit tests against the in-memory ledger, plus the harness they share.
//!
//! The chaincode runs in the ledger namespace [`NS`] (`registry`, its deployed name). Accepted calls are committed
//! like an endorsed transaction; refused calls are run on a stub that is never committed, and [`Net::refuse`]
//! checks both that the stub's write set is empty (the handler wrote nothing before failing) and that the
//! committed state is unchanged.

mod assets;
mod bounds;
mod identity;
mod props;
mod queries;
mod roles;
mod transfer;
mod vpp;

use std::collections::BTreeMap;

use gridledger_contract::ContractChaincode;
use gridledger_energy_common::caller::Party;
use gridledger_shim::{Chaincode, Response};
use gridledger_testkit::memory::MemoryLedger;
use serde_json::{Value, json};

use crate::model::{Asset, Vpp};
use identity::{Identity, identity};

/// The namespace the registry runs in.
pub(crate) const NS: &str = "registry";

/// The cast: one identity per (org, role) the rules distinguish.
pub(crate) fn alice() -> Identity {
    identity("ProsumerMSP", "alice", Some("prosumer"))
}
pub(crate) fn bob() -> Identity {
    identity("StorageMSP", "bob", Some("prosumer"))
}
pub(crate) fn eve() -> Identity {
    identity("ProsumerMSP", "eve", Some("prosumer"))
}
pub(crate) fn prosumer_admin() -> Identity {
    identity("ProsumerMSP", "padmin", Some("admin"))
}
pub(crate) fn grid_operator() -> Identity {
    identity("GridMSP", "gridop", Some("operator"))
}
pub(crate) fn grid_admin() -> Identity {
    identity("GridMSP", "gridadmin", Some("admin"))
}
pub(crate) fn utility_operator() -> Identity {
    identity("UtilityMSP", "utilop", Some("operator"))
}
pub(crate) fn aggregator() -> Identity {
    identity("UtilityMSP", "agg", Some("aggregator"))
}
pub(crate) fn aggregator2() -> Identity {
    identity("ProsumerMSP", "agg2", Some("aggregator"))
}
pub(crate) fn no_role() -> Identity {
    identity("ProsumerMSP", "norole", None)
}

/// The test consortium's roles record, as `scripts/lib/deploy.sh` writes it: GridMSP operates every connection point,
/// UtilityMSP supplies everyone, the role is in `gridledger.role`.
pub(crate) const ROLES: &str = r#"{"roleAttribute":"gridledger.role","members":["GridMSP","ProsumerMSP","UtilityMSP"],
    "gridOperators":[{"msp":"GridMSP","connectionPoints":["*"]}],"suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#;

/// A ledger with the registry on it and [`ROLES`] written.
pub(crate) struct Net {
    pub ledger: MemoryLedger,
    pub cc: ContractChaincode,
}

impl Net {
    pub(crate) fn new() -> Self {
        Self::with_roles(ROLES)
    }

    /// A ledger with the registry on it and `roles` written by GridMSP's admin.
    pub(crate) fn with_roles(roles: &str) -> Self {
        let net = Self::bare();
        net.ok(&grid_admin(), &["InitRoles", roles]);
        net
    }

    /// A ledger with the registry on it and no roles record.
    pub(crate) fn bare() -> Self {
        Self { ledger: MemoryLedger::new().with_namespace(NS), cc: crate::chaincode().unwrap() }
    }

    /// Runs and, below 400, commits one call by `who`.
    pub(crate) fn call(&self, who: &Identity, args: &[&str]) -> Response {
        self.ledger.tx(args.iter().copied()).with_creator(who.creator.clone()).invoke(&self.cc)
    }

    /// A call that must succeed; its payload as JSON (or as a string if it is not JSON, null if empty).
    pub(crate) fn ok(&self, who: &Identity, args: &[&str]) -> Value {
        let r = self.call(who, args);
        assert_eq!(r.status, 200, "{args:?}: {}", r.message);
        if r.payload.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&r.payload).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&r.payload).into()))
    }

    /// A call that must be refused with `status`; checks it wrote nothing. Returns the message.
    pub(crate) fn refuse(&self, who: &Identity, args: &[&str], status: i32) -> String {
        self.refuse_as(who.creator.clone(), args, status)
    }

    /// Like [`Net::refuse`] with raw creator bytes.
    pub(crate) fn refuse_as(&self, creator: Vec<u8>, args: &[&str], status: i32) -> String {
        let before = self.state();
        let stub = self.ledger.tx(args.iter().copied()).with_creator(creator);
        let r = self.cc.invoke(&stub);
        assert_eq!(r.status, status, "{args:?}: {}", r.message);
        assert!(stub.writes().is_empty(), "{args:?} was refused but wrote {:?}", stub.writes());
        drop(stub);
        assert_eq!(self.state(), before, "{args:?} changed the state");
        r.message
    }

    /// The committed state of the registry.
    pub(crate) fn state(&self) -> BTreeMap<String, Vec<u8>> {
        self.ledger.state(NS)
    }

    /// An asset as stored.
    pub(crate) fn asset(&self, id: &str) -> Asset {
        let key = format!("\u{0}asset\u{0}{id}\u{0}");
        serde_json::from_slice(&self.ledger.get(NS, &key).unwrap()).unwrap()
    }

    /// A VPP as stored.
    pub(crate) fn vpp(&self, id: &str) -> Vpp {
        let key = format!("\u{0}vpp\u{0}{id}\u{0}");
        serde_json::from_slice(&self.ledger.get(NS, &key).unwrap()).unwrap()
    }

    /// Whether a composite key exists.
    pub(crate) fn has(&self, object_type: &str, parts: &[&str]) -> bool {
        let mut key = format!("\u{0}{object_type}\u{0}");
        for part in parts {
            key.push_str(part);
            key.push('\u{0}');
        }
        self.ledger.get(NS, &key).is_some()
    }

    /// Registers an asset for `who` and returns its id.
    pub(crate) fn register(&self, who: &Identity, id: &str, kind: &str, nameplate: i64, cp: &str) -> String {
        let json = new_asset(id, kind, nameplate, cp).to_string();
        self.ok(who, &["RegisterAsset", &json]);
        id.to_string()
    }

    /// Registers and approves an asset.
    pub(crate) fn active(&self, who: &Identity, id: &str, nameplate: i64) -> String {
        self.register(who, id, "pv", nameplate, "cp-1");
        self.ok(&grid_operator(), &["ApproveConnection", id]);
        id.to_string()
    }
}

/// `RegisterAsset` input; `storageWh` is set for storage.
pub(crate) fn new_asset(id: &str, kind: &str, nameplate: i64, cp: &str) -> Value {
    let mut v = json!({
        "id": id,
        "kind": kind,
        "nameplateW": nameplate,
        "connectionPoint": cp,
        "location": {"lat": "52.3702", "lon": "4.8952"},
        "commissioned": "2023-06-01",
    });
    if kind == "storage" {
        v["storageWh"] = json!(10_000);
    }
    v
}

/// The party as JSON, as records show it.
pub(crate) fn party_json(p: &Party) -> Value {
    json!({"msp": p.msp, "id": p.id})
}

/// The whole `GetMetadata` document, pinned in `testdata/metadata.json`: a change to any schema shows up there
/// as a diff (`GRIDLEDGER_BLESS=1 cargo test` rewrites it; review that diff).
#[test]
fn metadata_is_pinned() {
    // Byte for byte what the peer is given (one line; `jq -S . <file>` to read it).
    let metadata = format!("{}\n", crate::chaincode().unwrap().metadata());
    gridledger_testkit::golden::assert_pinned(
        &metadata,
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/metadata.json"),
    );
}
