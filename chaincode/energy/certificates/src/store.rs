//! Keys, ids and JSON records on the ledger.
//!
//! | key | value |
//! |---|---|
//! | `device [id]` | [`Device`] |
//! | `issuance [deviceId, hour(12)]` | [`Issuance`](crate::model::Issuance) |
//! | `cert [id]` | [`Certificate`] |
//! | `cert~owner [msp, id, certId]`, `cert~device [deviceId, hour(12), certId]`, `cert~hour [hour(12), certId]`, `cert~status [status, certId]` | index, `0x01` |
//! | `offer [certId]` | [`Offer`](crate::model::Offer) |
//! | `claim [msp, id, hour(12), certId]` | [`Claim`](crate::model::Claim) |
//! | `charge [storageDeviceId, hour(12), certId]` | [`Charge`](crate::model::Charge) |

use gridledger_contract::Context;
use gridledger_energy_common::index::{del_index, interval_key, put_index};
use ring::digest;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{CertError, Result};
use crate::model::{Certificate, Device, TxTime};

/// `device [id]`.
pub const DEVICE: &str = "device";
/// `issuance [deviceId, hour(12)]`.
pub const ISSUANCE: &str = "issuance";
/// `cert [id]`.
pub const CERT: &str = "cert";
/// `cert~owner [msp, id, certId]`.
pub const BY_OWNER: &str = "cert~owner";
/// `cert~device [deviceId, hour(12), certId]`.
pub const BY_DEVICE: &str = "cert~device";
/// `cert~hour [hour(12), certId]`.
pub const BY_HOUR: &str = "cert~hour";
/// `cert~status [status, certId]`.
pub const BY_STATUS: &str = "cert~status";
/// `offer [certId]`.
pub const OFFER: &str = "offer";
/// `claim [msp, id, hour(12), certId]`.
pub const CLAIM: &str = "claim";
/// `charge [storageDeviceId, hour(12), certId]`.
pub const CHARGE: &str = "charge";

/// Reads and decodes a JSON record; `None` when the key is absent.
pub fn get_json<T: DeserializeOwned>(ctx: &Context<'_>, key: &str, what: &str) -> Result<Option<T>> {
    match ctx.get_state(key)? {
        Some(bytes) => decode(&bytes, what).map(Some),
        None => Ok(None),
    }
}

/// Decodes a stored JSON record (500 when it does not decode).
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| CertError::Corrupt { what: what.to_string(), detail: e.to_string() })
}

/// Writes a JSON record.
pub fn put_json<T: Serialize>(ctx: &Context<'_>, key: &str, value: &T) -> Result<()> {
    ctx.put_state(key, &serde_json::to_vec(value)?)?;
    Ok(())
}

/// A composite key.
pub fn key(ctx: &Context<'_>, object_type: &str, parts: &[&str]) -> Result<String> {
    Ok(ctx.create_composite_key(object_type, parts)?)
}

/// The transaction's timestamp.
pub fn now(ctx: &Context<'_>) -> Result<TxTime> {
    let t = ctx.tx_timestamp()?;
    Ok(TxTime { seconds: t.seconds, nanos: t.nanos })
}

/// Hex SHA-256 of the parts, each followed by a NUL: ids that are unique per input and need no counter.
fn derive(parts: &[&str]) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part.as_bytes());
        ctx.update(&[0]);
    }
    hex::encode(ctx.finish())
}

/// The id of the certificate issued for a device-hour (issued once, so unique).
pub fn issued_id(device_id: &str, hour: i64) -> String {
    derive(&["gridledger-certificate", "issue", device_id, &interval_key(hour)])
}

/// The id of child `n` (1: the part that moves, 2: the remainder) of a split (a certificate splits once).
pub fn child_id(parent: &str, n: u8) -> String {
    derive(&["gridledger-certificate", "split", parent, &n.to_string()])
}

/// Loads a device (404 when it is not registered).
pub fn device(ctx: &Context<'_>, id: &str) -> Result<Device> {
    get_json(ctx, &key(ctx, DEVICE, &[id])?, "device")?
        .ok_or_else(|| CertError::NotFound(format!("device {} is not registered", gridledger_contract::quote(id))))
}

/// Loads a certificate (404 when there is none).
pub fn certificate(ctx: &Context<'_>, id: &str) -> Result<Certificate> {
    get_json(ctx, &key(ctx, CERT, &[id])?, "certificate")?
        .ok_or_else(|| CertError::NotFound(format!("no certificate {}", gridledger_contract::quote(id))))
}

/// Writes a new certificate and its four index entries.
pub fn create(ctx: &Context<'_>, cert: &Certificate) -> Result<()> {
    put_json(ctx, &key(ctx, CERT, &[&cert.id])?, cert)?;
    let hour = interval_key(cert.hour_start);
    let stub = ctx.stub();
    put_index(stub, BY_OWNER, &[&cert.owner.msp, &cert.owner.id, &cert.id])?;
    put_index(stub, BY_DEVICE, &[&cert.device_id, &hour, &cert.id])?;
    put_index(stub, BY_HOUR, &[&hour, &cert.id])?;
    put_index(stub, BY_STATUS, &[cert.status.as_str(), &cert.id])?;
    Ok(())
}

/// Rewrites a certificate whose owner or status changed from `before`'s, moving its index entries.
pub fn update(ctx: &Context<'_>, before: &Certificate, after: &Certificate) -> Result<()> {
    put_json(ctx, &key(ctx, CERT, &[&after.id])?, after)?;
    let stub = ctx.stub();
    if before.owner != after.owner {
        del_index(stub, BY_OWNER, &[&before.owner.msp, &before.owner.id, &before.id])?;
        put_index(stub, BY_OWNER, &[&after.owner.msp, &after.owner.id, &after.id])?;
    }
    if before.status != after.status {
        del_index(stub, BY_STATUS, &[before.status.as_str(), &before.id])?;
        put_index(stub, BY_STATUS, &[after.status.as_str(), &after.id])?;
    }
    Ok(())
}
