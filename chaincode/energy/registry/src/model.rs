//! The registry's records as they are stored and returned (camelCase JSON, see `DESIGN.md`).

use std::fmt;

use gridledger_contract::{ArgError, Components, Describe, FromArg, Object, Schema, quote};
use gridledger_energy_common::caller::Party;
use serde::{Deserialize, Serialize};

use crate::validate;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks the text: 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
            pub fn parse(text: &str) -> Result<Self, String> {
                validate::id($what, text).map(|()| Self(text.to_string()))
            }
            /// The id text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Describe for $name {
            fn schema(_: &mut Components) -> Schema {
                Schema::string().pattern(validate::ID_PATTERN).min_length(1).max_length(validate::MAX_ID_LEN as u64)
            }
        }

        impl FromArg for $name {
            const MAX_BYTES: Option<usize> = Some(validate::MAX_ID_LEN);
            fn expected() -> String {
                format!("{} id of 1 to {} characters of A-Z a-z 0-9 . _ -", $what, validate::MAX_ID_LEN)
            }
            fn from_arg(raw: &str) -> Result<Self, ArgError> {
                Self::parse(raw).map_err(|detail| ArgError { expected: format!("{} id", $what), detail: Some(detail) })
            }
        }
    };
}

id_type!(
    /// An asset (DER) id.
    AssetId,
    "an asset"
);
id_type!(
    /// A virtual power plant id.
    VppId,
    "a virtual power plant"
);

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The JSON and key text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),*
                }
            }

            /// Parses the text.
            pub fn parse(text: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("{} must be one of {}, got {}", $what, all.join(", "), quote(text))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Describe for $name {
            fn schema(_: &mut Components) -> Schema {
                Schema::string().one_of_values(Self::ALL.iter().map(|v| v.as_str()))
            }
        }

        impl FromArg for $name {
            /// Longer than any of the values.
            const MAX_BYTES: Option<usize> = Some(32);
            fn expected() -> String {
                let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!("a {} (one of {})", $what, all.join(", "))
            }
            fn from_arg(raw: &str) -> Result<Self, ArgError> {
                Self::parse(raw).map_err(|detail| ArgError { expected: format!("a {}", $what), detail: Some(detail) })
            }
        }
    };
}

text_enum!(
    /// What kind of DER an asset is.
    AssetKind, "kind" {
        /// Photovoltaic generation.
        Pv = "pv",
        /// Wind generation.
        Wind = "wind",
        /// A battery (needs `storageWh`).
        Storage = "storage",
        /// An EV charger.
        EvCharger = "ev-charger",
        /// A load that can be shifted.
        FlexibleLoad = "flexible-load",
        /// Combined heat and power.
        Chp = "chp",
    }
);

text_enum!(
    /// Where an asset is in its life cycle.
    AssetStatus, "status" {
        /// Registered, waiting for the grid operator's connection approval.
        Pending = "pending",
        /// Connected and in service.
        Active = "active",
        /// Taken out of service for now by the grid operator.
        Suspended = "suspended",
        /// Out of service for good.
        Decommissioned = "decommissioned",
    }
);

/// Where an asset is: decimal degrees as text (no floats on the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude, `-90` to `90`, e.g. `"52.3702"`.
    #[object(schema = Schema::string().pattern(validate::DEGREES_PATTERN))]
    pub lat: String,
    /// Longitude, `-180` to `180`, e.g. `"4.8952"`.
    #[object(schema = Schema::string().pattern(validate::DEGREES_PATTERN))]
    pub lon: String,
}

/// A DER, as stored under `asset [id]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// The asset id.
    pub id: AssetId,
    /// Who owns it.
    pub owner: Party,
    /// What it is.
    pub kind: AssetKind,
    /// Nameplate power in W (> 0).
    #[object(schema = Schema::integer("int64", 1, i64::MAX))]
    pub nameplate_w: i64,
    /// Usable storage in Wh: set for `storage` only.
    #[object(schema = Schema::integer("int64", 1, i64::MAX))]
    pub storage_wh: Option<i64>,
    /// The grid connection point, `cp-…`.
    #[object(schema = Schema::string().pattern(validate::CP_PATTERN))]
    pub connection_point: String,
    /// Where it is.
    pub location: Location,
    /// Commissioning date, `YYYY-MM-DD`.
    #[object(schema = Schema::string().format("date"))]
    pub commissioned: String,
    /// Life-cycle status.
    pub status: AssetStatus,
    /// Why the status was last set.
    pub status_reason: String,
    /// The virtual power plant it belongs to, if any.
    pub vpp: Option<VppId>,
}

