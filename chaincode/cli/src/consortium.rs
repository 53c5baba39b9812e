//! `gridctl consortium roles|collections|policies`: the market roles record, the metering collection
//! configuration and suggested endorsement policies for a given set of orgs, generated rather than hand-edited.
//!
//! Every org is named once per role: `--grid-operator MSP[:PATTERN,…]` (connection points, default `*`),
//! `--supplier MSP[:CUSTOMER,…]` (customer orgs, default `*`), `--issuing-body MSP`, `--member MSP` (an org with
//! no market role, e.g. a prosumer org). The members are all of them, sorted. The roles record is checked with
//! the contracts' own rules ([`MarketRoles::validate`]) before anything is printed.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use gridledger_energy_common::roles::{ANY, GridOperator, InvalidRoles, MarketRoles, Supplier};
use serde_json::{Value, json};

/// The private collection of metering readings (`chaincode/energy/DESIGN.md`, "metering").
pub const METER_READINGS: &str = "meterReadings";
/// The role attribute of the test consortium, the default.
pub const DEFAULT_ROLE_ATTRIBUTE: &str = "gridledger.role";
/// The energy chaincodes, as deployed.
pub const CHAINCODES: [&str; 3] = ["registry", "metering", "trade"];

/// `gridctl consortium …`.
#[derive(Debug, Subcommand)]
pub enum ConsortiumCommand {
    /// The roles record: the argument of registry InitRoles (and SetRoles).
    ///
    /// Example: gridctl consortium roles --grid-operator TenneTMSP --grid-operator 'NetzMSP:cp-ber-*'
    ///   --supplier StadtwerkeMSP --member Org1MSP
    Roles(OrgArgs),
    /// The collection configuration of the metering chaincode (`--collections-config`).
    Collections(OrgArgs),
    /// Suggested endorsement policies: each energy chaincode's, and the roles key's (set by the registry itself).
    Policies(OrgArgs),
}

/// The orgs and their roles.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    /// A grid operator, with the connection points it operates (`*`, `prefix*` or exact; default `*`). Repeatable.
    #[arg(long = "grid-operator", value_name = "MSP[:PATTERN,...]", required = true)]
    pub grid_operators: Vec<String>,
    /// A supplier, with the orgs whose parties it supplies (`VPP` for VPPs; default `*`). Repeatable.
    #[arg(long = "supplier", value_name = "MSP[:CUSTOMER,...]", required = true)]
    pub suppliers: Vec<String>,
    /// An issuing body. Repeatable.
    #[arg(long = "issuing-body", value_name = "MSP")]
    pub issuing_bodies: Vec<String>,
    /// A member org with no market role (a prosumer org). Repeatable.
    #[arg(long = "member", value_name = "MSP")]
    pub members: Vec<String>,
    /// The certificate attribute that carries a user's role.
    #[arg(long, default_value = DEFAULT_ROLE_ATTRIBUTE)]
    pub role_attribute: String,
}

/// `MSP[:A,B]` split into the MSP id and its list (`*` when absent).
fn split(spec: &str) -> (String, Vec<String>) {
    match spec.split_once(':') {
        Some((msp, list)) => (msp.to_string(), list.split(',').map(str::to_string).collect()),
        None => (spec.to_string(), vec![ANY.to_string()]),
    }
}

/// The roles record for `args`, validated as the registry validates it.
pub fn roles(args: &OrgArgs) -> Result<MarketRoles, InvalidRoles> {
    let grid_operators: Vec<GridOperator> = args
        .grid_operators
        .iter()
        .map(|s| split(s))
        .map(|(msp, connection_points)| GridOperator { msp, connection_points })
        .collect();
    let suppliers: Vec<Supplier> =
        args.suppliers.iter().map(|s| split(s)).map(|(msp, customers)| Supplier { msp, customers }).collect();
    let mut members = BTreeSet::new();
    members.extend(grid_operators.iter().map(|g| g.msp.clone()));
    members.extend(suppliers.iter().map(|s| s.msp.clone()));
    members.extend(args.issuing_bodies.iter().cloned());
    members.extend(args.members.iter().cloned());
    let record = MarketRoles {
        role_attribute: args.role_attribute.clone(),
        members: members.into_iter().collect(),
        grid_operators,
        suppliers,
        issuing_bodies: args.issuing_bodies.clone(),
    };
    record.validate()?;
    Ok(record)
}

fn principals(record: &MarketRoles, role: &str) -> String {
    record.members.iter().map(|m| format!("'{m}.{role}'")).collect::<Vec<_>>().join(",")
}

/// The metering collection configuration: every member reads the readings (the grid operators and suppliers
/// need them, and each prosumer org's peers must hold them to endorse `Settle`).
pub fn collections(record: &MarketRoles) -> Value {
    json!([{
        "name": METER_READINGS,
        "policy": format!("OR({})", principals(record, "member")),
        "requiredPeerCount": 0,
        "maxPeerCount": 2,
        "blockToLive": 0,
        "memberOnlyRead": true,
        "memberOnlyWrite": false
    }])
}

/// Suggested policies: a majority of the members' peers for every energy chaincode (no single org writes alone,
/// and the market runs with a minority of peers down), and the same majority on the roles key, which the registry
/// sets itself on `InitRoles`/`SetRoles`.
pub fn policies(record: &MarketRoles) -> Value {
    let majority = format!("OutOf({},{})", record.majority(), principals(record, "peer"));
    let chaincodes: serde_json::Map<String, Value> =
        CHAINCODES.iter().map(|cc| (cc.to_string(), Value::String(majority.clone()))).collect();
    json!({"chaincodes": chaincodes, "rolesKey": majority})
}

/// Runs a `consortium` subcommand: the JSON document it prints.
pub fn run(command: &ConsortiumCommand) -> Result<Value, InvalidRoles> {
    Ok(match command {
        ConsortiumCommand::Roles(a) => {
            serde_json::to_value(roles(a)?).map_err(|e| InvalidRoles(format!("cannot serialize the record: {e}")))?
        }
        ConsortiumCommand::Collections(a) => collections(&roles(a)?),
        ConsortiumCommand::Policies(a) => policies(&roles(a)?),
    })
}

/// `gridctl consortium …`: prints the document.
pub fn print(command: &ConsortiumCommand) -> anyhow::Result<ExitCode> {
    println!("{}", run(command)?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests;
