//! Meters: `RegisterMeter`, `RegisterMeters`, `SetMeterStatus`, `GetMeter`.

use gridledger_contract::{
    ArgError, Components, Context, ContractError, Describe, FromArg, Json, Object, Schema, Text, quote,
};
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Party, Role};
use gridledger_energy_common::index::put_index;
use gridledger_energy_common::interval::require_length;
use gridledger_energy_common::roles::{self, MarketRoles};
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::reading::MeterKey;
use crate::{keys, registry};

/// OBIS A+ active energy import, total.
pub const IMPORT: &str = "1.8.0";
/// OBIS A− active energy export, total.
pub const EXPORT: &str = "2.8.0";
/// The registers a meter may report.
pub const REGISTERS: [&str; 2] = [IMPORT, EXPORT];
/// The longest meter id, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// The longest `RegisterMeter` document, bytes (a registration with 128-byte ids takes under 500).
pub const MAX_REGISTRATION_BYTES: usize = 4096;
/// The longest `RegisterMeters` document, bytes: 1000 registrations of up to about 500 bytes, with room to spare.
pub const MAX_REGISTRATIONS_BYTES: usize = 1 << 20;

/// A meter id argument: 1 to [`MAX_ID_LEN`] bytes, no control characters ([`check_id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterId(pub String);

impl Describe for MeterId {
    fn schema(_: &mut Components) -> Schema {
        Schema::string().min_length(1).max_length(MAX_ID_LEN as u64).description("1 to 128 bytes")
    }
}

impl FromArg for MeterId {
    const MAX_BYTES: Option<usize> = Some(MAX_ID_LEN);
    fn expected() -> String {
        format!("a meter id of 1 to {MAX_ID_LEN} bytes")
    }
    fn from_arg(raw: &str) -> Result<Self, ArgError> {
        check_id("meter id", raw)
            .map(|()| Self(raw.to_string()))
            .map_err(|e| ArgError { expected: Self::expected(), detail: Some(e.to_string()) })
    }
}

const INSTALLERS: [Allowed; 3] = [
    (Some(OrgKind::Grid), Role::MeterInstaller),
    (Some(OrgKind::Grid), Role::Operator),
    (Some(OrgKind::Grid), Role::Admin),
];
const OPERATORS: [Allowed; 2] = [(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];

/// Whether a meter's readings are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeterStatus {
    /// Readings are accepted.
    Active,
    /// Readings are refused.
    Inactive,
}

impl MeterStatus {
    fn parse(text: &str) -> Result<Self, ContractError> {
        match text {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            _ => Err(ContractError::BadRequest(format!("status must be active or inactive, got {}", quote(text)))),
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

/// What `RegisterMeter` takes: a meter without owner and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterRegistration {
    /// The meter id (1 to 128 bytes, no control characters).
    #[object(schema = id_schema())]
    pub id: String,
    /// The registry asset it meters.
    pub asset_id: String,
    /// Base64 of the 65-byte uncompressed P-256 public key.
    #[object(schema = public_key_schema())]
    pub public_key: String,
    /// The OBIS registers it reports: `1.8.0` and/or `2.8.0`.
    #[object(schema = registers_schema())]
    pub registers: Vec<String>,
    /// Its interval length, seconds: one of 60, 300, 900, 1800, 3600 (`ALLOWED_LENGTHS`).
    #[object(schema = length_schema())]
    pub interval_seconds: u32,
}

/// A meter record, `meter [id]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase")]
pub struct Meter {
    /// The meter id.
    #[object(schema = id_schema())]
    pub id: String,
    /// The registry asset it meters.
    pub asset_id: String,
    /// Base64 of the 65-byte uncompressed P-256 public key.
    #[object(schema = public_key_schema())]
    pub public_key: String,
    /// The OBIS registers it reports.
    #[object(schema = registers_schema())]
    pub registers: Vec<String>,
    /// Its interval length in seconds.
    #[object(schema = length_schema())]
    pub interval_seconds: u32,
    /// Whether readings are accepted.
    #[object(schema = Schema::string().one_of_values(["active", "inactive"]))]
    pub status: MeterStatus,
    /// The asset's owner when the meter was registered.
    pub owner: Party,
}

impl Meter {
    /// Whether the meter reports `register`.
    pub fn reports(&self, register: &str) -> bool {
        self.registers.iter().any(|r| r == register)
    }
}

/// A meter id: 1 to [`MAX_ID_LEN`] characters.
fn id_schema() -> Schema {
    Schema::string().min_length(1).max_length(MAX_ID_LEN as u64)
}

fn public_key_schema() -> Schema {
    Schema::string().description("base64 of the uncompressed P-256 point")
}

fn registers_schema() -> Schema {
    Schema::array(Schema::string().one_of_values(REGISTERS))
}

fn length_schema() -> Schema {
    Schema::integer("uint32", 60, 3600)
}

/// Checks an id used in keys: 1 to [`MAX_ID_LEN`] bytes, no control characters.
pub fn check_id(what: &str, id: &str) -> Result<(), ContractError> {
    if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(|c| c.is_control() || c == '\u{10FFFF}') {
        return Err(ContractError::BadRequest(format!(
            "{what} must be 1 to {MAX_ID_LEN} bytes without control characters, got {}",
            quote(id)
        )));
    }
    Ok(())
}

/// An id or register as a message shows it: itself when it is short plain text (the usual case, and what the
/// documented messages show), else [`quote()`]d.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = text.len() <= MAX_ID_LEN && !text.chars().any(char::is_control) && !text.contains('"');
    if plain { text.into() } else { quote(text).to_string().into() }
}

/// Loads a meter; `None` if there is none.
pub fn load(stub: &dyn ChaincodeStub, id: &str) -> Result<Option<Meter>, ContractError> {
    let Some(bytes) = stub.get_state(&keys::meter(stub, id)?)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ContractError::Internal(format!("stored meter {id} is unreadable: {e}")))
}

