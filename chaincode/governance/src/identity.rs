//! Who signed: an identity checked against an MSP of the channel config — its
//! certificate chains to the MSP's root CAs (through its intermediate CAs), is
//! valid at the given time and not revoked — and the MSP roles it holds
//! (NodeOU classification, admin also by `admins` certificates).

use std::collections::BTreeSet;

use gridledger_protos::common::msp_role::MspRoleType;
use gridledger_protos::msp::FabricMspConfig;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::{ASN1Time, FromDer as _};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::error::{Error, Result};

/// Longest CA chain followed from a signer to a root.
const MAX_CHAIN: usize = 8;

/// An identity the MSP vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The MSP id.
    pub msp_id: String,
    /// The certificate's subject, for display.
    pub subject: String,
    /// The roles it holds; always includes [`MspRoleType::Member`].
    pub roles: BTreeSet<Role>,
}

/// An MSP role, orderable so sets of roles print in a stable order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Any valid identity of the MSP.
    Member,
    /// An admin (admin OU, or listed in `admins`).
    Admin,
    /// A client (client OU).
    Client,
    /// A peer (peer OU).
    Peer,
    /// An orderer (orderer OU).
    Orderer,
}

impl Role {
    /// The role a policy principal asks for.
    pub fn from_proto(role: MspRoleType) -> Role {
        match role {
            MspRoleType::Member => Role::Member,
            MspRoleType::Admin => Role::Admin,
            MspRoleType::Client => Role::Client,
            MspRoleType::Peer => Role::Peer,
            MspRoleType::Orderer => Role::Orderer,
        }
    }
}

/// Why an identity does not count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Its MSP id is not an MSP of the channel.
    #[error("{0} is not an MSP of the channel")]
    UnknownMsp(String),
    /// No certificate chain from it to one of the MSP's root CAs.
    #[error("'{0}' is not certified by its MSP's CAs in the channel config")]
    Untrusted(String),
    /// Outside its validity period at the time of the check.
    #[error("'{0}' is expired or not yet valid")]
    Expired(String),
    /// On one of the MSP's revocation lists.
    #[error("'{0}' is revoked")]
    Revoked(String),
    /// NodeOUs are on and it carries none (or several) of the node OUs.
    #[error("'{0}' has no NodeOU role (client, peer, admin or orderer)")]
    NoNodeOu(String),
    /// The signature does not verify with its certificate's key.
    #[error("the signature of '{0}' does not verify (forged or over other bytes)")]
    BadSignature(String),
    /// The identity bytes are not a certificate.
    #[error("{0}")]
    Malformed(String),
}

/// Checks the PEM certificate `cert_pem` against `msp` at time `at`.
pub fn classify(msp: &FabricMspConfig, cert_pem: &[u8], at: ASN1Time) -> std::result::Result<Member, Rejection> {
    let der = first_der(cert_pem).map_err(|e| Rejection::Malformed(e.to_string()))?;
    let (_, cert) = X509Certificate::from_der(&der)
        .map_err(|_| Rejection::Malformed("the signer's certificate does not parse".into()))?;
    let subject = cert.subject().to_string();
    if !cert.validity().is_valid_at(at) {
        return Err(Rejection::Expired(subject));
    }
    let roots = ders(&msp.root_certs).map_err(|e| Rejection::Malformed(e.to_string()))?;
    let intermediates = ders(&msp.intermediate_certs).map_err(|e| Rejection::Malformed(e.to_string()))?;
    if !chains_to_root(&cert, &roots, &intermediates) {
        return Err(Rejection::Untrusted(subject));
    }
    if revoked(&cert, &msp.revocation_list) {
        return Err(Rejection::Revoked(subject));
    }
    let ous: BTreeSet<String> =
        cert.subject().iter_organizational_unit().filter_map(|ou| ou.as_str().ok().map(str::to_owned)).collect();
    let mut roles = BTreeSet::from([Role::Member]);
    if let Some(node_ous) = msp.fabric_node_ous.as_ref().filter(|n| n.enable) {
        let pairs = [
            (&node_ous.client_ou_identifier, Role::Client),
            (&node_ous.peer_ou_identifier, Role::Peer),
            (&node_ous.admin_ou_identifier, Role::Admin),
            (&node_ous.orderer_ou_identifier, Role::Orderer),
        ];
        let mut found = 0;
        for (id, role) in pairs {
            if id.as_ref().is_some_and(|id| ous.contains(&id.organizational_unit_identifier)) {
                roles.insert(role);
                found += 1;
            }
        }
        // Fabric requires exactly one node OU when NodeOUs are on.
        if found != 1 {
            return Err(Rejection::NoNodeOu(subject));
        }
    }
    let admin_listed = ders(&msp.admins).is_ok_and(|admins| admins.contains(&der));
    if admin_listed {
        roles.insert(Role::Admin);
    }
    Ok(Member { msp_id: msp.name.clone(), subject, roles })
}

/// The public key (uncompressed EC point) of a PEM certificate.
pub fn public_key(cert_pem: &[u8]) -> Result<Vec<u8>> {
    let der = first_der(cert_pem)?;
    let (_, cert) = X509Certificate::from_der(&der).map_err(|_| Error::Certificate("does not parse".into()))?;
    Ok(cert.public_key().subject_public_key.data.to_vec())
}

fn chains_to_root(cert: &X509Certificate<'_>, roots: &[Vec<u8>], intermediates: &[Vec<u8>]) -> bool {
    let roots: Vec<X509Certificate<'_>> = roots.iter().filter_map(|d| parse_cert(d)).collect();
    let intermediates: Vec<X509Certificate<'_>> = intermediates.iter().filter_map(|d| parse_cert(d)).collect();
    let signed_by = |child: &X509Certificate<'_>, ca: &X509Certificate<'_>| {
        child.issuer() == ca.subject() && child.verify_signature(Some(ca.public_key())).is_ok()
    };
    let mut current = cert.clone();
    for _ in 0..MAX_CHAIN {
        if roots.iter().any(|root| signed_by(&current, root)) {
            return true;
        }
        match intermediates.iter().find(|ca| signed_by(&current, ca)) {
            Some(ca) => current = ca.clone(),
            None => return false,
        }
    }
    false
}

fn parse_cert(der: &[u8]) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

fn revoked(cert: &X509Certificate<'_>, crls: &[Vec<u8>]) -> bool {
    crls.iter().filter_map(|pem| first_der_labeled(pem, "X509 CRL").ok()).any(|der| {
        CertificateRevocationList::from_der(&der).is_ok_and(|(_, crl)| {
            crl.issuer() == cert.issuer()
                && crl.iter_revoked_certificates().any(|r| r.raw_serial() == cert.raw_serial())
        })
    })
}

fn ders(pems: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
    pems.iter().map(|p| first_der(p)).collect()
}

/// The DER of the first CERTIFICATE block of a PEM text.
pub(crate) fn first_der(pem_text: &[u8]) -> Result<Vec<u8>> {
    first_der_labeled(pem_text, "CERTIFICATE")
}

fn first_der_labeled(pem_text: &[u8], label: &str) -> Result<Vec<u8>> {
    let blocks = pem::parse_many(pem_text).map_err(|_| Error::Certificate("malformed PEM".into()))?;
    blocks
        .into_iter()
        .find(|b| b.tag() == label)
        .map(pem::Pem::into_contents)
        .ok_or_else(|| Error::Certificate(format!("no {label} PEM block")))
}
