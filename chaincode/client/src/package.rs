//! Chaincode packages, as `peer lifecycle chaincode install` takes them: `metadata.json`
//! (`{"label":…,"type":…}`) and `code.tar.gz`. Two kinds: chaincode as a service (type `ccaas`, `code.tar.gz`
//! holding `connection.json`, for the peers' CCaaS builder) and peer-launched programs (type `gridledger-exec`,
//! `code.tar.gz` holding `exec.json` = `{"path":PROGRAM}`, for `network/builders/exec`). The package id is
//! `label:sha256hex(package bytes)`, what `peer lifecycle chaincode calculatepackageid` prints.
//!
//! The archives are reproducible, so one set of inputs always has one package id: entries sorted by name, every
//! tar header field that could vary fixed (mode 0644, uid/gid 0, no user or group names, mtime 0), and the gzip
//! header with no name, mtime 0 and OS "unknown". The deflate output is flate2's (miniz_oxide) at a fixed level;
//! a test pins the resulting id, so an upgrade that changed the bytes would be noticed before a package id did.

use flate2::Compression;
use ring::digest::{SHA256, digest};
use serde_json::{Map, Value, json};

/// What went wrong building a package.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The label is not one Fabric accepts.
    #[error("label {}: use letters, digits and _.+- (starting with a letter or digit), e.g. kv_1.0", crate::text::quote(.0))]
    Label(String),
    /// The program of an exec package is not an absolute path (the peer's builder runs it from its own directory).
    #[error("program {}: give an absolute path, e.g. /opt/chaincode/kv-classic", crate::text::quote(.0))]
    Program(String),
    /// An archive entry could not be written (a name too long for a ustar header).
    #[error("archive entry {name}")]
    Entry {
        /// The entry.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

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

/// The metadata type of peer-launched packages, which `network/builders/exec/bin/detect` claims.
pub const EXEC_TYPE: &str = "gridledger-exec";

/// Builds the CCaaS package for `label` and `conn`.
pub fn ccaas(label: &str, conn: &Connection) -> Result<Package, PackageError> {
    package(label, "ccaas", "connection.json", &conn.to_json())
}

/// Builds the peer-launched package for `label` that names `program`, an absolute path on the peers' machine.
/// Only the path is packaged, so the id changes when the path does, not when the program is rebuilt.
pub fn exec(label: &str, program: &str) -> Result<Package, PackageError> {
    if !program.starts_with('/') {
        return Err(PackageError::Program(program.into()));
    }
    package(label, EXEC_TYPE, "exec.json", &json!({"path": program}).to_string())
}

/// `metadata.json` of `label` and `kind`, and `code.tar.gz` holding the one file `name` with `content`.
fn package(label: &str, kind: &str, name: &str, content: &str) -> Result<Package, PackageError> {
    if !valid_label(label) {
        return Err(PackageError::Label(label.into()));
    }
    let code = tar_gz(&[(name, content.as_bytes())])?;
    let metadata = json!({"label": label, "type": kind}).to_string();
    let bytes = tar_gz(&[("metadata.json", metadata.as_bytes()), ("code.tar.gz", &code)])?;
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

/// A reproducible `.tar.gz` of regular files `(name, content)`, sorted by name (see the module docs).
pub fn tar_gz(files: &[(&str, &[u8])]) -> Result<Vec<u8>, PackageError> {
    let mut sorted = files.to_vec();
    sorted.sort_by_key(|&(name, _)| name);
    let gz = flate2::GzBuilder::new().mtime(0).operating_system(255).write(Vec::new(), Compression::default());
    let mut archive = tar::Builder::new(gz);
    for (name, data) in sorted {
        let mut header = tar::Header::new_ustar();
        header.set_path(name).map_err(failed(name))?;
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_cksum();
        archive.append(&header, data).map_err(failed(name))?;
    }
    // Writing to memory fails only if the archive itself is malformed; the error names no entry then.
    let gz = archive.into_inner().map_err(failed("(end of archive)"))?;
    gz.finish().map_err(failed("(gzip trailer)"))
}

fn failed(name: &str) -> impl FnOnce(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Entry { name: name.to_string(), source }
}

#[cfg(test)]
mod tests;
