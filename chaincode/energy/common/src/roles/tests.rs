use gridledger_shim::protos::common::SignaturePolicyEnvelope;
use gridledger_shim::protos::common::msp_principal::Classification;
use gridledger_shim::protos::common::signature_policy::Type;
use gridledger_shim::protos::common::{MspRole, msp_role::MspRoleType};
use gridledger_shim::protos::prost::Message as _;

use super::*;

/// A market of a transmission operator, two distribution operators by area and two suppliers, none of them with
/// the test consortium's names.
fn market() -> MarketRoles {
    serde_json::from_value(serde_json::json!({
        "roleAttribute": "market.role",
        "members": ["TenneTMSP", "StadtwerkeMSP", "Org1MSP", "NetzMSP"],
        "gridOperators": [
            {"msp": "TenneTMSP", "connectionPoints": ["*"]},
            {"msp": "NetzMSP", "connectionPoints": ["cp-ber-*", "cp-special"]}
        ],
        "suppliers": [
            {"msp": "StadtwerkeMSP", "customers": ["Org1MSP", "VPP"]},
            {"msp": "Org1MSP", "customers": ["*"]}
        ]
    }))
    .unwrap()
}

#[test]
fn areas_and_customers() {
    let r = market();
    r.validate().unwrap();
    assert!(r.operates("NetzMSP", "cp-ber-001") && r.operates("NetzMSP", "cp-special"));
    assert!(!r.operates("NetzMSP", "cp-ams-001") && !r.operates("NetzMSP", "cp-special2"));
    assert!(r.operates("TenneTMSP", "cp-ams-001") && r.operates_everywhere("TenneTMSP"));
    assert!(!r.operates_everywhere("NetzMSP") && !r.operates("Org1MSP", "cp-ber-1"));
    assert_eq!(r.operators_of("cp-ber-9"), ["TenneTMSP", "NetzMSP"]);
    assert!(r.supplies("StadtwerkeMSP", "Org1MSP") && r.supplies("StadtwerkeMSP", "VPP"));
    assert!(!r.supplies("StadtwerkeMSP", "NetzMSP") && r.supplies("Org1MSP", "NetzMSP"));
    assert!(!r.supplies("TenneTMSP", "Org1MSP"));
    assert!(r.is_grid_operator("NetzMSP") && r.is_supplier("Org1MSP") && !r.is_issuing_body("Org1MSP"));
    assert_eq!(r.majority(), 3);
}

#[test]
fn certificate_issuers() {
    let mut r = market();
    assert!(r.issues_certificates("TenneTMSP"), "without issuing bodies, the market-area operator issues");
    assert!(!r.issues_certificates("NetzMSP") && !r.issues_certificates("Org1MSP"));
    r.issuing_bodies.push("Org1MSP".into());
    r.validate().unwrap();
    assert!(r.issues_certificates("Org1MSP"));
    assert!(!r.issues_certificates("TenneTMSP"), "a named issuing body replaces the default");
}

#[test]
fn refusals_name_the_problem() {
    type Change = fn(&mut MarketRoles);
    let cases: [(&str, Change); 9] = [
        ("roleAttribute", |r| r.role_attribute = String::new()),
        ("members needs 1", |r| r.members.clear()),
        ("member \"Org1MSP\" is listed twice", |r| r.members.push("Org1MSP".into())),
        ("grid operator \"X\" is not among the members", |r| r.grid_operators[0].msp = "X".into()),
        ("supplier \"Org1MSP\" is listed twice", |r| r.suppliers[0].msp = "Org1MSP".into()),
        ("at least one grid operator", |r| r.suppliers.clear()),
        ("'*' may only end", |r| r.grid_operators[1].connection_points[0] = "cp-*-x".into()),
        ("connection point needs 1", |r| r.grid_operators[1].connection_points.clear()),
        ("issuing body \"Y\" is not among", |r| r.issuing_bodies.push("Y".into())),
    ];
    for (needle, change) in cases {
        let mut r = market();
        change(&mut r);
        let e = r.validate().unwrap_err().to_string();
        assert!(e.starts_with("roles record: ") && e.contains(needle), "{needle:?} not in {e:?}");
    }
    let unknown = serde_json::from_str::<MarketRoles>(
        r#"{"roleAttribute":"a","members":[],"gridOperators":[],
        "suppliers":[],"operators":[]}"#,
    );
    assert!(unknown.is_err(), "unknown fields are refused");
}

#[test]
fn policy_is_a_majority_of_member_peers() {
    let bytes = market().endorsement_policy().unwrap();
    let envelope = SignaturePolicyEnvelope::decode(bytes.as_slice()).unwrap();
    let principals: Vec<(String, i32)> = envelope
        .identities
        .iter()
        .map(|p| {
            assert_eq!(p.principal_classification, Classification::Role as i32);
            let role = MspRole::decode(p.principal.as_slice()).unwrap();
            (role.msp_identifier, role.role)
        })
        .collect();
    let peer = MspRoleType::Peer as i32;
    let expected = ["NetzMSP", "Org1MSP", "StadtwerkeMSP", "TenneTMSP"].map(|m| (m.to_string(), peer));
    assert_eq!(principals, expected);
    let Some(Type::NOutOf(rule)) = envelope.rule.and_then(|r| r.r#type) else { panic!("not an NOutOf rule") };
    assert_eq!((rule.n, rule.rules.len()), (3, 4), "3 of the 4 members");
    // The shim reads it back as the same orgs (Go's statebased reads principals, whatever the rule).
    assert_eq!(KeyEndorsementPolicy::new(Some(&bytes)).unwrap().list_orgs().len(), 4);
}

#[test]
fn patterns() {
    assert!(matches("*", "cp-1") && matches("cp-a*", "cp-a") && matches("cp-a*", "cp-ab"));
    assert!(!matches("cp-a", "cp-ab") && !matches("cp-a*", "cp-b"));
}
