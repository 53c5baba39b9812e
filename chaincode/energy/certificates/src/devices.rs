//! Production devices: `RegisterDevice` and `GetDevice`, and who counts as the issuer.

use std::collections::BTreeSet;

use gridledger_contract::{Context, Json, Text, quote};
use gridledger_energy_common::bounds::MAX_ID_LEN;
use gridledger_energy_common::caller::{Caller, Party, Role};
use gridledger_energy_common::roles::{self, MarketRoles};

use crate::calls;
use crate::error::{CertError, Result};
use crate::model::{Device, DeviceRegistration};
use crate::store::{self, DEVICE};

/// The most bytes a `RegisterDevice` argument may have.
pub const MAX_DEVICE_BYTES: usize = 4096;
/// The most meters one device counts.
pub const MAX_METERS: usize = 16;
/// The longest meter id (metering's bound).
pub const MAX_METER_ID_LEN: usize = 128;
/// The longest technology code.
pub const MAX_TECHNOLOGY_LEN: usize = 32;
/// The longest bidding zone or grid area.
pub const MAX_AREA_LEN: usize = 64;
/// Registry kinds that produce energy (storage only what was charged into it: see `issue`).
pub const PRODUCING_KINDS: [&str; 4] = ["pv", "wind", "chp", "storage"];
/// The export register.
pub const EXPORT: &str = "2.8.0";

/// A device id argument (a registry asset id).
pub type DeviceId = Text<MAX_ID_LEN>;

/// Whether `caller` acts for the issuing body: role `issuer` or `admin` of an org that issues certificates
/// ([`MarketRoles::issues_certificates`]).
pub fn is_issuer(caller: &Caller, roles: &MarketRoles) -> bool {
    roles.issues_certificates(&caller.party.msp) && matches!(caller.role, Some(Role::Issuer | Role::Admin))
}

/// Refuses (403) anyone but the issuing body's issuers and admins.
pub fn require_issuer(ctx: &Context<'_>, action: &str) -> Result<Caller> {
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    if is_issuer(&caller, &roles) {
        return Ok(caller);
    }
    Err(CertError::Forbidden(format!(
        "{action} is for issuer or admin of the issuing body; the caller is {}",
        caller.describe()
    )))
}

/// Refuses (403) anyone but `owner` and the issuing body's issuers and admins (the roles record is read only
/// when the caller is not `owner`).
pub fn require_owner_or_issuer(ctx: &Context<'_>, action: &str, owner: &Party) -> Result<Party> {
    let me = Party::of(ctx)?;
    if me == *owner {
        return Ok(me);
    }
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    if is_issuer(&caller, &roles) {
        return Ok(me);
    }
    Err(CertError::Forbidden(format!(
        "{action} is for the device's producer and the issuing body's issuer or admin; the caller is {}",
        caller.describe()
    )))
}

fn check_code(what: &str, value: &str, max: usize) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':' | '/'));
    if ok {
        return Ok(());
    }
    Err(CertError::BadRequest(format!(
        "{what} must be 1 to {max} ASCII letters, digits or - . _ : /, got {}",
        quote(value)
    )))
}

fn check_meters(meters: &[String]) -> Result<Vec<String>> {
    if meters.is_empty() || meters.len() > MAX_METERS {
        return Err(CertError::BadRequest(format!("meters needs 1 to {MAX_METERS} meter ids, got {}", meters.len())));
    }
    let mut seen = BTreeSet::new();
    for m in meters {
        if m.is_empty() || m.len() > MAX_METER_ID_LEN || m.chars().any(char::is_control) {
            return Err(CertError::BadRequest(format!(
                "a meter id must be 1 to {MAX_METER_ID_LEN} bytes without control characters, got {}",
                quote(m)
            )));
        }
        if !seen.insert(m.clone()) {
            return Err(CertError::BadRequest(format!("meter {} is listed twice", quote(m))));
        }
    }
    Ok(seen.into_iter().collect())
}

/// `RegisterDevice(device)`: the issuing body's issuer or admin registers an active, producing registry asset
/// as a certificate device, with its technology code, area and the meters whose export counts (each metering
/// the asset and reporting export). 409 when the asset is already registered, does not produce or is not active.
pub fn register_device(ctx: &Context<'_>, Json(reg): Json<DeviceRegistration, MAX_DEVICE_BYTES>) -> Result<Device> {
    let caller = require_issuer(ctx, "RegisterDevice")?;
    if reg.asset_id.is_empty() || reg.asset_id.chars().count() > MAX_ID_LEN || reg.asset_id.contains('\0') {
        return Err(CertError::BadRequest(format!(
            "assetId must be 1 to {MAX_ID_LEN} characters, got {}",
            quote(&reg.asset_id)
        )));
    }
    check_code("technology", &reg.technology, MAX_TECHNOLOGY_LEN)?;
    check_code("area", &reg.area, MAX_AREA_LEN)?;
    let meters = check_meters(&reg.meters)?;
    let key = store::key(ctx, DEVICE, &[&reg.asset_id])?;
    if ctx.get_state(&key)?.is_some() {
        return Err(CertError::Conflict(format!("asset {} is already a registered device", quote(&reg.asset_id))));
    }
    let calls::Asset { registry: asset, location, commissioned } = calls::get_asset(ctx, &reg.asset_id)?;
    if !PRODUCING_KINDS.contains(&asset.kind.as_str()) {
        return Err(CertError::Conflict(format!(
            "asset {} is of kind {}, which does not produce energy (devices are {})",
            quote(&asset.id),
            quote(&asset.kind),
            PRODUCING_KINDS.join(", ")
        )));
    }
    if asset.status != "active" {
        return Err(CertError::Conflict(format!(
            "asset {} is {}, not active: only connected assets become devices",
            quote(&asset.id),
            quote(&asset.status)
        )));
    }
    for meter_id in &meters {
        let meter = calls::get_meter(ctx, meter_id)?;
        if meter.asset_id != asset.id {
            return Err(CertError::Conflict(format!(
                "meter {} meters asset {}, not {}",
                quote(meter_id),
                quote(&meter.asset_id),
                quote(&asset.id)
            )));
        }
        if !meter.registers.iter().any(|r| r == EXPORT) {
            return Err(CertError::Conflict(format!(
                "meter {} does not report export ({EXPORT}), so nothing it measures can be certified",
                quote(&meter.id)
            )));
        }
    }
    let device = Device {
        id: asset.id,
        kind: asset.kind,
        technology: reg.technology,
        area: reg.area,
        meters,
        capacity_w: asset.nameplate_w,
        location,
        commissioned,
        connection_point: asset.connection_point,
        registered_by: caller.party,
        registered_at: store::now(ctx)?,
    };
    store::put_json(ctx, &key, &device)?;
    Ok(device)
}

/// `GetDevice(id)`: anyone.
pub fn get_device(ctx: &Context<'_>, Text(id): DeviceId) -> Result<Device> {
    store::device(ctx, &id)
}
