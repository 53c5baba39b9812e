//! ConsentToVpp, WithdrawConsent, CreateVpp, AddVppMember, LeaveVpp, GetVpp, and VPPs on decommissioning.

use serde_json::json;

use super::*;

/// Alice's active pv-1 (5000 W) and pv-2 (3000 W), the aggregator's VPP v1.
fn setup() -> Net {
    let net = Net::new();
    net.active(&alice(), "pv-1", 5000);
    net.active(&alice(), "pv-2", 3000);
    net.ok(&aggregator(), &["CreateVpp", "v1", "North"]);
    net
}

#[test]
fn create_vpp_is_for_aggregators() {
    let net = Net::new();
    let agg = aggregator();
    let got = net.ok(&agg, &["CreateVpp", "v1", "North cluster"]);
    assert_eq!(
        got,
        json!({"id": "v1", "name": "North cluster", "aggregator": party_json(&agg.party), "members": [], "capacityW": 0})
    );
    assert_eq!(net.ok(&no_role(), &["GetVpp", "v1"]), got);
    for who in [alice(), grid_operator(), prosumer_admin(), no_role()] {
        let message = net.refuse(&who, &["CreateVpp", "v2", "x"], 403);
        assert!(message.starts_with("CreateVpp is for aggregator of any org"), "{message}");
    }
    assert_eq!(net.refuse(&aggregator2(), &["CreateVpp", "v1", "again"], 409), "virtual power plant v1 already exists");
    assert_eq!(net.refuse(&agg, &["CreateVpp", "v2", " "], 400), "name is required");
    assert!(net.refuse(&agg, &["CreateVpp", "v/2", "x"], 400).starts_with("argument 1 (id)"));
    assert_eq!(net.refuse(&agg, &["GetVpp", "v9"], 404), "virtual power plant v9 does not exist");
}

#[test]
fn consent_and_withdraw_are_for_the_owner() {
    let net = setup();
    let a = alice();
    let consent = net.ok(&a, &["ConsentToVpp", "pv-1", "v1"]);
    assert_eq!((consent["assetId"].as_str(), consent["vppId"].as_str()), (Some("pv-1"), Some("v1")));
    assert_eq!(consent["owner"], party_json(&a.party));
    assert!(net.has("consent", &["pv-1", "v1"]));
    assert_eq!(net.refuse(&a, &["ConsentToVpp", "pv-1", "v1"], 409), "asset pv-1 already consents to v1");
    for who in [bob(), aggregator(), grid_operator()] {
        assert!(net.refuse(&who, &["ConsentToVpp", "pv-2", "v1"], 403).starts_with("ConsentToVpp is for the owner"));
        assert!(net.refuse(&who, &["WithdrawConsent", "pv-1", "v1"], 403).starts_with("WithdrawConsent is for"));
    }
    assert_eq!(net.refuse(&a, &["ConsentToVpp", "pv-9", "v1"], 404), "asset pv-9 does not exist");
    assert_eq!(net.refuse(&a, &["ConsentToVpp", "pv-2", "v9"], 404), "virtual power plant v9 does not exist");
    assert_eq!(
        net.refuse(&a, &["WithdrawConsent", "pv-2", "v1"], 404),
        "the owner of asset pv-2 has not consented to virtual power plant v1"
    );
    assert_eq!(net.ok(&a, &["WithdrawConsent", "pv-1", "v1"]), serde_json::Value::Null);
    assert!(!net.has("consent", &["pv-1", "v1"]));
    // Consent is possible before approval, not after decommissioning.
    net.register(&a, "pv-3", "pv", 1, "cp-1");
    net.ok(&a, &["ConsentToVpp", "pv-3", "v1"]);
    net.ok(&a, &["DecommissionAsset", "pv-2", "gone"]);
    assert_eq!(net.refuse(&a, &["ConsentToVpp", "pv-2", "v1"], 409), "asset pv-2 is decommissioned");
}

