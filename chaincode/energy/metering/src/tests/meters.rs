//! RegisterMeter, SetMeterStatus, GetMeter.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::fixture::{World, cast, party, public_key};
use super::rejects;

fn meter_json(id: &str, asset: &str, key: &str, registers: Value, interval: u32) -> String {
    json!({"id": id, "assetId": asset, "publicKey": key, "registers": registers, "intervalSeconds": interval})
        .to_string()
}

fn good(id: &str) -> String {
    meter_json(id, "pv-1", &public_key("m-1"), json!(["1.8.0", "2.8.0"]), 900)
}

#[test]
fn register_copies_the_owner_and_indexes_it() {
    let w = World::new();
    let c = cast();
    let out: Value = serde_json::from_str(&w.ok(&c.installer, &["RegisterMeter", &good("m-1")])).unwrap();
    assert_eq!(out["status"], "active");
    assert_eq!(out["owner"], party(&c.alice));
    let got: Value = serde_json::from_str(&w.ok(&c.bob, &["GetMeter", "m-1"])).unwrap();
    assert_eq!(got, out);
    let owner = party(&c.alice);
    let index = format!(
        "\u{0}meter~owner\u{0}{}\u{0}{}\u{0}m-1\u{0}",
        owner["msp"].as_str().unwrap(),
        owner["id"].as_str().unwrap()
    );
    assert_eq!(w.ledger.get("metering", &index), Some(vec![1]));
    // Operators and admins of GridMSP may register too.
    w.ok(&c.operator, &["RegisterMeter", &good("m-9")]);
}

#[test]
fn only_grid_installers_operators_and_admins_register() {
    let w = World::new();
    let c = cast();
    for who in [&c.alice, &c.gateway, &c.utility, &c.nobody] {
        rejects(
            &w,
            who,
            &["RegisterMeter", &good("m-1")],
            403,
            "RegisterMeter is for meter-installer or operator or admin of a grid operator",
        );
    }
}

#[test]
fn registration_rejections() {
    let w = World::new();
    let c = cast();
    let key = public_key("m-1");
    let mut off_curve = STANDARD.decode(&key).unwrap();
    off_curve[64] ^= 1;
    let cases = [
        (meter_json("m-1", "nope", &key, json!(["1.8.0"]), 900), 404, "asset nope is not in the registry"),
        (meter_json("m-1", "pv-1", "%%%", json!(["1.8.0"]), 900), 400, "public key is not base64"),
        (meter_json("m-1", "pv-1", &STANDARD.encode([4u8; 64]), json!(["1.8.0"]), 900), 400, "65-byte"),
        (meter_json("m-1", "pv-1", &STANDARD.encode(&off_curve), json!(["1.8.0"]), 900), 400, "not a point"),
        (meter_json("m-1", "pv-1", &key, json!(["3.8.0"]), 900), 400, "register \"3.8.0\" is not one of"),
        (meter_json("m-1", "pv-1", &key, json!(["1.8.0", "1.8.0"]), 900), 400, "listed twice"),
        (meter_json("m-1", "pv-1", &key, json!([]), 900), 400, "at least one register"),
        (meter_json("m-1", "pv-1", &key, json!(["1.8.0"]), 120), 400, "intervalSeconds must be one of 60, 300, 900"),
        (meter_json("m-1", "pv-1", &key, json!(["1.8.0"]), 0), 400, "intervalSeconds must be one of"),
        (meter_json("m-1", "pv-1", &key, json!(["1.8.0"]), 7200), 400, "got 7200"),
        (meter_json("", "pv-1", &key, json!(["1.8.0"]), 900), 400, "meter id must be 1 to 128 bytes"),
        (meter_json(&"m".repeat(129), "pv-1", &key, json!(["1.8.0"]), 900), 400, "meter id must be"),
        (meter_json("m\n1", "pv-1", &key, json!(["1.8.0"]), 900), 400, "meter id must be"),
        (
            r#"{"id":"m-1","assetId":"pv-1","publicKey":"x","registers":[],"intervalSeconds":900,"status":"active"}"#
                .to_string(),
            400,
            "unknown field",
        ),
    ];
    for (meter, status, text) in cases {
        rejects(&w, &c.installer, &["RegisterMeter", &meter], status, text);
    }
}

#[test]
fn ids_are_unique() {
    let w = World::new();
    let c = cast();
    w.ok(&c.installer, &["RegisterMeter", &good("m-1")]);
    rejects(&w, &c.installer, &["RegisterMeter", &good("m-1")], 409, "meter m-1 is already registered");
}

#[test]
fn status_changes() {
    let w = World::with_meters();
    let c = cast();
    let out: Value = serde_json::from_str(&w.ok(&c.operator, &["SetMeterStatus", "m-1", "inactive"])).unwrap();
    assert_eq!(out["status"], "inactive");
    rejects(&w, &c.operator, &["SetMeterStatus", "m-1", "inactive"], 409, "meter m-1 is already inactive");
    rejects(
        &w,
        &c.installer,
        &["SetMeterStatus", "m-1", "active"],
        403,
        "SetMeterStatus is for operator or admin of a grid operator",
    );
    rejects(&w, &c.alice, &["SetMeterStatus", "m-1", "active"], 403, "the caller is prosumer of ProsumerMSP");
    rejects(&w, &c.operator, &["SetMeterStatus", "m-9", "active"], 404, "meter m-9 is not registered");
    rejects(&w, &c.operator, &["SetMeterStatus", "m-1", "on"], 400, "status must be active or inactive");
    w.ok(&c.operator, &["SetMeterStatus", "m-1", "active"]);
    rejects(&w, &c.alice, &["GetMeter", "m-9"], 404, "meter m-9 is not registered");
}

