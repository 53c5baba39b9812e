//! Who may call what: role sets from `DESIGN.md` and the party checks (owner, offered party, aggregator).
//!
//! Org kinds and the role attribute come from the market roles record in this chaincode's own state
//! ([`roles`]); checks that only compare parties (owner, offered party, aggregator) need no record ([`party`]).

use gridledger_contract::Context;
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Party, Role};
use gridledger_energy_common::roles::{self as market_roles, MarketRoles};

use crate::error::{RegistryError, Result};

/// `RegisterAsset`: any org, role `prosumer` or `admin`.
pub const REGISTRANTS: &[Allowed] = &[(None, Role::Prosumer), (None, Role::Admin)];
/// Connection approval, suspension, reactivation, decommissioning: `operator` or `admin` of the grid operator
/// of the asset's connection point.
pub const GRID_STAFF: &[Allowed] = &[(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];
/// `CreateVpp`: role `aggregator` in any org.
pub const AGGREGATORS: &[Allowed] = &[(None, Role::Aggregator)];
/// `InitRoles`, `SetRoles`: role `admin` of a member org (the key-level endorsement policy adds the consortium's
/// majority).
pub const ROLE_ADMINS: &[Allowed] = &[(None, Role::Admin)];

/// The market roles record (409 until `InitRoles`).
pub fn roles(ctx: &Context<'_>) -> Result<MarketRoles> {
    Ok(market_roles::from_state(ctx.stub())?)
}

/// The caller, refused (403) unless it has one of `allowed`.
pub fn caller_with(ctx: &Context<'_>, action: &str, allowed: &[Allowed]) -> Result<Caller> {
    let caller = Caller::of(ctx, &roles(ctx)?)?;
    caller.require(action, allowed)?;
    Ok(caller)
}

/// The caller as a party, whatever its org and role.
pub fn party(ctx: &Context<'_>) -> Result<Party> {
    Ok(Party::of(ctx)?)
}

/// Refuses (403) unless the caller is `party`; `who` says what that party is, e.g. "the owner of asset pv-1".
pub fn require_party(caller: &Party, action: &str, party: &Party, who: &str) -> Result<()> {
    if caller == party {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!("{action} is for {who} ({}); the caller is {}", party.msp, caller.msp)))
}
