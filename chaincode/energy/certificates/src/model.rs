//! The records the certificates contract stores and returns, with their JSON (camelCase) and metadata schemas:
//! devices and certificates here; the audit trail ([`Issuance`], [`Offer`], [`Claim`], [`Charge`]) and the
//! transactions' answers ([`Moved`], [`CertificatePage`], [`CertificateChange`]) in submodules.

mod answers;
mod trail;

pub use answers::{CertificateChange, CertificatePage, Moved};
pub use trail::{Charge, Claim, Issuance, Offer, Source};

use gridledger_contract::{ArgError, Components, Describe, FromArg, Object, Schema};
use gridledger_energy_common::caller::Party;
use serde::{Deserialize, Serialize};

/// A transaction timestamp, as Fabric's `google.protobuf.Timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, Object)]
pub struct TxTime {
    /// Unix seconds.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: i32,
}

/// A device's location, as the registry records it (decimal degrees as text: no floats).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Object)]
pub struct Location {
    /// Latitude.
    pub lat: String,
    /// Longitude.
    pub lon: String,
}

/// What the issuer gives `RegisterDevice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceRegistration {
    /// The registry asset that produces (its id is the device id).
    pub asset_id: String,
    /// The technology code (an EECS/AIB code such as `T020001`, or the scheme's own).
    pub technology: String,
    /// The bidding zone (EIC, e.g. `10YNL----------L`) or grid area the device feeds.
    pub area: String,
    /// The meters whose export register counts, all metering the asset.
    pub meters: Vec<String>,
}

/// A production device, `device [id]`: a registered registry asset and the meters certificates are issued from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Device {
    /// The device id: the registry asset id.
    pub id: String,
    /// The asset's kind (`pv`, `wind`, `chp`, `storage`).
    pub kind: String,
    /// The technology code.
    pub technology: String,
    /// The bidding zone or grid area.
    pub area: String,
    /// The meters whose export counts, sorted.
    pub meters: Vec<String>,
    /// Nameplate power at registration, W.
    pub capacity_w: i64,
    /// Where it is.
    pub location: Location,
    /// Commissioning date, `YYYY-MM-DD`.
    pub commissioned: String,
    /// The asset's connection point.
    pub connection_point: String,
    /// Who registered it.
    pub registered_by: Party,
    /// When.
    pub registered_at: TxTime,
}

impl Device {
    /// Whether certificates of this device come out of storage (issued only against charged certificates).
    pub fn is_storage(&self) -> bool {
        self.kind == STORAGE_KIND
    }
}

/// The registry kind of storage assets.
pub const STORAGE_KIND: &str = "storage";

/// Where a certificate is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Held, transferable, claimable.
    Active,
    /// Replaced by two children whose Wh add up to its own; never moves again.
    Split,
    /// Claimed for a beneficiary's consumption or charged into storage; never moves again.
    Cancelled,
}

impl Status {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Active, Self::Split, Self::Cancelled];

    /// The JSON and key text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Split => "split",
            Self::Cancelled => "cancelled",
        }
    }
}

impl Describe for Status {
    fn schema(_: &mut Components) -> Schema {
        Schema::string().one_of_values(Self::ALL.map(Self::as_str))
    }
}

impl FromArg for Status {
    /// Longer than any status.
    const MAX_BYTES: Option<usize> = Some(16);
    fn expected() -> String {
        "\"active\", \"split\" or \"cancelled\"".into()
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| ArgError::expected(Self::expected()))
    }
}

/// Why a certificate was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cancellation {
    /// `claim` (for a beneficiary's consumption) or `storage` (charged into a storage device).
    pub kind: String,
    /// The consumer whose consumption it covers (claims).
    pub beneficiary: Option<Party>,
    /// The storage device it was charged into (storage).
    pub storage_device: Option<String>,
    /// Who cancelled it (the holder).
    pub by: Party,
    /// The cancelling transaction.
    pub tx_id: String,
    /// When.
    pub at: TxTime,
}

/// A certificate, `cert [id]`: `wh` of one device's production in one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// Derived: SHA-256 of the device and hour at issuance, of the parent and the child's number at a split.
    pub id: String,
    /// The production device.
    pub device_id: String,
    /// Its technology code.
    pub technology: String,
    /// Its bidding zone or grid area.
    pub area: String,
    /// Whether the energy came out of storage.
    pub from_storage: bool,
    /// The production interval's start (one hour, Unix seconds).
    pub hour_start: i64,
    /// Energy, Wh (> 0).
    pub wh: i64,
    /// The holder.
    pub owner: Party,
    /// Active, split or cancelled.
    pub status: Status,
    /// The transaction that issued the original certificate (`GetIssuance(deviceId, hourStart)` finds the
    /// readings).
    pub issuance_tx: String,
    /// When it was issued.
    pub issued_at: TxTime,
    /// The certificate it was split from.
    pub parent: Option<String>,
    /// The two certificates it was split into.
    pub children: Vec<String>,
    /// Set once cancelled.
    pub cancellation: Option<Cancellation>,
}
