//! Structured logs on stderr, level from `RUST_LOG` or Fabric's `CORE_CHAINCODE_LOGGING_LEVEL`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (and a subscriber set by the embedding program) win quietly.
pub(crate) fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(fabric_level(std::env::var("CORE_CHAINCODE_LOGGING_LEVEL").ok())));
    let installed = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}

/// Maps Fabric's level names (DEBUG, INFO, WARNING, ERROR, CRITICAL) to tracing's; INFO by default.
fn fabric_level(level: Option<String>) -> &'static str {
    match level.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("DEBUG") => "debug",
        Some("WARNING" | "WARN") => "warn",
        Some("ERROR" | "CRITICAL" | "PANIC" | "FATAL") => "error",
        _ => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabric_levels() {
        assert_eq!(fabric_level(Some("warning".into())), "warn");
        assert_eq!(fabric_level(Some("CRITICAL".into())), "error");
        assert_eq!(fabric_level(None), "info");
    }
}
