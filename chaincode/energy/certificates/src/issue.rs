//! `IssueCertificates`: one certificate per device-hour, for exactly the hour's authenticated export; and
//! `GetIssuance`, the audit trail from a certificate to its readings.
//!
//! Storage rule: a storage device's export is certified only as far as certificates were charged into it
//! (`ChargeStorage`) for hours **before** the hour being issued, minus what was already issued from storage:
//! `issued = min(export, charged before the hour - issued from this device so far)`. Storage cannot create
//! certified energy, only pass on what was charged. What it leaves out is in the README.

use gridledger_contract::{Context, Int, Text, quote};
use gridledger_energy_common::amount::add;
use gridledger_energy_common::bounds::IntervalStart;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::index::interval_key;
use gridledger_energy_common::interval::require_aligned;

use crate::calls;
use crate::devices::{DeviceId, require_owner_or_issuer};
use crate::error::{CertError, Result};
use crate::model::{Certificate, Charge, Device, Issuance, Source, Status};
use crate::store::{self, CHARGE, ISSUANCE};

/// An hour, seconds.
pub const HOUR: i64 = 3600;
/// The event `IssueCertificates` emits (payload: the certificate).
pub const ISSUED: &str = "CertificateIssued";

/// `IssueCertificates(deviceId, hourStart)`: the producer the hour's readings are attributed to, or the issuing
/// body's issuer or admin; once per device and hour (409 after). The hour must have ended and every meter of the
/// device must have an export reading for every interval of it (409 otherwise); an hour without export issues
/// nothing (409). Returns the certificate, held by the producer.
pub fn issue(ctx: &Context<'_>, (Text(device_id), Int(hour)): (DeviceId, IntervalStart)) -> Result<Certificate> {
    require_aligned(hour, HOUR)?;
    let device = store::device(ctx, &device_id)?;
    let issuance_key = store::key(ctx, ISSUANCE, &[&device.id, &interval_key(hour)])?;
    if ctx.get_state(&issuance_key)?.is_some() {
        return Err(CertError::Conflict(format!(
            "certificates for device {} and hour {hour} were already issued",
            quote(&device.id)
        )));
    }
    let now = store::now(ctx)?;
    let end = hour.saturating_add(HOUR);
    if now.seconds < end {
        return Err(CertError::Conflict(format!(
            "hour {hour} ends at {end} (Unix s); it cannot be certified at {}",
            now.seconds
        )));
    }
    let (sources, owner, metered) = read_hour(ctx, &device, hour)?;
    require_owner_or_issuer(ctx, "IssueCertificates", &owner)?;
    let issued_wh = if device.is_storage() { metered.min(storage_credit(ctx, &device, hour)?) } else { metered };
    if issued_wh <= 0 {
        let why = if device.is_storage() && metered > 0 {
            format!("no certificates charged into storage device {} before hour {hour} remain", quote(&device.id))
        } else {
            format!("device {} exported nothing in hour {hour}", quote(&device.id))
        };
        return Err(CertError::Conflict(format!("nothing to certify: {why}")));
    }
    let cert = Certificate {
        id: store::issued_id(&device.id, hour),
        device_id: device.id.clone(),
        technology: device.technology.clone(),
        area: device.area.clone(),
        from_storage: device.is_storage(),
        hour_start: hour,
        wh: issued_wh,
        owner,
        status: Status::Active,
        issuance_tx: ctx.tx_id().to_string(),
        issued_at: now,
        parent: None,
        children: Vec::new(),
        cancellation: None,
    };
    let issuance = Issuance {
        device_id: device.id.clone(),
        hour_start: hour,
        metered_wh: metered,
        issued_wh,
        certificate_id: cert.id.clone(),
        tx_id: cert.issuance_tx.clone(),
        at: now,
        sources,
    };
    store::put_json(ctx, &issuance_key, &issuance)?;
    store::create(ctx, &cert)?;
    ctx.set_event(ISSUED, &serde_json::to_vec(&cert)?)?;
    Ok(cert)
}

/// Reads every meter's hour from metering: complete readings, one producer, the summed export.
fn read_hour(ctx: &Context<'_>, device: &Device, hour: i64) -> Result<(Vec<Source>, Party, i64)> {
    let mut sources = Vec::with_capacity(device.meters.len());
    let mut owners: Vec<Party> = Vec::new();
    let mut total = 0i64;
    for meter_id in &device.meters {
        let h = calls::meter_hour(ctx, meter_id, hour)?;
        if h.export_readings < h.intervals {
            return Err(CertError::Conflict(format!(
                "hour {hour} is incomplete: meter {} has export readings for {} of its {} intervals",
                quote(meter_id),
                h.export_readings,
                h.intervals
            )));
        }
        for o in h.owners {
            if !owners.contains(&o) {
                owners.push(o);
            }
        }
        total = add(total, h.export_wh)?;
        sources.push(Source {
            meter_id: meter_id.clone(),
            interval_seconds: h.interval_seconds,
            readings: h.export_readings,
            export_wh: h.export_wh,
            first_counter: h.first_counter,
            last_counter: h.last_counter,
        });
    }
    match owners.as_slice() {
        [owner] => Ok((sources, owner.clone(), total)),
        _ => Err(CertError::Conflict(format!(
            "the readings of device {} in hour {hour} are attributed to {} parties (the asset changed hands \
             within the hour); certificates need one producer",
            quote(&device.id),
            owners.len()
        ))),
    }
}

/// What a storage device may still issue for `hour`: Wh charged into it for earlier hours, minus everything
/// issued from it so far.
fn storage_credit(ctx: &Context<'_>, device: &Device, hour: i64) -> Result<i64> {
    let mut charged = 0i64;
    for kv in ctx.get_state_by_partial_composite_key(CHARGE, &[&device.id])? {
        let charge: Charge = store::decode(&kv?.value, "charge")?;
        if charge.hour_start < hour {
            charged = add(charged, charge.wh)?;
        }
    }
    let mut issued = 0i64;
    for kv in ctx.get_state_by_partial_composite_key(ISSUANCE, &[&device.id])? {
        let issuance: Issuance = store::decode(&kv?.value, "issuance")?;
        issued = add(issued, issuance.issued_wh)?;
    }
    Ok(charged.saturating_sub(issued).max(0))
}

/// `GetIssuance(deviceId, hourStart)`: anyone; 404 before issuance. The readings' meters and counters.
pub fn get_issuance(ctx: &Context<'_>, (Text(device_id), Int(hour)): (DeviceId, IntervalStart)) -> Result<Issuance> {
    let key = store::key(ctx, ISSUANCE, &[&device_id, &interval_key(hour)])?;
    store::get_json(ctx, &key, "issuance")?.ok_or_else(|| {
        CertError::NotFound(format!("nothing was issued for device {} and hour {hour}", quote(&device_id)))
    })
}
