//! The immutable facts of one transaction, decoded once from the peer's message.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use gridledger_protos::common::{ChannelHeader, HeaderType};
use gridledger_protos::peer::{ChaincodeInput, ChaincodeProposalPayload, SignedProposal};
use gridledger_protos::prost::Message;
use gridledger_protos::prost_types::Timestamp;
use prost::bytes::Bytes;
use ring::digest;

use crate::error::{Error, Result};

mod views;

/// Arguments, ids, creator, transient data and timestamp of one transaction.
///
/// Maps are `BTreeMap`s so that anything a chaincode derives from them iterates in a deterministic order.
#[derive(Debug, Clone, Default)]
pub struct TxContext {
    channel_id: String,
    tx_id: String,
    args: Vec<Vec<u8>>,
    is_init: bool,
    decorations: BTreeMap<String, Vec<u8>>,
    signed_proposal: Option<SignedProposal>,
    creator: Vec<u8>,
    transient: BTreeMap<String, Vec<u8>>,
    /// The proposal's nonce and epoch: with the creator, the inputs of the binding.
    nonce: Vec<u8>,
    epoch: u64,
    /// Computed on first use: hashing a kilobyte of creator per transaction is a measurable share of the shim's
    /// CPU, and most chaincode never asks for the binding.
    binding: OnceLock<Vec<u8>>,
    timestamp: Option<Timestamp>,
}

impl TxContext {
    /// A context with arguments only, for tests and system calls without a proposal.
    pub fn new(channel_id: impl Into<String>, tx_id: impl Into<String>, args: Vec<Vec<u8>>) -> Self {
        Self { channel_id: channel_id.into(), tx_id: tx_id.into(), args, ..Self::default() }
    }

    /// Decodes the peer's INIT/TRANSACTION parts the way Go's `newChaincodeStub` does.
    pub fn from_peer(
        channel_id: String,
        tx_id: String,
        input: ChaincodeInput,
        signed_proposal: Option<SignedProposal>,
    ) -> Result<Self> {
        let mut ctx = Self {
            channel_id,
            tx_id,
            args: input.args,
            is_init: input.is_init,
            decorations: input.decorations.into_iter().collect(),
            ..Self::default()
        };
        if let Some(mut signed) = signed_proposal {
            // Lent to the decoder as `Bytes` and taken back afterwards: no copy when nothing else holds it.
            let bytes = Bytes::from(std::mem::take(&mut signed.proposal_bytes));
            ctx.apply_proposal(bytes.clone())?;
            signed.proposal_bytes = Vec::from(bytes);
            ctx.signed_proposal = Some(signed);
        }
        Ok(ctx)
    }

    /// Decodes the proposal in `bytes`: every field is a slice of that one buffer (see `views`), and only what the
    /// context keeps is copied out.
    fn apply_proposal(&mut self, bytes: Bytes) -> Result<()> {
        let proposal = views::Proposal::decode(bytes).map_err(|e| bad("proposal", e))?;
        if proposal.header.is_empty() {
            return Err(Error::InvalidProposal("proposal header is empty".into()));
        }
        let header = views::Header::decode(proposal.header).map_err(|e| bad("header", e))?;
        let channel_header = ChannelHeader::decode(header.channel_header).map_err(|e| bad("channel header", e))?;
        let kind = channel_header.r#type;
        if kind != HeaderType::EndorserTransaction as i32 && kind != HeaderType::Config as i32 {
            return Err(Error::InvalidProposal(format!(
                "channel header type {kind}; expected ENDORSER_TRANSACTION or CONFIG"
            )));
        }
        let signature_header =
            views::SignatureHeader::decode(header.signature_header).map_err(|e| bad("signature header", e))?;
        let payload = ChaincodeProposalPayload::decode(proposal.payload).map_err(|e| bad("proposal payload", e))?;

        self.nonce = signature_header.nonce.to_vec();
        self.epoch = channel_header.epoch;
        self.creator = signature_header.creator.to_vec();
        self.transient = payload.transient_map.into_iter().collect();
        self.timestamp = channel_header.timestamp;
        Ok(())
    }

    /// Sets the creator (serialized identity), as a proposal would.
    pub fn with_creator(mut self, creator: Vec<u8>) -> Self {
        // The binding is the proposal's: fix it before the creator changes.
        self.binding();
        self.creator = creator;
        self
    }
    /// Sets the transient map.
    pub fn with_transient(mut self, transient: BTreeMap<String, Vec<u8>>) -> Self {
        self.transient = transient;
        self
    }
    /// Sets the transaction timestamp.
    pub fn with_timestamp(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }
    /// Marks the context as an INIT call.
    pub fn with_init(mut self, is_init: bool) -> Self {
        self.is_init = is_init;
        self
    }

