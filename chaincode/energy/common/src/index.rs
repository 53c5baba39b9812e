//! Composite-key indexes and key text.

use gridledger_shim::ChaincodeStub;

/// The value of an index entry: Fabric treats an empty value as a delete, so indexes store one byte.
pub const INDEX_VALUE: &[u8] = &[1];

/// An interval start as 12-digit zero-padded text, so key order is time order (negative starts are refused
/// earlier by alignment to the market, but they still sort before zero here).
pub fn interval_key(start: i64) -> String {
    if start < 0 { format!("-{:011}", start.unsigned_abs()) } else { format!("{start:012}") }
}

/// Writes an index entry.
pub fn put_index(stub: &dyn ChaincodeStub, object_type: &str, parts: &[&str]) -> gridledger_shim::Result<()> {
    let key = stub.create_composite_key(object_type, parts)?;
    stub.put_state(&key, INDEX_VALUE)
}

/// Removes an index entry.
pub fn del_index(stub: &dyn ChaincodeStub, object_type: &str, parts: &[&str]) -> gridledger_shim::Result<()> {
    let key = stub.create_composite_key(object_type, parts)?;
    stub.del_state(&key)
}

/// The last attribute of an index key (the indexed record's id).
pub fn last_part(stub: &dyn ChaincodeStub, key: &str) -> gridledger_shim::Result<Option<String>> {
    let (_, mut parts) = stub.split_composite_key(key)?;
    Ok(parts.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_keys_sort_by_time() {
        assert_eq!(interval_key(900), "000000000900");
        assert!(interval_key(900) < interval_key(1800));
        assert!(interval_key(1_800_000_000) < interval_key(18_000_000_000));
    }
}
