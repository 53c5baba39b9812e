//! Every rule: the refusal's status and message, and that nothing changed.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::support::{GATE, I, LEN, OPEN, World, offer, request_spec};

fn with(field: &str, value: serde_json::Value) -> String {
    let mut spec = request_spec();
    spec[field] = value;
    spec.to_string()
}

#[test]
fn create_request_rules() {
    let w = World::new();
    let c = &w.cast;
    let t = OPEN - 600;
    let spec = request_spec().to_string();
    w.refused("flexibility", &c.alice, t, &["CreateRequest", &spec], 403, "operator or admin of the grid operator");
    // NetzMSP operates only cp-ber-*.
    w.refused("flexibility", &c.netz_operator, t, &["CreateRequest", &spec], 403, "cp-ams-*");
    let cases = [
        (with("intervalStart", json!(I + 1)), "not aligned"),
        (with("intervalSeconds", json!(120)), "intervalSeconds must be one of"),
        (with("intervals", json!(0)), "intervals must be 1 to 96"),
        (with("wh", json!(0)), "wh must be 1 to"),
        (with("priceCapPerKwh", json!(-1)), "priceCapPerKwh must be 0 to"),
        (with("toleranceBps", json!(10_001)), "toleranceBps must be 0 to 10000"),
        (with("gateClosure", json!(I + 1)), "gateClosure must be 0 to intervalStart"),
        (with("gateClosure", json!(t)), "is not after the transaction time"),
        (with("connectionPoints", json!([])), "connectionPoints needs 1 to 64"),
        (with("connectionPoints", json!(["cp-*-x"])), "a '*' only at the end"),
        (with("baseline", json!({"method": "highXOfY", "x": 4, "y": 3})), "1 <= x <= y <= 10"),
        (with("baseline", json!({"method": "guess"})), "argument 1"),
        (with("extra", json!(1)), "unknown field"),
    ];
    for (doc, needle) in cases {
        w.refused("flexibility", &c.grid_operator, t, &["CreateRequest", &doc], 400, needle);
    }
    let long = "x".repeat(9000);
    w.refused("flexibility", &c.grid_operator, t, &["CreateRequest", &long], 400, "at most 8192 bytes");
    // NetzMSP may ask in its own area.
    w.ok("flexibility", &c.netz_operator, t, &["CreateRequest", &with("connectionPoints", json!(["cp-ber-*"]))]);
}

#[test]
fn cancel_request_rules() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    w.refused("flexibility", &c.grid_operator, OPEN, &["CancelRequest", "nope"], 404, "no request");
    w.refused("flexibility", &c.netz_operator, OPEN, &["CancelRequest", &id], 403, "grid operator");
    w.refused("flexibility", &c.grid_operator, GATE, &["CancelRequest", &id], 409, "closed at");
    let cancelled = w.flex(&c.grid_admin, GATE - 1, &["CancelRequest", &id]);
    assert_eq!(cancelled["status"], "cancelled");
    w.refused("flexibility", &c.grid_operator, GATE - 1, &["CancelRequest", &id], 409, "not open");
    let doc = offer("vpp-a", 1000, 50, &["m-a"], Some(&[0]));
    w.refused("flexibility", &c.agg_a, GATE - 1, &["SubmitOffer", &id, &doc], 409, "not open");
    w.refused("flexibility", &c.grid_operator, GATE, &["Award", &id], 409, "cancelled");
}

#[test]
fn offer_rules() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    let go = |who, doc: &str, status, needle| {
        w.refused("flexibility", who, OPEN, &["SubmitOffer", &id, doc], status, needle)
    };
    go(&c.agg_b, &offer("vpp-a", 1000, 50, &["m-a"], None), 403, "for its aggregator");
    go(&c.agg_a, &offer("vpp-zz", 1000, 50, &["m-a"], None), 404, "VPP");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-nope"], None), 404, "meter");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-c"], None), 400, "not a member of VPP vpp-a");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-x"], None), 400, "not at a connection point of the request");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-e"], None), 400, "3600 s interval does not divide");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-a", "m-a"], None), 400, "listed twice");
    go(&c.agg_a, &offer("vpp-a", 1000, 201, &["m-a"], None), 400, "above the request's cap 200");
    go(&c.agg_a, &offer("vpp-a", 0, 50, &["m-a"], None), 400, "wh must be 1 to");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &[], None), 400, "meters needs 1 to 1000");
    go(&c.agg_a, &offer("vpp-a", 1000, 50, &["m-a"], Some(&[1, 2])), 400, "one value per interval (1), got 2");
    // bat-a (40 kW) and pv-b (20 kW) allow 15 kWh in 15 minutes.
    go(&c.agg_a, &offer("vpp-a", 15_001, 50, &["m-a", "m-b"], None), 400, "(15000 Wh from 60000 W)");
    w.refused(
        "flexibility",
        &c.agg_a,
        GATE,
        &["SubmitOffer", &id, &offer("vpp-a", 1000, 50, &["m-a"], None)],
        409,
        "closed at",
    );
    let made = w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 15_000, 50, &["m-b", "m-a"], None)]);
    assert_eq!(made["capWh"], 15_000);
    assert_eq!(made["backing"][0]["meterId"], "m-a", "backing in meter order");
    assert_eq!(made["backing"][0]["owner"], json!(c.alice.party));
    // A new offer replaces the VPP's offer.
    w.flex(&c.agg_a, OPEN + 1, &["SubmitOffer", &id, &offer("vpp-a", 500, 40, &["m-a"], None)]);
    let offers = w.query("flexibility", &["Offers", &id]);
    assert_eq!(offers.as_array().unwrap().len(), 1);
    assert_eq!(offers[0]["wh"], 500);
}

