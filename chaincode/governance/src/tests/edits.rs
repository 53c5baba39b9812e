//! The edits `gridctl org propose remove | crl | anchor` make, on the recorded config.

use gridledger_protos::common::{Config, ConfigUpdate};
use gridledger_protos::msp::{FabricMspConfig, MspConfig};
use prost::Message as _;

use super::{add_storage, recorded};
use crate::error::Error;
use crate::{config, diff, edit, proposal};

fn update(original: &Config, updated: &Config) -> ConfigUpdate {
    diff::compute_update("energy", original, updated).expect("an update")
}

fn policies(config: &Config, update: &ConfigUpdate) -> Vec<String> {
    proposal::impact(config, update).policies.into_iter().collect()
}

fn revocation_list(config: &Config, msp: &str) -> Vec<Vec<u8>> {
    let value = &config::group(config, &["Application", msp]).expect("org").values["MSP"];
    let msp = MspConfig::decode(value.value.as_slice()).expect("MSP config");
    FabricMspConfig::decode(msp.config.as_slice()).expect("Fabric MSP config").revocation_list
}

/// The recorded config with StorageMSP added, as the channel has it after the add update.
fn with_storage() -> Config {
    let config = recorded();
    let (_, update) = config::update_from_bytes(&add_storage().encode_to_vec()).expect("decodes");
    let mut group = update.write_set.expect("write set").groups["Application"].groups["StorageMSP"].clone();
    group.version = 0;
    let mut out = config.clone();
    let app = out.channel_group.as_mut().and_then(|g| g.groups.get_mut("Application")).expect("Application");
    app.groups.insert("StorageMSP".into(), group);
    out
}

#[test]
fn removing_an_org_needs_the_application_admins() {
    let config = with_storage();
    let removed = edit::without_org(&config, "StorageMSP").expect("removes");
    assert_eq!(config::application_orgs(&removed), ["GridMSP", "ProsumerMSP", "UtilityMSP"]);
    let u = update(&config, &removed);
    assert_eq!(policies(&config, &u), ["/Channel/Application/Admins"]);
    let write = &u.write_set.expect("write set").groups["Application"];
    assert!(!write.groups.contains_key("StorageMSP") && write.groups.len() == 3, "{:?}", write.groups.keys());
    let refused = edit::without_org(&recorded(), "StorageMSP").expect_err("not a member");
    assert!(refused.to_string().contains("StorageMSP is not a member"), "{refused}");
}

#[test]
fn a_new_crl_needs_only_the_org_admins() {
    let config = recorded();
    assert!(revocation_list(&config, "UtilityMSP").is_empty());
    let crl = b"-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n".to_vec();
    let revoked = edit::with_revocation_list(&config, "UtilityMSP", vec![crl.clone()]).expect("edits");
    assert_eq!(revocation_list(&revoked, "UtilityMSP"), [crl]);
    let u = update(&config, &revoked);
    assert_eq!(policies(&config, &u), ["/Channel/Application/UtilityMSP/Admins"]);
    let changes = proposal::impact(&config, &u).changes;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!((changes[0].path.as_str(), changes[0].how), ("/Channel/Application/UtilityMSP/MSP", "modified"));
    // Decoding and encoding the MSP again changes no byte: the same list is no change.
    let same = edit::with_revocation_list(&config, "UtilityMSP", Vec::new()).expect("edits");
    assert!(matches!(diff::compute_update("energy", &config, &same), Err(Error::NoChange)));
    assert!(edit::with_revocation_list(&config, "StorageMSP", Vec::new()).is_err());
}

#[test]
fn anchor_peers_are_set_once() {
    let config = with_storage();
    assert!(edit::anchor_peers(&config, "StorageMSP").expect("reads").is_empty());
    let anchors = [("127.0.0.1".to_owned(), 6051)];
    let anchored = edit::with_anchor_peers(&config, "StorageMSP", &anchors).expect("edits");
    assert_eq!(edit::anchor_peers(&anchored, "StorageMSP").expect("reads"), anchors);
    let u = update(&config, &anchored);
    assert_eq!(policies(&config, &u), ["/Channel/Application/StorageMSP/Admins"]);
    let value = &u.write_set.expect("write set").groups["Application"].groups["StorageMSP"].values["AnchorPeers"];
    assert_eq!((value.version, value.mod_policy.as_str()), (0, "Admins"));
    // The same anchor peer again: nothing to update.
    let again = edit::with_anchor_peers(&anchored, "StorageMSP", &anchors).expect("edits");
    assert!(matches!(diff::compute_update("energy", &anchored, &again), Err(Error::NoChange)));
    // Another port modifies the value, which the org's admins guard.
    let moved = edit::with_anchor_peers(&anchored, "StorageMSP", &[("127.0.0.1".to_owned(), 6052)]).expect("edits");
    let u = update(&anchored, &moved);
    assert_eq!(policies(&anchored, &u), ["/Channel/Application/StorageMSP/Admins"]);
    assert!(edit::anchor_peers(&config, "NobodyMSP").is_err());
}
