//! Config signatures: adding one with an admin's identity, and checking every
//! signature of an update cryptographically against the channel's MSPs.

use std::collections::BTreeMap;

use gridledger_client::Signer;
use gridledger_client::ecdsa;
use gridledger_protos::common::{ConfigSignature, ConfigUpdateEnvelope, SignatureHeader};
use gridledger_protos::msp::{FabricMspConfig, SerializedIdentity};
use prost::Message as _;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use x509_parser::prelude::ASN1Time;

use crate::error::{Error, Result};
use crate::identity::{self, Member, Rejection};

/// A signature over `config_update` by `signer`: the signed bytes are the
/// serialized signature header (creator + fresh nonce) followed by the update.
pub fn sign(signer: &Signer, config_update: &[u8]) -> Result<ConfigSignature> {
    let nonce = gridledger_client::proposal::nonce()?;
    let header = SignatureHeader { creator: signer.creator(), nonce: nonce.to_vec() }.encode_to_vec();
    let mut message = header.clone();
    message.extend_from_slice(config_update);
    Ok(ConfigSignature { signature_header: header, signature: signer.sign(&message)? })
}

/// Adds `signer`'s signature to the envelope.
pub fn add_signature(envelope: &mut ConfigUpdateEnvelope, signer: &Signer) -> Result<()> {
    let signature = sign(signer, &envelope.config_update)?;
    envelope.signatures.push(signature);
    Ok(())
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The MSP id the signature header claims.
    pub claimed_msp: String,
    /// The identity as the MSP sees it, or why the signature does not count.
    pub verdict: std::result::Result<Member, Rejection>,
}

/// Checks every signature of `envelope` against `msps` (from
/// [`crate::config::msps`]) at time `at`: the signer's certificate chains to
/// its MSP's root CA, is valid and not revoked, the ECDSA signature (low-S, as
/// Fabric requires) verifies over `signature_header || config_update`.
pub fn check_all(
    msps: &BTreeMap<String, FabricMspConfig>,
    envelope: &ConfigUpdateEnvelope,
    at: ASN1Time,
) -> Result<Vec<Checked>> {
    envelope.signatures.iter().map(|s| check_one(msps, &envelope.config_update, s, at)).collect()
}

fn check_one(
    msps: &BTreeMap<String, FabricMspConfig>,
    update: &[u8],
    sig: &ConfigSignature,
    at: ASN1Time,
) -> Result<Checked> {
    let header = SignatureHeader::decode(sig.signature_header.as_slice()).map_err(Error::decode("signature header"))?;
    let creator = SerializedIdentity::decode(header.creator.as_slice()).map_err(Error::decode("signer identity"))?;
    let claimed_msp = creator.mspid.clone();
    let Some(msp) = msps.get(&creator.mspid) else {
        return Ok(Checked { claimed_msp, verdict: Err(Rejection::UnknownMsp(creator.mspid)) });
    };
    let verdict = identity::classify(msp, &creator.id_bytes, at).and_then(|member| {
        let mut message = sig.signature_header.clone();
        message.extend_from_slice(update);
        if signature_valid(&creator.id_bytes, &message, &sig.signature) {
            Ok(member)
        } else {
            Err(Rejection::BadSignature(member.subject))
        }
    });
    Ok(Checked { claimed_msp, verdict })
}

fn signature_valid(cert_pem: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = identity::public_key(cert_pem) else { return false };
    let low_s = ecdsa::parse(signature).is_ok_and(|(_, s)| ecdsa::is_low_s(&s));
    low_s && UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key).verify(message, signature).is_ok()
}