/// Loads a meter or answers 404.
pub fn require(stub: &dyn ChaincodeStub, id: &str) -> Result<Meter, ContractError> {
    load(stub, id)?.ok_or_else(|| ContractError::NotFound(format!("meter {} is not registered", shown(id))))
}

/// The most meters one `RegisterMeters` takes.
pub const MAX_REGISTRATIONS: usize = 1000;

/// The checks of a registration that need no ledger.
fn check_registration(m: &MeterRegistration) -> Result<(), ContractError> {
    check_id("meter id", &m.id)?;
    check_id("asset id", &m.asset_id)?;
    MeterKey::from_base64(&m.public_key).map_err(|e| ContractError::BadRequest(format!("meter {}: {e}", m.id)))?;
    if m.registers.is_empty() {
        return Err(ContractError::BadRequest(format!("meter {} must report at least one register", m.id)));
    }
    for (i, register) in m.registers.iter().enumerate() {
        if !REGISTERS.contains(&register.as_str()) {
            return Err(ContractError::BadRequest(format!(
                "register {} is not one of {IMPORT} (import) and {EXPORT} (export)",
                quote(register)
            )));
        }
        if m.registers[..i].contains(register) {
            return Err(ContractError::BadRequest(format!("register {register} is listed twice")));
        }
    }
    require_length("intervalSeconds", i64::from(m.interval_seconds)).map(|_| ())
}

/// 409 if the meter exists.
fn require_new(stub: &dyn ChaincodeStub, id: &str) -> Result<(), ContractError> {
    match load(stub, id)? {
        Some(_) => Err(ContractError::Conflict(format!("meter {id} is already registered"))),
        None => Ok(()),
    }
}

/// Writes a checked registration, owned by its asset's owner: the meter record and its `meter~owner` entry.
fn create(stub: &dyn ChaincodeStub, m: MeterRegistration, owner: Party) -> Result<Meter, ContractError> {
    let meter = Meter {
        id: m.id,
        asset_id: m.asset_id,
        public_key: m.public_key,
        registers: m.registers,
        interval_seconds: m.interval_seconds,
        status: MeterStatus::Active,
        owner,
    };
    stub.put_state(&keys::meter(stub, &meter.id)?, &serde_json::to_vec(&meter)?)?;
    put_index(stub, keys::METER_BY_OWNER, &[&meter.owner.msp, &meter.owner.id, &meter.id])?;
    Ok(meter)
}

/// The roles record and the caller, refused (403) unless it is one of `allowed` (a grid operator's staff); the
/// handler then checks the connection point once it knows it.
fn staff(ctx: &Context<'_>, action: &str, allowed: &[Allowed]) -> Result<(MarketRoles, Caller), ContractError> {
    let roles = roles::from_registry(ctx.stub())?;
    let caller = Caller::of(ctx, &roles)?;
    caller.require(action, allowed)?;
    Ok((roles, caller))
}

