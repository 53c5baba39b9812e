//! Who may call what: role sets from `DESIGN.md` and the party checks (owner, offered party, aggregator).

use gridledger_contract::Context;
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Party, Role};

use crate::error::{RegistryError, Result};

/// `RegisterAsset`: any org, role `prosumer` or `admin`.
pub const REGISTRANTS: &[Allowed] = &[(None, Role::Prosumer), (None, Role::Admin)];
/// Connection approval, suspension, reactivation: `GridMSP` `operator` or `admin`.
pub const GRID_STAFF: &[Allowed] = &[(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];
/// `CreateVpp`: role `aggregator` in any org.
pub const AGGREGATORS: &[Allowed] = &[(None, Role::Aggregator)];

/// The caller, refused (403) unless it has one of `allowed`.
pub fn caller_with(ctx: &Context<'_>, action: &str, allowed: &[Allowed]) -> Result<Caller> {
    let caller = Caller::of(ctx)?;
    caller.require(action, allowed)?;
    Ok(caller)
}

/// The caller, whatever its role.
pub fn caller(ctx: &Context<'_>) -> Result<Caller> {
    Ok(Caller::of(ctx)?)
}

/// Refuses (403) unless the caller is `party`; `who` says what that party is, e.g. "the owner of asset pv-1".
pub fn require_party(caller: &Caller, action: &str, party: &Party, who: &str) -> Result<()> {
    if caller.party == *party {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!("{action} is for {who} ({}); the caller is {}", party.msp, caller.party.msp)))
}
