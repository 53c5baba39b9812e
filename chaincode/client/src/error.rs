//! What can go wrong talking to a gateway. Messages quote peers through [`crate::text::peer_message`], so an
//! error is always short and one line per peer.

use std::path::PathBuf;

use crate::text::{peer_message, quote};

/// The errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file (certificate, key, CA) could not be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A PEM text is malformed.
    #[error("malformed PEM")]
    Pem(#[from] pem::PemError),
    /// A certificate or private key is missing or unusable.
    #[error("{0}")]
    Identity(String),
    /// An MSP directory (`signcerts/`, `keystore/`) does not hold exactly one file.
    #[error("{}: {problem}", dir.display())]
    MspDirectory {
        /// The directory.
        dir: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The peer address is not `host:port`.
    #[error("bad peer address {} (want host:port)", quote(.0))]
    Address(String),
    /// The TLS configuration (CA, client certificate) was refused.
    #[error("TLS configuration of the connection to {address}")]
    Tls {
        /// The peer.
        address: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
    /// The peer could not be reached.
    #[error("cannot reach the gateway peer at {address} (is the network up? the right address and TLS CA?)")]
    Connect {
        /// The peer.
        address: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
    /// A gateway call failed: the gateway's message plus each endorser's or orderer's detail.
    #[error("{call}: {}", describe(status))]
    Rpc {
        /// Which call (`evaluate`, `endorse`, `submit <tx id>`...).
        call: String,
        /// The gRPC status.
        status: Box<tonic::Status>,
    },
    /// The transaction committed, but as invalid.
    #[error("transaction {tx_id} committed in block {block} as invalid: {code}")]
    Invalid {
        /// Transaction id.
        tx_id: String,
        /// Block that holds it.
        block: u64,
        /// Fabric's validation code name (`MVCC_READ_CONFLICT`...).
        code: String,
    },
    /// A system chaincode (qscc, `_lifecycle`) answered with an error status.
    #[error("{function}: status {status}: {}", peer_message(message))]
    Chaincode {
        /// The function called.
        function: String,
        /// The response status.
        status: i32,
        /// The response message.
        message: String,
    },
    /// The gateway answered with something that is not what Fabric sends.
    #[error("unexpected gateway answer: {0}")]
    Malformed(&'static str),
    /// The operating system gave no randomness (nonce, signature).
    #[error("no system randomness")]
    Random,
    /// The system clock is before 1970.
    #[error("the system clock is before 1970")]
    Clock,
    /// The orderer refused a request or answered something unexpected (message already short).
    #[error("{0}")]
    Orderer(String),
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC status of a failed gateway call.
    pub fn status(&self) -> Option<&tonic::Status> {
        match self {
            Error::Rpc { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The chaincode's own refusal behind a failed evaluate or endorse: its status and message exactly as the
    /// chaincode returned them. The gateway reports them in an endorser's detail as `chaincode response STATUS,
    /// MESSAGE` (Fabric's gateway `responseStatus`); `None` when no endorser ran the chaincode to an error status
    /// (an ACL refusal, an unreachable peer, a crashed chaincode).
    pub fn chaincode_response(&self) -> Option<(i32, String)> {
        use gridledger_protos::gateway::ErrorDetail;
        use prost::Message as _;
        let rpc = RpcStatus::decode(self.status()?.details()).ok()?;
        rpc.details.iter().filter_map(|any| ErrorDetail::decode(any.value.as_slice()).ok()).find_map(|d| {
            let (status, message) = d.message.strip_prefix("chaincode response ")?.split_once(", ")?;
            Some((status.parse().ok()?, message.to_string()))
        })
    }

    pub(crate) fn rpc(call: impl Into<String>) -> impl FnOnce(tonic::Status) -> Error {
        let call = call.into();
        move |status| Error::Rpc { call, status: Box::new(status) }
    }
}

/// The `google.rpc.Status` carried in `grpc-status-details-bin`, to show the gateway's per-peer details.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// A gRPC error as text: the gateway's message plus each endorser's or orderer's detail
/// (`gateway.ErrorDetail`), every part clipped.
pub fn describe(status: &tonic::Status) -> String {
    use gridledger_protos::gateway::ErrorDetail;
    use prost::Message as _;
    let mut text = format!("{:?}: {}", status.code(), peer_message(status.message()));
    if let Ok(rpc) = RpcStatus::decode(status.details()) {
        for any in rpc.details {
            if let Ok(d) = ErrorDetail::decode(any.value.as_slice()) {
                let (address, msp) = (peer_message(&d.address), peer_message(&d.msp_id));
                text.push_str(&format!("\n  {address} ({msp}): {}", peer_message(&d.message)));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;
    use crate::text::MAX_PEER_MESSAGE;

    #[test]
    fn rpc_errors_show_each_peer_short() {
        let echoed = format!("no order {}", "x".repeat(1 << 20));
        assert!(describe(&tonic::Status::aborted(echoed.clone())).len() < MAX_PEER_MESSAGE + 64);
        let detail = gridledger_protos::gateway::ErrorDetail {
            address: "peer0:7051".into(),
            msp_id: "GridMSP".into(),
            message: "chaincode response 404, no such asset".into(),
        };
        let any = prost_types::Any { type_url: "x".into(), value: detail.encode_to_vec() };
        let rpc = RpcStatus { code: 10, message: "failed".into(), details: vec![any] };
        let status = tonic::Status::with_details(tonic::Code::Aborted, "failed to endorse", rpc.encode_to_vec().into());
        let e = Error::rpc("endorse")(status);
        assert_eq!(
            e.to_string(),
            "endorse: Aborted: failed to endorse\n  peer0:7051 (GridMSP): chaincode response 404, no such asset"
        );
        assert_eq!(e.status().map(tonic::Status::code), Some(tonic::Code::Aborted));
        assert_eq!(e.chaincode_response(), Some((404, "no such asset".into())));
    }

    #[test]
    fn a_chaincode_response_is_found_only_in_a_chaincode_detail() {
        let with = |messages: &[&str]| {
            let details = messages
                .iter()
                .map(|m| {
                    let d = gridledger_protos::gateway::ErrorDetail {
                        address: "peer0:7051".into(),
                        msp_id: "GridMSP".into(),
                        message: (*m).into(),
                    };
                    prost_types::Any { type_url: "x".into(), value: d.encode_to_vec() }
                })
                .collect();
            let rpc = RpcStatus { code: 2, message: "failed".into(), details };
            Error::rpc("evaluate")(tonic::Status::with_details(tonic::Code::Unknown, "x", rpc.encode_to_vec().into()))
        };
        // The message is kept whole, commas and all; an empty message stays empty.
        let first = with(&["access denied", "chaincode response 409, a, b", "chaincode response 500, other"]);
        assert_eq!(first.chaincode_response(), Some((409, "a, b".into())));
        assert_eq!(with(&["chaincode response 403, "]).chaincode_response(), Some((403, String::new())));
        assert_eq!(with(&["access denied: channel [energy] creator org unknown"]).chaincode_response(), None);
        assert_eq!(
            Error::rpc("evaluate")(tonic::Status::aborted("chaincode response 409, x")).chaincode_response(),
            None
        );
        assert_eq!(Error::Malformed("x").chaincode_response(), None);
    }
}
