//! A new application org as a config group, built from its MSP directory the
//! way `configtxgen -printOrg` does with gridledger's org template
//! (network/configtx-org.yaml.in): the MSP value, optional anchor peers and the
//! Readers/Writers/Admins/Endorsement signature policies.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use gridledger_protos::common::policy::PolicyType;
use gridledger_protos::common::{Config, ConfigGroup, ConfigPolicy, ConfigValue, Policy};
use gridledger_protos::msp::{FabricCryptoConfig, FabricMspConfig, FabricNodeOUs, FabricOuIdentifier, MspConfig};
use prost::Message as _;

use crate::error::{Error, Result};
use crate::{edit, expr};

/// Policy name that may modify the org's own group and values.
const ADMINS: &str = "Admins";
/// Largest file read from an MSP directory (certificates, CRLs, config.yaml).
const MAX_MSP_FILE: u64 = 64 * 1024;

/// The config group of org `msp_id` from its (public) MSP directory, with the
/// given anchor peers (`host`, `port`).
pub fn org_group(msp_id: &str, msp_dir: &Path, anchors: &[(String, u16)]) -> Result<ConfigGroup> {
    let msp = msp_config(msp_id, msp_dir)?;
    let value = |bytes: Vec<u8>| ConfigValue { version: 0, value: bytes, mod_policy: ADMINS.to_owned() };
    let mut values = HashMap::from([(
        "MSP".to_owned(),
        value(MspConfig { r#type: 0, config: msp.encode_to_vec() }.encode_to_vec()),
    )]);
    if !anchors.is_empty() {
        values.insert("AnchorPeers".to_owned(), value(edit::anchor_peers_value(anchors)));
    }
    let rules = [
        ("Readers", format!("OR('{msp_id}.admin', '{msp_id}.peer', '{msp_id}.client')")),
        ("Writers", format!("OR('{msp_id}.admin', '{msp_id}.client')")),
        ("Admins", format!("OR('{msp_id}.admin')")),
        ("Endorsement", format!("OR('{msp_id}.peer')")),
    ];
    let mut policies = HashMap::new();
    for (name, rule) in rules {
        let env = expr::parse(&rule)?;
        let policy = Policy { r#type: PolicyType::Signature as i32, value: env.encode_to_vec() };
        policies
            .insert(name.to_owned(), ConfigPolicy { version: 0, policy: Some(policy), mod_policy: ADMINS.to_owned() });
    }
    Ok(ConfigGroup { version: 0, groups: HashMap::new(), values, policies, mod_policy: ADMINS.to_owned() })
}

/// `config` with `group` added as application org `name`.
pub fn with_org(config: &Config, name: &str, group: ConfigGroup) -> Result<Config> {
    let mut updated = config.clone();
    let app = edit::application_mut(&mut updated)?;
    if app.groups.contains_key(name) {
        return Err(Error::Shape(format!("{name} is already a member of the channel")));
    }
    app.groups.insert(name.to_owned(), group);
    Ok(updated)
}

/// The verifying MSP config of a local MSP directory (no signing identity).
pub fn msp_config(msp_id: &str, dir: &Path) -> Result<FabricMspConfig> {
    let root_certs = pem_files(dir, "cacerts")?;
    if root_certs.is_empty() {
        return Err(Error::MspDir { dir: dir.to_path_buf(), problem: "cacerts holds no certificate".into() });
    }
    let node_ous = node_ous(dir)?;
    Ok(FabricMspConfig {
        name: msp_id.to_owned(),
        root_certs,
        intermediate_certs: pem_files(dir, "intermediatecerts")?,
        admins: pem_files(dir, "admincerts")?,
        revocation_list: pem_files(dir, "crls")?,
        signing_identity: None,
        organizational_unit_identifiers: Vec::new(),
        crypto_config: Some(FabricCryptoConfig {
            signature_hash_family: "SHA2".to_owned(),
            identity_identifier_hash_function: "SHA256".to_owned(),
        }),
        tls_root_certs: pem_files(dir, "tlscacerts")?,
        tls_intermediate_certs: pem_files(dir, "tlsintermediatecerts")?,
        fabric_node_ous: node_ous,
    })
}

fn read_bounded(path: &Path, dir: &Path) -> Result<Vec<u8>> {
    let problem = |problem: String| Error::MspDir { dir: dir.to_path_buf(), problem };
    let len = fs::metadata(path).map_err(|e| problem(format!("{}: {e}", path.display())))?.len();
    if len > MAX_MSP_FILE {
        return Err(problem(format!("{} is larger than {MAX_MSP_FILE} bytes", path.display())));
    }
    fs::read(path).map_err(|e| problem(format!("{}: {e}", path.display())))
}

/// The files of `dir/sub` in name order (none if `sub` does not exist).
fn pem_files(dir: &Path, sub: &str) -> Result<Vec<Vec<u8>>> {
    let path = dir.join(sub);
    if !path.is_dir() {
        return Ok(Vec::new());
    }
    let entries =
        fs::read_dir(&path).map_err(|e| Error::MspDir { dir: dir.to_path_buf(), problem: format!("{sub}: {e}") })?;
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    files.iter().map(|f| read_bounded(f, dir)).collect()
}

/// NodeOUs from `config.yaml`. Reads the layout Fabric CA and cryptogen write
/// (an `Enable` flag and four `XxxOUIdentifier` entries with `Certificate` and
/// `OrganizationalUnitIdentifier`, block or `{..}` style), not general YAML.
fn node_ous(dir: &Path) -> Result<Option<FabricNodeOUs>> {
    let path = dir.join("config.yaml");
    if !path.is_file() {
        return Ok(None);
    }
    let text = String::from_utf8(read_bounded(&path, dir)?)
        .map_err(|_| Error::MspDir { dir: dir.to_path_buf(), problem: "config.yaml is not UTF-8".into() })?;
    let mut out = FabricNodeOUs::default();
    let mut current: Option<&'static str> = None;
    let mut seen_node_ous = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("NodeOUs:") {
            seen_node_ous = true;
            continue;
        }
        if !seen_node_ous || trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            break; // the NodeOUs block ended
        }
        if let Some(v) = trimmed.strip_prefix("Enable:") {
            out.enable = v.trim() == "true";
            continue;
        }
        for key in ["ClientOUIdentifier", "PeerOUIdentifier", "AdminOUIdentifier", "OrdererOUIdentifier"] {
            if trimmed.starts_with(&format!("{key}:")) {
                current = Some(key);
            }
        }
        let Some(key) = current else { continue };
        let slot = match key {
            "ClientOUIdentifier" => &mut out.client_ou_identifier,
            "PeerOUIdentifier" => &mut out.peer_ou_identifier,
            "AdminOUIdentifier" => &mut out.admin_ou_identifier,
            _ => &mut out.orderer_ou_identifier,
        };
        let id = slot.get_or_insert_with(FabricOuIdentifier::default);
        for part in trimmed.trim_start_matches(&format!("{key}:")).trim().trim_matches(['{', '}']).split(',') {
            let Some((k, v)) = part.split_once(':') else { continue };
            let v = v.trim().trim_matches(['"', '\'']);
            match k.trim() {
                "Certificate" => id.certificate = read_bounded(&dir.join(v), dir)?,
                "OrganizationalUnitIdentifier" => id.organizational_unit_identifier = v.to_owned(),
                _ => {}
            }
        }
    }
    Ok(seen_node_ous.then_some(out))
}
