//! The registry part of the energy scenario: assets registered by their owners and connected by the grid operator,
//! a VPP with bob's battery, and a two-step ownership transfer.

use gridledger_e2e::Network;
use serde_json::{Value, json};

use super::support::{Cast, ok, refused, submit};

/// The assets the scenario trades and meters with.
#[derive(Debug)]
pub(crate) struct Assets {
    /// alice's PV system (200 kW, so a one-minute interval holds up to 3333 Wh).
    pub pv: String,
    /// bob's battery (200 kW), member of [`Assets::vpp`].
    pub battery: String,
    /// The aggregator's VPP.
    pub vpp: String,
}

fn asset(id: &str, kind: &str, nameplate: i64, cp: &str) -> String {
    let mut a = json!({"id": id, "kind": kind, "nameplateW": nameplate, "connectionPoint": cp,
                       "location": {"lat": "52.3702", "lon": "4.8952"}, "commissioned": "2024-03-01"});
    if kind == "storage" {
        a["storageWh"] = json!(400_000);
    }
    a.to_string()
}

/// Registers and connects the assets, builds the VPP and moves an EV charger from alice to bob. `alice` is
/// alice's party JSON, as the contracts record it.
pub(crate) fn set_up(net: &Network, cast: &Cast, tag: &str, cp: &str) -> (Assets, Value) {
    let (pv, battery, ev) = (format!("pv-{tag}"), format!("bat-{tag}"), format!("ev-{tag}"));
    let registered = ok(
        "RegisterAsset pv",
        &submit(net, &cast.alice, "registry", &["RegisterAsset", &asset(&pv, "pv", 200_000, cp)]),
    );
    assert_eq!(registered["status"], "pending");
    let alice = registered["owner"].clone();
    assert_eq!(alice["msp"], cast.prosumer_msp.as_str(), "the owner is the caller");
    ok(
        "RegisterAsset ev",
        &submit(net, &cast.alice, "registry", &["RegisterAsset", &asset(&ev, "ev-charger", 11_000, cp)]),
    );
    ok(
        "RegisterAsset storage",
        &submit(net, &cast.bob, "registry", &["RegisterAsset", &asset(&battery, "storage", 200_000, cp)]),
    );
    refused(
        "RegisterAsset by the grid gateway",
        &submit(net, &cast.gateway, "registry", &["RegisterAsset", &asset(&format!("x-{tag}"), "pv", 1, cp)]),
        403,
        "",
    );
    refused(
        "ApproveConnection by a prosumer",
        &submit(net, &cast.alice, "registry", &["ApproveConnection", &pv]),
        403,
        "",
    );
    for id in [&pv, &battery, &ev] {
        let approved =
            ok("ApproveConnection", &submit(net, &cast.grid_operator, "registry", &["ApproveConnection", id]));
        assert_eq!(approved["status"], "active");
    }
    refused(
        "ApproveConnection twice",
        &submit(net, &cast.grid_operator, "registry", &["ApproveConnection", &pv]),
        409,
        "",
    );
    for org in net.orgs() {
        let seen = ok("GetAsset", &net.evaluate_as(net.admin(org), "registry", &["GetAsset", &pv]));
        assert_eq!(seen["status"], "active", "peer of {org}");
    }

    // Two-step transfer: alice offers her EV charger to bob; only bob can accept; then he owns it.
    let bob = ok("GetAsset", &net.evaluate("registry", &["GetAsset", &battery]))["owner"].clone();
    let bob_id = bob["id"].as_str().unwrap_or_default().to_string();
    let offer = ["OfferTransfer", ev.as_str(), cast.prosumer_msp.as_str(), bob_id.as_str()];
    refused("OfferTransfer by a non-owner", &submit(net, &cast.bob, "registry", &offer), 403, "");
    ok("OfferTransfer", &submit(net, &cast.alice, "registry", &offer));
    let still = ok("GetAsset", &net.evaluate("registry", &["GetAsset", &ev]));
    assert_eq!(still["owner"], alice, "the offer alone changes no owner");
    refused(
        "AcceptTransfer by another party",
        &submit(net, &cast.aggregator, "registry", &["AcceptTransfer", &ev]),
        403,
        "",
    );
    let moved = ok("AcceptTransfer", &submit(net, &cast.bob, "registry", &["AcceptTransfer", &ev]));
    assert_eq!(moved["owner"]["id"], bob_id.as_str());
    refused("AcceptTransfer twice", &submit(net, &cast.bob, "registry", &["AcceptTransfer", &ev]), 404, "");

    // A VPP: the aggregator creates it, bob consents, the aggregator adds his battery.
    let vpp = format!("vpp-{tag}");
    ok("CreateVpp", &submit(net, &cast.aggregator, "registry", &["CreateVpp", &vpp, "e2e flex pool"]));
    refused(
        "AddVppMember without consent",
        &submit(net, &cast.aggregator, "registry", &["AddVppMember", &vpp, &battery]),
        403,
        "",
    );
    ok("ConsentToVpp", &submit(net, &cast.bob, "registry", &["ConsentToVpp", &battery, &vpp]));
    let pool = ok("AddVppMember", &submit(net, &cast.aggregator, "registry", &["AddVppMember", &vpp, &battery]));
    assert_eq!(pool["members"], json!([battery]));
    assert_eq!(pool["capacityW"], 200_000);
    (Assets { pv, battery, vpp }, alice)
}
