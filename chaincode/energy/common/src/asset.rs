//! [`Asset`]: the fields of a registry asset record (registry `GetAsset`) that the contracts calling the registry
//! read. One view, so every caller decodes the record the same way; the registry's own type, with every field and
//! its schema, is `gridledger_registry::Asset`.

use serde::Deserialize;

use crate::party::Party;

/// A registry asset as the other contracts read it (the record's other fields are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// The asset id.
    pub id: String,
    /// Its owner.
    pub owner: Party,
    /// `pv`, `wind`, `storage`, `ev-charger`, `flexible-load` or `chp`.
    pub kind: String,
    /// Nameplate power, W.
    pub nameplate_w: i64,
    /// Where it connects to the grid.
    pub connection_point: String,
    /// `pending`, `active`, `suspended` or `decommissioned`.
    pub status: String,
}
