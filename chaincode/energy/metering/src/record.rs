//! The private record of one meter's interval: `reading [meterId, intervalStart(12)]` in the `meterReadings`
//! collection, holding every register the meter reported for that interval, each with its signature and the party
//! it was attributed to.
//!
//! One key per meter and interval, not per register: every private key costs the peers a shim round trip per
//! endorser, a hashed and a private state write per committing peer, and dissemination. Both registers of an
//! interval usually arrive in one batch, so this halves the private writes of ingestion and the point reads of
//! `MeteredEnergy`; a register that arrives in a later batch is merged into the record.

use std::collections::BTreeMap;

use gridledger_contract::ContractError;
use gridledger_energy_common::caller::Party;
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};

use crate::keys::{self, READINGS_COLLECTION};
use crate::reading::Reading;

/// One meter's readings of one interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntervalRecord {
    /// The meter.
    pub meter_id: String,
    /// The interval's start, Unix seconds.
    pub interval_start: i64,
    /// The meter's interval length, seconds.
    pub interval_seconds: u32,
    /// Whom the readings are attributed to (`MeteredEnergy`): who owned the metered asset when the first of them
    /// was recorded. Stored once, not per register: a party id is a long base64 name, and it was a third of the
    /// record.
    pub owner: Party,
    /// Per OBIS register (sorted, so the stored bytes are deterministic), what was recorded.
    pub registers: BTreeMap<String, Recorded>,
}

/// One register's reading in an [`IntervalRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recorded {
    /// The energy in the interval, Wh.
    pub wh: i64,
    /// The meter's counter, as signed.
    pub counter: u64,
    /// Base64 of the meter's DER signature.
    pub signature: String,
    /// Set only when this register arrived in a later batch, after the asset changed hands: whom this reading is
    /// attributed to instead of the record's `owner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Party>,
}

impl IntervalRecord {
    /// An empty record for a meter's interval whose readings are attributed to `owner`.
    pub fn new(meter_id: &str, interval_start: i64, interval_seconds: u32, owner: &Party) -> Self {
        Self {
            meter_id: meter_id.into(),
            interval_start,
            interval_seconds,
            owner: owner.clone(),
            registers: BTreeMap::new(),
        }
    }

    /// Whom the reading of `register` is attributed to.
    pub fn owner_of(&self, register: &str) -> Option<&Party> {
        self.registers.get(register).map(|r| r.owner.as_ref().unwrap_or(&self.owner))
    }

    /// The submitted reading of `register`, as the meter signed it.
    pub fn reading(&self, register: &str) -> Option<Reading> {
        self.registers.get(register).map(|r| Reading {
            meter_id: self.meter_id.clone(),
            interval_start: self.interval_start,
            register: register.into(),
            wh: r.wh,
            counter: r.counter,
            signature: r.signature.clone(),
        })
    }

    /// Adds `reading`, attributed to `owner`.
    pub fn insert(&mut self, reading: &Reading, owner: &Party) {
        let recorded = Recorded {
            wh: reading.wh,
            counter: reading.counter,
            signature: reading.signature.clone(),
            owner: (*owner != self.owner).then(|| owner.clone()),
        };
        self.registers.insert(reading.register.clone(), recorded);
    }
}

/// Reads the record of a meter's interval (`None` when nothing was recorded).
pub fn load(stub: &dyn ChaincodeStub, meter_id: &str, start: i64) -> Result<Option<IntervalRecord>, ContractError> {
    let key = keys::reading(stub, meter_id, start)?;
    let Some(bytes) = stub.get_private_data(READINGS_COLLECTION, &key)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        ContractError::Internal(format!("stored readings of meter {meter_id}, interval {start} are unreadable: {e}"))
    })
}
