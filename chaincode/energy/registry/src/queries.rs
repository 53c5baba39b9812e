//! Read-only queries: assets by owner, kind, connection point or status (paginated over the indexes), and an
//! asset's history.

use gridledger_contract::{Context, Int, quote};
use gridledger_energy_common::bounds::{Bookmark, Msp, PartyId};
use gridledger_energy_common::index::last_part;

use crate::error::{RegistryError, Result};
use crate::model::{Asset, AssetChange, AssetId, AssetKind, AssetPage, AssetStatus, ConnectionPoint, TxTime};
use crate::{store, validate};

/// The largest page a query returns.
pub const MAX_PAGE_SIZE: i64 = 1000;

/// A `pageSize` argument: 1 to [`MAX_PAGE_SIZE`].
pub type PageSize = Int<1, MAX_PAGE_SIZE>;

/// One page of the index `object_type` under `prefix`, resolved to asset records.
fn page(
    ctx: &Context<'_>,
    object_type: &str,
    prefix: &[&str],
    Int(page_size): PageSize,
    bookmark: &str,
) -> Result<AssetPage> {
    // In 1..=1000 by its type.
    let page_size = i32::try_from(page_size).map_err(|_| RegistryError::Invalid("pageSize is out of range".into()))?;
    if !bookmark.is_empty() {
        let (found, _) = ctx.split_composite_key(bookmark).map_err(|_| bad_bookmark(bookmark))?;
        if found != object_type {
            return Err(bad_bookmark(bookmark));
        }
    }
    let page = ctx.get_state_by_partial_composite_key_with_pagination(object_type, prefix, page_size, bookmark)?;
    let mut records = Vec::with_capacity(page.records.len());
    for kv in &page.records {
        let id = last_part(ctx.stub(), &kv.key)?
            .ok_or_else(|| RegistryError::Contract(internal(format!("index key {:?} has no asset id", kv.key))))?;
        let id = AssetId::parse(&id).map_err(|e| RegistryError::Contract(internal(e)))?;
        records.push(store::asset(ctx, &id).map_err(|e| RegistryError::Contract(internal(e.to_string())))?);
    }
    Ok(AssetPage { records, bookmark: page.bookmark })
}

fn internal(message: String) -> gridledger_contract::ContractError {
    gridledger_contract::ContractError::Internal(format!("inconsistent index: {message}"))
}

fn bad_bookmark(bookmark: &str) -> RegistryError {
    RegistryError::Invalid(format!("bookmark {} does not come from this query", quote(bookmark)))
}

/// `AssetsByOwner(msp, id, pageSize, bookmark)`.
pub fn by_owner(ctx: &Context<'_>, (msp, id, size, bookmark): (Msp, PartyId, PageSize, Bookmark)) -> Result<AssetPage> {
    validate::party(&msp, &id).map_err(RegistryError::Invalid)?;
    page(ctx, store::BY_OWNER, &[&msp, &id], size, &bookmark)
}

/// `AssetsByKind(kind, pageSize, bookmark)`.
pub fn by_kind(ctx: &Context<'_>, (kind, size, bookmark): (AssetKind, PageSize, Bookmark)) -> Result<AssetPage> {
    page(ctx, store::BY_KIND, &[kind.as_str()], size, &bookmark)
}

/// `AssetsByConnectionPoint(connectionPoint, pageSize, bookmark)`.
pub fn by_connection_point(
    ctx: &Context<'_>,
    (ConnectionPoint(cp), size, bookmark): (ConnectionPoint, PageSize, Bookmark),
) -> Result<AssetPage> {
    page(ctx, store::BY_CP, &[&cp], size, &bookmark)
}

/// `AssetsByStatus(status, pageSize, bookmark)`.
pub fn by_status(ctx: &Context<'_>, (status, size, bookmark): (AssetStatus, PageSize, Bookmark)) -> Result<AssetPage> {
    page(ctx, store::BY_STATUS, &[status.as_str()], size, &bookmark)
}

/// `AssetHistory(id)`: every committed version of the asset record, newest first; 404 if it never existed.
pub fn history(ctx: &Context<'_>, id: AssetId) -> Result<Vec<AssetChange>> {
    let key = store::asset_key(ctx, &id)?;
    let mut changes = Vec::new();
    for modification in ctx.get_history_for_key(&key)? {
        let modification = modification?;
        let timestamp = modification.timestamp.map(|t| TxTime { seconds: t.seconds, nanos: t.nanos });
        let asset: Option<Asset> =
            if modification.is_delete { None } else { Some(serde_json::from_slice(&modification.value)?) };
        changes.push(AssetChange {
            tx_id: modification.tx_id,
            timestamp: timestamp.unwrap_or(TxTime { seconds: 0, nanos: 0 }),
            is_delete: modification.is_delete,
            asset,
        });
    }
    if changes.is_empty() {
        return Err(RegistryError::AssetNotFound(id));
    }
    Ok(changes)
}
