//! What transactions and queries answer beyond the stored records: moves, pages, history.

use gridledger_contract::Object;
use serde::{Deserialize, Serialize};

use super::{Certificate, TxTime};

/// What a move (transfer, accepted offer, claim, charge) produced: the certificate that moved or was cancelled,
/// and the remainder the holder keeps after a split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct Moved {
    /// The certificate with the moved (or cancelled) Wh.
    pub certificate: Certificate,
    /// The holder's remainder when only part moved.
    pub remainder: Option<Certificate>,
    /// The amount paid, minor units (accepted offers only).
    pub paid: Option<i64>,
}

/// One page of a certificate query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct CertificatePage {
    /// The page's certificates, in index order.
    pub records: Vec<Certificate>,
    /// Where the next page starts; empty after the last.
    pub bookmark: String,
}

/// One committed version of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct CertificateChange {
    /// The transaction.
    pub tx_id: String,
    /// Its timestamp.
    pub timestamp: TxTime,
    /// Whether the key was deleted (never, for certificates).
    pub is_delete: bool,
    /// The certificate as that transaction wrote it.
    pub certificate: Option<Certificate>,
}