/// `RegisterMeter(meter)`: meter-installer, operator or admin of the grid operator of the asset's connection point.
pub fn register(
    ctx: &Context<'_>,
    Json(m): Json<MeterRegistration, MAX_REGISTRATION_BYTES>,
) -> Result<Meter, ContractError> {
    let (roles, caller) = staff(ctx, "RegisterMeter", &INSTALLERS)?;
    check_registration(&m)?;
    let stub = ctx.stub();
    require_new(stub, &m.id)?;
    let asset = registry::get_asset(stub, &m.asset_id)?;
    caller.require_operator_of("RegisterMeter", &INSTALLERS, &roles, &asset.connection_point)?;
    create(stub, m, asset.owner)
}

/// What `RegisterMeters` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[object(name = "RegisterMetersReceipt")]
pub struct Registered {
    /// Meters registered.
    pub registered: u64,
    /// Distinct assets they meter.
    pub assets: u64,
}

/// `RegisterMeters(meters)`: the same callers as `RegisterMeter`; 1 to [`MAX_REGISTRATIONS`] registrations, all
/// or none. The first refused one names the batch: `meter 17 (m-17): meter m-17 is already registered`. Each asset
/// is asked of the registry once, so rolling out a fleet costs one transaction per thousand meters, not per meter.
pub fn register_many(
    ctx: &Context<'_>,
    Json(meters): Json<Vec<MeterRegistration>, MAX_REGISTRATIONS_BYTES>,
) -> Result<Registered, ContractError> {
    let (roles, caller) = staff(ctx, "RegisterMeters", &INSTALLERS)?;
    if meters.is_empty() || meters.len() > MAX_REGISTRATIONS {
        return Err(ContractError::BadRequest(format!(
            "RegisterMeters takes 1 to {MAX_REGISTRATIONS} meters, got {}",
            meters.len()
        )));
    }
    let stub = ctx.stub();
    let mut owners: BTreeMap<String, Party> = BTreeMap::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, m) in meters.iter().enumerate() {
        let at = |e: ContractError| e.context(format_args!("meter {i} ({})", shown(&m.id)));
        check_registration(m).map_err(at)?;
        if let Some(first) = seen.insert(&m.id, i) {
            return Err(at(ContractError::Conflict(format!("duplicates meter {first} of this batch"))));
        }
        require_new(stub, &m.id).map_err(at)?;
        if !owners.contains_key(&m.asset_id) {
            let asset = registry::get_asset(stub, &m.asset_id).map_err(at)?;
            let cp = &asset.connection_point;
            caller.require_operator_of("RegisterMeters", &INSTALLERS, &roles, cp).map_err(at)?;
            owners.insert(m.asset_id.clone(), asset.owner);
        }
    }
    let receipt = Registered { registered: meters.len() as u64, assets: owners.len() as u64 };
    for m in meters {
        let owner = owners
            .get(&m.asset_id)
            .cloned()
            .ok_or_else(|| ContractError::Internal(format!("the owner of asset {} was not looked up", m.asset_id)))?;
        create(stub, m, owner)?;
    }
    Ok(receipt)
}

/// `SetMeterStatus(meterId, status)`: operator or admin of the grid operator of the metered asset's connection
/// point; 409 if the meter already has that status.
pub fn set_status(
    ctx: &Context<'_>,
    (MeterId(id), status): (MeterId, Text<MAX_STATUS_LEN>),
) -> Result<Meter, ContractError> {
    let (roles, caller) = staff(ctx, "SetMeterStatus", &OPERATORS)?;
    let status = MeterStatus::parse(&status)?;
    let stub = ctx.stub();
    let mut meter = require(stub, &id)?;
    let cp = registry::get_asset(stub, &meter.asset_id)?.connection_point;
    caller.require_operator_of("SetMeterStatus", &OPERATORS, &roles, &cp)?;
    if meter.status == status {
        return Err(ContractError::Conflict(format!("meter {id} is already {}", status.as_str())));
    }
    meter.status = status;
    stub.put_state(&keys::meter(stub, &id)?, &serde_json::to_vec(&meter)?)?;
    Ok(meter)
}

/// The longest status argument (`active`, `inactive`).
pub const MAX_STATUS_LEN: usize = 16;

/// `GetMeter(id)`: anyone.
pub fn get(ctx: &Context<'_>, MeterId(id): MeterId) -> Result<Meter, ContractError> {
    require(ctx.stub(), &id)
}
