//! Chaincode proposals as the Fabric Gateway expects them: a `ChannelHeader` of type ENDORSER_TRANSACTION with a
//! `ChaincodeHeaderExtension`, a `SignatureHeader` (creator + 24-byte nonce), and a `ChaincodeProposalPayload`
//! (`ChaincodeInvocationSpec` + transient map). The transaction id is hex(SHA-256(nonce ‖ creator)).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use gridledger_protos::common::{ChannelHeader, Envelope, Header, HeaderType, Payload, SignatureHeader};
use gridledger_protos::peer::{
    ChaincodeAction, ChaincodeActionPayload, ChaincodeHeaderExtension, ChaincodeId, ChaincodeInput,
    ChaincodeInvocationSpec, ChaincodeProposalPayload, ChaincodeSpec, Proposal, ProposalResponsePayload, Response,
    SignedProposal, Transaction, chaincode_spec,
};
use prost::Message as _;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom as _, SystemRandom};

use crate::error::{Error, Result};
use crate::identity::Signer;

/// Fabric's transaction id: lowercase hex of SHA-256(nonce ‖ creator).
pub fn tx_id(nonce: &[u8], creator: &[u8]) -> String {
    let mut buf = Vec::with_capacity(nonce.len() + creator.len());
    buf.extend_from_slice(nonce);
    buf.extend_from_slice(creator);
    hex::encode(digest(&SHA256, &buf))
}

/// A fresh 24-byte random nonce.
pub fn nonce() -> Result<[u8; 24]> {
    let mut n = [0u8; 24];
    SystemRandom::new().fill(&mut n).map_err(|_| Error::Random)?;
    Ok(n)
}

/// What to invoke.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// Channel name.
    pub channel: String,
    /// Chaincode name (as committed on the channel).
    pub chaincode: String,
    /// Function name followed by its arguments (`args[0]` for the chaincode).
    pub args: Vec<Vec<u8>>,
    /// Transient data: given to the chaincode, never written to the ledger.
    pub transient: HashMap<String, Vec<u8>>,
    /// MSP ids whose peers must endorse (empty: the gateway picks from the endorsement policy); for an evaluate, the
    /// organizations one of whose peers runs it.
    pub endorsing_orgs: Vec<String>,
}

impl Invocation {
    /// `function(args…)` of `chaincode` on `channel`, arguments as UTF-8; no transient data, and the gateway
    /// picks the endorsers.
    pub fn new<S: AsRef<str>>(channel: &str, chaincode: &str, function_and_args: impl IntoIterator<Item = S>) -> Self {
        Invocation {
            channel: channel.into(),
            chaincode: chaincode.into(),
            args: function_and_args.into_iter().map(|a| a.as_ref().as_bytes().to_vec()).collect(),
            ..Invocation::default()
        }
    }
}

/// A signed proposal and its transaction id.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The transaction id.
    pub tx_id: String,
    /// The proposal with the creator's signature.
    pub proposal: SignedProposal,
}

/// The current time as a header timestamp.
pub fn now() -> Result<prost_types::Timestamp> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|_| Error::Clock)?;
    Ok(prost_types::Timestamp { seconds: now.as_secs() as i64, nanos: now.subsec_nanos() as i32 })
}

/// Builds and signs the proposal for `inv` with `nonce`.
pub fn build(signer: &Signer, inv: &Invocation, nonce: &[u8]) -> Result<Signed> {
    let creator = signer.creator();
    let tx_id = tx_id(nonce, &creator);
    let cc_id = ChaincodeId { name: inv.chaincode.clone(), ..ChaincodeId::default() };
    let channel_header = ChannelHeader {
        r#type: HeaderType::EndorserTransaction as i32,
        timestamp: Some(now()?),
        channel_id: inv.channel.clone(),
        tx_id: tx_id.clone(),
        extension: ChaincodeHeaderExtension { chaincode_id: Some(cc_id.clone()) }.encode_to_vec(),
        ..ChannelHeader::default()
    };
    let header = Header {
        channel_header: channel_header.encode_to_vec(),
        signature_header: SignatureHeader { creator, nonce: nonce.to_vec() }.encode_to_vec(),
    };
    let spec = ChaincodeSpec {
        r#type: chaincode_spec::Type::Undefined as i32,
        chaincode_id: Some(cc_id),
        input: Some(ChaincodeInput { args: inv.args.clone(), ..ChaincodeInput::default() }),
        timeout: 0,
    };
    let payload = ChaincodeProposalPayload {
        input: ChaincodeInvocationSpec { chaincode_spec: Some(spec) }.encode_to_vec(),
        transient_map: inv.transient.clone(),
    };
    let proposal = Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), extension: vec![] };
    let proposal_bytes = proposal.encode_to_vec();
    let signature = signer.sign(&proposal_bytes)?;
    Ok(Signed { tx_id, proposal: SignedProposal { proposal_bytes, signature } })
}

