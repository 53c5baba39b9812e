//! Tests on a channel config recorded from the real network (testdata/README.md).

use std::path::{Path, PathBuf};

use gridledger_client::Signer;
use gridledger_protos::common::{ConfigSignature, ConfigUpdateEnvelope, SignatureHeader};
use gridledger_protos::msp::SerializedIdentity;
use prost::Message as _;
use x509_parser::prelude::{ASN1Time, FromDer as _, X509Certificate};

use crate::identity::{Rejection, Role};
use crate::{config, diff, expr, identity, org, policy, proposal, signature};

mod edits;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}

pub(super) fn recorded() -> gridledger_protos::common::Config {
    let bytes = std::fs::read(testdata("energy-config-block.pb")).expect("recorded block");
    config::config_from_block(&bytes).expect("config block").1
}

fn signer(who: &str, msp: &str) -> Signer {
    let dir = testdata("ids").join(who);
    Signer::from_files(msp, &dir.join("cert.pem"), &dir.join("key.pem")).expect("test identity")
}

/// A time inside the recorded certificates' validity: an hour after the utility admin's was issued.
fn at() -> ASN1Time {
    let pem_text = std::fs::read(testdata("ids/utility-admin/cert.pem")).expect("cert");
    let der = identity::first_der(&pem_text).expect("der");
    let (_, cert) = X509Certificate::from_der(&der).expect("parses");
    ASN1Time::from_timestamp(cert.validity().not_before.timestamp() + 3600).expect("time")
}

/// The update adding StorageMSP (no anchor peers), computed here.
pub(super) fn add_storage() -> ConfigUpdateEnvelope {
    let config = recorded();
    let group = org::org_group("StorageMSP", &testdata("storage-msp"), &[]).expect("org group");
    let updated = org::with_org(&config, "StorageMSP", group).expect("with org");
    let update = diff::compute_update("energy", &config, &updated).expect("update");
    ConfigUpdateEnvelope { config_update: update.encode_to_vec(), signatures: Vec::new() }
}

fn members(env: &ConfigUpdateEnvelope) -> Vec<identity::Member> {
    let msps = config::msps(&recorded()).expect("msps");
    signature::check_all(&msps, env, at()).expect("checks").into_iter().filter_map(|c| c.verdict.ok()).collect()
}

fn admins_outcome(env: &ConfigUpdateEnvelope) -> policy::Outcome {
    policy::evaluate_path(&recorded(), "/Channel/Application/Admins", &members(env)).expect("evaluates")
}

#[test]
fn recorded_config_decodes() {
    let config = recorded();
    assert_eq!(config::application_orgs(&config), ["GridMSP", "ProsumerMSP", "UtilityMSP"]);
    let msps = config::msps(&config).expect("msps");
    assert!(msps.contains_key("OrdererMSP") && msps.contains_key("UtilityMSP"), "{:?}", msps.keys());
}

#[test]
fn add_org_update_equals_the_jq_path() {
    // testdata/add-storage-envelope.pb was made by scripts/org.sh propose add storage (configtxgen -printOrg,
    // jq, configtxlator compute_update) on the same network as the recorded config.
    let golden = std::fs::read(testdata("add-storage-envelope.pb")).expect("golden");
    let (_, golden_update) = config::update_from_bytes(&golden).expect("golden update");
    let ours = gridledger_protos::common::ConfigUpdate::decode(add_storage().config_update.as_slice()).expect("ours");
    assert_eq!(ours, golden_update);
}

#[test]
fn add_org_needs_majority_of_admins() {
    let config = recorded();
    let (_, update) = config::update_from_bytes(&add_storage().encode_to_vec()).expect("decodes");
    let impact = proposal::impact(&config, &update);
    assert_eq!(impact.policies.iter().collect::<Vec<_>>(), ["/Channel/Application/Admins"]);
    assert!(impact.stale.is_empty());
    assert!(impact.changes.iter().any(|c| c.path == "/Channel/Application/StorageMSP" && c.how == "added"));

    let mut env = add_storage();
    let outcome = admins_outcome(&env);
    assert_eq!((outcome.satisfied, outcome.missing), (false, 2), "{outcome:?}");
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    let outcome = admins_outcome(&env);
    assert_eq!((outcome.satisfied, outcome.missing), (false, 1), "{outcome:?}");
    assert_eq!(outcome.describe, "MAJORITY Admins (2 of 3)");
    signature::add_signature(&mut env, &signer("grid-admin", "GridMSP")).expect("signs");
    assert!(admins_outcome(&env).satisfied);
}

