//! An MSP identity: the signing certificate (`signcerts/*.pem`) and its EC P-256 private key (`keystore/*_sk`,
//! PKCS#8 or SEC1). It serializes as `msp.SerializedIdentity` (a proposal's "creator") and signs SHA-256 digests
//! with low-S ECDSA, as Fabric's MSP requires.

use std::path::{Path, PathBuf};

use gridledger_protos::msp::SerializedIdentity;
use prost::Message as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};

use crate::ecdsa::{self, tlv};
use crate::error::{Error, Result};

/// The DER contents of the PEM blocks of `text` labelled `label` (`CERTIFICATE`, `PRIVATE KEY`...), in order.
/// Blocks with other labels are skipped; a malformed block is an error.
pub fn pem_blocks(text: &[u8], label: &str) -> Result<Vec<Vec<u8>>> {
    Ok(pem::parse_many(text)?.into_iter().filter(|p| p.tag() == label).map(pem::Pem::into_contents).collect())
}

/// `der` as PEM text labelled `label`: 64 base64 characters per line, `\n` line ends (what openssl writes).
pub fn to_pem(label: &str, der: &[u8]) -> String {
    pem::encode_config(&pem::Pem::new(label, der), pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF))
}

/// A client identity that signs.
#[derive(Debug)]
pub struct Signer {
    msp_id: String,
    cert_pem: Vec<u8>,
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl Signer {
    /// From the certificate's PEM and the private key's PEM (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
    pub fn from_pem(msp_id: &str, cert_pem: &[u8], key_pem: &[u8]) -> Result<Self> {
        if pem_blocks(cert_pem, "CERTIFICATE")?.is_empty() {
            return Err(Error::Identity("no CERTIFICATE block in the certificate".into()));
        }
        let rng = SystemRandom::new();
        let key = if let Some(der) = pem_blocks(key_pem, "PRIVATE KEY")?.first() {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
                .map_err(|e| Error::Identity(format!("PKCS#8 key is not an EC P-256 key: {e}")))?
        } else if let Some(der) = pem_blocks(key_pem, "EC PRIVATE KEY")?.first() {
            let (private, public) = sec1_parts(der)?;
            EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_ASN1_SIGNING, &private, &public, &rng)
                .map_err(|e| Error::Identity(format!("SEC1 key is not a consistent EC P-256 key: {e}")))?
        } else {
            return Err(Error::Identity(
                "the key holds no 'PRIVATE KEY' (PKCS#8) or 'EC PRIVATE KEY' (SEC1) PEM block".into(),
            ));
        };
        Ok(Signer { msp_id: msp_id.into(), cert_pem: cert_pem.to_vec(), key, rng })
    }

    /// From a certificate file and a key file.
    pub fn from_files(msp_id: &str, cert: &Path, key: &Path) -> Result<Self> {
        Self::from_pem(msp_id, &read(cert)?, &read(key)?)
    }

    /// From an MSP directory (`signcerts/` and `keystore/` with one file each), as Fabric CA enrolls into.
    pub fn from_msp_dir(msp_id: &str, msp: &Path) -> Result<Self> {
        Self::from_files(msp_id, &only_file(&msp.join("signcerts"))?, &only_file(&msp.join("keystore"))?)
    }

    /// The MSP id.
    pub fn msp_id(&self) -> &str {
        &self.msp_id
    }

    /// The serialized `msp.SerializedIdentity` (MSP id + certificate PEM), Fabric's "creator".
    pub fn creator(&self) -> Vec<u8> {
        SerializedIdentity { mspid: self.msp_id.clone(), id_bytes: self.cert_pem.clone() }.encode_to_vec()
    }

    /// The uncompressed public key point.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// A low-S DER ECDSA P-256 signature over SHA-256(`message`).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let sig = self.key.sign(&self.rng, message).map_err(|_| Error::Random)?;
        ecdsa::normalize(sig.as_ref()).map_err(|e| Error::Identity(format!("ring's signature: {e}")))
    }
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

/// Private scalar and public point of a SEC1 `ECPrivateKey` (the public key must be present).
fn sec1_parts(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let bad = |_| Error::Identity("malformed SEC1 EC private key".into());
    let (seq, _) = tlv(der, 0x30).map_err(bad)?;
    let (_version, seq) = tlv(seq, 0x02).map_err(bad)?;
    let (private, mut seq) = tlv(seq, 0x04).map_err(bad)?;
    if seq.first() == Some(&0xa0) {
        seq = tlv(seq, 0xa0).map_err(bad)?.1;
    }
    let (wrapped, _) =
        tlv(seq, 0xa1).map_err(|_| Error::Identity("SEC1 key without its public key; convert it to PKCS#8".into()))?;
    let (bits, _) = tlv(wrapped, 0x03).map_err(bad)?;
    // Skip the unused-bits byte of the BIT STRING.
    let public = bits.get(1..).ok_or_else(|| Error::Identity("malformed SEC1 EC private key".into()))?;
    Ok((private.to_vec(), public.to_vec()))
}

/// The single file in `dir` (an MSP `signcerts/` or `keystore/` directory).
pub fn only_file(dir: &Path) -> Result<PathBuf> {
    let problem = |problem: String| Error::MspDirectory { dir: dir.to_path_buf(), problem };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::Read { path: dir.to_path_buf(), source })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    match files.len() {
        1 => Ok(files.remove(0)),
        0 => Err(problem("holds no file".into())),
        n => Err(problem(format!("holds {n} files; name the certificate and key files explicitly"))),
    }
}

#[cfg(test)]
mod tests;

/// A fresh identity for the tests of other modules.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A signer with a new random key and a placeholder certificate.
    pub(crate) fn signer(msp_id: &str) -> Signer {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new()).expect("key");
        let cert = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
        Signer::from_pem(msp_id, cert.as_bytes(), to_pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes()).expect("signer")
    }
}
