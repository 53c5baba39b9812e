//! Live updates: trade's chaincode events (`MarketCleared`, `Settled`) from the gateway, passed on to the pages'
//! event streams. The connection is made again after a failure.

use std::time::Duration;

use tokio::sync::broadcast;

use crate::fabric::{Config, GatewaySource, map_error};

/// How long to wait before dialling again after the event stream broke.
const RETRY: Duration = Duration::from_secs(5);

/// The trade events that change what the market pages show.
pub const MARKET_EVENTS: [&str; 2] = ["MarketCleared", "Settled"];

/// What one chaincode event tells the pages: `name interval-start-prefix`, or `None` for events they ignore.
pub fn notice(event_name: &str, payload: &[u8]) -> Option<String> {
    if !MARKET_EVENTS.contains(&event_name) {
        return None;
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Interval {
        interval_start: i64,
    }
    let start = serde_json::from_slice::<Interval>(payload).map_or(-1, |i| i.interval_start);
    Some(format!("{event_name} {start}"))
}

/// Follows trade's events forever, sending a notice per market event to `pages`.
pub async fn follow(config: Config, pages: broadcast::Sender<String>) {
    loop {
        if let Err(e) = follow_once(&config, &pages).await {
            tracing::warn!("trade events: {e}; retrying in {}s", RETRY.as_secs());
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn follow_once(config: &Config, pages: &broadcast::Sender<String>) -> Result<(), crate::SourceError> {
    let mut gateway = GatewaySource::connect(config).await?;
    let mut stream = gateway.events(&config.channel, &config.trade, None).await.map_err(map_error)?;
    tracing::info!("following {} events on {}", config.trade, config.channel);
    while let Some(block) =
        stream.message().await.map_err(|s| crate::SourceError::Unreachable(gridledger_client::describe(&s)))?
    {
        for event in &block.events {
            if let Some(notice) = notice(&event.event_name, &event.payload) {
                // No page listening is fine: the send only fails when nobody subscribed.
                let listeners = pages.send(notice).unwrap_or(0);
                tracing::debug!("block {}: {} to {listeners} pages", block.block_number, event.event_name);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn market_events_become_notices() {
        let payload = br#"{"intervalStart":1767225600,"pricePerKwh":22,"volumeWh":4500}"#;
        assert_eq!(notice("MarketCleared", payload).as_deref(), Some("MarketCleared 1767225600"));
        assert_eq!(notice("Settled", b"not json").as_deref(), Some("Settled -1"));
        assert_eq!(notice("OrderPlaced", payload), None);
    }
}
