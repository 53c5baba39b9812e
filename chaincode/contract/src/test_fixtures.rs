//! Types the crate's unit tests share.

use serde::{Deserialize, Serialize};

use crate::{Fields, Object};

/// A small object with a string and an integer field, as a transaction argument and a stored record.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Asset {
    pub(crate) id: String,
    pub(crate) size: u64,
}

// By hand: inside gridledger-contract the derive's `::gridledger_contract` paths do not resolve.
impl Object for Asset {
    const NAME: &'static str = "Asset";
    fn describe(fields: &mut Fields<'_>) {
        fields.field::<String>("id").field::<u64>("size");
    }
}
