//! `gridctl package`: a reproducible CCaaS package ([`gridledger_client::package`]) and its id.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use gridledger_client::Connection;
use gridledger_client::package::{ccaas, valid_label};
use gridledger_client::text::quote;

/// `gridctl package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Package label (letters, digits, `_.+-`), e.g. kv_1.0.
    #[arg(long)]
    pub label: String,
    /// host:port where the chaincode server listens (the peers dial it).
    #[arg(long)]
    pub address: String,
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

/// The label and `connection.json` of a package.
pub fn validate(a: &PackageArgs) -> anyhow::Result<(String, Connection)> {
    if !valid_label(&a.label) {
        bail!(
            "--label {}: use letters, digits and _.+- (starting with a letter or digit), e.g. kv_1.0",
            quote(&a.label)
        );
    }
    if a.address.rsplit_once(':').is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err()) {
        bail!("--address {}: expected host:port, e.g. 127.0.0.1:9999", quote(&a.address));
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

/// `gridctl package`: writes the package, prints its id.
pub fn run(a: &PackageArgs) -> anyhow::Result<ExitCode> {
    let (label, conn) = validate(a)?;
    let pkg = ccaas(&label, &conn)?;
    std::fs::write(&a.output, &pkg.bytes).with_context(|| format!("writing {}", a.output.display()))?;
    println!("{}", pkg.id);
    Ok(ExitCode::SUCCESS)
}
