//! Market configuration (`SetMarketConfig`), the transaction clock and gate closure.

use gridledger_contract::{Context, Json};
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Role};
use gridledger_energy_common::interval::require_length;
use gridledger_energy_common::roles;

use crate::error::{Result, TradeError};
use crate::model::{MarketConfig, Timestamp};
use crate::store;
use crate::store::keys;
use gridledger_energy_common::error::EnergyError;

/// The largest limit price or fee accepted, minor units per kWh (keeps every product within `i64`).
pub const MAX_PRICE_PER_KWH: i64 = 1_000_000_000;
/// The longest gate closure accepted: one day.
pub const MAX_GATE_CLOSURE_SECONDS: i64 = 86_400;

/// The longest `SetMarketConfig` document, bytes (a full one takes about 150).
pub const MAX_CONFIG_BYTES: usize = 1024;

/// Who may set the market configuration: operators and admins of a grid operator that operates every
/// connection point (`*` in the roles record): the market is one, so an operator of one area may not set it.
pub const CONFIGURE: &[Allowed] = &[(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];

/// `SetMarketConfig(json)`: replaces the market configuration.
pub fn set_market_config(
    ctx: &Context<'_>,
    Json(config): Json<MarketConfig, MAX_CONFIG_BYTES>,
) -> Result<MarketConfig> {
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    caller.require("SetMarketConfig", CONFIGURE)?;
    if !roles.operates_everywhere(&caller.party.msp) {
        return Err(EnergyError::Forbidden(format!(
            "SetMarketConfig is for a grid operator of every connection point (\"*\" in the roles record); \
             {} operates only some",
            caller.party.msp
        ))
        .into());
    }
    validate(&config)?;
    store::put_json(ctx, &keys::config(ctx)?, &config)?;
    Ok(config)
}

/// `GetMarketConfig()`: the configuration in force (the defaults until set).
pub fn get_market_config(ctx: &Context<'_>, (): ()) -> Result<MarketConfig> {
    load(ctx)
}

/// The configuration in force.
pub fn load(ctx: &Context<'_>) -> Result<MarketConfig> {
    Ok(store::get_json(ctx, &keys::config(ctx)?, "market config")?.unwrap_or_default())
}

/// Checks the ranges of every field (400).
pub fn validate(config: &MarketConfig) -> Result<()> {
    require_length("intervalSeconds", i64::from(config.interval_seconds))?;
    if !(0..=MAX_GATE_CLOSURE_SECONDS).contains(&config.gate_closure_seconds) {
        return Err(EnergyError::BadRequest(format!(
            "gateClosureSeconds must be 0..={MAX_GATE_CLOSURE_SECONDS}, got {}",
            config.gate_closure_seconds
        ))
        .into());
    }
    for (name, value) in [
        ("gridFeePerKwh", config.grid_fee_per_kwh),
        ("imbalanceShortPerKwh", config.imbalance_short_per_kwh),
        ("imbalanceLongPerKwh", config.imbalance_long_per_kwh),
    ] {
        if !(0..=MAX_PRICE_PER_KWH).contains(&value) {
            return Err(EnergyError::BadRequest(format!("{name} must be 0..={MAX_PRICE_PER_KWH}, got {value}")).into());
        }
    }
    Ok(())
}

/// The transaction timestamp.
pub fn now(ctx: &Context<'_>) -> Result<Timestamp> {
    let ts = ctx.tx_timestamp()?;
    Ok(Timestamp { seconds: ts.seconds, nanos: ts.nanos })
}

/// The instant orders for `interval` stop: `interval - gateClosureSeconds`.
pub fn gate_closure(interval: i64, config: &MarketConfig) -> i64 {
    interval.saturating_sub(config.gate_closure_seconds)
}

/// Refuses (409) unless `now` is strictly before the gate closure of `interval`.
pub fn require_gate_open(interval: i64, config: &MarketConfig, now: Timestamp) -> Result<()> {
    let closure = gate_closure(interval, config);
    // Closure is a whole second, so `now < closure` exactly when its seconds are below it.
    if now.seconds < closure { Ok(()) } else { Err(TradeError::GateClosed { interval, closure, now: now.seconds }) }
}

/// Refuses (409) unless the gate of `interval` has closed (`now >= closure`).
pub fn require_gate_closed(interval: i64, config: &MarketConfig, now: Timestamp) -> Result<()> {
    let closure = gate_closure(interval, config);
    if now.seconds >= closure { Ok(()) } else { Err(TradeError::GateOpen { interval, closure, now: now.seconds }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_edges() {
        let config = MarketConfig::default();
        let at = |seconds, nanos| Timestamp { seconds, nanos };
        assert!(require_gate_open(900, &config, at(599, 999_999_999)).is_ok());
        assert!(require_gate_open(900, &config, at(600, 0)).is_err());
        assert!(require_gate_closed(900, &config, at(600, 0)).is_ok());
        assert!(require_gate_closed(900, &config, at(599, 999_999_999)).is_err());
    }

    #[test]
    fn ranges() {
        let mut config = MarketConfig::default();
        assert!(validate(&config).is_ok());
        config.grid_fee_per_kwh = -1;
        assert_eq!(validate(&config).unwrap_err().to_string(), "gridFeePerKwh must be 0..=1000000000, got -1");
        config.grid_fee_per_kwh = 0;
        config.gate_closure_seconds = 86_401;
        assert!(validate(&config).is_err());
    }
}
