//! Callers for contract tests: a self-signed certificate with Fabric CA's attribute extension, as the creator of a
//! proposal, and the party the contract sees in it.

use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::prost::Message as _;
use gridledger_shim::identity::ClientIdentity;

/// The attribute that carries a caller's role, as the test consortium's roles record names it (`roleAttribute`).
pub const ROLE_ATTRIBUTE: &str = "gridledger.role";

/// The OID of Fabric CA's attribute extension (`1.2.3.4.5.6.7.8.1`), which carries `{"attrs": {...}}` JSON.
const ATTRIBUTES_OID: [u64; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 1];

/// Why a caller could not be minted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The certificate could not be made.
    #[error("minting the certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The shim does not accept the identity it makes.
    #[error("reading the minted identity: {0}")]
    Identity(#[from] gridledger_shim::Error),
}

/// A caller: its serialized identity and the party it is, in the test's own type `P`.
#[derive(Debug, Clone)]
pub struct Who<P> {
    /// The serialized identity, as a proposal's creator.
    pub creator: Vec<u8>,
    /// Who the contract sees (built from the MSP id and the identity's Fabric id).
    pub party: P,
}

/// Mints a self-signed certificate with common name `name` in `msp`, with `role` in the [`ROLE_ATTRIBUTE`] when
/// given, and makes the party with `party(msp, id)`, `id` being the identity's Fabric id (`x509::...`).
pub fn who<P>(
    msp: &str,
    name: &str,
    role: Option<&str>,
    party: impl FnOnce(String, String) -> P,
) -> Result<Who<P>, IdentityError> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    if let Some(role) = role {
        let attrs = serde_json::json!({"attrs": {ROLE_ATTRIBUTE: role}}).to_string();
        params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(&ATTRIBUTES_OID, attrs.into_bytes())];
    }
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    let creator = SerializedIdentity { mspid: msp.into(), id_bytes: cert.pem().into_bytes() }.encode_to_vec();
    let id = ClientIdentity::new(&creator)?.id();
    Ok(Who { party: party(msp.into(), id), creator })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_reads_the_msp_the_name_and_the_attribute() {
        let minted = who("GridMSP", "gridop", Some("operator"), |msp, id| (msp, id)).unwrap();
        let identity = ClientIdentity::new(&minted.creator).unwrap();
        assert_eq!(minted.party, ("GridMSP".to_string(), identity.id()));
        assert!(identity.id_unencoded().contains("CN=gridop"), "{}", identity.id_unencoded());
        assert_eq!(identity.attribute(ROLE_ATTRIBUTE).as_deref(), Some("operator"));
        let plain = who("GridMSP", "nobody", None, |_, id| id).unwrap();
        assert_eq!(ClientIdentity::new(&plain.creator).unwrap().attribute(ROLE_ATTRIBUTE), None);
    }
}
