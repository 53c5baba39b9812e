//! Chaincode-as-a-service packages, as `peer lifecycle chaincode install` takes them: `metadata.json`
//! (`{"label":…,"type":"ccaas"}`) and `code.tar.gz` holding `connection.json`, written deterministically
//! ([`crate::targz`]). The package id is `label:sha256hex(package bytes)`, what
//! `peer lifecycle chaincode calculatepackageid` prints.

use ring::digest::{SHA256, digest};
use serde_json::{Map, Value, json};

use crate::targz::{Entry, NameTooLong, tar_gz};

/// What goes into `connection.json`. A `None` certificate is written as the `{{.root_cert}}`,
/// `{{.client_cert}}` or `{{.client_key}}` placeholder that each peer's CCaaS builder fills from its own
/// configuration, so one package serves every org.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// `host:port` where the chaincode server listens.
    pub address: String,
    /// How long the peer waits for the connection (Go duration, e.g. `10s`).
    pub dial_timeout: String,
    /// Whether the peer dials with TLS.
    pub tls: bool,
    /// Whether the chaincode server requires the peer's client certificate (mutual TLS).
    pub client_auth: bool,
    /// PEM of the CA that issued the chaincode server's TLS certificate.
    pub root_cert: Option<String>,
    /// PEM client certificate the peer presents.
    pub client_cert: Option<String>,
    /// PEM client key the peer uses.
    pub client_key: Option<String>,
}

impl Connection {
    /// The `connection.json` text (keys sorted, compact).
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        m.insert("address".into(), json!(self.address));
        m.insert("dial_timeout".into(), json!(self.dial_timeout));
        m.insert("tls_required".into(), json!(self.tls));
        if self.tls {
            let or = |v: &Option<String>, placeholder: &str| json!(v.clone().unwrap_or_else(|| placeholder.into()));
            m.insert("root_cert".into(), or(&self.root_cert, "{{.root_cert}}"));
            m.insert("client_auth_required".into(), json!(self.client_auth));
            if self.client_auth {
                m.insert("client_cert".into(), or(&self.client_cert, "{{.client_cert}}"));
                m.insert("client_key".into(), or(&self.client_key, "{{.client_key}}"));
            }
        }
        Value::Object(m).to_string()
    }
}

/// A built package: its bytes and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The `.tar.gz` bytes.
    pub bytes: Vec<u8>,
    /// `label:sha256hex(bytes)`.
    pub id: String,
}

/// Builds the CCaaS package for `label` and `conn`.
pub fn ccaas(label: &str, conn: &Connection) -> Result<Package, NameTooLong> {
    let code = tar_gz(&[Entry::new("connection.json", conn.to_json())])?;
    let metadata = json!({"label": label, "type": "ccaas"}).to_string();
    let bytes = tar_gz(&[Entry::new("metadata.json", metadata), Entry::new("code.tar.gz", code)])?;
    let id = package_id(label, &bytes);
    Ok(Package { bytes, id })
}

/// `label:sha256hex(bytes)`, Fabric's package id.
pub fn package_id(label: &str, bytes: &[u8]) -> String {
    format!("{label}:{}", hex::encode(digest(&SHA256, bytes)))
}

/// Checks a label the way Fabric does (`^[[:alnum:]][[:alnum:]_.+-]*$`).
pub fn valid_label(label: &str) -> bool {
    let mut chars = label.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.+-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        Connection {
            address: "127.0.0.1:9999".into(),
            dial_timeout: "10s".into(),
            tls: true,
            client_auth: true,
            ..Connection::default()
        }
    }

    #[test]
    fn same_input_same_id() {
        let a = ccaas("kv_1.0", &conn()).expect("package");
        let b = ccaas("kv_1.0", &conn()).expect("package");
        assert_eq!(a, b);
        assert!(a.id.starts_with("kv_1.0:") && a.id.len() == "kv_1.0:".len() + 64);
        let other = Connection { address: "127.0.0.1:9998".into(), ..conn() };
        assert_ne!(ccaas("kv_1.0", &other).expect("package").id, a.id);
    }

    #[test]
    fn connection_json_placeholders() {
        let v: Value = serde_json::from_str(&conn().to_json()).expect("json");
        assert_eq!(v["root_cert"], "{{.root_cert}}");
        assert_eq!(v["client_key"], "{{.client_key}}");
        let plain: Value = serde_json::from_str(&Connection { tls: false, ..conn() }.to_json()).expect("json");
        assert!(plain.get("root_cert").is_none());
        assert_eq!(plain["tls_required"], false);
    }

    #[test]
    fn labels() {
        assert!(valid_label("kv_1.0+b-2"));
        assert!(!valid_label("_kv") && !valid_label("") && !valid_label("kv 1"));
    }
}
