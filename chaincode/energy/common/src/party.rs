//! [`Party`]: who holds, owes and is owed in the energy contracts' records, shared with the clients that read them.

use serde::{Deserialize, Serialize};

/// A market participant or asset owner: MSP id plus the Go-compatible identity id.
///
/// A VPP is `{"msp":"VPP","id":vppId}`. In a chaincode, `Party::of` (module `caller`) is the transaction's creator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
// The contract metadata, with the `chaincode` feature.
#[cfg_attr(feature = "chaincode", derive(gridledger_contract::Object))]
pub struct Party {
    /// MSP id.
    pub msp: String,
    /// `ClientIdentity::id()` (base64 of `x509::subject::issuer`).
    pub id: String,
}

impl Party {
    /// The balance account name of this party: `msp/id`.
    pub fn account(&self) -> String {
        format!("{}/{}", self.msp, self.id)
    }
}
