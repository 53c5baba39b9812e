//! Zero-copy views of the proposal messages decoded for every transaction.
//!
//! Field for field the wire shape of Fabric's `Proposal`, `Header` and `SignatureHeader`, under the same names
//! (every field present, so decoding accepts and rejects exactly what decoding the generated types does, with the
//! same error text), but with `Bytes` fields: decoded
//! from a `Bytes` buffer, each field is a slice of that buffer instead of a copy. The creator (about a kilobyte of
//! PEM) used to be copied three times per transaction on its way out of the proposal, with an allocation each time.

use prost::bytes::Bytes;

/// `protos.Proposal`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Proposal {
    #[prost(bytes = "bytes", tag = "1")]
    pub(super) header: Bytes,
    #[prost(bytes = "bytes", tag = "2")]
    pub(super) payload: Bytes,
    #[prost(bytes = "bytes", tag = "3")]
    pub(super) extension: Bytes,
}

/// `common.Header`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Header {
    #[prost(bytes = "bytes", tag = "1")]
    pub(super) channel_header: Bytes,
    #[prost(bytes = "bytes", tag = "2")]
    pub(super) signature_header: Bytes,
}

/// `common.SignatureHeader`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct SignatureHeader {
    #[prost(bytes = "bytes", tag = "1")]
    pub(super) creator: Bytes,
    #[prost(bytes = "bytes", tag = "2")]
    pub(super) nonce: Bytes,
}

#[cfg(test)]
mod tests {
    use gridledger_protos::common;
    use gridledger_protos::peer;
    use proptest::prelude::*;
    use prost::Message;

    use super::*;

    proptest! {
        /// The views decode what the generated types decode, to the same bytes, and fail where they fail, with the
        /// same text.
        #[test]
        fn views_agree_with_the_generated_types(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
            let buf = Bytes::from(bytes.clone());
            match (peer::Proposal::decode(bytes.as_slice()), Proposal::decode(buf.clone())) {
                (Ok(p), Ok(v)) => prop_assert_eq!(
                    (p.header, p.payload, p.extension),
                    (v.header.to_vec(), v.payload.to_vec(), v.extension.to_vec())
                ),
                (p, v) => prop_assert_eq!(p.err().map(|e| e.to_string()), v.err().map(|e| e.to_string())),
            }
            match (common::Header::decode(bytes.as_slice()), Header::decode(buf.clone())) {
                (Ok(h), Ok(v)) => prop_assert_eq!(
                    (h.channel_header, h.signature_header),
                    (v.channel_header.to_vec(), v.signature_header.to_vec())
                ),
                (h, v) => prop_assert_eq!(h.err().map(|e| e.to_string()), v.err().map(|e| e.to_string())),
            }
            match (common::SignatureHeader::decode(bytes.as_slice()), SignatureHeader::decode(buf)) {
                (Ok(s), Ok(v)) => prop_assert_eq!((s.creator, s.nonce), (v.creator.to_vec(), v.nonce.to_vec())),
                (s, v) => prop_assert_eq!(s.err().map(|e| e.to_string()), v.err().map(|e| e.to_string())),
            }
        }
    }
}
