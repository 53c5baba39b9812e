//! `<chaincode binary> healthcheck`: is this container's chaincode server accepting connections?
//!
//! Every binary whose `main` is [`crate::main`] or [`crate::main_in_mode`] answers `healthcheck` as its first
//! argument instead of starting: it connects to its own `CHAINCODE_SERVER_ADDRESS` (or `CORE_CHAINCODE_ADDRESS`),
//! with an unspecified IP (`0.0.0.0`, `[::]`) replaced by the loopback of the same family, and exits 0 when the
//! connection is accepted within [`TIMEOUT`], or 1 with a one-line reason on stderr. It is a plain TCP connect: no
//! TLS handshake and no gRPC, so it needs no certificate and leaves nothing in the server's log, and it runs in an
//! image with no shell (`HEALTHCHECK CMD ["registry-cc", "healthcheck"]` in a `FROM scratch` image). Any of the
//! binaries can check any of them, since the address comes from the environment the container shares.

use std::net::{AddrParseError, IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

/// The first argument that selects the health check.
pub const ARG: &str = "healthcheck";

/// How long a connection may take. Below Docker's usual `--timeout=3s`, so a hung server is reported by us, with a
/// reason, rather than as Docker's bare timeout.
pub const TIMEOUT: Duration = Duration::from_secs(2);

const ADDRESS_VARS: [&str; 2] = ["CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"];

/// Why the server is not healthy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// No listen address in the environment: this process is not configured as a chaincode server.
    #[error("CHAINCODE_SERVER_ADDRESS (or CORE_CHAINCODE_ADDRESS) is not set: no chaincode server to check")]
    NoAddress,
    /// The listen address does not parse, so the server itself cannot have started either.
    #[error("CHAINCODE_SERVER_ADDRESS {address:?} is not an ip:port address: {source}")]
    BadAddress {
        /// The value as given.
        address: String,
        /// The parse error.
        #[source]
        source: AddrParseError,
    },
    /// Nothing accepted a connection on the address (refused, timed out, unreachable).
    #[error("{address} does not accept connections: {source}")]
    Connect {
        /// The address dialled (after the loopback substitution).
        address: SocketAddr,
        /// The connect error.
        #[source]
        source: std::io::Error,
    },
}

/// Reads the server's address through `var` (so tests need no real environment) and returns where to dial it.
pub fn target(var: impl Fn(&str) -> Option<String>) -> Result<SocketAddr, HealthError> {
    let address =
        ADDRESS_VARS.iter().find_map(|name| var(name).filter(|v| !v.is_empty())).ok_or(HealthError::NoAddress)?;
    let parsed: SocketAddr = address.parse().map_err(|source| HealthError::BadAddress { address, source })?;
    Ok(dialable(parsed))
}

/// Connects to `address` within `timeout` and closes the connection at once.
pub fn probe(address: SocketAddr, timeout: Duration) -> Result<(), HealthError> {
    TcpStream::connect_timeout(&address, timeout).map(drop).map_err(|source| HealthError::Connect { address, source })
}

/// A server listening on every interface is reached on loopback: the check runs in the server's own network
/// namespace, and dialling 0.0.0.0 is not portable.
fn dialable(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), address.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), address.port()),
        _ => address,
    }
}

/// The health check when the first argument asks for it, as an exit code; `None` to start the chaincode normally.
pub(crate) fn dispatch() -> Option<ExitCode> {
    if std::env::args_os().nth(1).is_none_or(|arg| arg != ARG) {
        return None;
    }
    let result = target(|name| std::env::var(name).ok()).and_then(|address| probe(address, TIMEOUT).map(|()| address));
    Some(match result {
        Ok(address) => {
            println!("healthy: {address} accepts connections");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("unhealthy: {e}");
            ExitCode::FAILURE
        }
    })
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn accepts_a_listening_server_on_loopback_and_on_every_interface() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        for given in [format!("127.0.0.1:{port}"), format!("0.0.0.0:{port}")] {
            let address = target(env(&[("CHAINCODE_SERVER_ADDRESS", &given)])).unwrap();
            assert_eq!(address, SocketAddr::from(([127, 0, 0, 1], port)));
            probe(address, TIMEOUT).unwrap();
        }
    }

    #[test]
    fn reports_a_closed_port() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let err = probe(address, TIMEOUT).unwrap_err();
        assert!(matches!(err, HealthError::Connect { address: a, .. } if a == address), "{err}");
        assert!(err.to_string().starts_with(&format!("{address} does not accept connections: ")), "{err}");
    }

    #[test]
    fn unspecified_v6_becomes_v6_loopback() {
        let address = target(env(&[("CORE_CHAINCODE_ADDRESS", "[::]:7052")])).unwrap();
        assert_eq!(address, SocketAddr::from((Ipv6Addr::LOCALHOST, 7052)));
    }

    #[test]
    fn missing_and_malformed_addresses_are_named() {
        assert!(matches!(target(env(&[])), Err(HealthError::NoAddress)));
        assert!(matches!(target(env(&[("CHAINCODE_SERVER_ADDRESS", "")])), Err(HealthError::NoAddress)));
        let err = target(env(&[("CHAINCODE_SERVER_ADDRESS", "localhost:9999")])).unwrap_err();
        assert!(matches!(err, HealthError::BadAddress { .. }), "{err}");
        assert!(err.to_string().contains("\"localhost:9999\""), "{err}");
    }
}
