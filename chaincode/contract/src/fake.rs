//! A minimal in-memory [`ChaincodeStub`] for this crate's unit tests (reads see earlier writes of the same stub,
//! which is enough here; the testkit's `MemoryLedger` models Fabric's full semantics).

use std::cell::RefCell;
use std::collections::BTreeMap;

use gridledger_shim::stub::{HistoryIter, Page, Query, StateIter, WriteOp};
use gridledger_shim::{ChaincodeStub, Response, TxContext};

pub(crate) struct FakeStub {
    context: TxContext,
    state: RefCell<BTreeMap<String, Vec<u8>>>,
}

impl FakeStub {
    pub(crate) fn new(args: &[&str]) -> Self {
        Self::with_raw_args(args.iter().map(|a| a.as_bytes().to_vec()).collect())
    }

    pub(crate) fn with_raw_args(args: Vec<Vec<u8>>) -> Self {
        Self { context: TxContext::new("ch", "tx1", args), state: RefCell::default() }
    }
}

fn unsupported<T>() -> gridledger_shim::Result<T> {
    Err(gridledger_shim::Error::InvalidArgument("not supported by the fake stub".into()))
}

impl ChaincodeStub for FakeStub {
    fn context(&self) -> &TxContext {
        &self.context
    }
    fn read(&self, _: &str, keys: &[&str]) -> gridledger_shim::Result<Vec<Option<Vec<u8>>>> {
        Ok(keys.iter().map(|k| self.state.borrow().get(*k).cloned()).collect())
    }
    fn write(&self, _: &str, key: &str, op: WriteOp) -> gridledger_shim::Result<()> {
        match op {
            WriteOp::Put(value) => self.state.borrow_mut().insert(key.to_string(), value),
            _ => self.state.borrow_mut().remove(key),
        };
        Ok(())
    }
    fn read_private_hash(&self, _: &str, _: &str) -> gridledger_shim::Result<Option<Vec<u8>>> {
        unsupported()
    }
    fn read_metadata(&self, _: &str, _: &str) -> gridledger_shim::Result<BTreeMap<String, Vec<u8>>> {
        unsupported()
    }
    fn scan(&self, _: &str, _: Query) -> gridledger_shim::Result<StateIter<'_>> {
        unsupported()
    }
    fn scan_page(&self, _: Query, _: i32, _: &str) -> gridledger_shim::Result<Page> {
        unsupported()
    }
    fn history(&self, _: &str) -> gridledger_shim::Result<HistoryIter<'_>> {
        unsupported()
    }
    fn invoke_chaincode(&self, _: &str, _: &[Vec<u8>], _: &str) -> gridledger_shim::Result<Response> {
        unsupported()
    }
    fn set_event(&self, _: &str, _: &[u8]) -> gridledger_shim::Result<()> {
        unsupported()
    }
}