#[test]
fn schedule_rules() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 1000, 50, &["m-a"], None)]);
    let go = |who, vpp, doc, t, status, needle| {
        w.refused("flexibility", who, t, &["SubmitSchedule", &id, vpp, doc], status, needle)
    };
    go(&c.agg_b, "vpp-a", "[100]", OPEN, 403, "aggregator who made the offer");
    go(&c.agg_a, "vpp-b", "[100]", OPEN, 404, "no offer of VPP \"vpp-b\"");
    go(&c.agg_a, "vpp-a", "[100, 200]", OPEN, 400, "one value per interval");
    go(&c.agg_a, "vpp-a", "[1000000000001]", OPEN, 400, "schedule values must be");
    go(&c.agg_a, "vpp-a", "[100]", GATE, 409, "closed at");
    let mut spec = request_spec();
    spec["baseline"] = json!({"method": "highXOfY", "x": 1, "y": 1});
    let other = w.request(&spec);
    w.refused(
        "flexibility",
        &c.agg_a,
        OPEN,
        &["SubmitSchedule", &other, "vpp-a", "[1]"],
        400,
        "does not use a schedule",
    );
    let doc = offer("vpp-a", 1000, 50, &["m-a"], Some(&[1]));
    w.refused("flexibility", &c.agg_a, OPEN, &["SubmitOffer", &other, &doc], 400, "only for requests with a schedule");
    assert_eq!(w.flex(&c.agg_a, OPEN, &["SubmitSchedule", &id, "vpp-a", "[100]"])["schedule"], json!([100]));
}

#[test]
fn award_rules() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    // vpp-a has no schedule for a schedule baseline: skipped.
    w.flex(&c.agg_a, OPEN, &["SubmitOffer", &id, &offer("vpp-a", 1000, 50, &["m-a"], None)]);
    w.flex(&c.agg_b, OPEN, &["SubmitOffer", &id, &offer("vpp-b", 1000, 60, &["m-c"], Some(&[0]))]);
    w.refused("flexibility", &c.grid_operator, GATE - 1, &["Award", &id], 409, "cannot be awarded");
    w.refused("flexibility", &c.agg_a, GATE, &["Award", &id], 403, "grid operator");
    w.refused("flexibility", &c.grid_operator, I, &["Award", &id], 409, "an award must come before it");
    w.refused("flexibility", &c.grid_operator, GATE, &["Award", "nope"], 404, "no request");
    let award = w.flex(&c.grid_operator, GATE, &["Award", &id]);
    assert_eq!(award["awards"], json!([{"vppId": "vpp-b", "wh": 1000, "pricePerKwh": 60}]));
    assert_eq!(award["skipped"], json!(["vpp-a: no schedule"]));
    w.refused("flexibility", &c.grid_operator, GATE + 1, &["Award", &id], 409, "already awarded");
    assert_eq!(w.query("flexibility", &["GetAward", &id]), award);
}

#[test]
fn settle_rules() {
    let w = World::new();
    let c = &w.cast;
    let id = w.request(&request_spec());
    w.refused("flexibility", &c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"], 404, "not awarded");
    w.flex(&c.agg_b, OPEN, &["SubmitOffer", &id, &offer("vpp-b", 1000, 60, &["m-c"], Some(&[0]))]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    w.refused("flexibility", &c.grid_operator, I + LEN, &["Settle", &id, "vpp-a"], 404, "has no award");
    w.refused("flexibility", &c.carol, I + LEN, &["Settle", &id, "vpp-b"], 403, "grid operator");
    w.refused("flexibility", &c.grid_operator, I + LEN - 1, &["Settle", &id, "vpp-b"], 409, "ends at");
    // Nothing measured: the full shortfall beyond tolerance (900 Wh) is penalised at 300 per kWh.
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"]);
    assert_eq!(
        s["postings"],
        json!([{"debit": "VPP/vpp-b", "credit": "GRID", "amount": 270, "reason": "flex-penalty"}])
    );
    w.refused("flexibility", &c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"], 409, "already settled");
    // Trade refuses postings outside a grid operator's flexibility settlement.
    let postings = r#"[{"debit":"GRID","credit":"VPP/vpp-b","amount":5,"reason":"flex-payment"}]"#;
    w.refused("trade", &c.agg_b, I + LEN, &["PostFlexibility", "x/vpp-b", postings], 403, "PostFlexibility is for");
    w.refused(
        "trade",
        &c.grid_operator,
        I + LEN,
        &["PostFlexibility", &format!("{id}/vpp-b"), postings],
        409,
        "already posted",
    );
}

#[test]
fn a_settlement_that_moves_no_money_is_still_recorded_once() {
    let w = World::new();
    let c = &w.cast;
    let mut spec = request_spec();
    spec["penaltyPerKwh"] = json!(0);
    let id = w.request(&spec);
    w.flex(&c.agg_b, OPEN, &["SubmitOffer", &id, &offer("vpp-b", 1000, 60, &["m-c"], Some(&[0]))]);
    w.flex(&c.grid_operator, GATE, &["Award", &id]);
    let s = w.flex(&c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"]);
    assert_eq!(s["postings"], json!([]));
    assert_eq!(w.query("trade", &["GetFlexPosting", &format!("{id}/vpp-b")])["postings"], json!([]));
    w.refused("flexibility", &c.grid_operator, I + LEN, &["Settle", &id, "vpp-b"], 409, "already settled");
}
