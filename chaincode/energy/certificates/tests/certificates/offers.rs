//! Offers and delivery versus payment through trade's balances.

use std::sync::Arc;

use gridledger_shim::{Chaincode, ChaincodeStub, Response};
use serde_json::json;

use crate::proposal::Proposed;
use crate::support::{H0, HOUR, cast, issued};

const T: i64 = H0 + 2 * HOUR;

#[test]
fn an_accepted_offer_moves_the_certificate_and_the_money_together() {
    let (w, id) = issued();
    let c = cast();
    // 2000 Wh at 8000 cents per MWh: 16000 * 2000 / 10^6... = 16 cents.
    let offer = w.cert(&c.alice, T, &["OfferCertificate", &id, "2000", "8000"]);
    assert_eq!(offer["seller"], json!(c.alice.party));
    assert_eq!(w.query(&["GetOffer", &id]), offer);
    let moved = w.cert(&c.bob, T + 1, &["AcceptOffer", &id, "2000", "8000"]);
    assert_eq!(moved["paid"], 16);
    assert_eq!(
        (moved["certificate"]["wh"].as_i64(), &moved["certificate"]["owner"]),
        (Some(2000), &json!(c.bob.party))
    );
    assert_eq!((moved["remainder"]["wh"].as_i64(), &moved["remainder"]["owner"]), (Some(3000), &json!(c.alice.party)));
    assert_eq!((w.balance(&c.bob), w.balance(&c.alice)), (-16, 16));
    assert_eq!(w.balances_sum(), 0);
    assert_eq!(w.query_status(&["GetOffer", &id]).0, 404, "the offer is gone");
    let (name, event) = w.last_event();
    assert_eq!(
        (name.as_str(), &event["paid"], &event["from"]),
        ("CertificateTransferred", &json!(16), &json!(c.alice.party))
    );
    // The payment is recorded in trade for audit.
    let payments: Vec<_> =
        w.ledger.state("trade").into_iter().filter(|(k, _)| k.contains("certificatePayment")).collect();
    assert_eq!(payments.len(), 1);
    let payment: serde_json::Value = serde_json::from_slice(&payments[0].1).unwrap();
    assert_eq!((payment["amount"].as_i64(), &payment["reference"]), (Some(16), &json!(id)));
}

#[test]
fn a_whole_offer_and_a_free_one() {
    let (w, id) = issued();
    let c = cast();
    w.cert(&c.alice, T, &["OfferCertificate", &id, "5000", "0"]);
    let moved = w.cert(&c.carol, T, &["AcceptOffer", &id, "5000", "0"]);
    assert_eq!((moved["certificate"]["id"].as_str(), moved["paid"].as_i64()), (Some(id.as_str()), Some(0)));
    assert!(w.ledger.state("trade").is_empty(), "nothing to pay, nothing posted");
}

#[test]
fn offer_rules() {
    let (w, id) = issued();
    let c = cast();
    w.refused(&c.bob, T, &["OfferCertificate", &id, "10", "1"], 403, "held by another party");
    w.refused(&c.alice, T, &["OfferCertificate", &id, "5001", "1"], 400, "exceeds");
    w.refused(&c.alice, T, &["OfferCertificate", &id, "10", "-1"], 400, "argument 3 (pricePerMwh)");
    w.cert(&c.alice, T, &["OfferCertificate", &id, "10", "1000"]);
    w.refused(&c.alice, T, &["OfferCertificate", &id, "20", "1000"], 409, "is on offer; withdraw the offer first");
    w.refused(
        &c.alice,
        T,
        &["TransferCertificate", &id, c.bob.party.msp.as_str(), c.bob.party.id.as_str(), "1"],
        409,
        "is on offer",
    );
    w.refused(&c.alice, T, &["AcceptOffer", &id, "10", "1000"], 400, "the seller cannot accept its own offer");
    w.refused(&c.bob, T, &["AcceptOffer", &id, "10", "999"], 409, "is 10 Wh at 1000 per MWh, not 10 Wh at 999");
    w.refused(&c.bob, T, &["AcceptOffer", &id, "11", "1000"], 409, "not 11 Wh");
    w.refused(&c.bob, T, &["WithdrawOffer", &id], 403, "the seller's to withdraw");
    w.cert(&c.alice, T, &["WithdrawOffer", &id]);
    w.refused(&c.bob, T, &["AcceptOffer", &id, "10", "1000"], 404, "is not on offer");
    w.refused(&c.alice, T, &["WithdrawOffer", &id], 404, "is not on offer");
}

/// A chaincode that answers 403 like trade does to a payment it does not trust.
struct Refusing;
impl Chaincode for Refusing {
    fn invoke(&self, _: &dyn ChaincodeStub) -> Response {
        Response::with_status(403, "refused")
    }
}

#[test]
fn when_the_payment_fails_the_certificate_stays() {
    let (w, id) = issued();
    let c = cast();
    w.cert(&c.alice, T, &["OfferCertificate", &id, "2000", "8000"]);
    w.ledger.register_chaincode("trade", Arc::new(Refusing));
    w.refused(&c.bob, T, &["AcceptOffer", &id, "2000", "8000"], 403, "trade PostCertificatePayment failed (403)");
    assert_eq!(w.query(&["GetCertificate", &id])["owner"], json!(c.alice.party));
}

#[test]
fn trade_posts_only_for_the_certificates_chaincode_and_only_from_the_payer() {
    let (w, _) = issued();
    let c = cast();
    let args = ["PostCertificatePayment", &c.bob.party.account(), &c.alice.party.account(), "100", "x"];
    // A client proposing to trade directly: the proposal names trade.
    w.refused_in("trade", &c.bob, T, &args, 403, "this is a proposal to \"trade\"");
    // Without any proposal (a stub that has none).
    let r = w
        .ledger
        .tx(args)
        .with_namespace("trade")
        .with_creator(c.bob.creator.clone())
        .invoke(w.chaincodes["trade"].as_ref());
    assert_eq!(r.status, 403, "{}", r.message);
    assert!(r.message.contains("no readable proposal"), "{}", r.message);
    // A chaincode deployed as `certificates` that debits someone else than the submitter.
    let thief: Arc<dyn Chaincode> = Arc::new(Thief { victim: c.alice.party.account(), to: c.mallory.party.account() });
    w.ledger.register_chaincode("certificates", Proposed::new("certificates", Arc::clone(&thief)));
    let before = w.snapshot();
    let r = w
        .ledger
        .tx(["Steal"])
        .with_namespace("certificates")
        .with_creator(c.mallory.creator.clone())
        .invoke(Proposed::new("certificates", thief).as_ref());
    assert_eq!(r.status, 403, "{}", r.message);
    assert!(r.message.contains("debits the submitter's own account only"), "{}", r.message);
    assert_eq!(w.snapshot(), before);
}

/// A faulty `certificates` chaincode: posts from `victim` to `to`.
struct Thief {
    victim: String,
    to: String,
}

impl Chaincode for Thief {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        let args = [&b"PostCertificatePayment"[..], self.victim.as_bytes(), self.to.as_bytes(), b"100", b"x"];
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
        match stub.invoke_chaincode("trade", &args, "") {
            Ok(r) => r,
            Err(e) => Response::error(e.to_string()),
        }
    }
}
