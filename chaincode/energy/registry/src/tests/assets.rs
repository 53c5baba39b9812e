//! RegisterAsset, ApproveConnection, SuspendAsset, ReactivateAsset, DecommissionAsset, GetAsset, routing.

use serde_json::json;

use super::*;

#[test]
fn register_records_the_caller_as_owner_and_starts_pending() {
    let net = Net::new();
    let a = alice();
    let got = net.ok(&a, &["RegisterAsset", &new_asset("pv-1", "pv", 5000, "cp-1").to_string()]);
    let expected = json!({
        "id": "pv-1", "owner": party_json(&a.party), "kind": "pv", "nameplateW": 5000, "storageWh": null,
        "connectionPoint": "cp-1", "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2023-06-01",
        "status": "pending", "statusReason": "registered", "vpp": null,
    });
    assert_eq!(got, expected);
    assert_eq!(serde_json::to_value(net.asset("pv-1")).unwrap(), expected);
    // What the contracts calling GetAsset read of it (gridledger_energy_common::asset).
    let view: gridledger_energy_common::asset::Asset = serde_json::from_value(got).unwrap();
    assert_eq!(
        (view.id.as_str(), view.kind.as_str(), view.nameplate_w, view.status.as_str()),
        ("pv-1", "pv", 5000, "pending")
    );
    assert_eq!((view.owner, view.connection_point.as_str()), (a.party.clone(), "cp-1"));
    assert!(net.has("asset~owner", &[&a.party.msp, &a.party.id, "pv-1"]));
    assert!(net.has("asset~kind", &["pv", "pv-1"]));
    assert!(net.has("asset~cp", &["cp-1", "pv-1"]));
    assert!(net.has("asset~status", &["pending", "pv-1"]));
    // Index values are the single byte 0x01.
    assert_eq!(net.ledger.get(NS, "\u{0}asset~kind\u{0}pv\u{0}pv-1\u{0}"), Some(vec![1]));
}

#[test]
fn admins_of_any_org_may_register_and_storage_needs_its_size() {
    let net = Net::new();
    let got = net.ok(&prosumer_admin(), &["RegisterAsset", &new_asset("bat-1", "storage", 3000, "cp-2").to_string()]);
    assert_eq!(got["storageWh"], 10_000);
    assert_eq!(got["owner"]["msp"], "ProsumerMSP");
}

#[test]
fn register_refuses_callers_without_the_role() {
    let net = Net::new();
    let json = new_asset("pv-1", "pv", 5000, "cp-1").to_string();
    for who in [no_role(), aggregator(), grid_operator(), utility_operator()] {
        let message = net.refuse(&who, &["RegisterAsset", &json], 403);
        assert!(message.starts_with("RegisterAsset is for prosumer or admin of any org"), "{message}");
    }
    let message = net.refuse_as(Vec::new(), &["RegisterAsset", &json], 403);
    assert!(message.contains("cannot identify the caller"), "{message}");
}

#[test]
fn register_refuses_a_duplicate_id() {
    let net = Net::new();
    net.register(&alice(), "pv-1", "pv", 5000, "cp-1");
    let json = new_asset("pv-1", "wind", 1, "cp-9").to_string();
    assert_eq!(net.refuse(&bob(), &["RegisterAsset", &json], 409), "asset pv-1 already exists");
}

