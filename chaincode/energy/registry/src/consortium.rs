//! The market roles record (`energy-common::roles`): written once by `InitRoles`, changed only by `SetRoles`,
//! read by every energy contract (`GetRoles`).
//!
//! Both writes also set the key's validation parameter to a majority of the record's member orgs' peers, so a
//! change needs the consortium's agreement: the peers check every later write of the key (record and policy
//! alike) against the policy already on it, at commit. The first write has no key policy yet and is checked
//! against the registry's chaincode endorsement policy (the channel's MAJORITY by default); the deployment
//! writes it right after the registry is committed, and anyone can read it back with `GetRoles`.

use gridledger_contract::{Context, Json};
use gridledger_energy_common::caller::Caller;
use gridledger_energy_common::roles::{MAX_ROLES_BYTES, MarketRoles, ROLES_KEY};

use crate::access::{self, ROLE_ADMINS};
use crate::error::{RegistryError, Result};

/// Writes the record and its key-level endorsement policy.
fn write(ctx: &Context<'_>, record: &MarketRoles) -> Result<()> {
    let policy = record.endorsement_policy().map_err(|e| RegistryError::Invalid(e.to_string()))?;
    let bytes = serde_json::to_vec(record).map_err(gridledger_contract::ContractError::from)?;
    ctx.put_state(ROLES_KEY, &bytes)?;
    ctx.stub().set_state_validation_parameter(ROLES_KEY, &policy)?;
    Ok(())
}

/// Refuses (403) a caller that is not `admin` (by `record`'s attribute) of one of `record`'s member orgs.
fn require_member_admin(ctx: &Context<'_>, action: &str, record: &MarketRoles) -> Result<()> {
    let caller = Caller::of(ctx, record)?;
    caller.require(action, ROLE_ADMINS)?;
    if !record.is_member(&caller.party.msp) {
        return Err(RegistryError::Forbidden(format!(
            "{action} is for an admin of a member org ({}); the caller's org {} is not one",
            record.members.join(", "),
            caller.party.msp
        )));
    }
    Ok(())
}

/// `InitRoles(roles)`: the first write of the record, by an admin of one of its member orgs (the role read from
/// the attribute the record names); 409 once the record exists.
pub fn init(ctx: &Context<'_>, Json(record): Json<MarketRoles, MAX_ROLES_BYTES>) -> Result<MarketRoles> {
    const ACTION: &str = "InitRoles";
    record.validate().map_err(|e| RegistryError::Invalid(e.to_string()))?;
    if ctx.get_state(ROLES_KEY)?.is_some() {
        return Err(RegistryError::Conflict(
            "the market roles are already configured; SetRoles changes them, endorsed by a majority of the members"
                .into(),
        ));
    }
    require_member_admin(ctx, ACTION, &record)?;
    write(ctx, &record)?;
    Ok(record)
}

/// `SetRoles(roles)`: replaces the record, by an admin of a member org of the record in force. The chaincode
/// cannot count endorsements; the key-level policy does: the transaction is valid at commit only when a majority
/// of the current members' peers endorsed it. The new policy is the new record's majority.
pub fn set(ctx: &Context<'_>, Json(record): Json<MarketRoles, MAX_ROLES_BYTES>) -> Result<MarketRoles> {
    const ACTION: &str = "SetRoles";
    record.validate().map_err(|e| RegistryError::Invalid(e.to_string()))?;
    let current = access::roles(ctx)?;
    require_member_admin(ctx, ACTION, &current)?;
    write(ctx, &record)?;
    Ok(record)
}

/// `GetRoles()`: the record in force; 404 before `InitRoles`. Metering and trade call it.
pub fn get(ctx: &Context<'_>, (): ()) -> Result<MarketRoles> {
    match ctx.get_state(ROLES_KEY)? {
        Some(bytes) => Ok(serde_json::from_slice(&bytes)?),
        None => Err(RegistryError::RolesNotConfigured),
    }
}
