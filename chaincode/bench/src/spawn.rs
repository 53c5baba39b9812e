//! Starting chaincode servers for a benchmark run, as `scripts/bench-shim.sh` does: plaintext on a free
//! 127.0.0.1 port, configured through the environment every chaincode reads (`CHAINCODE_ID`,
//! `CHAINCODE_SERVER_ADDRESS`, `CHAINCODE_TLS_DISABLED`).

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

/// A chaincode process we started; stopped (SIGKILL) and reaped when dropped.
#[derive(Debug)]
pub struct Spawned {
    /// The name it has in the report.
    pub label: String,
    /// Where it listens.
    pub address: SocketAddr,
    child: Child,
}

impl Spawned {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Only our own child, by its handle; it may have exited already, which is fine.
        if self.child.kill().is_ok() {
            drop(self.child.wait());
        }
    }
}

/// Parses `label=command` (the command is one executable path, no arguments).
pub fn parse_spec(spec: &str) -> Result<(String, PathBuf)> {
    let Some((label, cmd)) = spec.split_once('=') else { bail!("--spawn takes label=path, got {spec:?}") };
    if label.is_empty() || cmd.is_empty() {
        bail!("--spawn takes label=path, got {spec:?}");
    }
    Ok((label.to_string(), PathBuf::from(cmd)))
}

/// Starts `cmd` as chaincode `kv_1.0:bench-<label>`. Its stdout and stderr go to `<logs>/<label>.log` if `logs`
/// is given, else nowhere. `RUST_LOG` is passed on when set (to see the shim's wire counters), else `warn`.
pub fn spawn(label: &str, cmd: &Path, logs: Option<&Path>) -> Result<Spawned> {
    // Bind and release: the chaincode binds the port a moment later. A race with another process is possible
    // but harmless here (the chaincode then fails to start and we say so).
    let address = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let (stdout, stderr) = match logs {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let file = File::create(dir.join(format!("{label}.log")))?;
            (Stdio::from(file.try_clone()?), Stdio::from(file))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let child = Command::new(cmd)
        .env("CHAINCODE_ID", format!("kv_1.0:bench-{label}"))
        .env("CHAINCODE_SERVER_ADDRESS", address.to_string())
        .env("CHAINCODE_TLS_DISABLED", "true")
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("starting {label}: {}", cmd.display()))?;
    Ok(Spawned { label: label.to_string(), address, child })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse_spec("go=/x/kv-go").unwrap(), ("go".to_string(), PathBuf::from("/x/kv-go")));
        assert!(parse_spec("nolabel").is_err());
        assert!(parse_spec("=x").is_err());
        assert!(parse_spec("x=").is_err());
    }
}