/// The chaincode response inside a prepared transaction envelope (what the endorsers agreed on).
pub fn response_of(envelope: &Envelope) -> Result<Response> {
    let bad = || Error::Malformed("the prepared transaction is not a chaincode transaction");
    let payload = Payload::decode(envelope.payload.as_slice()).map_err(|_| bad())?;
    let tx = Transaction::decode(payload.data.as_slice()).map_err(|_| bad())?;
    let action = tx.actions.first().ok_or_else(bad)?;
    let cap = ChaincodeActionPayload::decode(action.payload.as_slice()).map_err(|_| bad())?;
    let endorsed = cap.action.ok_or_else(bad)?;
    let prp = ProposalResponsePayload::decode(endorsed.proposal_response_payload.as_slice()).map_err(|_| bad())?;
    let ca = ChaincodeAction::decode(prp.extension.as_slice()).map_err(|_| bad())?;
    ca.response.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tx_id_known_vector() {
        // printf '\x00\x01...\x17creator' | sha256sum
        let nonce: Vec<u8> = (0u8..24).collect();
        assert_eq!(tx_id(&nonce, b"creator"), "151635d156b87fcdd972bf6d45d83eb75864e6b9caff423a784c5c4e58051968");
    }

    #[test]
    fn proposals_carry_the_invocation_and_verify() {
        use gridledger_protos::common::{ChannelHeader, Header, SignatureHeader};
        use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
        let signer = crate::identity::tests_support::signer("Org1MSP");
        let mut transient = HashMap::new();
        transient.insert("secret".to_string(), b"v".to_vec());
        let inv = Invocation {
            channel: "energy".into(),
            chaincode: "kv".into(),
            args: vec![b"Put".to_vec(), b"k".to_vec()],
            transient,
            endorsing_orgs: vec![],
        };
        let nonce = [7u8; 24];
        let signed = build(&signer, &inv, &nonce).expect("build");
        assert_eq!(signed.tx_id, tx_id(&nonce, &signer.creator()));
        let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, signer.public_key());
        key.verify(&signed.proposal.proposal_bytes, &signed.proposal.signature).expect("signed by the creator");
        let proposal = Proposal::decode(signed.proposal.proposal_bytes.as_slice()).expect("proposal");
        let header = Header::decode(proposal.header.as_slice()).expect("header");
        let ch = ChannelHeader::decode(header.channel_header.as_slice()).expect("channel header");
        assert_eq!((ch.channel_id.as_str(), ch.tx_id.as_str()), ("energy", signed.tx_id.as_str()));
        assert_eq!(ch.r#type, HeaderType::EndorserTransaction as i32);
        let sh = SignatureHeader::decode(header.signature_header.as_slice()).expect("signature header");
        assert_eq!((sh.creator, sh.nonce), (signer.creator(), nonce.to_vec()));
        let payload = ChaincodeProposalPayload::decode(proposal.payload.as_slice()).expect("payload");
        assert_eq!(payload.transient_map["secret"], b"v");
        let spec = ChaincodeInvocationSpec::decode(payload.input.as_slice()).expect("spec").chaincode_spec;
        let spec = spec.expect("chaincode spec");
        assert_eq!(spec.chaincode_id.expect("id").name, "kv");
        assert_eq!(spec.input.expect("input").args, inv.args);
    }

    #[test]
    fn a_response_is_found_in_its_envelope_and_garbage_is_refused() {
        use gridledger_protos::peer::ChaincodeEndorsedAction;
        use gridledger_protos::peer::TransactionAction;
        let response = Response { status: 200, message: String::new(), payload: b"ok".to_vec() };
        let ca = ChaincodeAction { response: Some(response.clone()), ..ChaincodeAction::default() };
        let prp = ProposalResponsePayload { extension: ca.encode_to_vec(), ..ProposalResponsePayload::default() };
        let action = ChaincodeEndorsedAction {
            proposal_response_payload: prp.encode_to_vec(),
            ..ChaincodeEndorsedAction::default()
        };
        let cap = ChaincodeActionPayload { action: Some(action), ..ChaincodeActionPayload::default() };
        let tx = Transaction {
            actions: vec![TransactionAction { payload: cap.encode_to_vec(), ..TransactionAction::default() }],
        };
        let payload = Payload { data: tx.encode_to_vec(), ..Payload::default() };
        let envelope = Envelope { payload: payload.encode_to_vec(), signature: vec![] };
        assert_eq!(response_of(&envelope).expect("response"), response);
        let empty = Envelope { payload: Payload::default().encode_to_vec(), signature: vec![] };
        assert!(matches!(response_of(&empty), Err(Error::Malformed(_))));
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce().expect("nonce"), nonce().expect("nonce"));
    }
}