#[test]
fn register_refuses_bad_input() {
    let net = Net::new();
    let a = alice();
    let base = new_asset("pv-1", "pv", 5000, "cp-1");
    let with = |field: &str, value: serde_json::Value| {
        let mut v = base.clone();
        v[field] = value;
        v.to_string()
    };
    let cases = [
        (with("nameplateW", json!(0)), "nameplateW must be > 0, got 0"),
        (with("nameplateW", json!(-5)), "nameplateW must be > 0, got -5"),
        (with("storageWh", json!(100)), "storageWh is only for storage assets, not pv"),
        (with("kind", json!("storage")), "storageWh is required for a storage asset"),
        (with("connectionPoint", json!("substation-1")), "connectionPoint must be"),
        (with("location", json!({"lat": "91", "lon": "0"})), "location.lat must be decimal degrees"),
        (with("location", json!({"lat": "1", "lon": "180.5"})), "location.lon must be decimal degrees"),
        (with("commissioned", json!("2023-02-30")), "commissioned must be a date YYYY-MM-DD"),
    ];
    for (json, expected) in cases {
        let message = net.refuse(&a, &["RegisterAsset", &json], 400);
        assert!(message.starts_with(expected), "{json}: {message}");
    }
    let mut storage = new_asset("b-1", "storage", 5, "cp-1");
    storage["storageWh"] = json!(0);
    assert_eq!(net.refuse(&a, &["RegisterAsset", &storage.to_string()], 400), "storageWh must be > 0, got 0");
    // Shape errors come from parsing the argument.
    let shape = [
        with("kind", json!("nuclear")),
        with("id", json!("has space")),
        with("location", json!({"lat": 52.1, "lon": 4.8})),
        with("owner", json!({"msp": "X", "id": "y"})),
        with("status", json!("active")),
        with("vpp", json!("v")),
        "not json".to_string(),
    ];
    for json in shape {
        let message = net.refuse(&a, &["RegisterAsset", &json], 400);
        assert!(message.starts_with("argument 1 (asset): expected"), "{json}: {message}");
    }
    assert_eq!(net.state().into_keys().collect::<Vec<_>>(), ["roles"], "only the roles record");
}

#[test]
fn approve_moves_pending_to_active_for_grid_staff_only() {
    let net = Net::new();
    net.register(&alice(), "pv-1", "pv", 5000, "cp-1");
    net.register(&alice(), "pv-2", "pv", 5000, "cp-1");
    for who in [alice(), prosumer_admin(), utility_operator(), identity("GridMSP", "gp", Some("prosumer"))] {
        let message = net.refuse(&who, &["ApproveConnection", "pv-1"], 403);
        assert!(message.starts_with("ApproveConnection is for operator or admin of a grid operator"), "{message}");
    }
    let got = net.ok(&grid_operator(), &["ApproveConnection", "pv-1"]);
    assert_eq!((got["status"].as_str(), got["statusReason"].as_str()), (Some("active"), Some("connection approved")));
    net.ok(&grid_admin(), &["ApproveConnection", "pv-2"]);
    assert!(net.has("asset~status", &["active", "pv-1"]));
    assert!(!net.has("asset~status", &["pending", "pv-1"]));
    assert_eq!(
        net.refuse(&grid_operator(), &["ApproveConnection", "pv-1"], 409),
        "ApproveConnection needs asset pv-1 to be pending, but it is active"
    );
    assert_eq!(net.refuse(&grid_operator(), &["ApproveConnection", "pv-9"], 404), "asset pv-9 does not exist");
    let message = net.refuse(&grid_operator(), &["ApproveConnection", "bad id"], 400);
    assert!(message.starts_with("argument 1 (id): expected an asset id"), "{message}");
}

