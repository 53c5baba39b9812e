//! The `_lifecycle` answer the network page decodes, declared here with the fields it reads
//! (the project's protos do not include `common/ledger.proto` or `peer/lifecycle/query.proto`).
//! Field numbers checked against fabric-protos-go-apiv2 v0.3.7 (`common/ledger.pb.go`, `peer/policy.pb.go`,
//! `peer/lifecycle/lifecycle.pb.go`), the release our protos are conformance-checked against.

use prost::Message;

use crate::model::ChaincodeDefinition;
use crate::source::SourceError;

/// `lifecycle.QueryChaincodeDefinitionsResult`.
#[derive(Clone, PartialEq, Message)]
struct Definitions {
    #[prost(message, repeated, tag = "1")]
    chaincode_definitions: Vec<Definition>,
}

/// `lifecycle.QueryChaincodeDefinitionsResult.ChaincodeDefinition`: the fields shown.
#[derive(Clone, PartialEq, Message)]
struct Definition {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(int64, tag = "2")]
    sequence: i64,
    #[prost(string, tag = "3")]
    version: String,
    #[prost(bytes = "vec", tag = "6")]
    validation_parameter: Vec<u8>,
}

/// `peer.ApplicationPolicy`: a signature policy or a reference to a channel policy.
#[derive(Clone, PartialEq, Message)]
struct ApplicationPolicy {
    #[prost(bytes = "vec", optional, tag = "1")]
    signature_policy: Option<Vec<u8>>,
    #[prost(string, optional, tag = "2")]
    channel_config_policy_reference: Option<String>,
}

fn malformed(what: &str) -> impl FnOnce(prost::DecodeError) -> SourceError + '_ {
    move |e| SourceError::Malformed(format!("{what}: {e}"))
}

/// The committed chaincode definitions in a `_lifecycle` `QueryChaincodeDefinitions` answer, by name.
pub(crate) fn definitions(payload: &[u8]) -> Result<Vec<ChaincodeDefinition>, SourceError> {
    let all = Definitions::decode(payload).map_err(malformed("QueryChaincodeDefinitionsResult"))?;
    let mut out: Vec<ChaincodeDefinition> = all
        .chaincode_definitions
        .into_iter()
        .map(|d| ChaincodeDefinition {
            policy: policy(&d.validation_parameter),
            name: d.name,
            version: d.version,
            sequence: d.sequence,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A chaincode's endorsement policy as text: the channel policy it refers to, or that it is its own signature
/// policy (its rules are not spelled out here).
fn policy(validation_parameter: &[u8]) -> String {
    match ApplicationPolicy::decode(validation_parameter) {
        Ok(ApplicationPolicy { channel_config_policy_reference: Some(name), .. }) => name,
        Ok(ApplicationPolicy { signature_policy: Some(_), .. }) => "signature policy".into(),
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_definitions() {
        let reference = ApplicationPolicy {
            channel_config_policy_reference: Some("/Channel/Application/Endorsement".into()),
            ..ApplicationPolicy::default()
        };
        let signature = ApplicationPolicy { signature_policy: Some(vec![1]), ..ApplicationPolicy::default() };
        let defs = Definitions {
            chaincode_definitions: vec![
                Definition {
                    name: "trade".into(),
                    sequence: 2,
                    version: "1.1".into(),
                    validation_parameter: reference.encode_to_vec(),
                },
                Definition {
                    name: "metering".into(),
                    sequence: 1,
                    version: "1.0".into(),
                    validation_parameter: signature.encode_to_vec(),
                },
            ],
        };
        let got = definitions(&defs.encode_to_vec()).unwrap_or_default();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].name.as_str(), got[0].policy.as_str()), ("metering", "signature policy"));
        assert_eq!(
            (got[1].name.as_str(), got[1].sequence, got[1].policy.as_str()),
            ("trade", 2, "/Channel/Application/Endorsement")
        );
        assert!(matches!(definitions(&[0xff, 0xff]), Err(SourceError::Malformed(_))));
    }
}
