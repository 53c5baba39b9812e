//! What a transaction handler gets besides its arguments.

use std::ops::Deref;

use gridledger_shim::ChaincodeStub;

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
