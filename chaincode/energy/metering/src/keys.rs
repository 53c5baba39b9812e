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
/// `reading [meterId, intervalStart(12)]` -> [`IntervalRecord`](crate::record::IntervalRecord) JSON, in
/// [`READINGS_COLLECTION`]: every register the meter reported for the interval, each attributed to the party that
/// owned the metered asset when it was recorded. `MeteredEnergy` reads these with point reads only: Fabric refuses
/// writes in a transaction that ran a range query on private data, and `Settle` calls it before it writes.
pub const READING: &str = "reading";
/// `total [connectionPoint, intervalStart(12), register, txId, intervalSeconds]` -> `{"wh","readings"}`: one
/// batch's sum for the meters of one interval length.
pub const TOTAL: &str = "total";

type Key = gridledger_shim::Result<String>;

/// The meter record's key.
pub fn meter(stub: &dyn ChaincodeStub, meter_id: &str) -> Key {
    stub.create_composite_key(METER, &[meter_id])
}

/// The last-counter key of a meter.
pub fn counter(stub: &dyn ChaincodeStub, meter_id: &str) -> Key {
    stub.create_composite_key(COUNTER, &[meter_id])
}

/// The private key of one meter's readings of one interval.
pub fn reading(stub: &dyn ChaincodeStub, meter_id: &str, interval_start: i64) -> Key {
    stub.create_composite_key(READING, &[meter_id, &interval_key(interval_start)])
}

/// The public sum one batch (transaction `tx_id`) added for a connection point, interval, register and interval
/// length.
pub fn total(stub: &dyn ChaincodeStub, cp: &str, interval_start: i64, register: &str, tx_id: &str, len: u32) -> Key {
    stub.create_composite_key(TOTAL, &[cp, &interval_key(interval_start), register, tx_id, &len.to_string()])
}

/// The `meter~owner` index entry of a meter and one of its owners.
pub fn meter_by_owner(stub: &dyn ChaincodeStub, owner: &Party, meter_id: &str) -> Key {
    stub.create_composite_key(METER_BY_OWNER, &[&owner.msp, &owner.id, meter_id])
}
