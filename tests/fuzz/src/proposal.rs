//! The signed proposal the peer forwards with every transaction, decoded by the shim through zero-copy views
//! (`chaincode/shim/src/context/views.rs`). The views promise to accept and reject exactly what decoding Fabric's
//! generated types does; this target holds them to it, differentially, against a reference decoder written here
//! with the generated types.

use gridledger_protos::common::{ChannelHeader, Header, HeaderType, SignatureHeader};
use gridledger_protos::peer::{ChaincodeInput, ChaincodeProposalPayload, Proposal, SignedProposal};
use gridledger_protos::prost::Message as _;
use gridledger_shim::context::TxContext;

/// What the shim keeps of a proposal, decoded the straightforward way.
#[derive(Debug, PartialEq)]
struct Reference {
    creator: Vec<u8>,
    transient: Vec<(String, Vec<u8>)>,
    seconds: Option<i64>,
}

fn reference(bytes: &[u8]) -> Option<Reference> {
    let proposal = Proposal::decode(bytes).ok()?;
    if proposal.header.is_empty() {
        return None;
    }
    let header = Header::decode(proposal.header.as_slice()).ok()?;
    let channel = ChannelHeader::decode(header.channel_header.as_slice()).ok()?;
    if channel.r#type != HeaderType::EndorserTransaction as i32 && channel.r#type != HeaderType::Config as i32 {
        return None;
    }
    let signature = SignatureHeader::decode(header.signature_header.as_slice()).ok()?;
    let payload = ChaincodeProposalPayload::decode(proposal.payload.as_slice()).ok()?;
    let mut transient: Vec<(String, Vec<u8>)> = payload.transient_map.into_iter().collect();
    transient.sort();
    Some(Reference { creator: signature.creator, transient, seconds: channel.timestamp.map(|t| t.seconds) })
}

/// The target: the shim accepts exactly what the reference accepts, and keeps the same creator, transient map and
/// timestamp.
pub fn signed_proposal(data: &[u8]) {
    let signed = SignedProposal { proposal_bytes: data.to_vec(), signature: Vec::new() };
    let shim = TxContext::from_peer("ch".into(), "tx".into(), ChaincodeInput::default(), Some(signed));
    let expected = reference(data);
    match (shim, expected) {
        (Ok(ctx), Some(want)) => {
            let transient: Vec<(String, Vec<u8>)> = ctx.transient().clone().into_iter().collect();
            let got = Reference {
                creator: ctx.creator().to_vec(),
                transient,
                seconds: ctx.timestamp().ok().map(|t| t.seconds),
            };
            assert_eq!(got, want);
            assert_eq!(ctx.binding().len(), 32, "a proposal's binding is a SHA-256");
            assert_eq!(ctx.signed_proposal().map(|s| s.proposal_bytes.as_slice()), Some(data));
        }
        (Err(_), None) => {}
        (Ok(_), None) => panic!("the shim accepted a proposal the generated types refuse"),
        (Err(e), Some(_)) => panic!("the shim refused a proposal the generated types accept: {e}"),
    }
}
