//! Chaincode proposals as the Fabric Gateway expects them: a `ChannelHeader` of type ENDORSER_TRANSACTION with a
//! `ChaincodeHeaderExtension`, a `SignatureHeader` (creator + 24-byte nonce), and a `ChaincodeProposalPayload`
//! (`ChaincodeInvocationSpec` + transient map). The transaction id is hex(SHA-256(nonce ‖ creator)).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use gridledger_protos::common::{ChannelHeader, Envelope, Header, HeaderType, Payload, SignatureHeader};
use gridledger_protos::peer::{
    ChaincodeAction, ChaincodeActionPayload, ChaincodeHeaderExtension, ChaincodeId, ChaincodeInput,
    ChaincodeInvocationSpec, ChaincodeProposalPayload, ChaincodeSpec, Proposal, ProposalResponsePayload, Response,
    SignedProposal, Transaction, chaincode_spec,
};
use prost::Message as _;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom as _, SystemRandom};

use crate::identity::Signer;

/// Fabric's transaction id: lowercase hex of SHA-256(nonce ‖ creator).
pub fn tx_id(nonce: &[u8], creator: &[u8]) -> String {
    let mut buf = Vec::with_capacity(nonce.len() + creator.len());
    buf.extend_from_slice(nonce);
    buf.extend_from_slice(creator);
    hex::encode(digest(&SHA256, &buf))
}

/// A fresh 24-byte random nonce.
pub fn nonce() -> anyhow::Result<[u8; 24]> {
    let mut n = [0u8; 24];
    SystemRandom::new().fill(&mut n).map_err(|_| anyhow::anyhow!("no system randomness for the nonce"))?;
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
    /// MSP ids whose peers must endorse (empty: the gateway picks from the endorsement policy).
    pub endorsing_orgs: Vec<String>,
}

/// A signed proposal and its transaction id.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The transaction id.
    pub tx_id: String,
    /// The proposal with the creator's signature.
    pub proposal: SignedProposal,
}

/// Builds and signs the proposal for `inv` with `nonce`.
pub fn build(signer: &Signer, inv: &Invocation, nonce: &[u8]) -> anyhow::Result<Signed> {
    let creator = signer.creator();
    let tx_id = tx_id(nonce, &creator);
    let cc_id = ChaincodeId { name: inv.chaincode.clone(), ..ChaincodeId::default() };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).context("system clock before 1970")?;
    let channel_header = ChannelHeader {
        r#type: HeaderType::EndorserTransaction as i32,
        timestamp: Some(prost_types::Timestamp { seconds: now.as_secs() as i64, nanos: now.subsec_nanos() as i32 }),
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
pub fn response_of(envelope: &Envelope) -> anyhow::Result<Response> {
    let bad = "the gateway's prepared transaction is not a chaincode transaction";
    let payload = Payload::decode(envelope.payload.as_slice()).context(bad)?;
    let tx = Transaction::decode(payload.data.as_slice()).context(bad)?;
    let action = tx.actions.first().context(bad)?;
    let cap = ChaincodeActionPayload::decode(action.payload.as_slice()).context(bad)?;
    let endorsed = cap.action.context(bad)?;
    let prp = ProposalResponsePayload::decode(endorsed.proposal_response_payload.as_slice()).context(bad)?;
    let ca = ChaincodeAction::decode(prp.extension.as_slice()).context(bad)?;
    ca.response.context(bad)
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
    fn nonces_differ() {
        assert_ne!(nonce().expect("nonce"), nonce().expect("nonce"));
    }
}