#[test]
fn metadata_lists_every_transaction() {
    let cc = crate::chaincode();
    for tx in [
        "RegisterMeter",
        "SetMeterStatus",
        "SubmitReadings",
        "GetMeter",
        "IntervalTotals",
        "MeteredEnergy",
        "GetReading",
    ] {
        assert!(cc.metadata().contains(&format!(r#""name":"{tx}""#)), "{tx}");
    }
}

fn registrations(meters: &[(&str, &str)]) -> String {
    let all: Vec<Value> = meters
        .iter()
        .map(|(id, asset)| {
            serde_json::from_str(&meter_json(id, asset, &public_key("m-1"), json!(["2.8.0"]), 900)).unwrap()
        })
        .collect();
    Value::Array(all).to_string()
}

#[test]
fn register_meters_registers_a_fleet_in_one_transaction() {
    let w = World::new();
    let c = cast();
    let height = w.ledger.height();
    let batch = registrations(&[("m-1", "pv-1"), ("m-2", "pv-2"), ("m-3", "pv-1")]);
    let out: Value = serde_json::from_str(&w.ok(&c.installer, &["RegisterMeters", &batch])).unwrap();
    assert_eq!(out, json!({"registered": 3, "assets": 2}));
    assert_eq!(w.ledger.height(), height + 1);
    // Each meter as RegisterMeter would have made it, owned by its own asset's owner.
    let m2 = w.json(&c.bob, &["GetMeter", "m-2"]);
    assert_eq!((m2["owner"].clone(), m2["status"].clone()), (party(&c.bob), json!("active")));
    assert_eq!(w.json(&c.bob, &["GetMeter", "m-3"])["owner"], party(&c.alice));
    let owned_by_alice =
        w.ledger.state("metering").into_keys().filter(|k| k.starts_with("\u{0}meter~owner\u{0}ProsumerMSP")).count();
    assert_eq!(owned_by_alice, 3, "one index entry per meter");
}

#[test]
fn register_meters_is_all_or_nothing_and_names_the_refused_meter() {
    let w = World::new();
    let c = cast();
    w.ok(&c.installer, &["RegisterMeter", &good("m-1")]);
    let cases = [
        (registrations(&[("m-5", "pv-1"), ("m-6", "nope")]), 404, "meter 1 (m-6): asset nope is not in the registry"),
        (registrations(&[("m-5", "pv-1"), ("m-1", "pv-1")]), 409, "meter 1 (m-1): meter m-1 is already registered"),
        (registrations(&[("m-5", "pv-1"), ("m-5", "pv-2")]), 409, "meter 1 (m-5): duplicates meter 0 of this batch"),
        (registrations(&[("m-5", "pv-1"), ("", "pv-1")]), 400, "meter 1 (): meter id must be 1 to 128 bytes"),
        ("[]".to_string(), 400, "RegisterMeters takes 1 to 1000 meters, got 0"),
    ];
    for (batch, status, text) in cases {
        rejects(&w, &c.installer, &["RegisterMeters", &batch], status, text);
    }
    let ids: Vec<(String, &str)> = (0..1001).map(|i| (format!("x-{i}"), "pv-1")).collect();
    let too_many: Vec<(&str, &str)> = ids.iter().map(|(id, asset)| (id.as_str(), *asset)).collect();
    rejects(&w, &c.installer, &["RegisterMeters", &registrations(&too_many)], 400, "got 1001");
    for who in [&c.alice, &c.gateway] {
        rejects(&w, who, &["RegisterMeters", &registrations(&[("m-5", "pv-1")])], 403, "RegisterMeters is for");
    }
}

#[test]
fn a_grid_operator_registers_meters_in_its_own_area_only() {
    let w = World::new();
    let mut registry = super::fixture::registry();
    registry.roles = Some(
        r#"{"roleAttribute":"gridledger.role","members":["GridMSP","NetzMSP","UtilityMSP"],
            "gridOperators":[{"msp":"GridMSP","connectionPoints":["cp-1"]},{"msp":"NetzMSP","connectionPoints":["cp-2*"]}],
            "suppliers":[{"msp":"UtilityMSP","customers":["*"]}]}"#
            .into(),
    );
    w.ledger.register_chaincode("registry", std::sync::Arc::new(registry));
    let netz = super::fixture::identity("NetzMSP", "inst", Some("meter-installer"));
    let m = |id: &str, asset: &str| {
        serde_json::json!({"id": id, "assetId": asset, "publicKey": public_key("m-1"), "registers": ["1.8.0"],
                           "intervalSeconds": 900})
        .to_string()
    };
    let text = "RegisterMeter is for meter-installer or operator or admin of the grid operator of connection point \
                cp-1 (GridMSP); the caller is meter-installer of NetzMSP";
    rejects(&w, &netz, &["RegisterMeter", &m("m-1", "pv-1")], 403, text);
    w.ok(&netz, &["RegisterMeter", &m("m-3", "bat-1")]);
    let batch = format!("[{},{}]", m("m-4", "bat-1"), m("m-5", "pv-2"));
    rejects(&w, &netz, &["RegisterMeters", &batch], 403, "meter 1 (m-5): RegisterMeters is for");
    rejects(&w, &cast().installer, &["SetMeterStatus", "m-3", "inactive"], 403, "SetMeterStatus is for");
}

#[test]
fn nothing_is_registered_before_the_roles_record() {
    let w = World::new();
    let mut registry = super::fixture::registry();
    registry.roles = None;
    w.ledger.register_chaincode("registry", std::sync::Arc::new(registry));
    let text = "the market roles are not configured: the consortium writes them once with registry InitRoles";
    rejects(&w, &cast().installer, &["RegisterMeter", &good("m-1")], 409, text);
}
