//! Keys, record reads and writes, and index maintenance.
//!
//! Records: `asset [id]`, `vpp [id]`, `transfer [assetId]`, `consent [assetId, vppId]` (JSON values).
//! Indexes (value `0x01`): `asset~owner [msp, id, assetId]`, `asset~kind [kind, assetId]`, `asset~cp [cp, assetId]`,
//! `asset~status [status, assetId]`. Every asset write goes through [`put_asset`], which moves the index entries
//! whose attributes changed.

use gridledger_contract::Context;
use gridledger_energy_common::index::{del_index, put_index};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{RegistryError, Result};
use crate::model::{Asset, AssetId, Consent, TransferOffer, TxTime, Vpp, VppId};

/// Object type of asset records.
pub const ASSET: &str = "asset";
/// Object type of VPP records.
pub const VPP: &str = "vpp";
/// Object type of transfer offers.
pub const TRANSFER: &str = "transfer";
/// Object type of consents.
pub const CONSENT: &str = "consent";
/// Index by owner: [msp, id, assetId].
pub const BY_OWNER: &str = "asset~owner";
/// Index by kind: [kind, assetId].
pub const BY_KIND: &str = "asset~kind";
/// Index by connection point: [cp, assetId].
pub const BY_CP: &str = "asset~cp";
/// Index by status: [status, assetId].
pub const BY_STATUS: &str = "asset~status";

/// The index entries an asset should have: (object type, attributes), the asset id last.
pub fn index_entries(asset: &Asset) -> [(&'static str, Vec<&str>); 4] {
    let id = asset.id.as_str();
    [
        (BY_OWNER, vec![asset.owner.msp.as_str(), asset.owner.id.as_str(), id]),
        (BY_KIND, vec![asset.kind.as_str(), id]),
        (BY_CP, vec![asset.connection_point.as_str(), id]),
        (BY_STATUS, vec![asset.status.as_str(), id]),
    ]
}

fn key(ctx: &Context<'_>, object_type: &str, parts: &[&str]) -> Result<String> {
    Ok(ctx.create_composite_key(object_type, parts)?)
}

fn load<T: DeserializeOwned>(ctx: &Context<'_>, object_type: &str, parts: &[&str]) -> Result<Option<T>> {
    match ctx.get_state(&key(ctx, object_type, parts)?)? {
        Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        None => Ok(None),
    }
}

fn save<T: Serialize>(ctx: &Context<'_>, object_type: &str, parts: &[&str], value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(gridledger_contract::ContractError::from)?;
    Ok(ctx.put_state(&key(ctx, object_type, parts)?, &bytes)?)
}

/// The key of an asset record (also what `AssetHistory` reads).
pub fn asset_key(ctx: &Context<'_>, id: &AssetId) -> Result<String> {
    key(ctx, ASSET, &[id.as_str()])
}

/// An asset, if it exists.
pub fn find_asset(ctx: &Context<'_>, id: &AssetId) -> Result<Option<Asset>> {
    load(ctx, ASSET, &[id.as_str()])
}

/// An asset, or 404.
pub fn asset(ctx: &Context<'_>, id: &AssetId) -> Result<Asset> {
    find_asset(ctx, id)?.ok_or_else(|| RegistryError::AssetNotFound(id.clone()))
}

/// Writes an asset and moves its index entries from `before` (None: a new asset) to the new values.
///
/// Call it at most once per asset and transaction: reads do not see this transaction's writes.
pub fn put_asset(ctx: &Context<'_>, before: Option<&Asset>, after: &Asset) -> Result<()> {
    let old = before.map(index_entries);
    for (i, (object_type, parts)) in index_entries(after).iter().enumerate() {
        match &old {
            Some(old) if old[i].1 == *parts => continue,
            Some(old) => del_index(ctx.stub(), old[i].0, &old[i].1)?,
            None => {}
        }
        put_index(ctx.stub(), object_type, parts)?;
    }
    save(ctx, ASSET, &[after.id.as_str()], after)
}

/// A VPP, if it exists.
pub fn find_vpp(ctx: &Context<'_>, id: &VppId) -> Result<Option<Vpp>> {
    load(ctx, VPP, &[id.as_str()])
}

/// A VPP, or 404.
pub fn vpp(ctx: &Context<'_>, id: &VppId) -> Result<Vpp> {
    find_vpp(ctx, id)?.ok_or_else(|| RegistryError::VppNotFound(id.clone()))
}

/// Writes a VPP.
pub fn put_vpp(ctx: &Context<'_>, vpp: &Vpp) -> Result<()> {
    save(ctx, VPP, &[vpp.id.as_str()], vpp)
}

/// The open transfer offer of an asset, if any.
pub fn find_offer(ctx: &Context<'_>, asset: &AssetId) -> Result<Option<TransferOffer>> {
    load(ctx, TRANSFER, &[asset.as_str()])
}

/// Writes a transfer offer.
pub fn put_offer(ctx: &Context<'_>, offer: &TransferOffer) -> Result<()> {
    save(ctx, TRANSFER, &[offer.asset_id.as_str()], offer)
}

/// Removes the transfer offer of an asset.
pub fn del_offer(ctx: &Context<'_>, asset: &AssetId) -> Result<()> {
    Ok(ctx.del_state(&key(ctx, TRANSFER, &[asset.as_str()])?)?)
}

/// A consent, if given.
pub fn find_consent(ctx: &Context<'_>, asset: &AssetId, vpp: &VppId) -> Result<Option<Consent>> {
    load(ctx, CONSENT, &[asset.as_str(), vpp.as_str()])
}

/// Writes a consent.
pub fn put_consent(ctx: &Context<'_>, consent: &Consent) -> Result<()> {
    save(ctx, CONSENT, &[consent.asset_id.as_str(), consent.vpp_id.as_str()], consent)
}

/// Removes a consent.
pub fn del_consent(ctx: &Context<'_>, asset: &AssetId, vpp: &VppId) -> Result<()> {
    Ok(ctx.del_state(&key(ctx, CONSENT, &[asset.as_str(), vpp.as_str()])?)?)
}

/// Removes every consent given for an asset (when its owner changes).
pub fn del_consents_of(ctx: &Context<'_>, asset: &AssetId) -> Result<()> {
    let keys: Vec<String> = ctx
        .get_state_by_partial_composite_key(CONSENT, &[asset.as_str()])?
        .map(|kv| kv.map(|kv| kv.key))
        .collect::<gridledger_shim::Result<_>>()?;
    for key in keys {
        ctx.del_state(&key)?;
    }
    Ok(())
}

/// The transaction's timestamp (the only clock).
pub fn now(ctx: &Context<'_>) -> Result<TxTime> {
    let ts = ctx.tx_timestamp()?;
    Ok(TxTime { seconds: ts.seconds, nanos: ts.nanos })
}
