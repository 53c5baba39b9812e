//! The market roles record: written once, changed only by SetRoles (key-level endorsement: a majority of the
//! members), read by every transaction; several grid operators act for their own connection points only.

use gridledger_energy_common::roles::{MarketRoles, ROLES_KEY};
use gridledger_shim::ChaincodeStub as _;
use serde_json::json;

use super::identity::identity;
use super::*;

/// A consortium that is not ours: a transmission operator for everything, a distribution operator for `cp-ber-*`,
/// the role in another attribute.
fn foreign() -> String {
    json!({
        "roleAttribute": "gridledger.role",
        "members": ["TenneTMSP", "NetzMSP", "StadtwerkeMSP", "Org1MSP"],
        "gridOperators": [{"msp": "TenneTMSP", "connectionPoints": ["*"]},
                          {"msp": "NetzMSP", "connectionPoints": ["cp-ber-*"]}],
        "suppliers": [{"msp": "StadtwerkeMSP", "customers": ["*"]}]
    })
    .to_string()
}

fn policy_of(net: &Net) -> Option<Vec<u8>> {
    net.ledger.tx(["probe"]).get_state_validation_parameter(ROLES_KEY).unwrap()
}

#[test]
fn init_once_then_409_and_the_key_carries_the_majority_policy() {
    let net = Net::new();
    let stored = net.ok(&alice(), &["GetRoles"]);
    let expected: MarketRoles = serde_json::from_str(ROLES).unwrap();
    assert_eq!(stored, serde_json::to_value(&expected).unwrap());
    // The MemoryLedger does not enforce key-level endorsement (the peer does, at commit); what it can show is
    // that the record's validation parameter is exactly the majority policy of its members.
    assert_eq!(policy_of(&net), Some(expected.endorsement_policy().unwrap()));
    let again = net.refuse(&grid_admin(), &["InitRoles", ROLES], 409);
    assert!(again.contains("already configured"), "{again}");
}

#[test]
fn nothing_works_before_the_record() {
    let net = Net::bare();
    let m = net.refuse(&alice(), &["GetRoles"], 404);
    assert!(m.contains("InitRoles"), "{m}");
    let m = net.refuse(&alice(), &["RegisterAsset", &new_asset("pv-1", "pv", 1000, "cp-1").to_string()], 409);
    assert!(m.contains("not configured"), "{m}");
}

#[test]
fn init_is_for_an_admin_of_a_member_org() {
    let net = Net::bare();
    let m = net.refuse(&grid_operator(), &["InitRoles", ROLES], 403);
    assert_eq!(m, "InitRoles is for admin of any org; the caller is operator of GridMSP");
    let m = net.refuse(&identity("StorageMSP", "sadmin", Some("admin")), &["InitRoles", ROLES], 403);
    assert!(m.contains("the caller's org StorageMSP is not one"), "{m}");
    let bad = ROLES.replace("\"suppliers\"", "\"supplier\"");
    net.refuse(&grid_admin(), &["InitRoles", &bad], 400);
    let not_member = ROLES.replace("\"msp\":\"UtilityMSP\"", "\"msp\":\"StorageMSP\"");
    let m = net.refuse(&grid_admin(), &["InitRoles", &not_member], 400);
    assert!(m.contains("supplier \"StorageMSP\" is not among the members"), "{m}");
}

#[test]
fn set_roles_replaces_record_and_policy() {
    let net = Net::new();
    let grown = ROLES.replace("\"UtilityMSP\"]", "\"UtilityMSP\",\"StorageMSP\"]");
    net.refuse(&alice(), &["SetRoles", &grown], 403);
    net.refuse(&identity("StorageMSP", "sadmin", Some("admin")), &["SetRoles", &grown], 403);
    net.ok(&prosumer_admin(), &["SetRoles", &grown]);
    let now: MarketRoles = serde_json::from_value(net.ok(&alice(), &["GetRoles"])).unwrap();
    assert_eq!(now.members, ["GridMSP", "ProsumerMSP", "UtilityMSP", "StorageMSP"]);
    assert_eq!((now.majority(), policy_of(&net)), (3, Some(now.endorsement_policy().unwrap())));
    // SetRoles before InitRoles: there is nothing to change.
    let m = Net::bare().refuse(&grid_admin(), &["SetRoles", ROLES], 409);
    assert!(m.contains("not configured"), "{m}");
}

#[test]
fn grid_operators_act_for_their_own_connection_points() {
    let tso_admin = identity("TenneTMSP", "tadmin", Some("admin"));
    let net = Net::bare();
    net.ok(&tso_admin, &["InitRoles", &foreign()]);
    let prosumer = identity("Org1MSP", "p", Some("prosumer"));
    let dso = identity("NetzMSP", "op", Some("operator"));
    let tso = identity("TenneTMSP", "op", Some("operator"));
    net.register(&prosumer, "pv-ber", "pv", 1000, "cp-ber-7");
    net.register(&prosumer, "pv-ams", "pv", 1000, "cp-ams-7");
    net.ok(&dso, &["ApproveConnection", "pv-ber"]);
    let m = net.refuse(&dso, &["ApproveConnection", "pv-ams"], 403);
    assert_eq!(
        m,
        "ApproveConnection is for operator or admin of the grid operator of connection point cp-ams-7 (TenneTMSP); \
         the caller is operator of NetzMSP"
    );
    net.ok(&tso, &["ApproveConnection", "pv-ams"]);
    net.refuse(&dso, &["SuspendAsset", "pv-ams", "fault"], 403);
    let m = net.refuse(&dso, &["DecommissionAsset", "pv-ams", "gone"], 403);
    assert!(m.contains("its grid operator (TenneTMSP)"), "{m}");
    net.ok(&dso, &["DecommissionAsset", "pv-ber", "gone"]);
    // Our own MSP ids mean nothing to this consortium.
    net.refuse(&grid_operator(), &["SuspendAsset", "pv-ams", "fault"], 403);
}
