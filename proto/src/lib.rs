//! Hyperledger Fabric protobuf messages and gRPC stubs for gridledger.
//!
//! This crate contains the Rust bindings ([`prost`] messages, [`tonic`]
//! clients and servers) for the subset of
//! [hyperledger/fabric-protos](https://github.com/hyperledger/fabric-protos)
//! that a chaincode runtime and a Gateway client need. The `.proto` sources
//! under `proto/fabric/` are written for this project and are wire-identical
//! to fabric-protos **v0.3.7** (same packages, paths, field names, numbers and
//! enum values) — `proto/check-conformance.sh` verifies that against the
//! upstream Go bindings.
//!
//! # Layout
//!
//! | module | protobuf package | files |
//! |---|---|---|
//! | [`common`] | `common` | `common/common.proto`, `common/policies.proto`, `msp/msp_principal.proto` |
//! | [`msp`] | `msp` | `msp/identities.proto` |
//! | [`peer`] | `protos` | `peer/{chaincode,chaincode_event,chaincode_shim,proposal,proposal_response,transaction,peer}.proto` |
//! | [`queryresult`] | `queryresult` | `ledger/queryresult/kv_query_result.proto` |
//! | [`orderer`] | `orderer` | `orderer/ab.proto` |
//! | [`gateway`] | `gateway` | `gateway/gateway.proto` |
//!
//! Each service has a `<service>_client` and a `<service>_server` module, e.g.
//! [`peer::chaincode_support_client::ChaincodeSupportClient`] (classic
//! chaincode dialing the peer) and [`peer::chaincode_server::ChaincodeServer`]
//! (chaincode-as-a-service). Clients are generic over the transport; the
//! tonic `connect()` convenience constructor is not generated because the
//! rpc `Chaincode.Connect` would collide with it — build a
//! `tonic::transport::Channel` and use `new(channel)` instead.
//!
//! `google.protobuf.Timestamp` maps to [`prost_types::Timestamp`].
//!
//! The code in `src/generated/` is produced by `cargo run -p
//! gridledger-protos-codegen` (pure Rust, no `protoc`) and committed;
//! `proto/check-drift.sh` checks it is current.

/// The prost version the generated messages implement [`prost::Message`] for.
pub use prost;
/// The prost-types version providing `google.protobuf` well-known types.
pub use prost_types;
/// The tonic version the generated clients and servers are built on.
pub use tonic;

/// Generated code, one module per protobuf package. The modules are siblings
/// so that prost's `super::<package>::Type` cross-package paths resolve.
#[rustfmt::skip]
mod generated {
    // Generated code: documentation comes from the .proto comments (not every
    // element has one), and prost/tonic output is not held to our lint set.
    #![allow(
        missing_docs,
        missing_debug_implementations,
        unreachable_pub,
        rust_2018_idioms,
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::uninlined_format_args
    )]
    // Proto comments are prose, not rustdoc. They currently render cleanly,
    // but a future comment such as `[start, end]` or `<key>` must not break
    // `cargo doc -D warnings`; these lints are relaxed for generated code only.
    #![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, rustdoc::bare_urls)]

    pub mod common {
        include!("generated/common.rs");
    }
    pub mod msp {
        include!("generated/msp.rs");
    }
    pub mod protos {
        include!("generated/protos.rs");
    }
    pub mod queryresult {
        include!("generated/queryresult.rs");
    }
    pub mod orderer {
        include!("generated/orderer.rs");
    }
    pub mod gateway {
        include!("generated/gateway.rs");
    }
    pub mod lifecycle {
        include!("generated/lifecycle.rs");
    }
}

/// Package `common`: envelopes, headers, blocks, signature policies, MSP
/// principals and the channel config tree with its updates
/// (`common/common.proto`, `common/policies.proto`, `msp/msp_principal.proto`,
/// `common/configtx.proto`, `common/configuration.proto`).
pub mod common {
    pub use crate::generated::common::*;
}

/// Package `msp`: serialized identities and MSP definitions as carried in
/// channel config (`msp/identities.proto`, `msp/msp_config.proto`).
pub mod msp {
    pub use crate::generated::msp::*;
}

/// Package `protos`: the chaincode shim protocol, proposals, responses,
/// transactions and the `ChaincodeSupport`, `Chaincode` and `Endorser`
/// services, anchor peers and ACLs, application (endorsement) policies and
/// private data collections (`peer/*.proto`).
pub mod peer {
    pub use crate::generated::protos::*;
}

/// Package `queryresult`: range/rich query and history results
/// (`ledger/queryresult/kv_query_result.proto`).
pub mod queryresult {
    pub use crate::generated::queryresult::*;
}

/// Package `orderer`: the `AtomicBroadcast` service and the orderer config
/// values (`orderer/ab.proto`, `orderer/configuration.proto`).
pub mod orderer {
    pub use crate::generated::orderer::*;
}

