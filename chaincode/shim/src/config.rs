//! Start-up configuration, read the way Fabric deployments provide it.
//!
//! | variable | mode | meaning |
//! |---|---|---|
//! | `CHAINCODE_SERVER_ADDRESS` (or `CORE_CHAINCODE_ADDRESS`) | server | listen address; its presence selects server (CCaaS) mode |
//! | `CHAINCODE_ID` (or `CORE_CHAINCODE_ID_NAME`) | both | the package id `label:hash` sent in REGISTER |
//! | `CHAINCODE_TLS_DISABLED` | server | `true` turns TLS off even when certificates are given |
//! | `CHAINCODE_TLS_CERT`, `CHAINCODE_TLS_KEY` | server | server certificate and key: a PEM file path, or the PEM itself |
//! | `CHAINCODE_CLIENT_CA_CERT` | server | CA for client certificates: turns on mutual TLS |
//! | `-peer.address` flag, or `CORE_PEER_ADDRESS` | client | the peer's chaincode listener `host:port` |
//! | `CORE_PEER_TLS_ENABLED` | both | `true`/`false` (Go `ParseBool` spellings); client TLS, or server TLS from the `CORE_*` files |
//! | `CORE_TLS_CLIENT_CERT_FILE`, `CORE_TLS_CLIENT_KEY_FILE` | both | PEM files of the client (or server) certificate and key |
//! | `CORE_TLS_CLIENT_CERT_PATH`, `CORE_TLS_CLIENT_KEY_PATH` | both | the same as base64 of the PEM (used when `*_FILE` is absent) |
//! | `CORE_PEER_TLS_ROOTCERT_FILE` | both | PEM of the CA that issued the peer's certificate (server mode: the client CA) |
//! | `CORE_CHAINCODE_LOGGING_LEVEL`, `RUST_LOG` | both | log level (`RUST_LOG` wins) |

use std::net::SocketAddr;

use base64::Engine;

use crate::error::{Error, Result};

/// How the chaincode reaches its peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Chaincode as a service: the peer dials us.
    Server(ServerConfig),
    /// Classic: we dial the peer.
    Client(ClientConfig),
}

/// Settings of chaincode-as-a-service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The package id sent in REGISTER.
    pub chaincode_id: String,
    /// Where to listen.
    pub address: SocketAddr,
    /// TLS, if on.
    pub tls: Option<ServerTls>,
}

/// Server TLS material, PEM encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerTls {
    /// Certificate chain.
    pub cert: Vec<u8>,
    /// Private key.
    pub key: Vec<u8>,
    /// CA for client certificates; `Some` requires and verifies a client certificate (mutual TLS).
    pub client_ca: Option<Vec<u8>>,
}

/// Settings of classic mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The package id sent in REGISTER.
    pub chaincode_id: String,
    /// The peer's chaincode listener, `host:port`.
    pub peer_address: String,
    /// TLS, if on.
    pub tls: Option<ClientTls>,
}

/// Client TLS material, PEM encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientTls {
    /// CA that issued the peer's certificate.
    pub root_cert: Vec<u8>,
    /// Our client certificate (the peer requires one).
    pub cert: Vec<u8>,
    /// Our client key.
    pub key: Vec<u8>,
}

// Keys stay out of logs and panic messages.
impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls").field("mutual", &self.client_ca.is_some()).finish_non_exhaustive()
    }
}
impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls").finish_non_exhaustive()
    }
}

impl Mode {
    /// Reads the process environment and command line.
    pub fn from_env() -> Result<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()), &args, &|path| {
            std::fs::read(path).map_err(|e| Error::Config(format!("cannot read {path}: {e}")))
        })
    }

    /// Reads settings through `var` and `read_file` (so tests need no real environment or files).
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
        args: &[String],
        read_file: &dyn Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        let env = Env { var: &var, read_file };
        match env.first(&["CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"]) {
            Some(address) => env.server(&address).map(Mode::Server),
            None => env.client(args).map(Mode::Client),
        }
    }
}

struct Env<'a> {
    var: &'a dyn Fn(&str) -> Option<String>,
    read_file: &'a dyn Fn(&str) -> Result<Vec<u8>>,
}

