//! Virtual power plants: owners consent, aggregators create VPPs and add consented active assets; the capacity is
//! always the members' summed nameplate power.

use std::collections::BTreeSet;

use gridledger_contract::{Context, Json};
use gridledger_energy_common::amount;
use gridledger_energy_common::bounds::Reason;

use crate::access::{self, AGGREGATORS};
use crate::error::{RegistryError, Result};
use crate::model::{Asset, AssetId, AssetStatus, Consent, Vpp, VppId};
use crate::{store, validate};

/// The summed nameplate power of `members`, each read from the ledger.
fn capacity(ctx: &Context<'_>, members: &[AssetId]) -> Result<i64> {
    let mut total = 0i64;
    for id in members {
        total = amount::add(total, store::asset(ctx, id)?.nameplate_w)?;
    }
    Ok(total)
}

/// Takes `asset` out of `vpp`'s members and recomputes the capacity (the caller writes the VPP).
pub fn remove_member(ctx: &Context<'_>, vpp: &mut Vpp, asset: &AssetId) -> Result<()> {
    vpp.members.retain(|m| m != asset);
    vpp.capacity_w = capacity(ctx, &vpp.members)?;
    Ok(())
}

/// `ConsentToVpp(assetId, vppId)`: the owner allows the VPP's aggregator to add the asset.
pub fn consent(ctx: &Context<'_>, (asset_id, vpp_id): (AssetId, VppId)) -> Result<Consent> {
    let caller = access::party(ctx)?;
    let asset = store::asset(ctx, &asset_id)?;
    access::require_party(&caller, "ConsentToVpp", &asset.owner, &format!("the owner of asset {asset_id}"))?;
    store::vpp(ctx, &vpp_id)?;
    if asset.status == AssetStatus::Decommissioned {
        return Err(RegistryError::Conflict(format!("asset {asset_id} is decommissioned")));
    }
    if store::find_consent(ctx, &asset_id, &vpp_id)?.is_some() {
        return Err(RegistryError::Conflict(format!("asset {asset_id} already consents to {vpp_id}")));
    }
    let consent = Consent { asset_id, vpp_id, owner: asset.owner, given_at: store::now(ctx)? };
    store::put_consent(ctx, &consent)?;
    Ok(consent)
}

/// `WithdrawConsent(assetId, vppId)`: the owner takes the consent back; if the asset is in that VPP it leaves it.
pub fn withdraw(ctx: &Context<'_>, (asset_id, vpp_id): (AssetId, VppId)) -> Result<()> {
    let caller = access::party(ctx)?;
    let before = store::asset(ctx, &asset_id)?;
    access::require_party(&caller, "WithdrawConsent", &before.owner, &format!("the owner of asset {asset_id}"))?;
    if store::find_consent(ctx, &asset_id, &vpp_id)?.is_none() {
        return Err(RegistryError::NoConsent { asset: asset_id, vpp: vpp_id });
    }
    if before.vpp.as_ref() == Some(&vpp_id) {
        let mut vpp = store::vpp(ctx, &vpp_id)?;
        remove_member(ctx, &mut vpp, &asset_id)?;
        store::put_vpp(ctx, &vpp)?;
        store::put_asset(ctx, Some(&before), &Asset { vpp: None, ..before.clone() })?;
    }
    store::del_consent(ctx, &asset_id, &vpp_id)
}

/// `CreateVpp(id, name)`: an aggregator opens an empty VPP it runs.
pub fn create(ctx: &Context<'_>, (id, name): (VppId, Reason)) -> Result<Vpp> {
    let name = name.into_string();
    let caller = access::caller_with(ctx, "CreateVpp", AGGREGATORS)?;
    validate::text("name", &name).map_err(RegistryError::Invalid)?;
    if store::find_vpp(ctx, &id)?.is_some() {
        return Err(RegistryError::VppExists(id));
    }
    let vpp = Vpp { id, name, aggregator: caller.party, members: Vec::new(), capacity_w: 0 };
    store::put_vpp(ctx, &vpp)?;
    Ok(vpp)
}

/// Most assets one `AddVppMembers` call adds: an aggregator onboarding a fleet rewrites the VPP once, not once per
/// block (adds to one VPP conflict with each other, so one by one they commit at one per block).
pub const MAX_BATCH: usize = 1000;
/// `AddVppMembers`' JSON bound: [`MAX_BATCH`] quoted ids of the longest length, with separators.
pub const MAX_BATCH_BYTES: usize = MAX_BATCH * (validate::MAX_ID_LEN + 3) + 2;

