//! OfferTransfer, AcceptTransfer, CancelTransfer.

use super::*;

fn offer_key_exists(net: &Net, id: &str) -> bool {
    net.has("transfer", &[id])
}

#[test]
fn offer_then_accept_moves_owner_and_indexes() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.active(&a, "pv-1", 5000);
    let offer = net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    assert_eq!(offer["assetId"], "pv-1");
    assert_eq!(offer["from"], party_json(&a.party));
    assert_eq!(offer["to"], party_json(&b.party));
    assert!(offer["offeredAt"]["seconds"].as_i64().unwrap() > 0);
    assert!(offer_key_exists(&net, "pv-1"));
    // The owner does not change until the offered party accepts.
    assert_eq!(net.asset("pv-1").owner, a.party);
    let got = net.ok(&b, &["AcceptTransfer", "pv-1"]);
    assert_eq!(got["owner"], party_json(&b.party));
    assert_eq!(net.asset("pv-1").owner, b.party);
    assert!(!offer_key_exists(&net, "pv-1"));
    assert!(!net.has("asset~owner", &[&a.party.msp, &a.party.id, "pv-1"]));
    assert!(net.has("asset~owner", &[&b.party.msp, &b.party.id, "pv-1"]));
    // The new owner now acts as owner; the old one no longer can.
    assert!(net.refuse(&a, &["DecommissionAsset", "pv-1", "x"], 403).starts_with("DecommissionAsset is for"));
    net.ok(&b, &["OfferTransfer", "pv-1", &a.party.msp, &a.party.id]);
}

#[test]
fn offer_refusals() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.register(&a, "pv-1", "pv", 5000, "cp-1");
    let to = [b.party.msp.as_str(), b.party.id.as_str()];
    let offer = |id: &'static str| ["OfferTransfer", id, to[0], to[1]];
    assert_eq!(net.refuse(&a, &offer("nope"), 404), "asset nope does not exist");
    assert_eq!(net.refuse(&a, &offer("pv-1"), 409), "OfferTransfer needs asset pv-1 to be active, but it is pending");
    net.ok(&grid_operator(), &["ApproveConnection", "pv-1"]);
    for who in [b.clone(), eve(), grid_operator(), prosumer_admin()] {
        let message = net.refuse(&who, &offer("pv-1"), 403);
        assert!(message.starts_with("OfferTransfer is for the owner of asset pv-1 (ProsumerMSP)"), "{message}");
    }
    assert_eq!(
        net.refuse(&a, &["OfferTransfer", "pv-1", &a.party.msp, &a.party.id], 400),
        "asset pv-1 cannot be offered to its own owner"
    );
    for (msp, id) in [("", "x"), ("M", ""), ("M", "a\u{0}b")] {
        let message = net.refuse(&a, &["OfferTransfer", "pv-1", msp, id], 400);
        assert!(message.starts_with("the party's"), "{message}");
    }
    net.ok(&a, &offer("pv-1"));
    assert_eq!(
        net.refuse(&a, &["OfferTransfer", "pv-1", "OtherMSP", "x"], 409),
        "asset pv-1 already has an open transfer offer to StorageMSP; cancel it first"
    );
    // Suspended assets cannot be offered.
    net.active(&a, "pv-2", 1);
    net.ok(&grid_operator(), &["SuspendAsset", "pv-2", "x"]);
    assert!(net.refuse(&a, &offer("pv-2"), 409).ends_with("but it is suspended"));
}

