//! Validation: command line arguments become a runnable configuration, with errors that say what to pass.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::{CallArgs, GatewayArgs, Org, PackageArgs};
use crate::gateway::PeerTarget;
use crate::identity::only_file;
use crate::package::{Connection, valid_label};
use crate::proposal::Invocation;

/// A client: which peer, which identity files.
#[derive(Debug, Clone)]
pub struct Client {
    /// The gateway peer.
    pub target: PeerTarget,
    /// MSP id of the identity.
    pub msp_id: String,
    /// Signing certificate file.
    pub cert: PathBuf,
    /// Private key file.
    pub key: PathBuf,
}

impl Org {
    /// The org key used in the run directory and in `GL_<ORG>_*` variables.
    pub fn key(self) -> &'static str {
        match self {
            Org::Utility => "utility",
            Org::Grid => "grid",
            Org::Prosumer => "prosumer",
        }
    }

    fn defaults(self) -> (&'static str, u16) {
        match self {
            Org::Utility => ("UtilityMSP", 7051),
            Org::Grid => ("GridMSP", 8051),
            Org::Prosumer => ("ProsumerMSP", 9051),
        }
    }

    /// `GL_<ORG>_<FIELD>` from the environment, as network/consortium.env lets it be overridden.
    fn var(self, field: &str) -> Option<String> {
        std::env::var(format!("GL_{}_{field}", self.key().to_uppercase())).ok()
    }

    /// MSP id (`GL_<ORG>_MSPID`, default from consortium.env).
    pub fn msp_id(self) -> String {
        self.var("MSPID").unwrap_or_else(|| self.defaults().0.into())
    }

    /// Peer address (`GL_<ORG>_PEER_HOST` or `GL_HOST`, and `GL_<ORG>_PEER_PORT`; defaults from consortium.env).
    pub fn peer_address(self) -> String {
        let host = self.var("PEER_HOST").or_else(|| std::env::var("GL_HOST").ok());
        let port = self.var("PEER_PORT").unwrap_or_else(|| self.defaults().1.to_string());
        format!("{}:{port}", host.as_deref().unwrap_or("127.0.0.1"))
    }
}

/// Resolves the connection flags, filling what `--org` implies from the run directory.
pub fn client(c: &GatewayArgs) -> anyhow::Result<Client> {
    let Some(org) = c.org else {
        let missing: Vec<&str> = [("--peer", c.peer.is_none()), ("--msp-id", c.msp_id.is_none())]
            .into_iter()
            .chain([("--cert", c.cert.is_none()), ("--key", c.key.is_none())])
            .filter_map(|(flag, absent)| absent.then_some(flag))
            .collect();
        if !missing.is_empty() {
            bail!("missing {}: pass them, or --org utility|grid|prosumer for the test network", missing.join(", "));
        }
        let target = PeerTarget {
            address: c.peer.clone().unwrap_or_default(),
            tls_ca: c.tls_ca.clone(),
            tls_hostname: c.tls_hostname.clone(),
        };
        let (cert, key) = (c.cert.clone().unwrap_or_default(), c.key.clone().unwrap_or_default());
        return Ok(Client { target, msp_id: c.msp_id.clone().unwrap_or_default(), cert, key });
    };
    let org_dir = c.run_dir.join("orgs").join(org.key());
    let msp = org_dir.join("users").join(&c.user).join("msp");
    if !msp.is_dir() {
        bail!(
            "no identity {} (is the network up with this run dir? set --run-dir or GRIDLEDGER_RUN; users are \
             directories under {})",
            msp.display(),
            org_dir.join("users").display()
        );
    }
    let pick = |flag: &Option<PathBuf>, sub: &str| match flag {
        Some(p) => Ok(p.clone()),
        None => only_file(&msp.join(sub)),
    };
    Ok(Client {
        target: PeerTarget {
            address: c.peer.clone().unwrap_or_else(|| org.peer_address()),
            tls_ca: Some(c.tls_ca.clone().unwrap_or_else(|| org_dir.join("msp/tlscacerts/ca.pem"))),
            tls_hostname: c.tls_hostname.clone(),
        },
        msp_id: c.msp_id.clone().unwrap_or_else(|| org.msp_id()),
        cert: pick(&c.cert, "signcerts")?,
        key: pick(&c.key, "keystore")?,
    })
}

/// `key=value` transient entries.
pub fn transient(entries: &[String]) -> anyhow::Result<HashMap<String, Vec<u8>>> {
    entries
        .iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.as_bytes().to_vec())),
            _ => bail!("--transient {}: expected KEY=VALUE", gridledger_contract::quote(e)),
        })
        .collect()
}

/// The invocation a query or invoke describes.
pub fn invocation(a: &CallArgs) -> anyhow::Result<Invocation> {
    let args = std::iter::once(&a.function).chain(&a.args).map(|s| s.as_bytes().to_vec()).collect();
    Ok(Invocation {
        channel: a.conn.gw.channel.clone(),
        chaincode: a.conn.chaincode.clone(),
        args,
        transient: transient(&a.transient)?,
        endorsing_orgs: vec![],
    })
}

fn read_pem(path: &Option<PathBuf>) -> anyhow::Result<Option<String>> {
    path.as_deref()
        .map(|p: &Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()
}

/// The label and `connection.json` of a package.
pub fn package(a: &PackageArgs) -> anyhow::Result<(String, Connection)> {
    if !valid_label(&a.label) {
        let label = gridledger_contract::quote(&a.label);
        bail!("--label {label}: use letters, digits and _.+- (starting with a letter or digit), e.g. kv_1.0");
    }
    if a.address.rsplit_once(':').is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err()) {
        bail!("--address {}: expected host:port, e.g. 127.0.0.1:9999", gridledger_contract::quote(&a.address));
    }
    let tls = a.tls || a.client_auth;
    if !tls && a.root_cert.is_some() {
        bail!("--root-cert needs --tls");
    }
    if !a.client_auth && (a.client_cert.is_some() || a.client_key.is_some()) {
        bail!("--client-cert/--client-key need --client-auth");
    }
    let conn = Connection {
        address: a.address.clone(),
        dial_timeout: a.dial_timeout.clone(),
        tls,
        client_auth: a.client_auth,
        root_cert: read_pem(&a.root_cert)?,
        client_cert: read_pem(&a.client_cert)?,
        client_key: read_pem(&a.client_key)?,
    };
    Ok((a.label.clone(), conn))
}
