//! Test identities: X.509 creators with the Fabric CA attribute extension, minted with rcgen and cached.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use gridledger_energy_common::caller::Party;
use gridledger_protos::msp::SerializedIdentity;
use gridledger_protos::prost::Message as _;
use gridledger_shim::identity::ClientIdentity;

/// The role attribute of the test consortium's roles record ([`super::ROLES`]).
pub(super) const ROLE_ATTRIBUTE: &str = "gridledger.role";

/// Fabric CA's attribute extension.
const ATTRIBUTES_OID: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 1];

/// A client: its serialized identity (the transaction creator) and the party the chaincode sees.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    /// `msp.SerializedIdentity` bytes.
    pub creator: Vec<u8>,
    /// MSP id plus `GetID`.
    pub party: Party,
}

fn mint(msp: &str, name: &str, role: Option<&str>) -> Identity {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::OrganizationName, msp);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    if let Some(role) = role {
        let attrs = serde_json::json!({ "attrs": { ROLE_ATTRIBUTE: role } });
        params.custom_extensions =
            vec![rcgen::CustomExtension::from_oid_content(ATTRIBUTES_OID, serde_json::to_vec(&attrs).unwrap())];
    }
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let creator = SerializedIdentity { mspid: msp.to_string(), id_bytes: cert.pem().into_bytes() }.encode_to_vec();
    let client = ClientIdentity::new(&creator).unwrap();
    assert_eq!(client.attribute(ROLE_ATTRIBUTE).as_deref(), role);
    Identity { party: Party { msp: msp.to_string(), id: client.id() }, creator }
}

/// The identity of user `name` in `msp` with `role` (None: no attribute), minted once per test binary.
pub(super) fn identity(msp: &str, name: &str, role: Option<&str>) -> Identity {
    type Cache = Mutex<BTreeMap<(String, String, Option<String>), Identity>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (msp.to_string(), name.to_string(), role.map(str::to_string));
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(found) = cache.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return found.clone();
    }
    let minted = mint(msp, name, role);
    cache.lock().unwrap_or_else(PoisonError::into_inner).entry(key).or_insert(minted).clone()
}

#[test]
fn minted_identities_carry_msp_role_and_distinct_ids() {
    let a = identity("ProsumerMSP", "alice", Some("prosumer"));
    let b = identity("ProsumerMSP", "bob", Some("prosumer"));
    let again = identity("ProsumerMSP", "alice", Some("prosumer"));
    assert_eq!(a.party, again.party);
    assert_ne!(a.party.id, b.party.id);
    let none = ClientIdentity::new(&identity("GridMSP", "x", None).creator).unwrap();
    assert_eq!(none.attribute(ROLE_ATTRIBUTE), None);
    assert_eq!(none.msp_id(), "GridMSP");
}
