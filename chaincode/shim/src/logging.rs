//! Structured logs on stderr, level from `RUST_LOG` or Fabric's `CORE_CHAINCODE_LOGGING_LEVEL`.

use std::io::IsTerminal;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber once; later calls (and a subscriber set by the embedding program) win quietly.
///
/// `RUST_LOG` takes `level` or `target=level` directives separated by commas (for example
/// `info,gridledger_shim=debug`). That is `Targets`' syntax rather than `EnvFilter`'s: no span or field filters, but no
/// regex engine either, which keeps about a megabyte of code out of every chaincode binary and its idle memory.
pub(crate) fn init() {
    let filter = std::env::var("RUST_LOG").ok().and_then(|spec| spec.parse::<Targets>().ok()).unwrap_or_else(|| {
        Targets::new().with_default(fabric_level(std::env::var("CORE_CHAINCODE_LOGGING_LEVEL").ok()))
    });
    // Colours only on a terminal: chaincode logs usually land in files or a container's log, where escape codes
    // get in the way of grep (`wire tx=...`) and of log collectors.
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal());
    let installed = tracing_subscriber::registry().with(fmt).with(filter).try_init();
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}

/// Maps Fabric's level names (DEBUG, INFO, WARNING, ERROR, CRITICAL) to tracing's; INFO by default.
fn fabric_level(level: Option<String>) -> Level {
    match level.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("DEBUG") => Level::DEBUG,
        Some("WARNING" | "WARN") => Level::WARN,
        Some("ERROR" | "CRITICAL" | "PANIC" | "FATAL") => Level::ERROR,
        _ => Level::INFO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabric_levels() {
        assert_eq!(fabric_level(Some("warning".into())), Level::WARN);
        assert_eq!(fabric_level(Some("CRITICAL".into())), Level::ERROR);
        assert_eq!(fabric_level(None), Level::INFO);
    }

    #[test]
    fn rust_log_directives_parse_without_env_filter() {
        let targets: Targets = "info,gridledger_shim=debug".parse().unwrap();
        assert!(targets.would_enable("gridledger_shim::runtime", &Level::DEBUG));
        assert!(!targets.would_enable("h2::codec", &Level::DEBUG));
        assert!(targets.would_enable("h2::codec", &Level::INFO));
    }
}