#[test]
fn add_member_sums_capacity_and_keeps_members_sorted() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    net.ok(&a, &["ConsentToVpp", "pv-2", "v1"]);
    net.ok(&a, &["ConsentToVpp", "pv-1", "v1"]);
    let got = net.ok(&agg, &["AddVppMember", "v1", "pv-2"]);
    assert_eq!((got["members"].clone(), got["capacityW"].clone()), (json!(["pv-2"]), json!(3000)));
    let got = net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
    assert_eq!((got["members"].clone(), got["capacityW"].clone()), (json!(["pv-1", "pv-2"]), json!(8000)));
    assert_eq!(net.asset("pv-1").vpp.map(String::from).as_deref(), Some("v1"));
    assert_eq!(net.ok(&bob(), &["GetVpp", "v1"]), got);
}

#[test]
fn add_member_refusals() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    net.ok(&aggregator2(), &["CreateVpp", "v2", "South"]);
    net.register(&a, "pv-3", "pv", 1, "cp-1");
    for (asset, vpp) in [("pv-1", "v1"), ("pv-1", "v2"), ("pv-3", "v1")] {
        net.ok(&a, &["ConsentToVpp", asset, vpp]);
    }
    assert_eq!(net.refuse(&agg, &["AddVppMember", "v9", "pv-1"], 404), "virtual power plant v9 does not exist");
    assert_eq!(net.refuse(&agg, &["AddVppMember", "v1", "pv-9"], 404), "asset pv-9 does not exist");
    for who in [aggregator2(), a.clone(), grid_operator()] {
        let message = net.refuse(&who, &["AddVppMember", "v1", "pv-1"], 403);
        assert!(message.starts_with("AddVppMember is for the aggregator of v1 (UtilityMSP)"), "{message}");
    }
    assert_eq!(
        net.refuse(&agg, &["AddVppMember", "v1", "pv-2"], 403),
        "the owner of asset pv-2 has not consented to virtual power plant v1"
    );
    assert_eq!(
        net.refuse(&agg, &["AddVppMember", "v1", "pv-3"], 409),
        "AddVppMember needs asset pv-3 to be active, but it is pending"
    );
    net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
    assert_eq!(net.refuse(&agg, &["AddVppMember", "v1", "pv-1"], 409), "asset pv-1 is already a member of v1");
    assert_eq!(
        net.refuse(&aggregator2(), &["AddVppMember", "v2", "pv-1"], 409),
        "asset pv-1 is already a member of v1"
    );
    // Suspended members stay, but a suspended asset cannot join.
    net.ok(&grid_operator(), &["ApproveConnection", "pv-3"]);
    net.ok(&grid_operator(), &["SuspendAsset", "pv-3", "x"]);
    assert!(net.refuse(&agg, &["AddVppMember", "v1", "pv-3"], 409).ends_with("but it is suspended"));
}

#[test]
fn leave_by_owner_or_aggregator() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    for asset in ["pv-1", "pv-2"] {
        net.ok(&a, &["ConsentToVpp", asset, "v1"]);
        net.ok(&agg, &["AddVppMember", "v1", asset]);
    }
    for who in [bob(), aggregator2(), grid_operator()] {
        let message = net.refuse(&who, &["LeaveVpp", "v1", "pv-1"], 403);
        assert_eq!(message, "LeaveVpp is for the owner of asset pv-1 or the aggregator of v1; the caller is neither");
    }
    assert_eq!(net.refuse(&a, &["LeaveVpp", "v9", "pv-1"], 404), "virtual power plant v9 does not exist");
    assert_eq!(net.refuse(&a, &["LeaveVpp", "v1", "pv-9"], 404), "asset pv-9 does not exist");
    let got = net.ok(&a, &["LeaveVpp", "v1", "pv-1"]);
    assert_eq!((got["members"].clone(), got["capacityW"].clone()), (json!(["pv-2"]), json!(3000)));
    assert_eq!(net.asset("pv-1").vpp, None);
    assert_eq!(net.refuse(&a, &["LeaveVpp", "v1", "pv-1"], 409), "asset pv-1 is not a member of v1");
    let got = net.ok(&agg, &["LeaveVpp", "v1", "pv-2"]);
    assert_eq!((got["members"].clone(), got["capacityW"].clone()), (json!([]), json!(0)));
    // The consent remains: the aggregator may add it again.
    net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
}

