//! An MSP identity from PEM files: the signing certificate (`signcerts/*.pem`) and its EC P-256 private key
//! (`keystore/*_sk`, PKCS#8 or SEC1). It serializes as `msp.SerializedIdentity` (the proposal "creator") and
//! signs SHA-256 digests with low-S ECDSA.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use gridledger_protos::msp::SerializedIdentity;
use prost::Message as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};

use crate::ecdsa::{self, tlv};

/// The blocks of a PEM text with the given label (`CERTIFICATE`, `PRIVATE KEY`...), decoded.
pub fn pem_blocks(text: &str, label: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let body = &rest[start + begin.len()..];
        let stop = body.find(&end).with_context(|| format!("PEM block {label} has no END line"))?;
        let b64: String = body[..stop].chars().filter(|c| !c.is_whitespace()).collect();
        blocks.push(base64::engine::general_purpose::STANDARD.decode(b64).context("PEM body is not base64")?);
        rest = &body[stop + end.len()..];
    }
    Ok(blocks)
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
    /// From the certificate PEM and key PEM text.
    pub fn from_pem(msp_id: &str, cert_pem: &[u8], key_pem: &str) -> anyhow::Result<Self> {
        let cert_text = std::str::from_utf8(cert_pem).context("certificate is not PEM text")?;
        if pem_blocks(cert_text, "CERTIFICATE")?.is_empty() {
            bail!("no CERTIFICATE block in the certificate file");
        }
        let rng = SystemRandom::new();
        let key = if let Some(der) = pem_blocks(key_pem, "PRIVATE KEY")?.first() {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
                .map_err(|e| anyhow::anyhow!("PKCS#8 key is not an EC P-256 key: {e}"))?
        } else if let Some(der) = pem_blocks(key_pem, "EC PRIVATE KEY")?.first() {
            let (private, public) = sec1_parts(der)?;
            EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_ASN1_SIGNING, &private, &public, &rng)
                .map_err(|e| anyhow::anyhow!("SEC1 key is not a consistent EC P-256 key: {e}"))?
        } else {
            bail!("the key file holds no 'PRIVATE KEY' (PKCS#8) or 'EC PRIVATE KEY' (SEC1) PEM block");
        };
        Ok(Signer { msp_id: msp_id.into(), cert_pem: cert_pem.to_vec(), key, rng })
    }

    /// From a certificate file and a key file.
    pub fn from_files(msp_id: &str, cert: &Path, key: &Path) -> anyhow::Result<Self> {
        let cert_pem = std::fs::read(cert).with_context(|| format!("reading certificate {}", cert.display()))?;
        let key_pem = std::fs::read_to_string(key).with_context(|| format!("reading private key {}", key.display()))?;
        Self::from_pem(msp_id, &cert_pem, &key_pem)
            .with_context(|| format!("loading identity {} / {}", cert.display(), key.display()))
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
    pub fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let sig = self.key.sign(&self.rng, message).map_err(|_| anyhow::anyhow!("ECDSA signing failed"))?;
        Ok(ecdsa::normalize(sig.as_ref())?)
    }
}

/// Private scalar and public point of a SEC1 `ECPrivateKey` (the public key must be present).
fn sec1_parts(der: &[u8]) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let bad = || anyhow::anyhow!("malformed SEC1 EC private key");
    let (seq, _) = tlv(der, 0x30).map_err(|_| bad())?;
    let (_version, seq) = tlv(seq, 0x02).map_err(|_| bad())?;
    let (private, mut seq) = tlv(seq, 0x04).map_err(|_| bad())?;
    if seq.first() == Some(&0xa0) {
        seq = tlv(seq, 0xa0).map_err(|_| bad())?.1;
    }
    let (wrapped, _) =
        tlv(seq, 0xa1).map_err(|_| anyhow::anyhow!("SEC1 key without its public key; convert it to PKCS#8"))?;
    let (bits, _) = tlv(wrapped, 0x03).map_err(|_| bad())?;
    let public = bits.get(1..).ok_or_else(bad)?; // skip the unused-bits byte
    Ok((private.to_vec(), public.to_vec()))
}

/// The single file in `dir` (an MSP `signcerts/` or `keystore/` directory).
pub fn only_file(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    match files.len() {
        1 => Ok(files.remove(0)),
        0 => bail!("{} holds no file", dir.display()),
        n => bail!("{} holds {n} files; pass --cert/--key explicitly", dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";

    fn signer() -> Signer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
        let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
        Signer::from_pem("Org1MSP", CERT.as_bytes(), &pem).expect("signer")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn signatures_are_low_s_and_verify(msg in proptest::collection::vec(any::<u8>(), 0..256)) {
            let s = signer();
            let sig = s.sign(&msg).expect("sign");
            let (_, low) = ecdsa::parse(&sig).expect("der");
            prop_assert!(ecdsa::is_low_s(&low));
            let pk = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, s.public_key());
            prop_assert!(pk.verify(&msg, &sig).is_ok());
        }
    }

    #[test]
    fn creator_is_serialized_identity() {
        let s = signer();
        let id = SerializedIdentity::decode(s.creator().as_slice()).expect("decode");
        assert_eq!(id.mspid, "Org1MSP");
        assert_eq!(id.id_bytes, CERT.as_bytes());
    }

    /// A throwaway test key (openssl ecparam -genkey -name prime256v1), as SEC1 and as PKCS#8.
    const SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKUt2AHj6xix4pYCK4aV+QlHQSJGbIqmIP9R55WPGNuVoAoGCCqGSM49
AwEHoUQDQgAE14Uh0TlhB8Z5EH21ZZQCYU/SjBTG3w95hwU7va7B5IQY2mytLM48
7l/WxL2KBBOdWTx6g2qqNdqepmRv2e7nyA==
-----END EC PRIVATE KEY-----
";
    const PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpS3YAePrGLHilgIr
hpX5CUdBIkZsiqYg/1HnlY8Y25WhRANCAATXhSHROWEHxnkQfbVllAJhT9KMFMbf
D3mHBTu9rsHkhBjabK0szjzuX9bEvYoEE51ZPHqDaqo12p6mZG/Z7ufI
-----END PRIVATE KEY-----
";

    #[test]
    fn sec1_and_pkcs8_load_the_same_key() {
        let a = Signer::from_pem("M", CERT.as_bytes(), SEC1).expect("SEC1");
        let b = Signer::from_pem("M", CERT.as_bytes(), PKCS8).expect("PKCS#8");
        assert_eq!(a.public_key(), b.public_key());
        let sig = a.sign(b"msg").expect("sign");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, b.public_key()).verify(b"msg", &sig).expect("verifies");
    }

    #[test]
    fn missing_key_block_explained() {
        let err = Signer::from_pem("M", CERT.as_bytes(), "nothing").expect_err("no key");
        assert!(err.to_string().contains("PKCS#8"), "{err}");
    }
}
