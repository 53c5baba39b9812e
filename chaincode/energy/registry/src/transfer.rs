//! Two-step ownership transfer: the owner offers, the offered party accepts (or the owner cancels).

use gridledger_contract::Context;
use gridledger_energy_common::bounds::{Msp, PartyId};
use gridledger_energy_common::caller::Party;

use crate::error::{RegistryError, Result};
use crate::model::{Asset, AssetId, AssetStatus, TransferOffer};
use crate::{access, store, validate, vpp};

/// `OfferTransfer(id, toMsp, toId)`: the owner offers an active asset to another party; one open offer per asset.
pub fn offer(ctx: &Context<'_>, (id, to_msp, to_id): (AssetId, Msp, PartyId)) -> Result<TransferOffer> {
    const ACTION: &str = "OfferTransfer";
    let (to_msp, to_id) = (to_msp.into_string(), to_id.into_string());
    let caller = access::party(ctx)?;
    validate::party(&to_msp, &to_id).map_err(RegistryError::Invalid)?;
    let to = Party { msp: to_msp, id: to_id };
    let asset = store::asset(ctx, &id)?;
    access::require_party(&caller, ACTION, &asset.owner, &format!("the owner of asset {id}"))?;
    if to == asset.owner {
        return Err(RegistryError::Invalid(format!("asset {id} cannot be offered to its own owner")));
    }
    if asset.status != AssetStatus::Active {
        return Err(RegistryError::WrongStatus { action: ACTION, asset: id, needed: "active", actual: asset.status });
    }
    if let Some(open) = store::find_offer(ctx, &id)? {
        return Err(RegistryError::Conflict(format!(
            "asset {id} already has an open transfer offer to {}; cancel it first",
            open.to.msp
        )));
    }
    let offer = TransferOffer { asset_id: id, from: asset.owner, to, offered_at: store::now(ctx)? };
    store::put_offer(ctx, &offer)?;
    Ok(offer)
}

/// `AcceptTransfer(id)`: the offered party becomes the owner. The indexes move, the offer is removed, the previous
/// owner's consents are dropped and the asset leaves its VPP (the new owner has not consented to it).
pub fn accept(ctx: &Context<'_>, id: AssetId) -> Result<Asset> {
    const ACTION: &str = "AcceptTransfer";
    let caller = access::party(ctx)?;
    let offer = store::find_offer(ctx, &id)?.ok_or_else(|| RegistryError::NoOffer(id.clone()))?;
    access::require_party(&caller, ACTION, &offer.to, &format!("the party asset {id} is offered to"))?;
    let before = store::asset(ctx, &id)?;
    if before.status != AssetStatus::Active {
        return Err(RegistryError::WrongStatus { action: ACTION, asset: id, needed: "active", actual: before.status });
    }
    if before.owner != offer.from {
        // Cannot happen through this contract (only an accept changes the owner, and it removes the offer).
        return Err(RegistryError::Conflict(format!("the offer of asset {id} is stale: its owner has changed")));
    }
    if let Some(vpp_id) = &before.vpp {
        let mut vpp = store::vpp(ctx, vpp_id)?;
        vpp::remove_member(ctx, &mut vpp, &id)?;
        store::put_vpp(ctx, &vpp)?;
    }
    store::del_consents_of(ctx, &id)?;
    store::del_offer(ctx, &id)?;
    let after = Asset { owner: offer.to, vpp: None, ..before.clone() };
    store::put_asset(ctx, Some(&before), &after)?;
    Ok(after)
}

/// `CancelTransfer(id)`: the owner withdraws the open offer.
pub fn cancel(ctx: &Context<'_>, id: AssetId) -> Result<()> {
    let caller = access::party(ctx)?;
    let asset = store::asset(ctx, &id)?;
    access::require_party(&caller, "CancelTransfer", &asset.owner, &format!("the owner of asset {id}"))?;
    if store::find_offer(ctx, &id)?.is_none() {
        return Err(RegistryError::NoOffer(id));
    }
    store::del_offer(ctx, &id)
}
