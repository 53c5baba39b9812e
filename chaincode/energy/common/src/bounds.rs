//! The bounds the energy contracts' arguments share (DESIGN.md, "Bounded input"). Every transaction argument has
//! one, declared in its type ([`Text`], [`Int`], [`Json`](gridledger_contract::Json)) and stated in the metadata;
//! the contract layer checks it before anything parses the argument or reads the ledger.

#[cfg(feature = "chaincode")]
use gridledger_contract::{Int, Text};

/// Asset, VPP and order ids, and connection points: the registry's id rule (an order id is a transaction id, 64
/// hex digits).
pub const MAX_ID_LEN: usize = 64;
/// An MSP id given as an argument.
pub const MAX_MSP_LEN: usize = 128;
/// A party's identity id given as an argument: base64 of `x509::subject::issuer`, a few hundred characters in
/// practice.
pub const MAX_PARTY_ID_LEN: usize = 1024;
/// A balance account, `msp/id`.
pub const MAX_ACCOUNT_LEN: usize = MAX_MSP_LEN + 1 + MAX_PARTY_ID_LEN;
/// Reasons and display names.
pub const MAX_TEXT_LEN: usize = 256;
/// A pagination bookmark (the next key of an index, or CouchDB's bookmark).
pub const MAX_BOOKMARK_LEN: usize = 2048;
/// The latest interval start: keys write starts as 12 decimal digits.
pub const MAX_INTERVAL_START: i64 = 999_999_999_999;

#[cfg(feature = "chaincode")]
/// An interval start argument: Unix seconds, `0` to [`MAX_INTERVAL_START`].
pub type IntervalStart = Int<0, MAX_INTERVAL_START>;
#[cfg(feature = "chaincode")]
/// An MSP id argument.
pub type Msp = Text<MAX_MSP_LEN>;
#[cfg(feature = "chaincode")]
/// A party's identity id argument.
pub type PartyId = Text<MAX_PARTY_ID_LEN>;
#[cfg(feature = "chaincode")]
/// A reason or name argument (the contract checks blankness and control characters).
pub type Reason = Text<MAX_TEXT_LEN>;
#[cfg(feature = "chaincode")]
/// A bookmark argument.
pub type Bookmark = Text<MAX_BOOKMARK_LEN>;
