//! `gridctl package`: a reproducible package ([`gridledger_client::package`]) and its id: chaincode as a service
//! (`--address`), or a program the peers launch through `network/builders/exec` (`--exec`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use gridledger_client::Connection;
use gridledger_client::package::{Package, ccaas, exec, valid_label};
use gridledger_client::text::quote;

/// `gridctl package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Package label (letters, digits, `_.+-`), e.g. kv_1.0.
    #[arg(long)]
    pub label: String,
    /// host:port where the chaincode server listens (the peers dial it): a CCaaS package.
    #[arg(long, required_unless_present = "exec")]
    pub address: Option<String>,
    /// Absolute path of a chaincode program on the peers' machine: a `gridledger-exec` package, which each
    /// peer launches through network/builders/exec (no connection.json, so no TLS flags).
    #[arg(long, value_name = "PROGRAM", conflicts_with_all = ["address", "tls", "client_auth", "root_cert", "client_cert", "client_key", "dial_timeout"])]
    pub exec: Option<String>,
    /// The peers dial the chaincode server with TLS.
    #[arg(long)]
    pub tls: bool,
    /// The chaincode server requires the peers' client certificates (mutual TLS; implies --tls).
    #[arg(long)]
    pub client_auth: bool,
    /// PEM CA of the chaincode server's certificate (default: the `{{.root_cert}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub root_cert: Option<PathBuf>,
    /// PEM client certificate for the peers (default: the `{{.client_cert}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub client_cert: Option<PathBuf>,
    /// PEM client key for the peers (default: the `{{.client_key}}` placeholder).
    #[arg(long, value_name = "FILE")]
    pub client_key: Option<PathBuf>,
    /// How long a peer waits when dialing the server (Go duration).
    #[arg(long, default_value = "10s")]
    pub dial_timeout: String,
    /// Output file.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

fn read_pem(path: &Option<PathBuf>) -> anyhow::Result<Option<String>> {
    path.as_deref()
        .map(|p: &Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()
}

/// What a package holds besides its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Chaincode as a service: `connection.json`.
    Ccaas(Connection),
    /// A peer-launched program: `exec.json` naming its absolute path.
    Exec(String),
}

/// The label and contents of a package.
pub fn validate(a: &PackageArgs) -> anyhow::Result<(String, Contents)> {
    if !valid_label(&a.label) {
        bail!(
            "--label {}: use letters, digits and _.+- (starting with a letter or digit), e.g. kv_1.0",
            quote(&a.label)
        );
    }
    // exec() checks that the program is an absolute path.
    let address = match (&a.exec, &a.address) {
        (Some(program), _) => return Ok((a.label.clone(), Contents::Exec(program.clone()))),
        (None, Some(address)) => address,
        (None, None) => bail!("give --address HOST:PORT (a CCaaS package) or --exec PROGRAM"),
    };
    if gridledger_client::gateway::host_port(address).is_none() {
        bail!("--address {}: expected host:port, e.g. 127.0.0.1:9999", quote(address));
    }
    let tls = a.tls || a.client_auth;
    if !tls && a.root_cert.is_some() {
        bail!("--root-cert needs --tls");
    }
    if !a.client_auth && (a.client_cert.is_some() || a.client_key.is_some()) {
        bail!("--client-cert/--client-key need --client-auth");
    }
    let conn = Connection {
        address: address.clone(),
        dial_timeout: a.dial_timeout.clone(),
        tls,
        client_auth: a.client_auth,
        root_cert: read_pem(&a.root_cert)?,
        client_cert: read_pem(&a.client_cert)?,
        client_key: read_pem(&a.client_key)?,
    };
    Ok((a.label.clone(), Contents::Ccaas(conn)))
}

/// `gridctl package`: writes the package, prints its id.
pub fn run(a: &PackageArgs) -> anyhow::Result<ExitCode> {
    let pkg: Package = match validate(a)? {
        (label, Contents::Ccaas(conn)) => ccaas(&label, &conn)?,
        (label, Contents::Exec(program)) => exec(&label, &program)?,
    };
    std::fs::write(&a.output, &pkg.bytes).with_context(|| format!("writing {}", a.output.display()))?;
    println!("{}", pkg.id);
    Ok(ExitCode::SUCCESS)
}