/// Package `gateway`: the Fabric Gateway service (`gateway/gateway.proto`).
pub mod gateway {
    pub use crate::generated::gateway::*;
}

/// Package `lifecycle`: arguments and results of the `_lifecycle` system
/// chaincode (`peer/lifecycle/lifecycle.proto`).
pub mod lifecycle {
    pub use crate::generated::lifecycle::*;
}

/// Encoded `google.protobuf.FileDescriptorSet` of all vendored files plus
/// their imports (`google/protobuf/timestamp.proto`), without source info.
/// Useful for gRPC server reflection and descriptor-based tooling.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!("generated/file_descriptor_set.bin");

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;
    use prost_types::FileDescriptorSet;

    fn fds() -> FileDescriptorSet {
        FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("descriptor set decodes")
    }

    #[test]
    fn descriptor_set_contains_every_file() {
        let set = fds();
        let mut names: Vec<(&str, &str)> = set.file.iter().map(|f| (f.name(), f.package())).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                ("common/common.proto", "common"),
                ("common/configtx.proto", "common"),
                ("common/configuration.proto", "common"),
                ("common/policies.proto", "common"),
                ("gateway/gateway.proto", "gateway"),
                ("google/protobuf/timestamp.proto", "google.protobuf"),
                ("ledger/queryresult/kv_query_result.proto", "queryresult"),
                ("msp/identities.proto", "msp"),
                ("msp/msp_config.proto", "msp"),
                ("msp/msp_principal.proto", "common"),
                ("orderer/ab.proto", "orderer"),
                ("orderer/configuration.proto", "orderer"),
                ("peer/chaincode.proto", "protos"),
                ("peer/chaincode_event.proto", "protos"),
                ("peer/chaincode_shim.proto", "protos"),
                ("peer/collection.proto", "protos"),
                ("peer/configuration.proto", "protos"),
                ("peer/lifecycle/lifecycle.proto", "lifecycle"),
                ("peer/peer.proto", "protos"),
                ("peer/policy.proto", "protos"),
                ("peer/proposal.proto", "protos"),
                ("peer/proposal_response.proto", "protos"),
                ("peer/transaction.proto", "protos"),
            ]
        );
        assert!(set.file.iter().all(|f| f.source_code_info.is_none()));
    }

    const SHIM_TYPES: [(i32, &str); 25] = [
        (0, "UNDEFINED"),
        (1, "REGISTER"),
        (2, "REGISTERED"),
        (3, "INIT"),
        (4, "READY"),
        (5, "TRANSACTION"),
        (6, "COMPLETED"),
        (7, "ERROR"),
        (8, "GET_STATE"),
        (9, "PUT_STATE"),
        (10, "DEL_STATE"),
        (11, "INVOKE_CHAINCODE"),
        (13, "RESPONSE"),
        (14, "GET_STATE_BY_RANGE"),
        (15, "GET_QUERY_RESULT"),
        (16, "QUERY_STATE_NEXT"),
        (17, "QUERY_STATE_CLOSE"),
        (18, "KEEPALIVE"),
        (19, "GET_HISTORY_FOR_KEY"),
        (20, "GET_STATE_METADATA"),
        (21, "PUT_STATE_METADATA"),
        (22, "GET_PRIVATE_DATA_HASH"),
        (23, "PURGE_PRIVATE_DATA"),
        (24, "WRITE_BATCH_STATE"),
        (25, "GET_STATE_MULTIPLE"),
    ];

    #[test]
    fn chaincode_message_type_values_in_descriptor() {
        let set = fds();
        let shim =
            set.file.iter().find(|f| f.name() == "peer/chaincode_shim.proto").expect("chaincode_shim.proto present");
        let msg = shim.message_type.iter().find(|m| m.name() == "ChaincodeMessage").expect("ChaincodeMessage present");
        let ty = msg.enum_type.iter().find(|e| e.name() == "Type").expect("ChaincodeMessage.Type present");
        let values: Vec<(i32, &str)> = ty.value.iter().map(|v| (v.number(), v.name())).collect();
        assert_eq!(values, SHIM_TYPES);
    }

    #[test]
    fn chaincode_message_type_rust_enum() {
        use peer::chaincode_message::Type;
        for (number, name) in SHIM_TYPES {
            let ty = Type::try_from(number).expect("known value");
            assert_eq!(ty.as_str_name(), name);
            assert_eq!(Type::from_str_name(name), Some(ty));
            assert_eq!(ty as i32, number);
        }
        assert!(Type::try_from(12).is_err());
        assert!(Type::try_from(26).is_err());
    }

    /// The codegen boxes `proposal` and `chaincode_event`: the shim moves this value through its stream layers
    /// several times per message, and unboxed it is 248 bytes.
    #[test]
    fn chaincode_message_stays_small() {
        assert!(
            std::mem::size_of::<peer::ChaincodeMessage>() <= 128,
            "{}",
            std::mem::size_of::<peer::ChaincodeMessage>()
        );
    }

    #[test]
    fn chaincode_message_round_trip() {
        let input = peer::ChaincodeInput {
            args: vec![b"put".to_vec(), b"k".to_vec(), b"v".to_vec()],
            decorations: [("d".to_owned(), b"x".to_vec())].into_iter().collect(),
            is_init: false,
        };
        let msg = peer::ChaincodeMessage {
            r#type: peer::chaincode_message::Type::Transaction.into(),
            timestamp: Some(prost_types::Timestamp { seconds: 1_700_000_000, nanos: 5 }),
            payload: input.encode_to_vec(),
            txid: "tx1".to_owned(),
            proposal: Some(Box::new(peer::SignedProposal { proposal_bytes: vec![1, 2, 3], signature: vec![4] })),
            chaincode_event: Some(Box::new(peer::ChaincodeEvent {
                event_name: "evt".to_owned(),
                payload: b"p".to_vec(),
                ..Default::default()
            })),
            channel_id: "mychannel".to_owned(),
        };
        let bytes = msg.encode_to_vec();
        let back = peer::ChaincodeMessage::decode(bytes.as_slice()).expect("decodes");
        assert_eq!(back, msg);
        assert_eq!(back.r#type(), peer::chaincode_message::Type::Transaction);
        let input_back = peer::ChaincodeInput::decode(back.payload.as_slice()).expect("decodes");
        assert_eq!(input_back, input);
    }

    #[test]
    fn known_wire_bytes() {
        // GetState{key: "a", collection: ""}: field 1, wire type 2, len 1.
        let get = peer::GetState { key: "a".to_owned(), collection: String::new() };
        assert_eq!(get.encode_to_vec(), [0x0a, 0x01, b'a']);
        // REGISTER with ChaincodeID{name: "cc"} as payload.
        let id = peer::ChaincodeId { name: "cc".to_owned(), ..Default::default() };
        let msg = peer::ChaincodeMessage {
            r#type: peer::chaincode_message::Type::Register.into(),
            payload: id.encode_to_vec(),
            ..Default::default()
        };
        assert_eq!(msg.encode_to_vec(), [0x08, 0x01, 0x1a, 0x04, 0x12, 0x02, b'c', b'c']);
        // WriteRecord.Type reuses the ChaincodeMessage numbers.
        assert_eq!(peer::write_record::Type::PurgePrivateData as i32, 23);
    }

    #[test]
    fn batch_and_multiple_round_trip() {
        let batch = peer::WriteBatchState {
            rec: vec![
                peer::WriteRecord {
                    key: "k1".to_owned(),
                    value: b"v1".to_vec(),
                    r#type: peer::write_record::Type::PutState.into(),
                    ..Default::default()
                },
                peer::WriteRecord {
                    key: "k2".to_owned(),
                    collection: "pdc".to_owned(),
                    metadata: Some(peer::StateMetadata { metakey: "VALIDATION_PARAMETER".to_owned(), value: vec![9] }),
                    r#type: peer::write_record::Type::PutStateMetadata.into(),
                    ..Default::default()
                },
            ],
        };
        let back = peer::WriteBatchState::decode(batch.encode_to_vec().as_slice()).expect("decodes");
        assert_eq!(back, batch);

        let result = peer::GetStateMultipleResult { values: vec![b"a".to_vec(), Vec::new(), b"c".to_vec()] };
        let back = peer::GetStateMultipleResult::decode(result.encode_to_vec().as_slice()).expect("decodes");
        assert_eq!(back.values.len(), 3);
        assert!(back.values[1].is_empty());
    }

    #[test]
    fn cross_package_types_round_trip() {
        let policy = common::SignaturePolicyEnvelope {
            version: 0,
            rule: Some(common::SignaturePolicy {
                r#type: Some(common::signature_policy::Type::NOutOf(common::signature_policy::NOutOf {
                    n: 1,
                    rules: vec![common::SignaturePolicy { r#type: Some(common::signature_policy::Type::SignedBy(0)) }],
                })),
            }),
            identities: vec![common::MspPrincipal {
                principal_classification: common::msp_principal::Classification::Role.into(),
                principal: common::MspRole {
                    msp_identifier: "Org1MSP".to_owned(),
                    role: common::msp_role::MspRoleType::Peer.into(),
                }
                .encode_to_vec(),
            }],
        };
        let back = common::SignaturePolicyEnvelope::decode(policy.encode_to_vec().as_slice()).expect("decodes");
        assert_eq!(back, policy);

        let id =
            msp::SerializedIdentity { mspid: "Org1MSP".to_owned(), id_bytes: b"-----BEGIN CERTIFICATE-----".to_vec() };
        let kv = queryresult::Kv { namespace: "cc".to_owned(), key: "k".to_owned(), value: id.encode_to_vec() };
        let back = queryresult::Kv::decode(kv.encode_to_vec().as_slice()).expect("decodes");
        assert_eq!(msp::SerializedIdentity::decode(back.value.as_slice()).expect("decodes"), id);

        let status =
            gateway::CommitStatusResponse { result: peer::TxValidationCode::MvccReadConflict.into(), block_number: 7 };
        let back = gateway::CommitStatusResponse::decode(status.encode_to_vec().as_slice()).expect("decodes");
        assert_eq!(back.result(), peer::TxValidationCode::MvccReadConflict);
    }

    /// The paths dependent crates are written against; this fails to compile
    /// if a rename in the protos or in prost's naming breaks them.
    #[test]
    fn consumer_paths_exist() {
        #[allow(unused_imports)]
        use crate::{
            common::{
                ChannelHeader, Header, MspPrincipal, MspRole, SignatureHeader, SignaturePolicy, SignaturePolicyEnvelope,
            },
            msp::SerializedIdentity,
            peer::{
                ChaincodeAdditionalParams, ChaincodeEvent, ChaincodeId, ChaincodeInput, ChaincodeMessage,
                ChaincodeProposalPayload, ChaincodeSpec, DelState, GetHistoryForKey, GetQueryResult, GetState,
                GetStateByRange, GetStateMetadata, GetStateMultiple, GetStateMultipleResult, Proposal, PutState,
                PutStateMetadata, QueryMetadata, QueryResponse, QueryResponseMetadata, QueryResultBytes,
                QueryStateClose, QueryStateNext, Response, SignedProposal, StateMetadata, StateMetadataResult,
                WriteBatchState, WriteRecord,
                chaincode_client::ChaincodeClient,
                chaincode_message::Type,
                chaincode_server::{Chaincode, ChaincodeServer},
                chaincode_support_client::ChaincodeSupportClient,
                chaincode_support_server::{ChaincodeSupport, ChaincodeSupportServer},
            },
            queryresult::{KeyModification, Kv},
        };
        let range = GetStateByRange { start_key: "a".to_owned(), end_key: "b".to_owned(), ..Default::default() };
        assert_eq!(range.start_key, "a");
        let meta = QueryMetadata { page_size: 10, bookmark: String::new() };
        assert_eq!(meta.page_size, 10);
        let payload = ChaincodeProposalPayload::default();
        assert!(payload.transient_map.is_empty());
        let bytes = QueryResultBytes::default();
        assert!(bytes.result_bytes.is_empty());
    }

    #[test]
    fn service_paths() {
        assert_eq!(peer::chaincode_support_server::SERVICE_NAME, "protos.ChaincodeSupport");
        assert_eq!(peer::chaincode_server::SERVICE_NAME, "protos.Chaincode");
        assert_eq!(gateway::gateway_server::SERVICE_NAME, "gateway.Gateway");
    }

    #[test]
    fn config_update_envelope_round_trip() {
        use std::collections::HashMap;
        let anchors = peer::AnchorPeers {
            anchor_peers: vec![peer::AnchorPeer { host: "peer0.c.example".to_owned(), port: 7051 }],
        };
        let value = common::ConfigValue { version: 0, value: anchors.encode_to_vec(), mod_policy: "Admins".to_owned() };
        let org = common::ConfigGroup {
            values: HashMap::from([("AnchorPeers".to_owned(), value)]),
            mod_policy: "Admins".to_owned(),
            ..Default::default()
        };
        let update = common::ConfigUpdate {
            channel_id: "energy".to_owned(),
            write_set: Some(common::ConfigGroup {
                groups: HashMap::from([("COrgMSP".to_owned(), org)]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let envelope = common::ConfigUpdateEnvelope { config_update: update.encode_to_vec(), signatures: vec![] };
        let back = common::ConfigUpdateEnvelope::decode(envelope.encode_to_vec().as_slice()).expect("decodes");
        let update_back = common::ConfigUpdate::decode(back.config_update.as_slice()).expect("decodes");
        let group = &update_back.write_set.expect("write set").groups["COrgMSP"];
        let anchors_back =
            peer::AnchorPeers::decode(group.values["AnchorPeers"].value.as_slice()).expect("anchor peers decode");
        assert_eq!(anchors_back, anchors);
    }

    #[test]
    fn lifecycle_args_field_numbers() {
        // sequence=1 (varint 2), name=2 ("cc"): the bytes `peer lifecycle` sends.
        let args =
            lifecycle::CommitChaincodeDefinitionArgs { sequence: 2, name: "cc".to_owned(), ..Default::default() };
        assert_eq!(args.encode_to_vec(), [0x08, 0x02, 0x12, 0x02, b'c', b'c']);
    }
}