impl Env<'_> {
    fn first(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| (self.var)(n))
    }

    fn chaincode_id(&self) -> Result<String> {
        self.first(&["CHAINCODE_ID", "CORE_CHAINCODE_ID_NAME"]).ok_or_else(|| {
            Error::Config("CHAINCODE_ID (or CORE_CHAINCODE_ID_NAME) is not set: give the package id".into())
        })
    }

    fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.first(&[name]).map(|v| parse_bool(name, &v)).transpose()
    }

    /// A PEM given as a file path or inline.
    fn pem(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(value) = self.first(&[name]) else { return Ok(None) };
        let pem =
            if value.trim_start().starts_with("-----BEGIN") { value.into_bytes() } else { (self.read_file)(&value)? };
        check_pem(name, pem).map(Some)
    }

    /// Fabric's pair of spellings: raw PEM file (`*_FILE`, preferred) or base64 of the PEM in a file (`*_PATH`).
    fn core_pem(&self, file_var: &str, path_var: &str) -> Result<Option<Vec<u8>>> {
        if let Some(pem) = self.pem(file_var)? {
            return Ok(Some(pem));
        }
        let Some(path) = self.first(&[path_var]) else { return Ok(None) };
        let encoded = (self.read_file)(&path)?;
        let text: Vec<u8> = encoded.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
        let pem = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| Error::Config(format!("{path_var} ({path}) is not base64: {e}")))?;
        check_pem(path_var, pem).map(Some)
    }

    fn server(&self, address: &str) -> Result<ServerConfig> {
        let address = address.parse().map_err(|e| {
            Error::Config(format!("CHAINCODE_SERVER_ADDRESS {address:?} is not an ip:port address: {e}"))
        })?;
        let chaincode_id = self.chaincode_id()?;
        let tls = if self.flag("CHAINCODE_TLS_DISABLED")? == Some(true) {
            None
        } else if let Some(cert) = self.pem("CHAINCODE_TLS_CERT")? {
            let key = self.pem("CHAINCODE_TLS_KEY")?.ok_or_else(|| both("CHAINCODE_TLS_CERT", "CHAINCODE_TLS_KEY"))?;
            Some(ServerTls { cert, key, client_ca: self.pem("CHAINCODE_CLIENT_CA_CERT")? })
        } else if self.pem("CHAINCODE_TLS_KEY")?.is_some() {
            return Err(both("CHAINCODE_TLS_KEY", "CHAINCODE_TLS_CERT"));
        } else if self.flag("CORE_PEER_TLS_ENABLED")? == Some(true) {
            // The Go contract API's convention: the CORE_* client pair serves, the root cert verifies clients.
            let (cert, key) = self.core_pair()?;
            Some(ServerTls { cert, key, client_ca: self.pem("CORE_PEER_TLS_ROOTCERT_FILE")? })
        } else {
            None
        };
        Ok(ServerConfig { chaincode_id, address, tls })
    }

    fn core_pair(&self) -> Result<(Vec<u8>, Vec<u8>)> {
        let cert = self.core_pem("CORE_TLS_CLIENT_CERT_FILE", "CORE_TLS_CLIENT_CERT_PATH")?;
        let key = self.core_pem("CORE_TLS_CLIENT_KEY_FILE", "CORE_TLS_CLIENT_KEY_PATH")?;
        match (cert, key) {
            (Some(cert), Some(key)) => Ok((cert, key)),
            _ => Err(Error::Config(
                "CORE_PEER_TLS_ENABLED is true but the certificate or key is missing: set CORE_TLS_CLIENT_CERT_FILE and \
                 CORE_TLS_CLIENT_KEY_FILE (PEM) or CORE_TLS_CLIENT_CERT_PATH and CORE_TLS_CLIENT_KEY_PATH (base64)"
                    .into(),
            )),
        }
    }

    fn client(&self, args: &[String]) -> Result<ClientConfig> {
        let peer_address =
            peer_address_flag(args)?.or_else(|| self.first(&["CORE_PEER_ADDRESS"])).ok_or_else(|| {
                Error::Config(
                    "no peer address: pass -peer.address=host:port or set CORE_PEER_ADDRESS (or set \
                 CHAINCODE_SERVER_ADDRESS to run as a service)"
                        .into(),
                )
            })?;
        if !peer_address.contains(':') {
            return Err(Error::Config(format!("peer address {peer_address:?} is not host:port")));
        }
        let chaincode_id = self.chaincode_id()?;
        let tls = if self.flag("CORE_PEER_TLS_ENABLED")? == Some(true) {
            let root_cert = self.pem("CORE_PEER_TLS_ROOTCERT_FILE")?.ok_or_else(|| {
                Error::Config("CORE_PEER_TLS_ENABLED is true but CORE_PEER_TLS_ROOTCERT_FILE is not set".into())
            })?;
            let (cert, key) = self.core_pair()?;
            Some(ClientTls { root_cert, cert, key })
        } else {
            None
        };
        Ok(ClientConfig { chaincode_id, peer_address, tls })
    }
}

/// The peer address flag in the spellings the Go, Node and Java launchers use.
fn peer_address_flag(args: &[String]) -> Result<Option<String>> {
    const NAMES: [&str; 3] = ["-peer.address", "--peer.address", "--peerAddress"];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        for name in NAMES {
            if let Some(value) = arg.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')) {
                return Ok(Some(value.to_string()));
            }
            if arg == name {
                let value = args.next().ok_or_else(|| Error::Config(format!("{name} needs a value")))?;
                return Ok(Some(value.clone()));
            }
        }
    }
    Ok(None)
}

/// Go's `strconv.ParseBool` spellings; anything else is an error, as in the Go shim.
fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(Error::Config(format!("{name}={other:?} is not a boolean (use true or false)"))),
    }
}

fn check_pem(name: &str, pem: Vec<u8>) -> Result<Vec<u8>> {
    if !pem.windows(10).any(|w| w == b"-----BEGIN") {
        return Err(Error::Config(format!("{name} does not contain PEM data")));
    }
    Ok(pem)
}

fn both(given: &str, missing: &str) -> Error {
    Error::Config(format!("{given} is set but {missing} is not: server TLS needs both"))
}

#[cfg(test)]
mod tests;
