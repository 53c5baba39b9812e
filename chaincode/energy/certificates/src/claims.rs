//! Cancellation: `ClaimCertificate` (for a consumer's consumption in the certificate's hour) and `ChargeStorage`
//! (into a storage device, which may then issue that much of its later discharge).
//!
//! Both cancel the Wh for good: the cancelled certificate is `cancelled`, and every move refuses it.

use gridledger_contract::{Context, Int, Text, quote};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::bounds::{IntervalStart, Msp, PartyId};
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::index::interval_key;
use gridledger_energy_common::interval::require_aligned;
use serde::Serialize;

use crate::devices::DeviceId;
use crate::error::{CertError, Result};
use crate::issue::HOUR;
use crate::model::{Cancellation, Charge, Claim, Moved, Status};
use crate::moves::{self, CertificateId, Wh, short};
use crate::{calls, store};

/// The event a claim or a charge emits.
pub const CLAIMED: &str = "CertificateClaimed";

/// The payload of [`CLAIMED`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Claimed<'a> {
    certificate_id: &'a str,
    kind: &'a str,
    wh: i64,
    hour_start: i64,
    beneficiary: Option<&'a Party>,
    storage_device: Option<&'a str>,
}

/// Sums the values of a partial composite key's records, decoded as `T`, by `wh_of`.
fn sum<T: serde::de::DeserializeOwned>(
    ctx: &Context<'_>,
    object_type: &str,
    prefix: &[&str],
    wh_of: impl Fn(&T) -> i64,
) -> Result<i64> {
    let mut total = 0i64;
    for kv in ctx.get_state_by_partial_composite_key(object_type, prefix)? {
        let record: T = store::decode(&kv?.value, object_type)?;
        total = add(total, wh_of(&record))?;
    }
    Ok(total)
}

/// `ClaimCertificate(certificateId, wh, hourStart, beneficiaryMsp, beneficiaryId)`: the holder cancels `wh` of an
/// active certificate that is not on offer for the beneficiary's consumption in `hourStart`, which must be the
/// certificate's production hour (409). All claims for the beneficiary and hour together never exceed the
/// beneficiary's metered import of the hour (metering `MeteredHours`, which only the beneficiary, a grid
/// operator or the beneficiary's supplier may read: so only they claim for it).
pub fn claim(
    ctx: &Context<'_>,
    (Text(id), Int(wh), Int(hour), msp, party_id): (CertificateId, Wh, IntervalStart, Msp, PartyId),
) -> Result<Moved> {
    require_aligned(hour, HOUR)?;
    let beneficiary = Party { msp: msp.into_string(), id: party_id.into_string() };
    if beneficiary.msp.is_empty() || beneficiary.id.is_empty() {
        return Err(CertError::BadRequest("the beneficiary needs an MSP id and an identity id".into()));
    }
    let me = Party::of(ctx)?;
    let cert = moves::movable(ctx, &id, &me, wh, false)?;
    if cert.hour_start != hour {
        return Err(CertError::Conflict(format!(
            "certificate {} is for production in hour {}; it cannot cover consumption in hour {hour}",
            short(&cert.id),
            cert.hour_start
        )));
    }
    let consumed = calls::metered_hours(ctx, &beneficiary, hour, 1)?.first().map_or(0, |h| h.import_wh);
    let hour_key = interval_key(hour);
    let claimed = sum(ctx, store::CLAIM, &[&beneficiary.msp, &beneficiary.id, &hour_key], |c: &Claim| c.wh)?;
    let after = add(claimed, wh)?;
    if after > consumed {
        return Err(CertError::Conflict(format!(
            "claims for {} in hour {hour} would reach {after} Wh, above its metered consumption of {consumed} Wh \
             ({claimed} Wh already claimed)",
            quote(&beneficiary.account())
        )));
    }
    let cancellation = cancellation(ctx, "claim", Some(beneficiary.clone()), None, &me)?;
    let moved = moves::apply(ctx, cert, wh, |c| {
        c.status = Status::Cancelled;
        c.cancellation = Some(cancellation);
    })?;
    let record = Claim {
        certificate_id: moved.certificate.id.clone(),
        wh,
        hour_start: hour,
        beneficiary: beneficiary.clone(),
        claimed_by: me,
        tx_id: ctx.tx_id().to_string(),
    };
    let key = store::key(ctx, store::CLAIM, &[&beneficiary.msp, &beneficiary.id, &hour_key, &record.certificate_id])?;
    store::put_json(ctx, &key, &record)?;
    let event = Claimed {
        certificate_id: &record.certificate_id,
        kind: "claim",
        wh,
        hour_start: hour,
        beneficiary: Some(&beneficiary),
        storage_device: None,
    };
    ctx.set_event(CLAIMED, &serde_json::to_vec(&event)?)?;
    Ok(moved)
}

