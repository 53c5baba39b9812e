//! `PostCertificatePayment` refuses every caller outside a certificates transaction (the accepted path, with
//! a proposal naming the certificates chaincode, is tested in the certificates crate, which runs trade for real).

use crate::support::{Env, OPEN};

#[test]
fn direct_payments_are_refused() {
    let env = Env::new();
    let c = &env.cast;
    let (bob, alice) = (c.bob.party.account(), c.alice.party.account());
    // The in-memory ledger has no signed proposal, as no client call to trade could name certificates.
    let args = ["PostCertificatePayment", bob.as_str(), alice.as_str(), "100", "cert-1"];
    env.refused(&c.bob, OPEN, &args, 403, "PostCertificatePayment is only called by the certificates chaincode");
    env.refused(&c.bob, OPEN, &["PostCertificatePayment", &bob, &alice, "0", "cert-1"], 400, "argument 3 (amount)");
    assert_eq!(env.balance(&c.bob), 0);
}
