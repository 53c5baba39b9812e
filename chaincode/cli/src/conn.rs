//! Who calls, through which peer: the connection flags every network subcommand shares, the test network's
//! `--org` shortcut, and connecting a [`Gateway`] from them.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};
use gridledger_client::identity::only_file;
use gridledger_client::text::quote;
use gridledger_client::{Gateway, PeerTarget, Signer, Tls};

/// The three orgs of this repository's test network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Org {
    /// UtilityMSP, peer port 7051 (GL_UTILITY_PEER_PORT).
    Utility,
    /// GridMSP, peer port 8051 (GL_GRID_PEER_PORT).
    Grid,
    /// ProsumerMSP, peer port 9051 (GL_PROSUMER_PEER_PORT).
    Prosumer,
}

/// Who calls, through which peer, on which channel.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Shortcut for the test network: peer, TLS CA, MSP id, cert and key of this org from the run directory.
    #[arg(long)]
    pub org: Option<Org>,
    /// User directory under orgs/ORG/users (with --org).
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Run directory of the test network (scripts/lib.sh layout).
    #[arg(long, env = "GRIDLEDGER_RUN", default_value = ".cache/run", value_name = "DIR")]
    pub run_dir: PathBuf,
    /// Gateway peer host:port (overrides the --org default).
    #[arg(long, value_name = "HOST:PORT")]
    pub peer: Option<String>,
    /// PEM CA of the peer's TLS certificate; without it (and without --org) the connection is plaintext.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Server name to verify the peer's TLS certificate against (default: the host of --peer).
    #[arg(long)]
    pub tls_hostname: Option<String>,
    /// PEM TLS client certificate, for peers that require mutual TLS (with --tls-client-key).
    #[arg(long, value_name = "FILE", requires = "tls_client_key")]
    pub tls_client_cert: Option<PathBuf>,
    /// PEM key of the TLS client certificate (with --tls-client-cert).
    #[arg(long, value_name = "FILE", requires = "tls_client_cert")]
    pub tls_client_key: Option<PathBuf>,
    /// MSP id of the client identity (e.g. UtilityMSP).
    #[arg(long)]
    pub msp_id: Option<String>,
    /// PEM signing certificate of the client (msp/signcerts/cert.pem).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// PEM EC P-256 private key of the client, PKCS#8 or SEC1 (msp/keystore/*_sk).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Channel name.
    #[arg(short = 'c', long, default_value = "energy")]
    pub channel: String,
}

/// Who calls which chaincode, through which peer.
#[derive(Debug, Args)]
pub struct ConnArgs {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Chaincode name.
    #[arg(short = 'n', long)]
    pub chaincode: String,
}

/// A client: which peer, which identity files.
#[derive(Debug, Clone)]
pub struct Client {
    /// The gateway peer's address.
    pub address: String,
    /// PEM file of the peer's TLS CA (`None`: plaintext).
    pub tls_ca: Option<PathBuf>,
    /// Name the peer's TLS certificate must carry.
    pub tls_hostname: Option<String>,
    /// TLS client certificate and key files (mutual TLS).
    pub tls_client: Option<(PathBuf, PathBuf)>,
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
    let tls_client = c.tls_client_cert.clone().zip(c.tls_client_key.clone());
    let Some(org) = c.org else {
        let missing: Vec<&str> = [("--peer", c.peer.is_none()), ("--msp-id", c.msp_id.is_none())]
            .into_iter()
            .chain([("--cert", c.cert.is_none()), ("--key", c.key.is_none())])
            .filter_map(|(flag, absent)| absent.then_some(flag))
            .collect();
        if !missing.is_empty() {
            bail!("missing {}: pass them, or --org utility|grid|prosumer for the test network", missing.join(", "));
        }
        if tls_client.is_some() && c.tls_ca.is_none() {
            bail!("--tls-client-cert needs --tls-ca (mutual TLS is TLS)");
        }
        return Ok(Client {
            address: c.peer.clone().unwrap_or_default(),
            tls_ca: c.tls_ca.clone(),
            tls_hostname: c.tls_hostname.clone(),
            tls_client,
            msp_id: c.msp_id.clone().unwrap_or_default(),
            cert: c.cert.clone().unwrap_or_default(),
            key: c.key.clone().unwrap_or_default(),
        });
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
        address: c.peer.clone().unwrap_or_else(|| org.peer_address()),
        tls_ca: Some(c.tls_ca.clone().unwrap_or_else(|| org_dir.join("msp/tlscacerts/ca.pem"))),
        tls_hostname: c.tls_hostname.clone(),
        tls_client,
        msp_id: c.msp_id.clone().unwrap_or_else(|| org.msp_id()),
        cert: pick(&c.cert, "signcerts")?,
        key: pick(&c.key, "keystore")?,
    })
}

/// The gateway target of a resolved client (reads the TLS files).
pub fn target(client: &Client) -> anyhow::Result<PeerTarget> {
    let tls = match &client.tls_ca {
        None => None,
        Some(ca) => {
            let tls = Tls { server_name: client.tls_hostname.clone(), ..Tls::from_ca_file(ca)? };
            Some(match &client.tls_client {
                Some((cert, key)) => tls.with_client_files(cert, key)?,
                None => tls,
            })
        }
    };
    Ok(PeerTarget { address: client.address.clone(), tls })
}

/// A gateway connection as the identity the flags name.
pub async fn connect(conn: &GatewayArgs) -> anyhow::Result<Gateway> {
    let client = client(conn)?;
    let signer = Signer::from_files(&client.msp_id, &client.cert, &client.key)?;
    Ok(Gateway::connect(&target(&client)?, signer).await?)
}

/// `n` gateway connections as `who`.
pub async fn connect_all(who: &GatewayArgs, n: usize) -> anyhow::Result<Vec<Gateway>> {
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        all.push(connect(who).await?);
    }
    Ok(all)
}

/// The identity `ORG/USER` of the test network's run directory, through its own org's peer.
pub fn identity(base: &GatewayArgs, spec: &str, flag: &str) -> anyhow::Result<GatewayArgs> {
    let Some((org, user)) = spec.split_once('/') else {
        bail!("{flag} {}: expected ORG/USER, e.g. grid/installer1", quote(spec));
    };
    let org = match org {
        "utility" => Org::Utility,
        "grid" => Org::Grid,
        "prosumer" => Org::Prosumer,
        _ => bail!("{flag} {}: the org is utility, grid or prosumer", quote(spec)),
    };
    Ok(GatewayArgs {
        org: Some(org),
        user: user.into(),
        peer: None,
        tls_ca: None,
        tls_hostname: None,
        tls_client_cert: None,
        tls_client_key: None,
        msp_id: None,
        cert: None,
        key: None,
        ..base.clone()
    })
}