/// The checks of adding `asset_id` to `vpp` (active, in no VPP, its owner consented); the asset as it is now.
fn admit(ctx: &Context<'_>, vpp: &Vpp, asset_id: &AssetId, action: &'static str) -> Result<Asset> {
    let before = store::asset(ctx, asset_id)?;
    if before.status != AssetStatus::Active {
        let actual = before.status;
        return Err(RegistryError::WrongStatus { action, asset: asset_id.clone(), needed: "active", actual });
    }
    match &before.vpp {
        Some(current) if *current == vpp.id => {
            return Err(RegistryError::Conflict(format!("asset {asset_id} is already a member of {}", vpp.id)));
        }
        Some(other) => {
            return Err(RegistryError::Conflict(format!("asset {asset_id} is already a member of {other}")));
        }
        None => {}
    }
    match store::find_consent(ctx, asset_id, &vpp.id)? {
        Some(consent) if consent.owner == before.owner => Ok(before),
        _ => Err(RegistryError::Forbidden(format!(
            "the owner of asset {asset_id} has not consented to virtual power plant {}",
            vpp.id
        ))),
    }
}

/// The VPP `vpp_id` if the caller is its aggregator.
fn own_vpp(ctx: &Context<'_>, vpp_id: &VppId, action: &'static str) -> Result<Vpp> {
    let caller = access::party(ctx)?;
    let vpp = store::vpp(ctx, vpp_id)?;
    access::require_party(&caller, action, &vpp.aggregator, &format!("the aggregator of {vpp_id}"))?;
    Ok(vpp)
}

/// Inserts the admitted assets into `vpp` (members stay sorted), adds their nameplates, writes the VPP and the
/// assets.
fn join(ctx: &Context<'_>, mut vpp: Vpp, admitted: &[Asset]) -> Result<Vpp> {
    for asset in admitted {
        let position = vpp.members.binary_search(&asset.id).unwrap_or_else(|p| p);
        vpp.members.insert(position, asset.id.clone());
        vpp.capacity_w = amount::add(vpp.capacity_w, asset.nameplate_w)?;
    }
    store::put_vpp(ctx, &vpp)?;
    for before in admitted {
        store::put_asset(ctx, Some(before), &Asset { vpp: Some(vpp.id.clone()), ..before.clone() })?;
    }
    Ok(vpp)
}

/// `AddVppMember(vppId, assetId)`: the VPP's aggregator adds an active asset whose owner consented and that is in
/// no VPP yet.
pub fn add_member(ctx: &Context<'_>, (vpp_id, asset_id): (VppId, AssetId)) -> Result<Vpp> {
    const ACTION: &str = "AddVppMember";
    let vpp = own_vpp(ctx, &vpp_id, ACTION)?;
    let before = admit(ctx, &vpp, &asset_id, ACTION)?;
    join(ctx, vpp, &[before])
}

/// `AddVppMembers(vppId, assetIds)`: [`add_member`] for 1 to [`MAX_BATCH`] assets at once, all or none.
pub fn add_members(
    ctx: &Context<'_>,
    (vpp_id, Json(ids)): (VppId, Json<Vec<AssetId>, MAX_BATCH_BYTES>),
) -> Result<Vpp> {
    const ACTION: &str = "AddVppMembers";
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(RegistryError::Invalid(format!("assetIds: 1 to {MAX_BATCH} asset ids, got {}", ids.len())));
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = ids.iter().find(|id| !seen.insert(*id)) {
        return Err(RegistryError::Invalid(format!("assetIds: asset {twice} is listed twice")));
    }
    let vpp = own_vpp(ctx, &vpp_id, ACTION)?;
    let admitted = ids.iter().map(|id| admit(ctx, &vpp, id, ACTION)).collect::<Result<Vec<_>>>()?;
    join(ctx, vpp, &admitted)
}

/// `LeaveVpp(vppId, assetId)`: the asset's owner or the VPP's aggregator takes the asset out.
pub fn leave(ctx: &Context<'_>, (vpp_id, asset_id): (VppId, AssetId)) -> Result<Vpp> {
    let caller = access::party(ctx)?;
    let mut vpp = store::vpp(ctx, &vpp_id)?;
    let before = store::asset(ctx, &asset_id)?;
    if caller != before.owner && caller != vpp.aggregator {
        return Err(RegistryError::Forbidden(format!(
            "LeaveVpp is for the owner of asset {asset_id} or the aggregator of {vpp_id}; the caller is neither"
        )));
    }
    if before.vpp.as_ref() != Some(&vpp_id) {
        return Err(RegistryError::Conflict(format!("asset {asset_id} is not a member of {vpp_id}")));
    }
    remove_member(ctx, &mut vpp, &asset_id)?;
    store::put_vpp(ctx, &vpp)?;
    store::put_asset(ctx, Some(&before), &Asset { vpp: None, ..before.clone() })?;
    Ok(vpp)
}

/// `GetVpp(id)`: anyone; 404 if absent. The trade contract calls it.
pub fn get(ctx: &Context<'_>, id: VppId) -> Result<Vpp> {
    store::vpp(ctx, &id)
}
