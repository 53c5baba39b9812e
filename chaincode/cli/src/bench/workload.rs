//! The kv and market transaction sources (metering's are in [`crate::fleet`]).

use crate::fleet::profile::mix;
use crate::ledger::invocation;
use crate::load::driver::{Source, Tx};

/// `GetPut(key, value)` on the kv chaincode.
#[derive(Debug)]
pub struct Kv {
    /// Channel and chaincode.
    pub target: (String, String),
    /// Key prefix unique to the run and worker.
    pub prefix: String,
    /// Keys reused round robin (0: never reuse).
    pub keys: u64,
    /// The value written.
    pub value: String,
    /// Transactions made so far.
    pub n: u64,
}

impl Source for Kv {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        let k = if self.keys == 0 { self.n } else { self.n % self.keys };
        self.n += 1;
        let args = [format!("{}-{k:08}", self.prefix), self.value.clone()];
        Ok(Some(Tx { invocation: invocation(&self.target.0, &self.target.1, "GetPut", &args), units: 1 }))
    }
}

/// `PlaceOrder(interval, side, wh, limit)`: buys and sells around a price of 20 per kWh, so the book crosses.
#[derive(Debug)]
pub struct Orders {
    /// Channel and chaincode.
    pub target: (String, String),
    /// The interval the orders are for.
    pub interval: i64,
    /// Seed unique to the worker.
    pub seed: u64,
    /// Orders made so far.
    pub n: u64,
}

impl Source for Orders {
    fn next_tx(&mut self) -> anyhow::Result<Option<Tx>> {
        let h = mix(self.seed ^ self.n.wrapping_mul(0x9e37));
        self.n += 1;
        let side = if h & 1 == 0 { "buy" } else { "sell" };
        let wh = 100 + (h >> 8) % 4900;
        let limit = 8 + (h >> 24) % 25;
        let args = [self.interval.to_string(), side.into(), wh.to_string(), limit.to_string()];
        Ok(Some(Tx { invocation: invocation(&self.target.0, &self.target.1, "PlaceOrder", &args), units: 1 }))
    }
}
