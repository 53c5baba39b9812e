//! Read-only queries: a certificate, pages of certificates by owner, device, hour and status, and a
//! certificate's history.

use gridledger_contract::{Context, Int, Text, quote};
use gridledger_energy_common::bounds::{Bookmark, IntervalStart, Msp, PartyId};
use gridledger_energy_common::index::{interval_key, last_part};

use crate::devices::DeviceId;
use crate::error::{CertError, Result};
use crate::model::{CertificateChange, CertificatePage, Status, TxTime};
use crate::moves::{CertificateId, short};
use crate::store::{self, BY_DEVICE, BY_HOUR, BY_OWNER, BY_STATUS, CERT};

/// The largest page a query returns.
pub const MAX_PAGE_SIZE: i64 = 1000;
/// A `pageSize` argument: 1 to [`MAX_PAGE_SIZE`].
pub type PageSize = Int<1, MAX_PAGE_SIZE>;

/// `GetCertificate(id)`: anyone; 404 when there is none.
pub fn get(ctx: &Context<'_>, Text(id): CertificateId) -> Result<crate::model::Certificate> {
    store::certificate(ctx, &id)
}

fn page(
    ctx: &Context<'_>,
    object_type: &str,
    prefix: &[&str],
    Int(size): PageSize,
    bookmark: &str,
) -> Result<CertificatePage> {
    let size = i32::try_from(size).map_err(|_| CertError::BadRequest("pageSize is out of range".into()))?;
    if !bookmark.is_empty() {
        let bad = || CertError::BadRequest(format!("bookmark {} does not come from this query", quote(bookmark)));
        let (found, _) = ctx.split_composite_key(bookmark).map_err(|_| bad())?;
        if found != object_type {
            return Err(bad());
        }
    }
    let page = ctx.get_state_by_partial_composite_key_with_pagination(object_type, prefix, size, bookmark)?;
    let mut records = Vec::with_capacity(page.records.len());
    for kv in &page.records {
        let id = last_part(ctx.stub(), &kv.key)?
            .ok_or_else(|| CertError::Corrupt { what: "index".into(), detail: format!("{:?} has no id", kv.key) })?;
        records.push(store::certificate(ctx, &id)?);
    }
    Ok(CertificatePage { records, bookmark: page.bookmark })
}

/// `CertificatesByOwner(msp, id, pageSize, bookmark)`: anyone; the party's certificates of every status.
pub fn by_owner(
    ctx: &Context<'_>,
    (msp, id, size, Text(bookmark)): (Msp, PartyId, PageSize, Bookmark),
) -> Result<CertificatePage> {
    page(ctx, BY_OWNER, &[msp.as_str(), id.as_str()], size, &bookmark)
}

/// `CertificatesByDevice(deviceId, pageSize, bookmark)`: anyone; in hour order.
pub fn by_device(
    ctx: &Context<'_>,
    (Text(device), size, Text(bookmark)): (DeviceId, PageSize, Bookmark),
) -> Result<CertificatePage> {
    page(ctx, BY_DEVICE, &[&device], size, &bookmark)
}

/// `CertificatesByHour(hourStart, pageSize, bookmark)`: anyone.
pub fn by_hour(
    ctx: &Context<'_>,
    (Int(hour), size, Text(bookmark)): (IntervalStart, PageSize, Bookmark),
) -> Result<CertificatePage> {
    page(ctx, BY_HOUR, &[&interval_key(hour)], size, &bookmark)
}

/// `CertificatesByStatus(status, pageSize, bookmark)`: anyone.
pub fn by_status(
    ctx: &Context<'_>,
    (status, size, Text(bookmark)): (Status, PageSize, Bookmark),
) -> Result<CertificatePage> {
    page(ctx, BY_STATUS, &[status.as_str()], size, &bookmark)
}

/// `CertificateHistory(id)`: anyone; every committed version of the certificate, newest first (404 if it never
/// existed). Its `parent` leads to the history before a split.
pub fn history(ctx: &Context<'_>, Text(id): CertificateId) -> Result<Vec<CertificateChange>> {
    let key = store::key(ctx, CERT, &[&id])?;
    let mut changes = Vec::new();
    for modification in ctx.get_history_for_key(&key)? {
        let m = modification?;
        let timestamp = m.timestamp.map_or(TxTime::default(), |t| TxTime { seconds: t.seconds, nanos: t.nanos });
        let certificate = if m.is_delete { None } else { Some(store::decode(&m.value, "certificate")?) };
        changes.push(CertificateChange { tx_id: m.tx_id, timestamp, is_delete: m.is_delete, certificate });
    }
    if changes.is_empty() {
        return Err(CertError::NotFound(format!("no certificate {}", short(&id))));
    }
    Ok(changes)
}