    /// The channel.
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }
    /// The transaction id.
    pub fn tx_id(&self) -> &str {
        &self.tx_id
    }
    /// All arguments.
    pub fn args(&self) -> &[Vec<u8>] {
        &self.args
    }
    /// The arguments as strings; names the first argument that is not UTF-8.
    pub fn string_args(&self) -> Result<Vec<String>> {
        self.args
            .iter()
            .enumerate()
            .map(|(i, arg)| {
                String::from_utf8(arg.clone())
                    .map_err(|_| Error::InvalidArgument(format!("argument {i} is not valid UTF-8")))
            })
            .collect()
    }
    /// Whether the peer sent this as INIT.
    pub fn is_init(&self) -> bool {
        self.is_init
    }
    /// Decorations.
    pub fn decorations(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.decorations
    }
    /// The signed proposal, if any.
    pub fn signed_proposal(&self) -> Option<&SignedProposal> {
        self.signed_proposal.as_ref()
    }
    /// The creator's serialized identity.
    pub fn creator(&self) -> &[u8] {
        &self.creator
    }
    /// The transient map.
    pub fn transient(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.transient
    }
    /// The binding: SHA-256(nonce || creator || epoch) of the proposal; empty without a proposal.
    pub fn binding(&self) -> &[u8] {
        if self.signed_proposal.is_none() {
            return &[];
        }
        self.binding.get_or_init(|| binding(&self.nonce, &self.creator, self.epoch))
    }
    /// The transaction timestamp.
    pub fn timestamp(&self) -> Result<Timestamp> {
        self.timestamp.ok_or_else(|| Error::InvalidProposal("the transaction carries no timestamp".into()))
    }
}

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidProposal(format!("cannot decode {what}: {e}"))
}

/// SHA-256(nonce || creator || epoch as 8 little-endian bytes), Fabric's proposal binding.
fn binding(nonce: &[u8], creator: &[u8], epoch: u64) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(nonce);
    ctx.update(creator);
    ctx.update(&epoch.to_le_bytes());
    ctx.finish().as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use gridledger_protos::common::{Header, SignatureHeader};
    use gridledger_protos::peer::Proposal;
    use proptest::prelude::*;

    use super::*;

    fn signed(kind: HeaderType, creator: &[u8], nonce: &[u8]) -> SignedProposal {
        let channel_header = ChannelHeader {
            r#type: kind as i32,
            epoch: 7,
            timestamp: Some(Timestamp { seconds: 1_700_000_000, nanos: 5 }),
            ..Default::default()
        };
        let signature_header = SignatureHeader { creator: creator.to_vec(), nonce: nonce.to_vec() };
        let header = Header {
            channel_header: channel_header.encode_to_vec(),
            signature_header: signature_header.encode_to_vec(),
        };
        let payload = ChaincodeProposalPayload {
            transient_map: [("secret".to_string(), b"s".to_vec())].into_iter().collect(),
            ..Default::default()
        };
        let proposal =
            Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), ..Default::default() };
        SignedProposal { proposal_bytes: proposal.encode_to_vec(), signature: vec![] }
    }

    #[test]
    fn decodes_the_proposal_chain() {
        let ctx = TxContext::from_peer(
            "energy".into(),
            "tx1".into(),
            ChaincodeInput::default(),
            Some(signed(HeaderType::EndorserTransaction, b"me", b"n")),
        )
        .unwrap();
        assert_eq!(ctx.creator(), b"me");
        assert_eq!(ctx.transient().get("secret").map(Vec::as_slice), Some(&b"s"[..]));
        assert_eq!(ctx.timestamp().unwrap().seconds, 1_700_000_000);
        let mut expected = b"nme".to_vec();
        expected.extend_from_slice(&7u64.to_le_bytes());
        assert_eq!(ctx.binding(), digest::digest(&digest::SHA256, &expected).as_ref());
    }

    #[test]
    fn rejects_other_header_types() {
        let err = TxContext::from_peer(
            "c".into(),
            "t".into(),
            ChaincodeInput::default(),
            Some(signed(HeaderType::Message, b"me", b"n")),
        )
        .unwrap_err();
        assert!(err.to_string().contains("ENDORSER_TRANSACTION"), "{err}");
    }

    #[test]
    fn no_proposal_means_no_timestamp_and_no_binding() {
        let ctx = TxContext::new("c", "t", vec![]).with_creator(b"me".to_vec());
        assert!(ctx.timestamp().is_err());
        assert!(ctx.binding().is_empty());
    }

    #[test]
    fn the_binding_is_the_proposals_even_after_with_creator() {
        let signed = signed(HeaderType::EndorserTransaction, b"me", b"n");
        let ctx = TxContext::from_peer("c".into(), "t".into(), ChaincodeInput::default(), Some(signed)).unwrap();
        let expected = ctx.clone().binding().to_vec();
        assert_eq!(expected.len(), 32);
        assert_eq!(ctx.with_creator(b"other".to_vec()).binding(), expected.as_slice());
    }

    #[test]
    fn non_utf8_args_are_named() {
        let ctx = TxContext::new("c", "t", vec![b"ok".to_vec(), vec![0xff]]);
        assert_eq!(ctx.string_args().unwrap_err().to_string(), "invalid argument: argument 1 is not valid UTF-8");
    }

    proptest! {
        #[test]
        fn arbitrary_proposal_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let signed = SignedProposal { proposal_bytes: bytes, signature: vec![] };
            let _ = TxContext::from_peer("c".into(), "t".into(), ChaincodeInput::default(), Some(signed));
        }

        #[test]
        fn arbitrary_header_bytes_never_panic(
            header in proptest::collection::vec(any::<u8>(), 0..128),
            payload in proptest::collection::vec(any::<u8>(), 0..128),
        ) {
            let proposal = Proposal { header, payload, ..Default::default() };
            let signed = SignedProposal { proposal_bytes: proposal.encode_to_vec(), signature: vec![] };
            let _ = TxContext::from_peer("c".into(), "t".into(), ChaincodeInput::default(), Some(signed));
        }
    }
}