/// What `RegisterAsset` takes: an asset without owner, status, status reason or VPP (those are the registry's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAsset {
    /// The asset id (unique).
    pub id: AssetId,
    /// What it is.
    pub kind: AssetKind,
    /// Nameplate power in W (> 0).
    #[object(schema = Schema::integer("int64", 1, i64::MAX))]
    pub nameplate_w: i64,
    /// Usable storage in Wh: required for `storage`, absent or null otherwise.
    #[serde(default)]
    #[object(schema = Schema::integer("int64", 1, i64::MAX))]
    pub storage_wh: Option<i64>,
    /// The grid connection point, `cp-…`.
    #[object(schema = Schema::string().pattern(validate::CP_PATTERN))]
    pub connection_point: String,
    /// Where it is.
    pub location: Location,
    /// Commissioning date, `YYYY-MM-DD`.
    #[object(schema = Schema::string().format("date"))]
    pub commissioned: String,
}

/// A connection point argument: `cp-` and 1 to 61 id characters ([`validate::connection_point`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionPoint(pub String);

impl Describe for ConnectionPoint {
    fn schema(_: &mut Components) -> Schema {
        Schema::string().pattern(validate::CP_PATTERN).max_length(validate::MAX_ID_LEN as u64)
    }
}

impl FromArg for ConnectionPoint {
    const MAX_BYTES: Option<usize> = Some(validate::MAX_ID_LEN);
    fn expected() -> String {
        format!("a connection point of at most {} characters (cp-…)", validate::MAX_ID_LEN)
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        validate::connection_point(raw)
            .map(|()| Self(raw.to_string()))
            .map_err(|detail| ArgError { expected: "a connection point".into(), detail: Some(detail) })
    }
}

/// A virtual power plant, as stored under `vpp [id]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct Vpp {
    /// The VPP id.
    pub id: VppId,
    /// Its display name.
    pub name: String,
    /// The aggregator who created and runs it.
    pub aggregator: Party,
    /// Member asset ids, sorted.
    pub members: Vec<AssetId>,
    /// The members' summed nameplate power, W.
    #[object(schema = Schema::integer("int64", 0, i64::MAX))]
    pub capacity_w: i64,
}

/// A transaction timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Object)]
#[object(name = "Timestamp")]
pub struct TxTime {
    /// Unix seconds.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: i32,
}

/// An open ownership transfer, stored under `transfer [assetId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct TransferOffer {
    /// The asset offered.
    pub asset_id: AssetId,
    /// The owner who offered it.
    pub from: Party,
    /// The party that may accept it.
    pub to: Party,
    /// When it was offered.
    pub offered_at: TxTime,
}

/// An owner's consent that a VPP may include an asset, stored under `consent [assetId, vppId]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// The asset.
    pub asset_id: AssetId,
    /// The VPP.
    pub vpp_id: VppId,
    /// The owner who consented (a consent does not survive a change of owner).
    pub owner: Party,
    /// When.
    pub given_at: TxTime,
}

/// One page of a query: `{"records":[Asset…],"bookmark":"…"}` (the bookmark is empty after the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct AssetPage {
    /// The assets of this page.
    pub records: Vec<Asset>,
    /// Pass it back for the next page; empty when there is none.
    pub bookmark: String,
}

/// One committed change of an asset record, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct AssetChange {
    /// The transaction that made it.
    pub tx_id: String,
    /// That transaction's timestamp.
    pub timestamp: TxTime,
    /// Whether the record was deleted (the registry never deletes assets; kept for Fabric's shape).
    pub is_delete: bool,
    /// The record after the change (null for a delete).
    pub asset: Option<Asset>,
}
