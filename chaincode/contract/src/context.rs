//! What a transaction handler gets besides its arguments.

use std::ops::Deref;

use gridledger_shim::ChaincodeStub;
use gridledger_shim::identity::ClientIdentity;

/// The ledger stub of the running transaction, plus which contract and function were called.
///
/// It dereferences to [`ChaincodeStub`], so `ctx.get_state(..)` works directly; [`Context::stub`] hands out the
/// stub itself for helpers that take `&dyn ChaincodeStub`.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    stub: &'a dyn ChaincodeStub,
    contract: &'a str,
    function: &'a str,
}

impl<'a> Context<'a> {
    /// A context for `contract:function` over `stub`.
    pub fn new(stub: &'a dyn ChaincodeStub, contract: &'a str, function: &'a str) -> Self {
        Self { stub, contract, function }
    }
    /// The ledger API of this transaction.
    pub fn stub(&self) -> &'a dyn ChaincodeStub {
        self.stub
    }
    /// The name of the contract being called.
    pub fn contract(&self) -> &'a str {
        self.contract
    }
    /// The submitting client's identity, decoded from the creator (fails for a missing or non-X.509 creator).
    ///
    /// Decoded on each call rather than up front, so transactions that never ask pay nothing for it.
    pub fn client_identity(&self) -> gridledger_shim::Result<ClientIdentity> {
        ClientIdentity::from_stub(self.stub)
    }
    /// The function name as the client sent it (without the contract prefix).
    pub fn function(&self) -> &'a str {
        self.function
    }
}

impl<'a> Deref for Context<'a> {
    type Target = dyn ChaincodeStub + 'a;
    fn deref(&self) -> &Self::Target {
        self.stub
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("contract", &self.contract)
            .field("function", &self.function)
            .field("tx_id", &self.stub.tx_id())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridledger_testkit::memory::MemoryLedger;

    #[test]
    fn exposes_the_call_and_the_stub() {
        let ledger = MemoryLedger::new();
        let stub = ledger.tx(["Assets:Create"]).with_tx_id("tx1").with_channel("ch");
        let ctx = Context::new(&stub, "Assets", "Create");
        assert_eq!(
            (ctx.contract(), ctx.function(), ctx.tx_id(), ctx.stub().channel_id()),
            ("Assets", "Create", "tx1", "ch")
        );
        assert!(format!("{ctx:?}").contains("tx1"));
    }

    #[test]
    fn client_identity_needs_a_creator() {
        let ledger = MemoryLedger::new();
        let stub = ledger.tx(["X"]);
        assert!(Context::new(&stub, "C", "X").client_identity().is_err());
    }
}
