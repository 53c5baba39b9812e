//! `PostCertificatePayment`: the payment leg of the certificates chaincode's delivery versus payment.
//!
//! The certificates chaincode's `AcceptOffer` moves a certificate and, in the same transaction, calls this
//! through `invoke_chaincode`; both write sets are one transaction's, so the certificate moves and the price is
//! posted together or not at all.
//!
//! # Why only the certificates chaincode can post
//! Balances are money: a client calling this directly must not be able to move them. Two checks, both on what the
//! submitter signed:
//! 1. **The transaction was proposed to the certificates chaincode.** On a chaincode-to-chaincode call the peer
//!    hands the callee the *original* signed proposal, whose header extension names the chaincode the client
//!    invoked (`ChaincodeHeaderExtension.chaincodeId.name`), and the peer runs exactly that chaincode for the
//!    proposal (Fabric's endorser takes the chaincode from the header). So when this code runs and the header
//!    names `certificates`, it runs because the certificates chaincode called it in that transaction; a client
//!    that proposes `trade PostCertificatePayment` gets a header naming `trade` and is refused. The certificates
//!    chaincode calls it from `AcceptOffer` only, and the peers validate the transaction against *both*
//!    chaincodes' endorsement policies (it writes both namespaces), so a peer running altered certificates code
//!    cannot post alone.
//! 2. **The payer is the submitter.** The debited account must be the transaction creator's own (`msp/id`): even
//!    a faulty certificates chaincode can only make the buyer who signed the accepting proposal pay.

use std::collections::BTreeMap;

use gridledger_contract::{Context, Int, Object, Text};
use gridledger_energy_common::bounds::{MAX_ACCOUNT_LEN, MAX_ID_LEN};
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::names;
use serde::{Deserialize, Serialize};

use crate::balances;
use crate::error::Result;
use crate::proposal::{Proposed, proposed_chaincode};
use crate::store::{self, keys};
use gridledger_energy_common::error::EnergyError;

/// The largest amount one payment posts, minor units (10^15: ten trillion euros in cents).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// The stored record of one certificate payment, `certificatePayment [txId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificatePayment {
    /// The buyer's account (the submitter's).
    pub debit: String,
    /// The seller's account.
    pub credit: String,
    /// Minor units.
    pub amount: i64,
    /// The certificate (or offer) the payment is for.
    pub reference: String,
    /// The transaction.
    pub tx_id: String,
}

/// `PostCertificatePayment(debit, credit, amount, reference)`: only inside a transaction proposed to the
/// certificates chaincode (403 otherwise), debiting the submitter's own account (403 otherwise); posts `amount`
/// from `debit` to `credit` and records it. The sum of balances stays zero.
pub fn post_certificate_payment(
    ctx: &Context<'_>,
    (Text(debit), Text(credit), Int(amount), Text(reference)): (
        Text<MAX_ACCOUNT_LEN>,
        Text<MAX_ACCOUNT_LEN>,
        Int<1, MAX_AMOUNT>,
        Text<MAX_ID_LEN>,
    ),
) -> Result<CertificatePayment> {
    match proposed_chaincode(ctx.stub()) {
        Proposed::To(name) if name == names::CERTIFICATES => {}
        proposed => {
            let proposed = match proposed {
                Proposed::To(n) => format!("a proposal to {}", gridledger_contract::quote(&n)),
                Proposed::Absent | Proposed::Unreadable => "no readable proposal".to_string(),
            };
            return Err(EnergyError::Forbidden(format!(
                "PostCertificatePayment is only called by the {} chaincode in its own transaction; this is {proposed}",
                names::CERTIFICATES
            ))
            .into());
        }
    }
    let payer = Party::of(ctx)?.account();
    if debit != payer {
        return Err(EnergyError::Forbidden(format!(
            "PostCertificatePayment debits the submitter's own account only; {} is not the submitter's",
            gridledger_contract::quote(&debit)
        ))
        .into());
    }
    if credit.is_empty() || credit == debit {
        return Err(EnergyError::BadRequest(format!(
            "the credited account must be another non-empty account, got {}",
            gridledger_contract::quote(&credit)
        ))
        .into());
    }
    let changes: BTreeMap<String, i64> = [(debit.clone(), -amount), (credit.clone(), amount)].into();
    balances::apply(ctx, &changes)?;
    let payment = CertificatePayment { debit, credit, amount, reference, tx_id: ctx.tx_id().to_string() };
    store::put_json(ctx, &keys::certificate_payment(ctx, &payment.tx_id)?, &payment)?;
    Ok(payment)
}
