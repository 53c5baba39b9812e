//! What one transaction sent to the peer, counted by message type and logged once when it completes.
//!
//! End-to-end tests on a real peer cannot see the stream, so the shim tells them: with
//! `RUST_LOG=info,gridledger_shim::wire=debug` every transaction logs one line on the `gridledger_shim::wire`
//! target (see the crate docs for its format). Counting is a few integer additions per request, and the line is
//! only formatted when that target is enabled. Nothing else logs on this target, so the filter turns on exactly
//! these lines.

use std::fmt;

use gridledger_protos::peer::chaincode_message::Type;

/// The tracing target of the per-transaction line.
pub(crate) const TARGET: &str = "gridledger_shim::wire";

/// Messages sent by one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WireCounts {
    get_state: u64,
    put_state: u64,
    del_state: u64,
    write_batch_state: u64,
    /// Records in the WRITE_BATCH_STATE messages.
    records: u64,
    get_state_multiple: u64,
    /// Keys in the GET_STATE_MULTIPLE messages.
    keys: u64,
    /// Every message, of any type, the final COMPLETED or ERROR included.
    total: u64,
}

impl WireCounts {
    /// Counts one message sent; `items` is its records (WRITE_BATCH_STATE) or keys (GET_STATE_MULTIPLE).
    pub(crate) fn sent(&mut self, kind: Type, items: usize) {
        self.total += 1;
        let items = items as u64;
        match kind {
            Type::GetState => self.get_state += 1,
            Type::PutState => self.put_state += 1,
            Type::DelState => self.del_state += 1,
            Type::WriteBatchState => {
                self.write_batch_state += 1;
                self.records += items;
            }
            Type::GetStateMultiple => {
                self.get_state_multiple += 1;
                self.keys += items;
            }
            _ => {}
        }
    }

    /// Logs the transaction's line (debug, target `gridledger_shim::wire`).
    pub(crate) fn log(&self, tx_id: &str, channel_id: &str) {
        tracing::debug!(target: TARGET, "{}", Line { counts: self, tx_id, channel_id });
    }
}

/// `wire tx=<8 chars> channel=<ch> sent GET_STATE=.. PUT_STATE=.. DEL_STATE=.. WRITE_BATCH_STATE=.. records=..
/// GET_STATE_MULTIPLE=.. keys=.. total=..`: every counter always present, in this order.
struct Line<'a> {
    counts: &'a WireCounts,
    tx_id: &'a str,
    channel_id: &'a str,
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.counts;
        // Fabric txids are hex, but a peer-supplied one may be anything: cut on a character boundary.
        let short = self.tx_id.char_indices().nth(8).map_or(self.tx_id, |(end, _)| &self.tx_id[..end]);
        write!(
            f,
            "wire tx={short} channel={} sent GET_STATE={} PUT_STATE={} DEL_STATE={} WRITE_BATCH_STATE={} records={} \
             GET_STATE_MULTIPLE={} keys={} total={}",
            self.channel_id,
            c.get_state,
            c.put_state,
            c.del_state,
            c.write_batch_state,
            c.records,
            c.get_state_multiple,
            c.keys,
            c.total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_has_every_counter_in_a_fixed_order() {
        let mut c = WireCounts::default();
        for _ in 0..10 {
            c.sent(Type::WriteBatchState, 1000);
        }
        c.sent(Type::GetStateMultiple, 3);
        c.sent(Type::GetStateByRange, 0);
        c.sent(Type::Completed, 0);
        let line = Line { counts: &c, tx_id: "0123456789abcdef", channel_id: "energy" }.to_string();
        assert_eq!(
            line,
            "wire tx=01234567 channel=energy sent GET_STATE=0 PUT_STATE=0 DEL_STATE=0 WRITE_BATCH_STATE=10 \
             records=10000 GET_STATE_MULTIPLE=1 keys=3 total=13"
        );
        let short = Line { counts: &WireCounts::default(), tx_id: "ü1", channel_id: "" }.to_string();
        assert!(short.starts_with("wire tx=ü1 channel= sent GET_STATE=0 "), "{short}");
    }
}