#[test]
fn accept_refusals() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.active(&a, "pv-1", 5000);
    assert_eq!(net.refuse(&b, &["AcceptTransfer", "pv-1"], 404), "asset pv-1 has no open transfer offer");
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    for who in [a.clone(), eve(), grid_operator(), identity("StorageMSP", "bob2", Some("prosumer"))] {
        let message = net.refuse(&who, &["AcceptTransfer", "pv-1"], 403);
        assert!(
            message.starts_with("AcceptTransfer is for the party asset pv-1 is offered to (StorageMSP)"),
            "{message}"
        );
    }
    // The same user name in another MSP is another party.
    let b_elsewhere = identity("ProsumerMSP", "bob", Some("prosumer"));
    net.refuse(&b_elsewhere, &["AcceptTransfer", "pv-1"], 403);
    // Suspended after the offer: no accept until reactivated.
    net.ok(&grid_operator(), &["SuspendAsset", "pv-1", "x"]);
    assert_eq!(
        net.refuse(&b, &["AcceptTransfer", "pv-1"], 409),
        "AcceptTransfer needs asset pv-1 to be active, but it is suspended"
    );
    net.ok(&grid_operator(), &["ReactivateAsset", "pv-1", "ok"]);
    net.ok(&b, &["AcceptTransfer", "pv-1"]);
    assert_eq!(net.refuse(&b, &["AcceptTransfer", "pv-1"], 404), "asset pv-1 has no open transfer offer");
}

#[test]
fn cancel_by_owner_only() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.active(&a, "pv-1", 5000);
    assert_eq!(net.refuse(&a, &["CancelTransfer", "pv-1"], 404), "asset pv-1 has no open transfer offer");
    assert_eq!(net.refuse(&a, &["CancelTransfer", "pv-9"], 404), "asset pv-9 does not exist");
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    let message = net.refuse(&b, &["CancelTransfer", "pv-1"], 403);
    assert!(message.starts_with("CancelTransfer is for the owner of asset pv-1"), "{message}");
    assert_eq!(net.ok(&a, &["CancelTransfer", "pv-1"]), serde_json::Value::Null);
    assert!(!offer_key_exists(&net, "pv-1"));
    assert_eq!(net.refuse(&b, &["AcceptTransfer", "pv-1"], 404), "asset pv-1 has no open transfer offer");
    // A new offer may follow.
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
}

#[test]
fn decommissioning_withdraws_the_open_offer() {
    let net = Net::new();
    let (a, b) = (alice(), bob());
    net.active(&a, "pv-1", 5000);
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    net.ok(&grid_operator(), &["DecommissionAsset", "pv-1", "unsafe"]);
    assert!(!offer_key_exists(&net, "pv-1"));
    assert_eq!(net.refuse(&b, &["AcceptTransfer", "pv-1"], 404), "asset pv-1 has no open transfer offer");
}

#[test]
fn accepting_leaves_the_vpp_and_drops_old_consents() {
    let net = Net::new();
    let (a, b, agg) = (alice(), bob(), aggregator());
    net.active(&a, "pv-1", 5000);
    net.active(&a, "pv-2", 3000);
    net.ok(&agg, &["CreateVpp", "v1", "North"]);
    net.ok(&agg, &["CreateVpp", "v2", "South"]);
    for vpp in ["v1", "v2"] {
        net.ok(&a, &["ConsentToVpp", "pv-1", vpp]);
    }
    net.ok(&a, &["ConsentToVpp", "pv-2", "v1"]);
    net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
    net.ok(&agg, &["AddVppMember", "v1", "pv-2"]);
    assert_eq!(net.vpp("v1").capacity_w, 8000);
    net.ok(&a, &["OfferTransfer", "pv-1", &b.party.msp, &b.party.id]);
    net.ok(&b, &["AcceptTransfer", "pv-1"]);
    let vpp = net.vpp("v1");
    assert_eq!((vpp.members.len(), vpp.capacity_w), (1, 3000));
    assert_eq!(net.asset("pv-1").vpp, None);
    assert!(!net.has("consent", &["pv-1", "v1"]) && !net.has("consent", &["pv-1", "v2"]));
    assert!(net.has("consent", &["pv-2", "v1"]));
    // The new owner must consent before the aggregator can add it back.
    let message = net.refuse(&agg, &["AddVppMember", "v1", "pv-1"], 403);
    assert_eq!(message, "the owner of asset pv-1 has not consented to virtual power plant v1");
    net.ok(&b, &["ConsentToVpp", "pv-1", "v1"]);
    net.ok(&agg, &["AddVppMember", "v1", "pv-1"]);
    assert_eq!(net.vpp("v1").capacity_w, 8000);
}