#[test]
fn suspend_and_reactivate_need_a_reason_and_the_right_status() {
    let net = Net::new();
    let op = grid_operator();
    net.register(&alice(), "pv-1", "pv", 5000, "cp-1");
    assert_eq!(
        net.refuse(&op, &["SuspendAsset", "pv-1", "maintenance"], 409),
        "SuspendAsset needs asset pv-1 to be active, but it is pending"
    );
    net.ok(&op, &["ApproveConnection", "pv-1"]);
    assert_eq!(net.refuse(&op, &["SuspendAsset", "pv-1", "  "], 400), "reason is required");
    assert!(net.refuse(&alice(), &["SuspendAsset", "pv-1", "x"], 403).starts_with("SuspendAsset is for operator"));
    assert_eq!(net.refuse(&op, &["SuspendAsset", "nope", "x"], 404), "asset nope does not exist");
    let got = net.ok(&op, &["SuspendAsset", "pv-1", "voltage violation"]);
    assert_eq!((got["status"].as_str(), got["statusReason"].as_str()), (Some("suspended"), Some("voltage violation")));
    assert!(net.has("asset~status", &["suspended", "pv-1"]) && !net.has("asset~status", &["active", "pv-1"]));
    assert_eq!(
        net.refuse(&op, &["SuspendAsset", "pv-1", "again"], 409),
        "SuspendAsset needs asset pv-1 to be active, but it is suspended"
    );
    assert_eq!(net.refuse(&grid_admin(), &["ReactivateAsset", "pv-1", ""], 400), "reason is required");
    assert!(net.refuse(&alice(), &["ReactivateAsset", "pv-1", "x"], 403).starts_with("ReactivateAsset is for"));
    let got = net.ok(&grid_admin(), &["ReactivateAsset", "pv-1", "fixed"]);
    assert_eq!((got["status"].as_str(), got["statusReason"].as_str()), (Some("active"), Some("fixed")));
    assert_eq!(
        net.refuse(&op, &["ReactivateAsset", "pv-1", "x"], 409),
        "ReactivateAsset needs asset pv-1 to be suspended, but it is active"
    );
    assert!(net.has("asset~status", &["active", "pv-1"]) && !net.has("asset~status", &["suspended", "pv-1"]));
}

#[test]
fn decommission_by_owner_or_grid_staff_from_any_status() {
    let net = Net::new();
    let op = grid_operator();
    net.register(&alice(), "pending", "pv", 1, "cp-1");
    net.active(&alice(), "active", 1);
    net.active(&alice(), "suspended", 1);
    net.ok(&op, &["SuspendAsset", "suspended", "x"]);
    net.active(&alice(), "retired-by-admin", 1);
    for who in [bob(), eve(), prosumer_admin(), utility_operator()] {
        let before = net.state();
        let message = net.refuse(&who, &["DecommissionAsset", "active", "end of life"], 403);
        assert!(message.starts_with(
            "DecommissionAsset is for the owner of asset active or operator or admin of its grid operator (GridMSP)"
        ));
        assert_eq!(net.state(), before, "a refused decommission changes nothing");
    }
    let got = net.ok(&grid_admin(), &["DecommissionAsset", "retired-by-admin", "grid reinforcement"]);
    assert_eq!(got["status"], "decommissioned");
    assert_eq!(net.refuse(&alice(), &["DecommissionAsset", "active", ""], 400), "reason is required");
    assert_eq!(net.refuse(&alice(), &["DecommissionAsset", "gone", "x"], 404), "asset gone does not exist");
    net.ok(&alice(), &["DecommissionAsset", "pending", "never built"]);
    net.ok(&alice(), &["DecommissionAsset", "active", "end of life"]);
    let got = net.ok(&op, &["DecommissionAsset", "suspended", "unsafe"]);
    assert_eq!((got["status"].as_str(), got["statusReason"].as_str()), (Some("decommissioned"), Some("unsafe")));
    for id in ["pending", "active", "suspended"] {
        assert!(net.has("asset~status", &["decommissioned", id]));
        assert_eq!(
            net.refuse(&alice(), &["DecommissionAsset", id, "again"], 409),
            format!("asset {id} is already decommissioned")
        );
    }
    assert!(!net.has("asset~status", &["pending", "pending"]) && !net.has("asset~status", &["active", "active"]));
    // A decommissioned asset cannot come back.
    assert!(net.refuse(&op, &["ReactivateAsset", "suspended", "x"], 409).contains("but it is decommissioned"));
    assert!(net.refuse(&op, &["ApproveConnection", "pending"], 409).contains("but it is decommissioned"));
}

