//! The certificates contract's errors: the statuses every energy contract shares (400, 403, 404, 409, 500).

/// Why a certificates transaction failed; a conflict is a duplicate, a wrong status, an incomplete hour or a bound
/// exceeded.
pub type CertError = gridledger_energy_common::error::EnergyError;

/// The certificates contract's result type.
pub type Result<T, E = CertError> = std::result::Result<T, E>;
