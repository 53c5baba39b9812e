//! The server as a library call, for the `gridledger-web` binary, `gridctl serve` and the browser test: the
//! gateway source, the live event follower and the routes on a bound listener.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::fabric::{Config, GatewaySource};
use crate::server::{AppState, router, system_now};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The identity cannot sign (certificate or key unusable).
    #[error("the identity: {0}")]
    Identity(#[from] gridledger_client::Error),
    /// The address could not be bound, or serving failed.
    #[error("serving on {address}: {source}")]
    Io {
        /// The listen address.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A meter interval length the metering contract allows, as a command-line value parser.
pub fn interval_length(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n @ (60 | 300 | 900 | 1800 | 3600)) => Ok(n),
        _ => Err("one of 60, 300, 900, 1800, 3600".into()),
    }
}

/// Serves the web view on `listener` as `config`'s identity until `shutdown` completes. Nothing is dialled before
/// the first page (a network that is down is a 503 page, not a failed start).
pub async fn serve(
    config: Config,
    listener: TcpListener,
    metering_interval: u32,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let address = listener.local_addr().map_or_else(|_| "?".to_string(), |a| a.to_string());
    let source = GatewaySource::new(config.clone())?;
    let (market_events, _) = broadcast::channel(64);
    let follower = tokio::spawn(crate::live::follow(config, market_events.clone()));
    let state = Arc::new(AppState { source, market_events, now: system_now, metering_interval });
    let served = axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await;
    follower.abort();
    served.map_err(|source| ServeError::Io { address, source })
}

/// Binds `listen`, logs the URL, and serves until Ctrl-C (or forever, if the signal cannot be awaited).
pub async fn run(config: Config, listen: SocketAddr, metering_interval: u32) -> Result<(), ServeError> {
    let io = |source| ServeError::Io { address: listen.to_string(), source };
    let listener = TcpListener::bind(listen).await.map_err(io)?;
    tracing::info!("serving on http://{}", listener.local_addr().map_err(io)?);
    serve(config, listener, metering_interval, async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
    .await
}
