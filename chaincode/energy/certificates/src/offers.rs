//! Sell offers and delivery versus payment: `OfferCertificate`, `WithdrawOffer`, `AcceptOffer`, `GetOffer`.
//!
//! `AcceptOffer` moves the certificate and, in the same transaction, calls trade `PostCertificatePayment`, which
//! debits the buyer's balance and credits the seller's. Both chaincodes' writes are one transaction's write set:
//! the peers commit both or neither, and trade's postings keep the sum of balances at zero.

use gridledger_contract::{Context, Int, Text};
use gridledger_energy_common::caller::Party;

use crate::error::{CertError, Result};
use crate::model::{Moved, Offer};
use crate::moves::{self, CertificateId, TRANSFERRED, Transferred, Wh, short};
use crate::{calls, store};

/// The highest price, minor units per MWh (10^12).
pub const MAX_PRICE_PER_MWH: i64 = 1_000_000_000_000;
/// The largest payment, minor units: trade `PostCertificatePayment`'s bound (10^15).
pub const MAX_PAYMENT: i64 = 1_000_000_000_000_000;
/// A price argument: 0 to [`MAX_PRICE_PER_MWH`].
pub type PricePerMwh = Int<0, MAX_PRICE_PER_MWH>;

/// What `wh` costs at `price_per_mwh`, minor units, rounded down.
pub fn price_of(wh: i64, price_per_mwh: i64) -> Result<i64> {
    i64::try_from(i128::from(wh) * i128::from(price_per_mwh) / 1_000_000)
        .map_err(|_| CertError::BadRequest(format!("{wh} Wh at {price_per_mwh} per MWh overflows")))
}

/// `OfferCertificate(certificateId, wh, pricePerMwh)`: the holder offers `wh` of an active certificate for sale;
/// one open offer per certificate (409).
pub fn offer(ctx: &Context<'_>, (Text(id), Int(wh), Int(price)): (CertificateId, Wh, PricePerMwh)) -> Result<Offer> {
    let me = Party::of(ctx)?;
    let cert = moves::movable(ctx, &id, &me, wh, false)?;
    if price_of(wh, price)? > MAX_PAYMENT {
        return Err(CertError::BadRequest("the offer's price exceeds the largest payment".into()));
    }
    let offer = Offer { certificate_id: cert.id, wh, price_per_mwh: price, seller: me, offered_at: store::now(ctx)? };
    store::put_json(ctx, &store::key(ctx, store::OFFER, &[&offer.certificate_id])?, &offer)?;
    Ok(offer)
}

fn load_offer(ctx: &Context<'_>, id: &str) -> Result<(String, Offer)> {
    let key = store::key(ctx, store::OFFER, &[id])?;
    let offer = store::get_json(ctx, &key, "offer")?
        .ok_or_else(|| CertError::NotFound(format!("certificate {} is not on offer", short(id))))?;
    Ok((key, offer))
}

/// `WithdrawOffer(certificateId)`: the seller; 404 without an offer.
pub fn withdraw(ctx: &Context<'_>, Text(id): CertificateId) -> Result<Offer> {
    let (key, offer) = load_offer(ctx, &id)?;
    if Party::of(ctx)? != offer.seller {
        return Err(CertError::Forbidden(format!(
            "the offer of certificate {} is the seller's to withdraw",
            short(&id)
        )));
    }
    ctx.del_state(&key)?;
    Ok(offer)
}

/// `GetOffer(certificateId)`: anyone; 404 without an offer.
pub fn get_offer(ctx: &Context<'_>, Text(id): CertificateId) -> Result<Offer> {
    load_offer(ctx, &id).map(|(_, offer)| offer)
}

/// `AcceptOffer(certificateId, wh, pricePerMwh)`: any party but the seller accepts the offer as it stands (the
/// `wh` and price it saw; 409 if the offer differs). The offered Wh move to the buyer (a split when the offer is
/// for part of the certificate) and the buyer pays `wh * pricePerMwh / 10^6` minor units, rounded down, to the
/// seller through trade's balances, atomically. The offer is removed.
pub fn accept(ctx: &Context<'_>, (Text(id), Int(wh), Int(price)): (CertificateId, Wh, PricePerMwh)) -> Result<Moved> {
    let (key, offer) = load_offer(ctx, &id)?;
    let buyer = Party::of(ctx)?;
    if buyer == offer.seller {
        return Err(CertError::BadRequest("the seller cannot accept its own offer".into()));
    }
    if offer.wh != wh || offer.price_per_mwh != price {
        return Err(CertError::Conflict(format!(
            "the offer of certificate {} is {} Wh at {} per MWh, not {wh} Wh at {price}",
            short(&id),
            offer.wh,
            offer.price_per_mwh
        )));
    }
    // The offer rule keeps the certificate active and with the seller while offered (moves refuse offered ones).
    let cert = moves::movable(ctx, &id, &offer.seller, offer.wh, true)?;
    let amount = price_of(offer.wh, offer.price_per_mwh)?;
    if amount > 0 {
        calls::post_payment(ctx, &buyer, &offer.seller, amount, &cert.id)?;
    }
    ctx.del_state(&key)?;
    let parent = (offer.wh < cert.wh).then(|| cert.id.clone());
    let mut moved = moves::apply(ctx, cert, offer.wh, |c| c.owner = buyer.clone())?;
    moved.paid = Some(amount);
    let event = Transferred {
        certificate_id: &moved.certificate.id,
        parent: parent.as_deref(),
        wh: offer.wh,
        from: &offer.seller,
        to: &buyer,
        paid: Some(amount),
    };
    ctx.set_event(TRANSFERRED, &serde_json::to_vec(&event)?)?;
    Ok(moved)
}