fn cancellation(
    ctx: &Context<'_>,
    kind: &str,
    beneficiary: Option<Party>,
    storage_device: Option<String>,
    by: &Party,
) -> Result<Cancellation> {
    Ok(Cancellation {
        kind: kind.to_string(),
        beneficiary,
        storage_device,
        by: by.clone(),
        tx_id: ctx.tx_id().to_string(),
        at: store::now(ctx)?,
    })
}

/// `ChargeStorage(certificateId, wh, storageDeviceId)`: the holder cancels `wh` of an active certificate that is
/// not on offer into a registered storage device, for energy the device imported in the certificate's hour: all
/// charges of the device and hour together never exceed the import of its meters in that hour (metering
/// `MeterHour`, readable by the device's owner, a grid operator, its supplier and the issuer). The device may
/// then issue as much of its discharge in later hours (`IssueCertificates`).
pub fn charge(ctx: &Context<'_>, (Text(id), Int(wh), Text(device_id)): (CertificateId, Wh, DeviceId)) -> Result<Moved> {
    let device = store::device(ctx, &device_id)?;
    if !device.is_storage() {
        return Err(CertError::Conflict(format!(
            "device {} is {}, not storage: certificates are charged into storage only",
            quote(&device.id),
            quote(&device.kind)
        )));
    }
    let me = Party::of(ctx)?;
    let cert = moves::movable(ctx, &id, &me, wh, false)?;
    if cert.device_id == device.id {
        return Err(CertError::Conflict("a storage device's own certificates cannot be charged back into it".into()));
    }
    let hour = cert.hour_start;
    let mut imported = 0i64;
    for meter_id in &device.meters {
        imported = add(imported, calls::meter_hour(ctx, meter_id, hour)?.import_wh)?;
    }
    let hour_key = interval_key(hour);
    let charged = sum(ctx, store::CHARGE, &[&device.id, &hour_key], |c: &Charge| c.wh)?;
    let after = add(charged, wh)?;
    if after > imported {
        return Err(CertError::Conflict(format!(
            "charges into storage device {} in hour {hour} would reach {after} Wh, above its metered import of \
             {imported} Wh ({charged} Wh already charged)",
            quote(&device.id)
        )));
    }
    let cancellation = cancellation(ctx, "storage", None, Some(device.id.clone()), &me)?;
    let moved = moves::apply(ctx, cert, wh, |c| {
        c.status = Status::Cancelled;
        c.cancellation = Some(cancellation);
    })?;
    let record = Charge {
        certificate_id: moved.certificate.id.clone(),
        wh,
        hour_start: hour,
        storage_device: device.id.clone(),
        tx_id: ctx.tx_id().to_string(),
    };
    let key = store::key(ctx, store::CHARGE, &[&device.id, &hour_key, &record.certificate_id])?;
    store::put_json(ctx, &key, &record)?;
    let event = Claimed {
        certificate_id: &record.certificate_id,
        kind: "storage",
        wh,
        hour_start: hour,
        beneficiary: None,
        storage_device: Some(&device.id),
    };
    ctx.set_event(CLAIMED, &serde_json::to_vec(&event)?)?;
    Ok(moved)
}
