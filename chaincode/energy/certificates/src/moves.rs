//! Moving certificates: the split rule every move uses, and `TransferCertificate`.
//!
//! A move of all of a certificate's Wh changes the certificate itself. A move of part of it splits it: the
//! parent becomes `split` (it never moves again) and two children are created, child 1 with the moved Wh and
//! child 2 with the remainder, their ids derived from the parent's ([`store::child_id`]), their Wh adding up to
//! the parent's.

use gridledger_contract::{Context, Int, Text, quote};
use gridledger_energy_common::bounds::{Msp, PartyId};
use gridledger_energy_common::caller::Party;
use serde::Serialize;

use crate::error::{CertError, Result};
use crate::model::{Certificate, Moved, Status};
use crate::store::{self, OFFER};

/// The most Wh one argument names (a terawatt-hour; a certificate covers one device's hour).
pub const MAX_WH: i64 = 1_000_000_000_000;
/// A Wh argument: 1 to [`MAX_WH`].
pub type Wh = Int<1, MAX_WH>;
/// A certificate id argument (ids are 64 hex digits).
pub type CertificateId = Text<64>;
/// The event a transfer or an accepted offer emits.
pub const TRANSFERRED: &str = "CertificateTransferred";

/// The payload of [`TRANSFERRED`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transferred<'a> {
    /// The certificate that moved (a child after a split).
    pub certificate_id: &'a str,
    /// The certificate it came from when it was split.
    pub parent: Option<&'a str>,
    /// Wh moved.
    pub wh: i64,
    /// The previous holder.
    pub from: &'a Party,
    /// The new holder.
    pub to: &'a Party,
    /// The price paid, minor units (accepted offers).
    pub paid: Option<i64>,
}

/// Loads a certificate the caller may move `wh` of: the caller holds it (403), it is active (409), `wh` is at
/// most its Wh (400), and, unless `offered_ok`, it is not on offer (409).
pub fn movable(ctx: &Context<'_>, id: &str, holder: &Party, wh: i64, offered_ok: bool) -> Result<Certificate> {
    let cert = store::certificate(ctx, id)?;
    if cert.owner != *holder {
        return Err(CertError::Forbidden(format!(
            "certificate {} is held by another party; only its holder moves it",
            short(&cert.id)
        )));
    }
    if cert.status != Status::Active {
        return Err(CertError::Conflict(format!(
            "certificate {} is {}: it never moves again",
            short(&cert.id),
            cert.status.as_str()
        )));
    }
    if wh > cert.wh {
        return Err(CertError::BadRequest(format!("{wh} Wh exceeds certificate {}'s {} Wh", short(&cert.id), cert.wh)));
    }
    if !offered_ok && ctx.get_state(&store::key(ctx, OFFER, &[&cert.id])?)?.is_some() {
        return Err(CertError::Conflict(format!(
            "certificate {} is on offer; withdraw the offer first",
            short(&cert.id)
        )));
    }
    Ok(cert)
}

/// A certificate id in a message: an id (64 hex digits) whole, anything else [`quote()`]d.
pub fn short(id: &str) -> String {
    if id.len() <= 64 && !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        id.to_string()
    } else {
        quote(id).to_string()
    }
}

/// Moves `wh` of `cert` (checked by [`movable`]), applying `change` (a new owner, a cancellation) to the
/// certificate that carries the moved Wh; splits when `wh` is less than the certificate's.
pub fn apply(ctx: &Context<'_>, cert: Certificate, wh: i64, change: impl FnOnce(&mut Certificate)) -> Result<Moved> {
    if wh == cert.wh {
        let mut after = cert.clone();
        change(&mut after);
        store::update(ctx, &cert, &after)?;
        return Ok(Moved { certificate: after, remainder: None, paid: None });
    }
    let child = |n: u8, wh: i64| Certificate {
        id: store::child_id(&cert.id, n),
        wh,
        parent: Some(cert.id.clone()),
        children: Vec::new(),
        status: Status::Active,
        cancellation: None,
        ..cert.clone()
    };
    let mut moved = child(1, wh);
    let remainder_wh = cert
        .wh
        .checked_sub(wh)
        .filter(|r| *r > 0)
        .ok_or_else(|| CertError::BadRequest(format!("{wh} Wh cannot be split off {} Wh", cert.wh)))?;
    let remainder = child(2, remainder_wh);
    change(&mut moved);
    let mut parent = cert.clone();
    parent.status = Status::Split;
    parent.children = vec![moved.id.clone(), remainder.id.clone()];
    store::update(ctx, &cert, &parent)?;
    store::create(ctx, &moved)?;
    store::create(ctx, &remainder)?;
    Ok(Moved { certificate: moved, remainder: Some(remainder), paid: None })
}

/// `TransferCertificate(certificateId, toMsp, toId, wh)`: the holder transfers `wh` of an active certificate
/// that is not on offer to another party; part of it splits it.
pub fn transfer(
    ctx: &Context<'_>,
    (Text(id), to_msp, to_id, Int(wh)): (CertificateId, Msp, PartyId, Wh),
) -> Result<Moved> {
    let to = Party { msp: to_msp.into_string(), id: to_id.into_string() };
    if to.msp.is_empty() || to.id.is_empty() {
        return Err(CertError::BadRequest("the receiving party needs an MSP id and an identity id".into()));
    }
    let me = Party::of(ctx)?;
    let cert = movable(ctx, &id, &me, wh, false)?;
    if to == me {
        return Err(CertError::BadRequest("a certificate cannot be transferred to its holder".into()));
    }
    let parent = (wh < cert.wh).then(|| cert.id.clone());
    let moved = apply(ctx, cert, wh, |c| c.owner = to.clone())?;
    let event = Transferred {
        certificate_id: &moved.certificate.id,
        parent: parent.as_deref(),
        wh,
        from: &me,
        to: &to,
        paid: None,
    };
    ctx.set_event(TRANSFERRED, &serde_json::to_vec(&event)?)?;
    Ok(moved)
}
