//! gridledger-contract: the contract API for gridledger chaincode, with Fabric's routing and metadata semantics.
//!
//! A [`Contract`] is a named set of typed transactions; a [`ContractChaincode`] holds several of them and
//! implements [`gridledger_shim::Chaincode`]. Clients call `Contract:Function` (split at the last `:`, as in Go;
//! without a prefix the default contract answers), and `org.hyperledger.fabric:GetMetadata` returns the
//! contracts' metadata in the shape fabric-contract-api-go validates.
//!
//! Arguments arrive as strings and are parsed by type ([`FromArg`]): strings raw, numbers and booleans from their
//! text, structs ([`Object`]) and collections as JSON. Wrong counts or unparsable arguments are answered with
//! status 400 and a message that names the parameter. Input appears in messages only through [`quote()`]: the
//! whole of it when short, else its size and a 32-character prefix, so a message always fits the response. Returns become the payload: a `String` raw, `()` empty,
//! anything else JSON. Errors ([`ContractError`]) carry their status: 400, 403, 404, 409 or 500.
//!
//! # Layout
//! - [`contract`]: [`Contract`], its transactions and its before/after/unknown hooks.
//! - [`chaincode`]: [`ContractChaincode`], routing and Init, and its builder.
//! - [`router`]: parsing `Contract:Function`.
//! - [`transaction`]: [`Tx`] (a transaction's declaration) and [`TxKind`] (submit or evaluate).
//! - [`args`]: [`FromArg`] and [`Args`], typed arguments.
//! - [`bounded`]: [`Text`], [`Int`] and [`Json`], arguments with a documented bound, checked before parsing.
//! - [`quote`](mod@quote): [`quote()`], how a refused input appears in a message (a short prefix and its size).
//! - [`returns`]: [`IntoPayload`], typed results.
//! - [`schema`]: [`Describe`], [`Object`] and [`Schema`], the JSON Schema of parameters and returns.
//! - [`metadata`]: the `GetMetadata` document; [`system`]: the `org.hyperledger.fabric` contract serving it.
//! - [`context`]: [`Context`], what a handler gets besides its arguments.
//! - [`error`]: [`ContractError`] and [`DefinitionError`].
//!
//! # Example
//! ```
//! use gridledger_contract::{Context, Contract, ContractChaincode, ContractError, Object, Tx};
//! use serde::{Deserialize, Serialize};
//!
//! // The metadata's `Asset` schema, from the serde names and field types.
//! #[derive(Serialize, Deserialize, Object)]
//! struct Asset {
//!     id: String,
//!     size: u64,
//! }
//!
//! fn create_asset(ctx: &Context<'_>, (id, size): (String, u64)) -> Result<Asset, ContractError> {
//!     if ctx.get_state(&id)?.is_some() {
//!         return Err(ContractError::Conflict(format!("asset {id} already exists")));
//!     }
//!     let asset = Asset { id, size };
//!     ctx.put_state(&asset.id, &serde_json::to_vec(&asset)?)?;
//!     Ok(asset)
//! }
//!
//! let chaincode = ContractChaincode::builder()
//!     .contract(
//!         Contract::new("AssetContract")
//!             .submit(Tx::new("CreateAsset").params(["id", "size"]), create_asset)
//!             .evaluate(Tx::new("ReadAsset").params(["id"]), |ctx: &Context<'_>, id: String| {
//!                 let bytes = ctx.get_state(&id)?.ok_or_else(|| ContractError::NotFound(format!("no asset {id}")))?;
//!                 Ok::<_, ContractError>(String::from_utf8_lossy(&bytes).into_owned())
//!             }),
//!     )
//!     .build()
//!     .expect("a valid definition");
//!
//! assert_eq!(chaincode.default_contract(), "AssetContract");
//! assert!(chaincode.metadata().contains(r#""name":"CreateAsset""#));
//! assert!(chaincode.metadata().contains(r#""required":["id","size"]"#));
//! // In a chaincode binary: `fn main() -> ExitCode { gridledger_shim::main(chaincode) }`
//! ```

pub mod args;
pub mod bounded;
pub mod call;
pub mod chaincode;
pub mod context;
pub mod contract;
pub mod error;
pub mod metadata;
pub use gridledger_text as quote;
pub mod returns;
pub mod router;
pub mod schema;
pub mod system;
pub mod transaction;

#[cfg(test)]
mod test_fixtures;

pub use args::{ArgError, Args, FromArg, parse_arg};
pub use bounded::{Int, Json, Text, parse_integer};
pub use call::{call_json, call_json_optional};
pub use chaincode::{ChaincodeBuilder, ContractChaincode, DEFAULT_INIT_MESSAGE};
pub use context::Context;
pub use contract::Contract;
pub use error::{ContractError, DefinitionError, MAX_MESSAGE_BYTES, Result};
/// Derives [`Object`](trait@Object) from a struct's serde attributes; see [`gridledger_contract_derive`].
pub use gridledger_contract_derive::Object;
pub use metadata::Info;
pub use quote::{Quoted, clip, quote};
pub use returns::{IntoPayload, Raw};
pub use schema::{Components, Describe, Fields, Object, Schema};
pub use system::SYSTEM_CONTRACT;
pub use transaction::{Tx, TxKind};
