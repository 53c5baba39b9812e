//! `RegisterDevice` and `GetDevice`.

use serde_json::json;

use crate::support::{H0, World, cast};

fn reg(asset: &str, meters: &[&str]) -> String {
    json!({"assetId": asset, "technology": "T020001", "area": "10YNL----------L", "meters": meters}).to_string()
}

#[test]
fn the_issuer_registers_a_producing_active_asset() {
    let w = World::new();
    let c = cast();
    let device = w.device("pv-1", &["m-pv-1b", "m-pv-1"]);
    assert_eq!(device["id"], "pv-1");
    assert_eq!(device["kind"], "pv");
    assert_eq!(device["meters"], json!(["m-pv-1", "m-pv-1b"]), "sorted");
    assert_eq!(device["capacityW"], 10_000);
    assert_eq!(device["location"], json!({"lat": "52.37", "lon": "4.89"}));
    assert_eq!(device["registeredBy"], json!(c.issuer.party));
    assert_eq!(w.query(&["GetDevice", "pv-1"]), device);
    // The grid admin acts for the default issuing body too.
    let second = w.cert(&c.grid_admin, H0, &["RegisterDevice", &reg("bat-1", &["m-bat-1"])]);
    assert_eq!(second["kind"], "storage");
}

#[test]
fn only_the_issuing_body_registers() {
    let w = World::new();
    let c = cast();
    let args = ["RegisterDevice", &reg("pv-1", &["m-pv-1"])];
    for who in [&c.alice, &c.grid_operator, &c.utility, &c.mallory] {
        w.refused(who, H0, &args, 403, "RegisterDevice is for issuer or admin of the issuing body");
    }
    // A named issuing body replaces the default: then GridMSP's issuer no longer is one.
    let roles = crate::support::ROLES.replace(r#""suppliers""#, r#""issuingBodies":["UtilityMSP"],"suppliers""#);
    w.ok("registry", &c.grid_admin, H0, &["SetRoles", &roles]);
    w.refused(&c.issuer, H0, &args, 403, "the caller is issuer of GridMSP");
}

#[test]
fn assets_that_cannot_be_devices_are_refused() {
    let w = World::new();
    let c = cast();
    let issuer = &c.issuer;
    w.refused(issuer, H0, &["RegisterDevice", &reg("load-1", &["m-load-1"])], 409, "does not produce energy");
    w.refused(issuer, H0, &["RegisterDevice", &reg("pend-1", &["m-pend"])], 409, "is \"pending\", not active");
    w.refused(issuer, H0, &["RegisterDevice", &reg("nope", &["m-pv-1"])], 404, "nope");
    w.refused(issuer, H0, &["RegisterDevice", &reg("pv-1", &["m-load-1"])], 409, "meters asset \"load-1\"");
    w.refused(issuer, H0, &["RegisterDevice", &reg("pv-1", &["m-none"])], 404, "m-none");
    w.device("pv-1", &["m-pv-1"]);
    w.refused(issuer, H0, &["RegisterDevice", &reg("pv-1", &["m-pv-1"])], 409, "already a registered device");
}

#[test]
fn malformed_registrations_are_refused() {
    let w = World::new();
    let issuer = &cast().issuer;
    let bad = |v: serde_json::Value, needle: &str| {
        w.refused(issuer, H0, &["RegisterDevice", &v.to_string()], 400, needle);
    };
    let ok = json!({"assetId": "pv-1", "technology": "T020001", "area": "10YNL----------L", "meters": ["m-pv-1"]});
    let with = |k: &str, v: serde_json::Value| {
        let mut d = ok.clone();
        d[k] = v;
        d
    };
    bad(with("technology", json!("solar panel")), "technology must be 1 to 32");
    bad(with("technology", json!("")), "technology must be 1 to 32");
    bad(with("area", json!("x".repeat(65))), "area must be 1 to 64");
    bad(with("meters", json!([])), "meters needs 1 to 16 meter ids, got 0");
    bad(with("meters", json!((0..17).map(|i| format!("m{i}")).collect::<Vec<_>>())), "got 17");
    bad(with("meters", json!(["m-pv-1", "m-pv-1"])), "listed twice");
    bad(with("assetId", json!("")), "assetId must be 1 to 64");
    bad(with("extra", json!(1)), "unknown field");
    let huge = with("area", json!("x".repeat(5000)));
    bad(huge, "at most 4096 bytes");
    assert_eq!(w.query_status(&["GetDevice", "pv-1"]).0, 404);
}
