//! The flexibility contract's errors: the statuses every energy contract shares (400, 403, 404, 409, 500).

pub use gridledger_energy_common::error::checked;

/// Why a flexibility transaction failed; a conflict is the wrong state or time: gate open or closed, already awarded,
/// settled or cancelled.
pub type FlexError = gridledger_energy_common::error::EnergyError;

/// The flexibility contract's result type.
pub type Result<T, E = FlexError> = std::result::Result<T, E>;
