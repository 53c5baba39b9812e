//! The fields of a chaincode definition, from flags or from a directory `gridctl cc plan` wrote (`--plan DIR`:
//! its definition.json, and collections.json when the plan has collections), so that `cc approve` and `cc commit`
//! take a plan whole instead of a script turning it back into flags.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use gridledger_client::text::quote;
use serde_json::Value;

/// Largest definition.json read: a plan is a few hundred bytes, its policy text bounded by the channel's orgs.
const MAX_DEFINITION_FILE: u64 = 1 << 20;

/// What a definition is made of, whichever way it was given.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Fields {
    pub name: String,
    pub version: String,
    pub sequence: i64,
    pub signature_policy: Option<String>,
    pub channel_config_policy: Option<String>,
    pub collections_config: Option<PathBuf>,
    pub init_required: bool,
    /// The package the plan names (`packageId`); never set from flags (`cc approve --package-id` is separate).
    pub package_id: Option<String>,
}

/// Reads `DIR/definition.json`.
pub(crate) fn read_plan(dir: &Path) -> anyhow::Result<Fields> {
    let path = dir.join("definition.json");
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_DEFINITION_FILE + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("reading {}", path.display()))?;
    if text.len() as u64 > MAX_DEFINITION_FILE {
        bail!("{} is larger than {MAX_DEFINITION_FILE} bytes", path.display());
    }
    let value: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    from_plan(&value, dir).with_context(|| format!("{} is not a gridctl cc plan definition", path.display()))
}

/// The fields of a parsed definition.json in `dir`.
fn from_plan(v: &Value, dir: &Path) -> anyhow::Result<Fields> {
    let text = |key: &str| v[key].as_str().map(str::to_owned).with_context(|| format!("no string {key:?}"));
    let (name, version) = (text("name")?, text("version")?);
    let sequence = v["sequence"].as_i64().context("no integer \"sequence\"")?;
    let policy = &v["plan"]["policy"];
    let collections = v["plan"]["collections"].as_array().context("no array plan.collections")?;
    let fields = Fields {
        name,
        version,
        sequence,
        signature_policy: policy["text"].as_str().filter(|t| !t.is_empty()).map(str::to_owned),
        channel_config_policy: policy["channelPolicy"].as_str().map(str::to_owned),
        collections_config: (!collections.is_empty()).then(|| dir.join("collections.json")),
        init_required: v["initRequired"].as_bool().unwrap_or(false),
        package_id: v["packageId"].as_str().map(str::to_owned),
    };
    if fields.signature_policy.is_some() && fields.channel_config_policy.is_some() {
        bail!(
            "both a signature policy and a channel policy ({})",
            quote(fields.channel_config_policy.as_deref().unwrap_or(""))
        );
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_plan_gives_every_field() {
        let v = json!({"name": "metering", "version": "1.0", "sequence": 3, "initRequired": false,
            "packageId": "metering_1.0:ab", "plan": {"changed": true,
            "policy": {"changed": true, "text": "OR('A.peer', 'B.peer')"}, "collections": [{"name": "c"}]}});
        let f = from_plan(&v, Path::new("/p/cc-metering-3")).expect("reads");
        assert_eq!(
            f,
            Fields {
                name: "metering".into(),
                version: "1.0".into(),
                sequence: 3,
                signature_policy: Some("OR('A.peer', 'B.peer')".into()),
                channel_config_policy: None,
                collections_config: Some(PathBuf::from("/p/cc-metering-3/collections.json")),
                init_required: false,
                package_id: Some("metering_1.0:ab".into()),
            }
        );
    }

    #[test]
    fn the_channel_default_and_no_collections_give_no_flags() {
        let v = json!({"name": "kv", "version": "1", "sequence": 1, "initRequired": true, "packageId": null,
            "plan": {"changed": false, "policy": {"changed": false, "text": ""}, "collections": []}});
        let f = from_plan(&v, Path::new("d")).expect("reads");
        assert_eq!((f.signature_policy, f.collections_config, f.init_required, f.package_id), (None, None, true, None));
        let v = json!({"name": "kv", "version": "1", "sequence": 1,
            "plan": {"policy": {"text": "", "channelPolicy": "/Channel/Application/Writers"}, "collections": []}});
        let f = from_plan(&v, Path::new("d")).expect("reads");
        assert_eq!(f.channel_config_policy.as_deref(), Some("/Channel/Application/Writers"));
    }

    #[test]
    fn a_file_that_is_no_plan_is_refused_with_what_is_missing() {
        let err = from_plan(&json!({"name": "kv", "version": "1"}), Path::new("d")).expect_err("no sequence");
        assert!(err.to_string().contains("sequence"), "{err}");
        let dir = std::env::temp_dir().join(format!("gridctl-fields-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("definition.json"), "[1, 2]").expect("write");
        let err = format!("{:#}", read_plan(&dir).expect_err("not a plan"));
        assert!(err.contains("not a gridctl cc plan definition"), "{err}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