#[test]
fn get_asset_is_for_anyone_and_404s() {
    let net = Net::new();
    net.register(&alice(), "pv-1", "pv", 5000, "cp-1");
    let got = net.ok(&no_role(), &["GetAsset", "pv-1"]);
    assert_eq!(got["id"], "pv-1");
    // Prefixed, lower-cased and creator-less calls route the same.
    assert_eq!(net.ok(&bob(), &["RegistryContract:GetAsset", "pv-1"]), got);
    assert_eq!(net.ok(&bob(), &["getAsset", "pv-1"]), got);
    let r = net.ledger.query(&net.cc, ["GetAsset", "pv-1"]);
    assert_eq!(r.status, 200, "{}", r.message);
    assert_eq!(net.refuse(&bob(), &["GetAsset", "pv-2"], 404), "asset pv-2 does not exist");
    assert!(net.refuse(&bob(), &["GetAsset"], 400).starts_with("GetAsset expects 1 argument"));
}

#[test]
fn metadata_describes_every_transaction() {
    let cc = crate::chaincode().unwrap();
    assert_eq!(cc.default_contract(), "RegistryContract");
    for name in [
        "RegisterAsset",
        "ApproveConnection",
        "SuspendAsset",
        "ReactivateAsset",
        "DecommissionAsset",
        "OfferTransfer",
        "AcceptTransfer",
        "CancelTransfer",
        "ConsentToVpp",
        "WithdrawConsent",
        "CreateVpp",
        "AddVppMember",
        "LeaveVpp",
        "GetAsset",
        "GetVpp",
        "AssetsByOwner",
        "AssetsByKind",
        "AssetsByConnectionPoint",
        "AssetsByStatus",
        "AssetHistory",
        "InitRoles",
        "SetRoles",
        "GetRoles",
    ] {
        assert!(cc.metadata().contains(&format!(r#""name":"{name}""#)), "{name}");
    }
    // For chaincode/contract/tests/validate-metadata.sh FILE (fabric-contract-api-go's validator).
    if let Ok(path) = std::env::var("GRIDLEDGER_METADATA_OUT") {
        std::fs::write(path, cc.metadata()).unwrap();
    }
}

/// Another contract (here a fake) reads assets and VPPs through `invoke_chaincode`, as metering and trade do.
#[test]
fn other_chaincodes_read_assets_and_vpps() {
    use std::sync::Arc;

    use gridledger_shim::ChaincodeStub;

    struct Caller;
    impl Chaincode for Caller {
        fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
            let args: Vec<Vec<u8>> = stub.args().to_vec();
            match stub.invoke_chaincode("registry", &args, "") {
                Ok(r) => r,
                Err(e) => Response::error(e.to_string()),
            }
        }
    }

    let net = Net::new();
    net.ledger.register_chaincode(NS, Arc::new(crate::chaincode().unwrap()));
    net.active(&alice(), "pv-1", 5000);
    net.ok(&aggregator(), &["CreateVpp", "v1", "North"]);
    let via = |args: [&str; 2]| net.ledger.tx(args).with_namespace("metering").query(&Caller);
    let r = via(["GetAsset", "pv-1"]);
    assert_eq!(r.status, 200, "{}", r.message);
    let asset: crate::model::Asset = serde_json::from_slice(&r.payload).unwrap();
    assert_eq!((asset.nameplate_w, asset.status), (5000, crate::model::AssetStatus::Active));
    let r = via(["GetVpp", "v1"]);
    assert_eq!(r.status, 200, "{}", r.message);
    assert_eq!(serde_json::from_slice::<Vpp>(&r.payload).unwrap().capacity_w, 0);
    let r = via(["GetAsset", "pv-9"]);
    assert_eq!((r.status, r.message.as_str()), (404, "asset pv-9 does not exist"));
    assert_eq!(via(["GetVpp", "v9"]).status, 404);
}