#[test]
fn withdrawing_consent_takes_the_asset_out() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    net.ok(&a, &["ConsentToVpp", "pv-1", "v1"]);
    net.ok(&a, &["ConsentToVpp", "pv-2", "v1"]);
    net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
    net.ok(&agg, &["AddVppMember", "v1", "pv-2"]);
    net.ok(&a, &["WithdrawConsent", "pv-1", "v1"]);
    let vpp = net.vpp("v1");
    assert_eq!((vpp.members.len(), vpp.capacity_w), (1, 3000));
    assert_eq!(net.asset("pv-1").vpp, None);
    assert_eq!(
        net.refuse(&agg, &["AddVppMember", "v1", "pv-1"], 403),
        "the owner of asset pv-1 has not consented to virtual power plant v1"
    );
}

#[test]
fn decommissioning_leaves_the_vpp() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    for asset in ["pv-1", "pv-2"] {
        net.ok(&a, &["ConsentToVpp", asset, "v1"]);
        net.ok(&agg, &["AddVppMember", "v1", asset]);
    }
    let got = net.ok(&grid_operator(), &["DecommissionAsset", "pv-2", "fire"]);
    assert_eq!(got["vpp"], serde_json::Value::Null);
    let vpp = net.vpp("v1");
    assert_eq!((vpp.members.iter().map(|m| m.as_str()).collect::<Vec<_>>(), vpp.capacity_w), (vec!["pv-1"], 5000));
}

#[test]
fn add_members_adds_all_or_none() {
    let net = setup();
    let (a, agg) = (alice(), aggregator());
    net.active(&a, "pv-3", 2000);
    for asset in ["pv-1", "pv-3"] {
        net.ok(&a, &["ConsentToVpp", asset, "v1"]);
    }
    let before = net.state();
    // pv-2 lacks consent: nothing is added, not even the consenting ones.
    assert_eq!(
        net.refuse(&agg, &["AddVppMembers", "v1", r#"["pv-1","pv-2","pv-3"]"#], 403),
        "the owner of asset pv-2 has not consented to virtual power plant v1"
    );
    assert_eq!(net.refuse(&agg, &["AddVppMembers", "v1", "[]"], 400), "assetIds: 1 to 1000 asset ids, got 0");
    assert_eq!(
        net.refuse(&agg, &["AddVppMembers", "v1", r#"["pv-1","pv-3","pv-1"]"#], 400),
        "assetIds: asset pv-1 is listed twice"
    );
    assert!(net.refuse(&agg, &["AddVppMembers", "v1", r#"["pv/1"]"#], 400).starts_with("argument 2 (assetIds)"));
    let message = net.refuse(&aggregator2(), &["AddVppMembers", "v1", r#"["pv-1"]"#], 403);
    assert!(message.starts_with("AddVppMembers is for the aggregator of v1"), "{message}");
    let many = serde_json::to_string(&(0..1001).map(|i| format!("pv-{i}")).collect::<Vec<_>>()).unwrap();
    assert_eq!(net.refuse(&agg, &["AddVppMembers", "v1", &many], 400), "assetIds: 1 to 1000 asset ids, got 1001");
    assert_eq!(net.state(), before, "a refused batch writes nothing");

    let got = net.ok(&agg, &["AddVppMembers", "v1", r#"["pv-3","pv-1"]"#]);
    assert_eq!((got["members"].clone(), got["capacityW"].clone()), (json!(["pv-1", "pv-3"]), json!(7000)));
    assert_eq!(net.asset("pv-3").vpp.map(String::from).as_deref(), Some("v1"));
    assert_eq!(net.refuse(&agg, &["AddVppMembers", "v1", r#"["pv-1"]"#], 409), "asset pv-1 is already a member of v1");
}
