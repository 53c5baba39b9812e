use super::*;

fn ours() -> OrgArgs {
    OrgArgs {
        grid_operators: vec!["GridMSP".into()],
        suppliers: vec!["UtilityMSP".into()],
        issuing_bodies: vec![],
        members: vec!["ProsumerMSP".into()],
        role_attribute: DEFAULT_ROLE_ATTRIBUTE.into(),
    }
}

/// A collection policy `OR('A.member',…)` as the set of its principals.
fn principal_set(policy: &str) -> BTreeSet<String> {
    let inner = policy.strip_prefix("OR(").and_then(|p| p.strip_suffix(')')).unwrap();
    inner.split(',').map(|p| p.trim().to_string()).collect()
}

#[test]
fn collections_for_our_three_orgs_equal_the_committed_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../network/collections-energy.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut generated = collections(&roles(&ours()).unwrap());
    // Semantically equal: the same fields, and the same principals in the OR (order is not meaning).
    let take = |v: &mut Value| principal_set(v[0]["policy"].take().as_str().unwrap());
    let (mut committed, generated_policy) = (committed, take(&mut generated));
    assert_eq!(take(&mut committed), generated_policy);
    assert_eq!(generated, committed);
}

#[test]
fn roles_for_our_three_orgs_are_what_the_tests_use() {
    let record = roles(&ours()).unwrap();
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        json!({"roleAttribute": "gridledger.role", "members": ["GridMSP", "ProsumerMSP", "UtilityMSP"],
               "gridOperators": [{"msp": "GridMSP", "connectionPoints": ["*"]}],
               "suppliers": [{"msp": "UtilityMSP", "customers": ["*"]}], "issuingBodies": []})
    );
    let p = policies(&record);
    let majority = "OutOf(2,'GridMSP.peer','ProsumerMSP.peer','UtilityMSP.peer')";
    assert_eq!(p["rolesKey"], majority);
    assert_eq!(p["chaincodes"]["metering"], majority);
}

#[test]
fn another_consortium_with_areas_and_two_suppliers() {
    let args = OrgArgs {
        grid_operators: vec!["TenneTMSP".into(), "NetzMSP:cp-ber-*,cp-pots-1".into()],
        suppliers: vec!["StadtwerkeMSP:Org1MSP,VPP".into(), "Org1MSP".into()],
        issuing_bodies: vec!["UbaMSP".into()],
        members: vec![],
        role_attribute: "market.role".into(),
    };
    let record = roles(&args).unwrap();
    assert_eq!(record.members, ["NetzMSP", "Org1MSP", "StadtwerkeMSP", "TenneTMSP", "UbaMSP"]);
    assert_eq!(record.grid_operators[1].connection_points, ["cp-ber-*", "cp-pots-1"]);
    assert!(record.supplies("StadtwerkeMSP", "VPP") && !record.supplies("StadtwerkeMSP", "NetzMSP"));
    assert_eq!(policies(&record)["rolesKey"].as_str().unwrap().get(..8), Some("OutOf(3,"));
    let bad = OrgArgs { grid_operators: vec!["A:cp-*-x".into()], ..args };
    assert!(roles(&bad).unwrap_err().to_string().contains("'*' may only end a pattern"));
}
