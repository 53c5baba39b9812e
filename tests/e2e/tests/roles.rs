//! The market roles record on the real peer (chaincode/energy/DESIGN.md, "Market roles"): `deploy-energy` wrote it
//! once with `InitRoles`; a second `InitRoles` is refused; a change (`SetRoles`) endorsed by one org alone is invalid at
//! commit and changes nothing, while one endorsed by a majority of the members' peers takes effect: when it removes the
//! grid operator, that org's operator, accepted a moment before, is refused in its next transaction. The record is put
//! back at the end, also when the test fails, so tests after it see the consortium's roles.

use gridledger_e2e::{Network, Outcome, network};
use serde_json::Value;

fn ok(o: &Outcome) -> &Outcome {
    assert!(o.ok, "{}", o.error);
    o
}

fn roles(net: &Network) -> Value {
    ok(&net.evaluate("registry", &["GetRoles"])).json().expect("GetRoles JSON")
}

/// Writes `record` back with a majority (every peer) when dropped.
struct Restore<'a> {
    net: &'a Network,
    record: String,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let o = self.net.submit("registry", &["SetRoles", &self.record]).submitter(self.net.admin("grid")).run();
        if !o.ok {
            eprintln!("could not restore the market roles record: {}", o.error);
        }
    }
}

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn roles_change_only_with_a_majority() {
    let net = network();
    let original = roles(net);
    let members: Vec<&str> =
        original["members"].as_array().expect("members").iter().filter_map(Value::as_str).collect();
    for msp in ["GridMSP", "ProsumerMSP", "UtilityMSP"] {
        assert!(members.contains(&msp), "{msp} is not a member: {original}");
    }
    let grid = net.admin("grid");

    // Written once: a second InitRoles is refused by the chaincode (409), whoever endorses.
    let again = net.submit("registry", &["InitRoles", &original.to_string()]).submitter(grid).run();
    assert!(!again.ok && again.status == Some(409), "expected the chaincode's 409: {again:?}");

    let _restore = Restore { net, record: original.to_string() };
    let mut changed = original.clone();
    changed["issuingBodies"] = serde_json::json!(["GridMSP"]);
    let changed = changed.to_string();

    // One org alone: its peer endorses (the caller is a member's admin), but the commit is invalid.
    let alone = net.submit("registry", &["SetRoles", &changed]).submitter(grid).endorsers(&["grid"]).run();
    assert!(!alone.ok, "a roles change endorsed by Grid alone committed");
    assert_eq!(alone.validation.as_deref(), Some("ENDORSEMENT_POLICY_FAILURE"), "{}", alone.error);
    assert_eq!(roles(net), original, "the refused change is visible");

    // A majority of the members' peers (2 of 3): valid, and every contract reads the new record.
    ok(&net.submit("registry", &["SetRoles", &changed]).submitter(grid).endorsers(&["grid", "utility"]).run());
    assert_eq!(roles(net)["issuingBodies"], serde_json::json!(["GridMSP"]));

    // The grid operator removed by a majority: UtilityMSP now operates every connection point, GridMSP stays a
    // member. Grid's operator sets the market config (its current value, so nothing changes) before the change and
    // is refused (403) in its very next transaction after it.
    let operator = net.user("grid", "operator1").expect("grid operator1 (GL_USERS)");
    let config = ok(&net.evaluate("trade", &["GetMarketConfig"])).text();
    ok(&net.submit("trade", &["SetMarketConfig", &config]).submitter(&operator).run());
    let mut removed: Value = serde_json::from_str(&changed).expect("changed record");
    removed["gridOperators"] = serde_json::json!([{"msp": "UtilityMSP", "connectionPoints": ["*"]}]);
    let removed = removed.to_string();
    ok(&net.submit("registry", &["SetRoles", &removed]).submitter(grid).endorsers(&["grid", "utility"]).run());
    assert_eq!(roles(net)["gridOperators"][0]["msp"], "UtilityMSP");
    let after = net.submit("trade", &["SetMarketConfig", &config]).submitter(&operator).run();
    assert!(!after.ok, "the removed grid operator's SetMarketConfig was accepted");
    assert_eq!(after.status, Some(403), "expected 403 for the removed grid operator: {}", after.error);
    assert!(after.message().contains("GridMSP"), "the refusal names the caller's org: {}", after.message());
}
