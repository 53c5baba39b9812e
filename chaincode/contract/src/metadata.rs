//! The metadata `GetMetadata` returns: contracts, transactions, parameter and return schemas, in the shape of
//! fabric-contract-api-go's `metadata/schema/schema.json`.
//!
//! Every map is a `BTreeMap` and transactions are sorted by name (as Go sorts them), so the JSON is byte-identical
//! on every peer.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::contract::Contract;
use crate::schema::{Components, Schema};

/// The JSON Schema the metadata document follows (the one fabric-chaincode-node publishes; Go's is the same shape).
pub const METADATA_SCHEMA_URL: &str =
    "https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json";

/// Title, version and description of the chaincode or of one contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Info {
    /// A short title.
    pub title: String,
    /// A version, e.g. `1.2.0`.
    pub version: String,
    /// A longer description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Info {
    /// Info with a title and version.
    pub fn new(title: impl Into<String>, version: impl Into<String>) -> Self {
        Self { title: title.into(), version: version.into(), description: None }
    }
    /// Adds a description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

/// The whole metadata document.
#[derive(Debug, Clone, Serialize)]
pub struct ChaincodeMetadata {
    #[serde(rename = "$schema")]
    schema: &'static str,
    info: Info,
    contracts: BTreeMap<String, ContractMetadata>,
    components: Components,
}

#[derive(Debug, Clone, Serialize)]
struct ContractMetadata {
    info: Info,
    name: String,
    transactions: Vec<TransactionMetadata>,
    default: bool,
}

#[derive(Debug, Clone, Serialize)]
struct TransactionMetadata {
    name: String,
    tag: Vec<&'static str>,
    /// Not in Fabric's schema, which allows extra keys on a transaction; Go ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<ParameterMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returns: Option<Schema>,
}

#[derive(Debug, Clone, Serialize)]
struct ParameterMetadata {
    name: String,
    schema: Schema,
}

impl ChaincodeMetadata {
    /// Describes `contracts`; `default` is the index of the default contract.
    pub(crate) fn describe(info: Info, contracts: &[Contract], default: usize) -> Self {
        let mut components = Components::default();
        let contracts = contracts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), describe_contract(c, i == default, &mut components)))
            .collect();
        Self { schema: METADATA_SCHEMA_URL, info, contracts, components }
    }

    /// Object names claimed by two Rust types.
    pub(crate) fn schema_conflicts(&self) -> &[String] {
        self.components.conflicts()
    }

    /// The document as compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain structs, strings and JSON maps cannot fail.
        serde_json::to_string(self).expect("metadata is plain JSON")
    }
}

fn describe_contract(contract: &Contract, default: bool, components: &mut Components) -> ContractMetadata {
    let transactions = contract
        .transactions
        .values()
        .map(|tx| {
            let signature = tx.signature(components);
            let parameters = tx
                .params
                .iter()
                .zip(signature.params)
                .map(|(name, schema)| ParameterMetadata { name: name.clone(), schema })
                .collect();
            TransactionMetadata {
                name: tx.name.clone(),
                tag: tx.kind.tags().to_vec(),
                description: tx.description.clone(),
                parameters,
                returns: signature.returns,
            }
        })
        .collect();
    ContractMetadata { info: contract.info.clone(), name: contract.name.clone(), transactions, default }
}
