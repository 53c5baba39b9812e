//! Asset life cycle: register, approve the grid connection, suspend, reactivate, decommission, read.

use gridledger_contract::{Context, Json};
use gridledger_energy_common::bounds::Reason;
use gridledger_energy_common::caller::Caller;

use crate::access::{self, GRID_STAFF, REGISTRANTS};
use crate::error::{RegistryError, Result};
use crate::model::{Asset, AssetId, AssetKind, AssetStatus, NewAsset};
use crate::{store, validate, vpp};

/// The status reason of a freshly registered asset.
pub const REGISTERED: &str = "registered";
/// The status reason after `ApproveConnection`.
pub const CONNECTION_APPROVED: &str = "connection approved";

fn invalid(message: String) -> RegistryError {
    RegistryError::Invalid(message)
}

/// Checks what `RegisterAsset` got, beyond what the JSON types enforce.
pub fn check_new(new: &NewAsset) -> Result<()> {
    if new.nameplate_w <= 0 {
        return Err(invalid(format!("nameplateW must be > 0, got {}", new.nameplate_w)));
    }
    match (new.kind, new.storage_wh) {
        (AssetKind::Storage, None) => return Err(invalid("storageWh is required for a storage asset".into())),
        (AssetKind::Storage, Some(wh)) if wh <= 0 => {
            return Err(invalid(format!("storageWh must be > 0, got {wh}")));
        }
        (kind, Some(_)) if kind != AssetKind::Storage => {
            return Err(invalid(format!("storageWh is only for storage assets, not {kind}")));
        }
        _ => {}
    }
    validate::connection_point(&new.connection_point).map_err(invalid)?;
    validate::degrees("location.lat", &new.location.lat, 90).map_err(invalid)?;
    validate::degrees("location.lon", &new.location.lon, 180).map_err(invalid)?;
    validate::date("commissioned", &new.commissioned).map_err(invalid)
}

/// `RegisterAsset(asset)`: a prosumer or admin registers a DER it owns; it starts `pending`.
pub fn register(ctx: &Context<'_>, Json(new): Json<NewAsset, { validate::MAX_ASSET_BYTES }>) -> Result<Asset> {
    let caller = access::caller_with(ctx, "RegisterAsset", REGISTRANTS)?;
    check_new(&new)?;
    if store::find_asset(ctx, &new.id)?.is_some() {
        return Err(RegistryError::AssetExists(new.id));
    }
    let asset = Asset {
        id: new.id,
        owner: caller.party,
        kind: new.kind,
        nameplate_w: new.nameplate_w,
        storage_wh: new.storage_wh,
        connection_point: new.connection_point,
        location: new.location,
        commissioned: new.commissioned,
        status: AssetStatus::Pending,
        status_reason: REGISTERED.into(),
        vpp: None,
    };
    store::put_asset(ctx, None, &asset)?;
    Ok(asset)
}

/// Moves an asset from `from` to `to` on behalf of the grid operator of its connection point.
fn grid_transition(
    ctx: &Context<'_>,
    action: &'static str,
    id: &AssetId,
    from: AssetStatus,
    to: AssetStatus,
    reason: String,
) -> Result<Asset> {
    let roles = access::roles(ctx)?;
    let caller = Caller::of(ctx, &roles)?;
    caller.require(action, GRID_STAFF)?;
    validate::text("reason", &reason).map_err(invalid)?;
    let before = store::asset(ctx, id)?;
    caller.require_operator_of(action, GRID_STAFF, &roles, &before.connection_point)?;
    if before.status != from {
        return Err(RegistryError::WrongStatus {
            action,
            asset: id.clone(),
            needed: from.as_str(),
            actual: before.status,
        });
    }
    let after = Asset { status: to, status_reason: reason, ..before.clone() };
    store::put_asset(ctx, Some(&before), &after)?;
    Ok(after)
}

/// `ApproveConnection(id)`: pending -> active.
pub fn approve(ctx: &Context<'_>, id: AssetId) -> Result<Asset> {
    let reason = CONNECTION_APPROVED.to_string();
    grid_transition(ctx, "ApproveConnection", &id, AssetStatus::Pending, AssetStatus::Active, reason)
}

/// `SuspendAsset(id, reason)`: active -> suspended.
pub fn suspend(ctx: &Context<'_>, (id, reason): (AssetId, Reason)) -> Result<Asset> {
    grid_transition(ctx, "SuspendAsset", &id, AssetStatus::Active, AssetStatus::Suspended, reason.into_string())
}

/// `ReactivateAsset(id, reason)`: suspended -> active.
pub fn reactivate(ctx: &Context<'_>, (id, reason): (AssetId, Reason)) -> Result<Asset> {
    grid_transition(ctx, "ReactivateAsset", &id, AssetStatus::Suspended, AssetStatus::Active, reason.into_string())
}

/// `DecommissionAsset(id, reason)`: the owner or the grid operator's staff (operator or admin) retires an asset for good. It leaves its VPP and
/// an open transfer offer is withdrawn.
pub fn decommission(ctx: &Context<'_>, (id, reason): (AssetId, Reason)) -> Result<Asset> {
    let reason = reason.into_string();
    const ACTION: &str = "DecommissionAsset";
    let party = access::party(ctx)?;
    validate::text("reason", &reason).map_err(invalid)?;
    let before = store::asset(ctx, &id)?;
    if party != before.owner {
        // Only someone other than the owner needs the roles record: the grid operator of the asset's area.
        let roles = access::roles(ctx)?;
        let caller = Caller::of(ctx, &roles)?;
        let cp = before.connection_point.as_str();
        if !(caller.is(GRID_STAFF) && roles.operates(&party.msp, cp)) {
            let operators = roles.operators_of(cp).join(", ");
            let who = format!("the owner of asset {id} or operator or admin of its grid operator ({operators})");
            return Err(RegistryError::Forbidden(format!("{ACTION} is for {who}; the caller is not")));
        }
    }
    if before.status == AssetStatus::Decommissioned {
        return Err(RegistryError::Conflict(format!("asset {id} is already decommissioned")));
    }
    if let Some(vpp_id) = &before.vpp {
        let mut vpp = store::vpp(ctx, vpp_id)?;
        vpp::remove_member(ctx, &mut vpp, &id)?;
        store::put_vpp(ctx, &vpp)?;
    }
    if store::find_offer(ctx, &id)?.is_some() {
        store::del_offer(ctx, &id)?;
    }
    let after = Asset { status: AssetStatus::Decommissioned, status_reason: reason, vpp: None, ..before.clone() };
    store::put_asset(ctx, Some(&before), &after)?;
    Ok(after)
}

/// `GetAsset(id)`: anyone; 404 if absent. Other contracts call it.
pub fn get(ctx: &Context<'_>, id: AssetId) -> Result<Asset> {
    store::asset(ctx, &id)
}
