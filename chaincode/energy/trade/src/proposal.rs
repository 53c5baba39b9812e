//! Which chaincode the submitter's signed proposal was addressed to: the guard of the postings that only another
//! chaincode may make in its own transaction (`PostFlexibility`, `PostCertificatePayment`).
//!
//! On a chaincode-to-chaincode call the peer hands the callee the *original* signed proposal. The chaincode it was
//! addressed to is read from its header extension (`ChannelHeader.extension` -> `ChaincodeHeaderExtension
//! .chaincodeId.name`), because that is the chaincode Fabric's endorser runs for the proposal; the invocation
//! spec in the payload names the same chaincode in every proposal an SDK or the peer CLI builds, but the endorser
//! does not compare the two, so only the header is proof.

use gridledger_shim::ChaincodeStub;
use gridledger_shim::protos::common::{ChannelHeader, Header};
use gridledger_shim::protos::peer::{ChaincodeHeaderExtension, Proposal};
use gridledger_shim::protos::prost::Message as _;

/// What the signed proposal says about the chaincode it was addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposed {
    /// The transaction carries no signed proposal (the in-memory test ledger builds none).
    Absent,
    /// The proposal does not decode, or its header names no chaincode.
    Unreadable,
    /// The chaincode named in the header (possibly an empty name).
    To(String),
}

/// The chaincode the submitter's proposal was addressed to.
pub fn proposed_chaincode(stub: &dyn ChaincodeStub) -> Proposed {
    match stub.signed_proposal() {
        None => Proposed::Absent,
        Some(signed) => addressed_to(&signed.proposal_bytes).map_or(Proposed::Unreadable, Proposed::To),
    }
}

/// The chaincode a proposal's header extension names (`None` when any layer does not decode or names none).
pub fn addressed_to(proposal_bytes: &[u8]) -> Option<String> {
    let proposal = Proposal::decode(proposal_bytes).ok()?;
    let header = Header::decode(proposal.header.as_slice()).ok()?;
    let channel_header = ChannelHeader::decode(header.channel_header.as_slice()).ok()?;
    let extension = ChaincodeHeaderExtension::decode(channel_header.extension.as_slice()).ok()?;
    extension.chaincode_id.map(|id| id.name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use gridledger_shim::protos::peer::ChaincodeId;

    /// A proposal whose header is addressed to chaincode `name`.
    pub(crate) fn proposal(name: &str) -> Vec<u8> {
        let extension =
            ChaincodeHeaderExtension { chaincode_id: Some(ChaincodeId { name: name.into(), ..Default::default() }) };
        let channel_header = ChannelHeader { extension: extension.encode_to_vec(), ..Default::default() };
        let header = Header { channel_header: channel_header.encode_to_vec(), ..Default::default() };
        Proposal { header: header.encode_to_vec(), ..Default::default() }.encode_to_vec()
    }

    #[test]
    fn reads_the_chaincode_the_header_names() {
        assert_eq!(addressed_to(&proposal("flexibility")).as_deref(), Some("flexibility"));
        assert_eq!(addressed_to(&proposal("trade")).as_deref(), Some("trade"));
        assert_eq!(addressed_to(&proposal("")).as_deref(), Some(""));
        assert_eq!(addressed_to(b"\xff\xff"), None);
        let no_extension = Proposal { header: Header::default().encode_to_vec(), ..Default::default() };
        assert_eq!(addressed_to(&no_extension.encode_to_vec()), None);
    }
}