#[test]
fn admin_signature_verifies_with_admin_role() {
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    let msps = config::msps(&recorded()).expect("msps");
    let checked = signature::check_all(&msps, &env, at()).expect("checks");
    let member = checked[0].verdict.as_ref().expect("valid");
    assert!(member.roles.contains(&Role::Admin), "{member:?}");
}

#[test]
fn forged_signature_does_not_count() {
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    signature::add_signature(&mut env, &signer("grid-admin", "GridMSP")).expect("signs");
    // Grid's signature moved onto other bytes: the same header, a signature over a different update.
    let other = signature::sign(&signer("grid-admin", "GridMSP"), b"another update").expect("signs");
    env.signatures[1].signature = other.signature;
    let msps = config::msps(&recorded()).expect("msps");
    let checked = signature::check_all(&msps, &env, at()).expect("checks");
    assert!(matches!(checked[1].verdict, Err(Rejection::BadSignature(_))), "{:?}", checked[1]);
    assert!(!admins_outcome(&env).satisfied);
    // A flipped bit in an otherwise valid signature.
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("grid-admin", "GridMSP")).expect("signs");
    let last = env.signatures[0].signature.len() - 1;
    env.signatures[0].signature[last] ^= 1;
    let checked = signature::check_all(&msps, &env, at()).expect("checks");
    assert!(checked[0].verdict.is_err(), "{:?}", checked[0]);
}

#[test]
fn non_admin_signature_is_valid_but_not_an_admin() {
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("utility-operator1", "UtilityMSP")).expect("signs");
    signature::add_signature(&mut env, &signer("grid-admin", "GridMSP")).expect("signs");
    let all = members(&env);
    assert_eq!(all.len(), 2);
    assert!(all[0].roles.contains(&Role::Client) && !all[0].roles.contains(&Role::Admin), "{:?}", all[0]);
    let outcome = admins_outcome(&env);
    assert_eq!((outcome.satisfied, outcome.missing), (false, 1), "{outcome:?}");
}

#[test]
fn wrong_org_signers_do_not_count() {
    let msps = config::msps(&recorded()).expect("msps");
    let mut env = add_storage();
    // The new org's admin: StorageMSP is not an MSP of the channel yet.
    signature::add_signature(&mut env, &signer("storage-admin", "StorageMSP")).expect("signs");
    // The same admin claiming to be UtilityMSP: its certificate does not chain to Utility's CA.
    signature::add_signature(&mut env, &signer("storage-admin", "UtilityMSP")).expect("signs");
    // Grid's admin certificate presented as UtilityMSP's.
    signature::add_signature(&mut env, &signer("grid-admin", "UtilityMSP")).expect("signs");
    let checked = signature::check_all(&msps, &env, at()).expect("checks");
    assert!(matches!(checked[0].verdict, Err(Rejection::UnknownMsp(_))), "{:?}", checked[0]);
    assert!(matches!(checked[1].verdict, Err(Rejection::Untrusted(_))), "{:?}", checked[1]);
    assert!(matches!(checked[2].verdict, Err(Rejection::Untrusted(_))), "{:?}", checked[2]);
    assert_eq!(admins_outcome(&env).missing, 2);
}

#[test]
fn expired_identity_does_not_count() {
    let msps = config::msps(&recorded()).expect("msps");
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    let long_after = ASN1Time::from_timestamp(at().timestamp() + 50 * 365 * 86_400).expect("time");
    let checked = signature::check_all(&msps, &env, long_after).expect("checks");
    assert!(matches!(checked[0].verdict, Err(Rejection::Expired(_))), "{:?}", checked[0]);
}

#[test]
fn a_header_naming_another_creator_breaks_the_signature() {
    // Utility's admin signs; the header is then swapped for one naming Grid's admin.
    let msps = config::msps(&recorded()).expect("msps");
    let mut env = add_storage();
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    let grid = signer("grid-admin", "GridMSP");
    let header = SignatureHeader::decode(env.signatures[0].signature_header.as_slice()).expect("header");
    let swapped = SignatureHeader { creator: grid.creator(), nonce: header.nonce };
    env.signatures[0] =
        ConfigSignature { signature_header: swapped.encode_to_vec(), signature: env.signatures[0].signature.clone() };
    let checked = signature::check_all(&msps, &env, at()).expect("checks");
    assert!(matches!(checked[0].verdict, Err(Rejection::BadSignature(_))), "{:?}", checked[0]);
    let id = SerializedIdentity::decode(grid.creator().as_slice()).expect("identity");
    assert_eq!(id.mspid, "GridMSP");
}

