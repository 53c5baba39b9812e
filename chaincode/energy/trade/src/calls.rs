//! Calls to the other energy chaincodes: registry `GetVpp` and metering `MeteredEnergy`.

use gridledger_contract::Context;
use gridledger_energy_common::call::call;
use gridledger_energy_common::caller::Party;
use gridledger_energy_common::names;
use serde::Deserialize;

use crate::error::Result;
use crate::model::Metered;

/// The part of registry's VPP record trade uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Vpp {
    /// The VPP id.
    pub id: String,
    /// Who runs it.
    pub aggregator: Party,
}

/// Registry `GetVpp(id)`.
pub fn get_vpp(ctx: &Context<'_>, vpp_id: &str) -> Result<Vpp> {
    Ok(call(ctx, names::REGISTRY, "GetVpp", &[vpp_id])?)
}

/// Metering `MeteredEnergy(msp, id, intervalStart)`.
pub fn metered_energy(ctx: &Context<'_>, party: &Party, interval: i64) -> Result<Metered> {
    Ok(call(ctx, names::METERING, "MeteredEnergy", &[&party.msp, &party.id, &interval.to_string()])?)
}
