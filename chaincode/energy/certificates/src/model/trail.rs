//! The records that trace certificates: issuances (with their readings), offers, claims and storage charges.

use gridledger_contract::Object;
use gridledger_energy_common::caller::Party;
use serde::{Deserialize, Serialize};

use super::TxTime;

/// One meter's part of an issuance: what an auditor needs to find the signed readings (metering `GetReading`
/// for each interval of the hour; the counters bound them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// The meter.
    pub meter_id: String,
    /// Its interval length, seconds.
    pub interval_seconds: u32,
    /// How many readings of the hour were summed.
    pub readings: u32,
    /// Their export, Wh.
    pub export_wh: i64,
    /// The lowest counter among them.
    pub first_counter: Option<u64>,
    /// The highest.
    pub last_counter: Option<u64>,
}

/// One device-hour's issuance, `issuance [deviceId, hour(12)]`: written once, so a second request is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Issuance {
    /// The device.
    pub device_id: String,
    /// The hour.
    pub hour_start: i64,
    /// The hour's metered export over the device's meters, Wh.
    pub metered_wh: i64,
    /// What was issued, Wh: the export, or for storage what charged certificates allowed.
    pub issued_wh: i64,
    /// The certificate issued.
    pub certificate_id: String,
    /// The issuing transaction.
    pub tx_id: String,
    /// When.
    pub at: TxTime,
    /// The readings, per meter.
    pub sources: Vec<Source>,
}

/// A sell offer, `offer [certificateId]` (one per certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Offer {
    /// The certificate offered.
    pub certificate_id: String,
    /// How much of it, Wh.
    pub wh: i64,
    /// Price, minor units per MWh.
    pub price_per_mwh: i64,
    /// The holder who offers it.
    pub seller: Party,
    /// When.
    pub offered_at: TxTime,
}

/// A claim, `claim [beneficiary msp, beneficiary id, hour(12), certificateId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Claim {
    /// The cancelled certificate.
    pub certificate_id: String,
    /// Wh claimed (the certificate's whole Wh).
    pub wh: i64,
    /// The hour of consumption (the certificate's production hour).
    pub hour_start: i64,
    /// Whose consumption it covers.
    pub beneficiary: Party,
    /// The holder who claimed it.
    pub claimed_by: Party,
    /// The claiming transaction.
    pub tx_id: String,
}

/// Certificate Wh charged into a storage device, `charge [storageDeviceId, hour(12), certificateId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Charge {
    /// The cancelled certificate.
    pub certificate_id: String,
    /// Wh.
    pub wh: i64,
    /// The hour it was charged (the certificate's hour).
    pub hour_start: i64,
    /// The storage device.
    pub storage_device: String,
    /// The transaction.
    pub tx_id: String,
}
