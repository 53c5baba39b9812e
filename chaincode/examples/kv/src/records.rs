//! The JSON shapes SPEC.md fixes; field order here is the order on the wire.

use gridledger_shim::ChaincodeStub;
use gridledger_shim::stub::{KeyModification, Kv};
use serde::Serialize;

/// One record of `Range`.
#[derive(Debug, Serialize)]
pub(crate) struct Entry {
    key: String,
    value: String,
}

impl From<Kv> for Entry {
    fn from(kv: Kv) -> Self {
        Self { key: kv.key, value: String::from_utf8_lossy(&kv.value).into_owned() }
    }
}

/// One record of `ByPartial`: the key's attributes, not its raw bytes.
#[derive(Debug, Serialize)]
pub(crate) struct PartialEntry {
    attrs: Vec<String>,
    value: String,
}

impl PartialEntry {
    pub(crate) fn from_kv(stub: &dyn ChaincodeStub, kv: Kv) -> Result<Self, String> {
        let (_, attrs) = stub.split_composite_key(&kv.key).map_err(|e| e.to_string())?;
        Ok(Self { attrs, value: String::from_utf8_lossy(&kv.value).into_owned() })
    }
}

/// A composite key with its object type, split, and its value (`AllCompositePage`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompositeEntry {
    object_type: String,
    attrs: Vec<String>,
    value: String,
}

impl CompositeEntry {
    pub(crate) fn from_kv(stub: &dyn ChaincodeStub, kv: Kv) -> Result<Self, String> {
        let (object_type, attrs) = stub.split_composite_key(&kv.key).map_err(|e| e.to_string())?;
        Ok(Self { object_type, attrs, value: String::from_utf8_lossy(&kv.value).into_owned() })
    }
}

/// One page of a paginated query.
#[derive(Debug, Serialize)]
pub(crate) struct PageOut<T> {
    records: Vec<T>,
    count: i32,
    bookmark: String,
}

impl<T> PageOut<T> {
    pub(crate) fn new(records: Vec<T>, count: i32, bookmark: String) -> Self {
        Self { records, count, bookmark }
    }
}

/// One entry of `History`.
#[derive(Debug, Serialize)]
pub(crate) struct History {
    #[serde(rename = "txId")]
    tx_id: String,
    value: String,
    #[serde(rename = "isDelete")]
    is_delete: bool,
    seconds: i64,
    nanos: i32,
}

impl From<KeyModification> for History {
    fn from(m: KeyModification) -> Self {
        let ts = m.timestamp.unwrap_or_default();
        Self {
            tx_id: m.tx_id,
            value: String::from_utf8_lossy(&m.value).into_owned(),
            is_delete: m.is_delete,
            seconds: ts.seconds,
            nanos: ts.nanos,
        }
    }
}
