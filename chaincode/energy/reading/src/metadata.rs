//! The contract API's description of a [`Reading`] (contract metadata, `GetReading`'s return type).

use gridledger_contract::{Fields, Object};

use crate::Reading;

impl Object for Reading {
    const NAME: &'static str = "Reading";
    fn describe(fields: &mut Fields<'_>) {
        fields
            .field::<String>("meterId")
            .field::<i64>("intervalStart")
            .field::<String>("register")
            .field::<i64>("wh")
            .field::<u64>("counter")
            .field::<String>("signature");
    }
}
