//! The signed proposal the load driver attaches to every TRANSACTION, as a peer does.
//!
//! Shims decode it per transaction (headers, creator, transient map; some hash a binding), so leaving it out
//! would flatter them. Its shape and size follow a real endorsement: an ENDORSER_TRANSACTION channel header, a
//! creator with an X.509-sized PEM (about 800 bytes; filler, since no shim verifies it), a 24-byte nonce and a
//! 71-byte signature. It is built once; every transaction carries a copy. Also the shape of the peer's replies.

use gridledger_protos::common::{ChannelHeader, Header, HeaderType, SignatureHeader};
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::peer::chaincode_message::Type;
use gridledger_protos::peer::{
    ChaincodeHeaderExtension, ChaincodeId, ChaincodeInput, ChaincodeInvocationSpec, ChaincodeMessage,
    ChaincodeProposalPayload, ChaincodeSpec, Proposal, SignedProposal, chaincode_spec,
};
use gridledger_protos::prost::Message;
use gridledger_protos::prost_types::Timestamp;

/// A proposal for `chaincode` on `channel` invoking `GetPut` with a representative key and value.
pub fn signed_proposal(channel: &str, chaincode: &str, value_size: usize) -> SignedProposal {
    let chaincode_id = ChaincodeId { name: chaincode.to_string(), ..Default::default() };
    let channel_header = ChannelHeader {
        r#type: HeaderType::EndorserTransaction as i32,
        version: 0,
        timestamp: Some(Timestamp { seconds: 1_780_000_000, nanos: 0 }),
        channel_id: channel.to_string(),
        tx_id: "0".repeat(64),
        epoch: 0,
        extension: ChaincodeHeaderExtension { chaincode_id: Some(chaincode_id.clone()) }.encode_to_vec(),
        tls_cert_hash: Vec::new(),
    };
    let creator = SerializedIdentity { mspid: "Org1MSP".into(), id_bytes: filler_pem(800) }.encode_to_vec();
    let signature_header = SignatureHeader { creator, nonce: vec![0x5a; 24] };
    let header =
        Header { channel_header: channel_header.encode_to_vec(), signature_header: signature_header.encode_to_vec() };
    let input = ChaincodeInput {
        args: vec![b"GetPut".to_vec(), b"key000000".to_vec(), vec![b'v'; value_size]],
        ..Default::default()
    };
    let spec = ChaincodeSpec {
        r#type: chaincode_spec::Type::Golang as i32,
        chaincode_id: Some(chaincode_id),
        input: Some(input),
        timeout: 0,
    };
    let payload = ChaincodeProposalPayload {
        input: ChaincodeInvocationSpec { chaincode_spec: Some(spec) }.encode_to_vec(),
        transient_map: Default::default(),
    };
    let proposal = Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), extension: Vec::new() };
    SignedProposal { proposal_bytes: proposal.encode_to_vec(), signature: vec![0x30; 71] }
}

/// A PEM-shaped certificate of about `len` bytes.
fn filler_pem(len: usize) -> Vec<u8> {
    let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    let body = len.saturating_sub(2 * 28);
    for i in 0..body {
        pem.push(if i % 65 == 64 {
            b'\n'
        } else {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64]
        });
    }
    pem.extend_from_slice(b"\n-----END CERTIFICATE-----\n");
    pem
}

/// The peer's answer to one of the chaincode's requests: same transaction and channel, the given type and payload.
pub fn reply_to(request: ChaincodeMessage, kind: Type, payload: Vec<u8>) -> ChaincodeMessage {
    ChaincodeMessage {
        r#type: kind as i32,
        payload,
        txid: request.txid,
        channel_id: request.channel_id,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_decodes_like_a_shim_does() {
        let signed = signed_proposal("mychannel", "kv", 64);
        let proposal = Proposal::decode(signed.proposal_bytes.as_slice()).unwrap();
        let header = Header::decode(proposal.header.as_slice()).unwrap();
        let ch = ChannelHeader::decode(header.channel_header.as_slice()).unwrap();
        assert_eq!(ch.r#type, HeaderType::EndorserTransaction as i32);
        assert_eq!(ch.channel_id, "mychannel");
        let sh = SignatureHeader::decode(header.signature_header.as_slice()).unwrap();
        let id = SerializedIdentity::decode(sh.creator.as_slice()).unwrap();
        assert_eq!(id.mspid, "Org1MSP");
        assert!((780..=820).contains(&id.id_bytes.len()), "{}", id.id_bytes.len());
        ChaincodeProposalPayload::decode(proposal.payload.as_slice()).unwrap();
        let size = signed.encoded_len();
        assert!((1000..2000).contains(&size), "{size}");
    }
}
