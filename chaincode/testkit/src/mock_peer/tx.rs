//! What a test sends (INIT/TRANSACTION with an optional signed proposal) and what it gets back.

use std::collections::BTreeMap;

use gridledger_protos::common::{ChannelHeader, Header, HeaderType, SignatureHeader};
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    self, ChaincodeEvent, ChaincodeInput, ChaincodeMessage, ChaincodeProposalPayload, Proposal, SignedProposal,
};
use gridledger_protos::prost::Message;
use gridledger_protos::prost_types::Timestamp;

/// One INIT or TRANSACTION message to send to the chaincode.
#[derive(Debug, Clone)]
pub struct Tx {
    /// The channel.
    pub channel_id: String,
    /// The transaction id.
    pub tx_id: String,
    /// The input (args, decorations, is_init).
    pub input: ChaincodeInput,
    /// INIT instead of TRANSACTION.
    pub init: bool,
    /// The signed proposal, if any (system-style calls have none).
    pub proposal: Option<SignedProposal>,
    /// Sent instead of the encoded input, to feed the chaincode an undecodable payload.
    pub raw_payload: Option<Vec<u8>>,
}

impl Tx {
    /// A TRANSACTION with these arguments (function name first).
    pub fn new<A: AsRef<[u8]>>(channel_id: &str, tx_id: &str, args: impl IntoIterator<Item = A>) -> Self {
        Self {
            channel_id: channel_id.to_string(),
            tx_id: tx_id.to_string(),
            input: ChaincodeInput {
                args: args.into_iter().map(|a| a.as_ref().to_vec()).collect(),
                ..Default::default()
            },
            init: false,
            proposal: None,
            raw_payload: None,
        }
    }

    /// Sends it as INIT (with `is_init` set, as the peer does).
    pub fn init(mut self) -> Self {
        self.init = true;
        self.input.is_init = true;
        self
    }

    /// Attaches a signed proposal.
    pub fn with_proposal(mut self, proposal: SignedProposal) -> Self {
        self.proposal = Some(proposal);
        self
    }

    /// Adds a decoration, as the peer copies them from the proposal.
    pub fn with_decoration(mut self, name: &str, value: &[u8]) -> Self {
        self.input.decorations.insert(name.to_string(), value.to_vec());
        self
    }

    /// Replaces the payload with raw bytes.
    pub fn with_raw_payload(mut self, payload: Vec<u8>) -> Self {
        self.raw_payload = Some(payload);
        self
    }

    /// The wire message.
    pub fn message(&self) -> ChaincodeMessage {
        let kind = if self.init { Type::Init } else { Type::Transaction };
        ChaincodeMessage {
            r#type: kind as i32,
            payload: self.raw_payload.clone().unwrap_or_else(|| self.input.encode_to_vec()),
            txid: self.tx_id.clone(),
            channel_id: self.channel_id.clone(),
            proposal: self.proposal.clone().map(Box::new),
            ..Default::default()
        }
    }
}

/// How a transaction ended, as the peer saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// COMPLETED with the chaincode's response and optional event.
    Completed {
        /// The decoded response (an undecodable one reads as status 0 with the error as message).
        response: peer::Response,
        /// The event, if the chaincode set one.
        event: Option<ChaincodeEvent>,
    },
    /// ERROR with its text.
    Error(String),
}

impl Outcome {
    pub(crate) fn from_message(msg: &ChaincodeMessage) -> Self {
        if msg.r#type == Type::Completed as i32 {
            let response = peer::Response::decode(msg.payload.as_slice()).unwrap_or_else(|e| peer::Response {
                status: 0,
                message: format!("undecodable Response: {e}"),
                payload: Vec::new(),
            });
            Self::Completed { response, event: msg.chaincode_event.as_deref().cloned() }
        } else {
            Self::Error(String::from_utf8_lossy(&msg.payload).into_owned())
        }
    }

    /// The response status; `None` for ERROR.
    pub fn status(&self) -> Option<i32> {
        match self {
            Self::Completed { response, .. } => Some(response.status),
            Self::Error(_) => None,
        }
    }

    /// The response payload as text (lossy); empty for ERROR.
    pub fn payload_text(&self) -> String {
        match self {
            Self::Completed { response, .. } => String::from_utf8_lossy(&response.payload).into_owned(),
            Self::Error(_) => String::new(),
        }
    }

    /// The response message, or the ERROR text.
    pub fn message(&self) -> &str {
        match self {
            Self::Completed { response, .. } => &response.message,
            Self::Error(text) => text,
        }
    }

    /// The event, if any.
    pub fn event(&self) -> Option<&ChaincodeEvent> {
        match self {
            Self::Completed { event, .. } => event.as_ref(),
            Self::Error(_) => None,
        }
    }
}

/// Builds a real `SignedProposal` (Proposal -> Header -> ChannelHeader + SignatureHeader; payload with transient map).
#[derive(Debug, Clone)]
pub struct ProposalBuilder {
    /// ChannelHeader.channel_id.
    pub channel_id: String,
    /// ChannelHeader.tx_id.
    pub tx_id: String,
    /// ChannelHeader.type.
    pub header_type: HeaderType,
    /// ChannelHeader.epoch.
    pub epoch: u64,
    /// ChannelHeader.timestamp.
    pub timestamp: Timestamp,
    /// SignatureHeader.creator (serialized identity bytes).
    pub creator: Vec<u8>,
    /// SignatureHeader.nonce.
    pub nonce: Vec<u8>,
    /// ChaincodeProposalPayload.TransientMap.
    pub transient: BTreeMap<String, Vec<u8>>,
    /// SignedProposal.signature (nobody checks it here).
    pub signature: Vec<u8>,
}

impl ProposalBuilder {
    /// An endorser-transaction proposal with a fixed timestamp, nonce and creator.
    pub fn new(channel_id: &str, tx_id: &str) -> Self {
        Self {
            channel_id: channel_id.to_string(),
            tx_id: tx_id.to_string(),
            header_type: HeaderType::EndorserTransaction,
            epoch: 0,
            timestamp: Timestamp { seconds: 1_750_000_000, nanos: 123_000_000 },
            creator: serialized_identity("Org1MSP", b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
            nonce: b"nonce-0123456789".to_vec(),
            transient: BTreeMap::new(),
            signature: b"not a signature".to_vec(),
        }
    }

    /// Encodes the chain.
    pub fn build(&self) -> SignedProposal {
        let channel_header = ChannelHeader {
            r#type: self.header_type as i32,
            channel_id: self.channel_id.clone(),
            tx_id: self.tx_id.clone(),
            epoch: self.epoch,
            timestamp: Some(self.timestamp),
            ..Default::default()
        };
        let signature_header = SignatureHeader { creator: self.creator.clone(), nonce: self.nonce.clone() };
        let header = Header {
            channel_header: channel_header.encode_to_vec(),
            signature_header: signature_header.encode_to_vec(),
        };
        let payload = ChaincodeProposalPayload {
            transient_map: self.transient.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ..Default::default()
        };
        let proposal =
            Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), ..Default::default() };
        SignedProposal { proposal_bytes: proposal.encode_to_vec(), signature: self.signature.clone() }
    }
}

/// `msp.SerializedIdentity` bytes, the creator format of a proposal.
pub fn serialized_identity(mspid: &str, cert_pem: &[u8]) -> Vec<u8> {
    SerializedIdentity { mspid: mspid.to_string(), id_bytes: cert_pem.to_vec() }.encode_to_vec()
}
