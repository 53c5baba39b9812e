//! Metering against the real `gridledger-registry` chaincode (instead of the fake).

use std::sync::Arc;

use gridledger_shim::Chaincode;
use serde_json::{Value, json};

use super::fixture::{ROLES, T0, World, cast, party, public_key, signed};
use super::rejects_batch;

#[test]
fn meters_and_readings_use_the_registrys_assets() {
    let w = World::new();
    let registry: Arc<dyn Chaincode> = Arc::new(gridledger_registry::chaincode().unwrap());
    w.ledger.register_chaincode("registry", Arc::clone(&registry));
    let c = cast();
    let roles = w.ledger.tx(["InitRoles", ROLES]).with_namespace("registry");
    let grid_admin = super::fixture::identity("GridMSP", "gadmin", Some("admin"));
    let r = roles.with_creator(grid_admin).invoke(registry.as_ref());
    assert_eq!(r.status, 200, "{}", r.message);
    let asset = json!({"id": "pv-77", "kind": "pv", "nameplateW": 2000, "connectionPoint": "cp-77",
                       "location": {"lat": "52.37", "lon": "4.89"}, "commissioned": "2024-03-01"});
    let tx = w.ledger.tx(["RegisterAsset", &asset.to_string()]).with_namespace("registry");
    let r = tx.with_creator(c.alice.clone()).invoke(registry.as_ref());
    assert_eq!(r.status, 200, "{}", r.message);

    let meter = json!({"id": "m-1", "assetId": "pv-77", "publicKey": public_key("m-1"), "registers": ["2.8.0"],
                       "intervalSeconds": 900});
    let out: Value = serde_json::from_str(&w.ok(&c.installer, &["RegisterMeter", &meter.to_string()])).unwrap();
    assert_eq!(out["owner"], party(&c.alice));

    // 2 kW for 15 minutes: at most 500 Wh.
    assert_eq!(w.submit(&[signed("m-1", T0, "2.8.0", 500, 1)]).status, 200);
    let text = "501 Wh is more than pv asset pv-77 can deliver in 900 s at 2000 W (500 Wh)";
    rejects_batch(&w, &[signed("m-1", T0 + 900, "2.8.0", 501, 2)], 400, text);
    let totals: Value = serde_json::from_str(&w.ok(&c.nobody, &["IntervalTotals", "cp-77", &T0.to_string()])).unwrap();
    assert_eq!(totals["exportWh"], 500);

    let unknown = json!({"id": "m-2", "assetId": "pv-78", "publicKey": public_key("m-2"), "registers": ["2.8.0"],
                         "intervalSeconds": 900});
    let r = w.call(&c.installer, &["RegisterMeter", &unknown.to_string()]);
    assert_eq!((r.status, r.message.as_str()), (404, "asset pv-78 is not in the registry"));
}