#[test]
fn nested_out_of_policies() {
    let mut env = add_storage();
    for (who, msp) in [("utility-admin", "UtilityMSP"), ("grid-admin", "GridMSP"), ("utility-operator1", "UtilityMSP")]
    {
        signature::add_signature(&mut env, &signer(who, msp)).expect("signs");
    }
    let all = members(&env);
    assert_eq!(all.len(), 3);
    let eval = |text: &str, who: &[usize]| {
        let chosen: Vec<_> = who.iter().map(|i| all[*i].clone()).collect();
        let o = policy::evaluate_signature(&expr::parse(text).expect("parses"), &chosen);
        (o.satisfied, o.missing)
    };
    let nested = "OutOf(2, 'UtilityMSP.admin', AND('GridMSP.admin', 'ProsumerMSP.member'), OR('UtilityMSP.client', 'ProsumerMSP.peer'))";
    assert_eq!(eval(nested, &[0, 1, 2]), (true, 0));
    assert_eq!(eval(nested, &[1]), (false, 2)); // AND lacks Prosumer: cheapest is Utility admin + Utility client
    assert_eq!(eval(nested, &[0]), (false, 1));
    assert_eq!(eval(nested, &[2]), (false, 1));
    // One signer satisfies one leaf only: the Utility admin cannot count twice.
    assert_eq!(eval("AND('UtilityMSP.admin', 'UtilityMSP.member')", &[0]), (false, 1));
    assert_eq!(eval("AND('UtilityMSP.admin', 'UtilityMSP.member')", &[0, 2]), (true, 0));
    assert_eq!(eval("OutOf(2, 'GridMSP.admin', 'ProsumerMSP.admin', 'UtilityMSP.admin')", &[2]), (false, 2));
    // A peer principal is not met by an admin or client.
    assert_eq!(eval("OR('UtilityMSP.peer')", &[0, 2]), (false, 1));
}

#[test]
fn org_group_carries_anchor_peers_and_node_ous() {
    let group =
        org::org_group("StorageMSP", &testdata("storage-msp"), &[("peer0.storage".to_owned(), 6051)]).expect("group");
    let anchors = gridledger_protos::peer::AnchorPeers::decode(group.values["AnchorPeers"].value.as_slice())
        .expect("anchor peers");
    assert_eq!(anchors.anchor_peers[0].port, 6051);
    let msp = org::msp_config("StorageMSP", &testdata("storage-msp")).expect("msp");
    let ous = msp.fabric_node_ous.expect("node OUs");
    assert!(ous.enable);
    assert_eq!(ous.admin_ou_identifier.expect("admin OU").organizational_unit_identifier, "admin");
}

#[test]
fn review_is_ready_only_with_a_majority_of_valid_admins() {
    use crate::review;
    let config = recorded();
    let mut env = add_storage();
    let update = gridledger_protos::common::ConfigUpdate::decode(env.config_update.as_slice()).expect("update");
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    // The same admin twice counts once.
    signature::add_signature(&mut env, &signer("utility-admin", "UtilityMSP")).expect("signs");
    let r = review::review(&config, &env, &update, at()).expect("review");
    assert!(!r.ready());
    assert_eq!(r.policies[0].1.missing, 1);
    signature::add_signature(&mut env, &signer("prosumer-admin", "ProsumerMSP")).expect("signs");
    let r = review::review(&config, &env, &update, at()).expect("review");
    assert!(r.ready(), "{r:?}");
    // Against a config whose Application group moved on, the same update is stale.
    let mut moved = config.clone();
    if let Some(app) = moved.channel_group.as_mut().and_then(|g| g.groups.get_mut("Application")) {
        app.version += 1;
    }
    let r = review::review(&moved, &env, &update, at()).expect("review");
    assert_eq!(r.impact.stale, ["/Channel/Application"]);
    assert!(!r.ready());
    // A signature that does not verify spoils the file even when the policy is met.
    signature::add_signature(&mut env, &signer("storage-admin", "UtilityMSP")).expect("signs");
    let r = review::review(&config, &env, &update, at()).expect("review");
    assert!(r.policies[0].1.satisfied && !r.ready(), "{r:?}");
}
