//! The metering contract's keys (DESIGN.md "metering").

use gridledger_energy_common::caller::Party;
use gridledger_energy_common::index::interval_key;
use gridledger_shim::ChaincodeStub;

/// The private collection holding the readings.
pub const READINGS_COLLECTION: &str = "meterReadings";
/// `meter [meterId]` -> Meter JSON.
pub const METER: &str = "meter";
/// `meter~owner [msp, id, meterId]` -> 0x01: every party the meter's readings were attributed to (entries are
/// added when the asset changes hands, never removed, so a seller's earlier intervals stay findable).
pub const METER_BY_OWNER: &str = "meter~owner";
/// `counter [meterId]` -> the last accepted counter, decimal text.
pub const COUNTER: &str = "counter";
/// `reading [meterId, intervalStart(12), register]` -> Reading JSON, in [`READINGS_COLLECTION`].
pub const READING: &str = "reading";
/// `total [connectionPoint, intervalStart(12), register, txId, intervalSeconds]` -> `{"wh","readings"}`: one
/// batch's sum for the meters of one interval length.
pub const TOTAL: &str = "total";
/// `owned [meterId, intervalStart(12), register]` -> `{"owner","wh","intervalSeconds"}`, in
/// [`READINGS_COLLECTION`]: a reading attributed to the party that owned the metered asset when it was recorded.
/// Read with point reads only: Fabric refuses writes in a transaction that ran a range query on private data, and
/// `Settle` reads these through `MeteredEnergy` before it writes.
pub const OWNED: &str = "owned";

type Key = gridledger_shim::Result<String>;

/// The meter record's key.
pub fn meter(stub: &dyn ChaincodeStub, meter_id: &str) -> Key {
    stub.create_composite_key(METER, &[meter_id])
}

/// The last-counter key of a meter.
pub fn counter(stub: &dyn ChaincodeStub, meter_id: &str) -> Key {
    stub.create_composite_key(COUNTER, &[meter_id])
}

/// The private key of one reading.
pub fn reading(stub: &dyn ChaincodeStub, meter_id: &str, interval_start: i64, register: &str) -> Key {
    stub.create_composite_key(READING, &[meter_id, &interval_key(interval_start), register])
}

/// The public sum one batch (transaction `tx_id`) added for a connection point, interval, register and interval
/// length.
pub fn total(stub: &dyn ChaincodeStub, cp: &str, interval_start: i64, register: &str, tx_id: &str, len: u32) -> Key {
    stub.create_composite_key(TOTAL, &[cp, &interval_key(interval_start), register, tx_id, &len.to_string()])
}

/// The private attribution of one reading to its owner at ingestion.
pub fn owned(stub: &dyn ChaincodeStub, meter_id: &str, interval_start: i64, register: &str) -> Key {
    stub.create_composite_key(OWNED, &[meter_id, &interval_key(interval_start), register])
}

/// The `meter~owner` index entry of a meter and one of its owners.
pub fn meter_by_owner(stub: &dyn ChaincodeStub, owner: &Party, meter_id: &str) -> Key {
    stub.create_composite_key(METER_BY_OWNER, &[&owner.msp, &owner.id, meter_id])
}
