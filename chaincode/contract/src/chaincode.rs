//! [`ContractChaincode`]: several contracts behind one [`Chaincode`], routed by `Contract:Function`.

use std::sync::{Arc, OnceLock};

use gridledger_shim::{Chaincode, ChaincodeStub, Executor, Response};

use crate::context::Context;
use crate::contract::Contract;
use crate::error::{ContractError, DefinitionError};
use crate::metadata::{ChaincodeMetadata, Info};
use crate::router::Route;
use crate::system::{SYSTEM_CONTRACT, system_contract};

/// What Init answers when called with no function name (Go and Node say the same).
pub const DEFAULT_INIT_MESSAGE: &str = "Default initiator successful.";

/// Collects contracts and chaincode info; [`ChaincodeBuilder::build`] checks them.
#[derive(Debug)]
pub struct ChaincodeBuilder {
    info: Info,
    contracts: Vec<Contract>,
    executor: Executor,
    bounded: bool,
}

impl ChaincodeBuilder {
    /// Adds a contract. The first added is the default unless one is marked with
    /// [`Contract::default_contract`].
    pub fn contract(mut self, contract: Contract) -> Self {
        self.contracts.push(contract);
        self
    }

    /// Sets the chaincode's metadata info (default: title `undefined`, version `latest`, as in Go).
    pub fn info(mut self, info: Info) -> Self {
        self.info = info;
        self
    }

    /// Where transactions run (see [`gridledger_shim::Executor`]); coroutines unless set. Contracts whose
    /// transactions spend milliseconds of CPU each choose [`Executor::Threads`].
    pub fn executor(mut self, executor: Executor) -> Self {
        self.executor = executor;
        self
    }

    /// Makes [`build`](Self::build) refuse a transaction parameter without a length bound
    /// ([`FromArg::MAX_BYTES`](crate::FromArg::MAX_BYTES)), so a chaincode cannot forget one: every argument is
    /// then checked against a documented maximum before it is parsed.
    pub fn require_bounded_arguments(mut self) -> Self {
        self.bounded = true;
        self
    }

    /// Checks the definition, adds the system contract and renders the metadata once.
    pub fn build(self) -> Result<ContractChaincode, DefinitionError> {
        let Self { info, mut contracts, executor, bounded } = self;
        let default = default_contract(&contracts)?;
        check_contracts(&contracts)?;
        if bounded {
            check_bounded(&contracts)?;
        }
        let metadata = Arc::new(OnceLock::new());
        contracts.push(system_contract(Arc::clone(&metadata)));
        let described = ChaincodeMetadata::describe(info, &contracts, default);
        if let Some(name) = described.schema_conflicts().first() {
            return Err(DefinitionError::SchemaConflict(name.clone()));
        }
        let json = described.to_json();
        metadata.get_or_init(|| json);
        Ok(ContractChaincode { contracts, default, metadata, executor })
    }
}

fn default_contract(contracts: &[Contract]) -> Result<usize, DefinitionError> {
    let marked: Vec<usize> = (0..contracts.len()).filter(|&i| contracts[i].is_default).collect();
    match marked.as_slice() {
        [] if contracts.is_empty() => Err(DefinitionError::NoContracts),
        [] => Ok(0),
        [one] => Ok(*one),
        several => Err(DefinitionError::SeveralDefaults(several.iter().map(|&i| contracts[i].name.clone()).collect())),
    }
}

fn check_contracts(contracts: &[Contract]) -> Result<(), DefinitionError> {
    for (i, contract) in contracts.iter().enumerate() {
        if contract.name == SYSTEM_CONTRACT {
            return Err(DefinitionError::ReservedName(contract.name.clone()));
        }
        if contracts[..i].iter().any(|c| c.name == contract.name) {
            return Err(DefinitionError::DuplicateContract(contract.name.clone()));
        }
        if let Some(defect) = contract.defects.first() {
            return Err(defect.clone());
        }
        if contract.transactions.is_empty() {
            return Err(DefinitionError::EmptyContract(contract.name.clone()));
        }
    }
    Ok(())
}

fn check_bounded(contracts: &[Contract]) -> Result<(), DefinitionError> {
    for contract in contracts {
        for tx in contract.transactions.values() {
            if let Some((parameter, _)) = tx.params.iter().zip(&tx.bounds).find(|(_, bound)| bound.is_none()) {
                return Err(DefinitionError::UnboundedParameter {
                    contract: contract.name.clone(),
                    name: tx.name.clone(),
                    parameter: parameter.clone(),
                });
            }
        }
    }
    Ok(())
}

/// A chaincode made of contracts: give it to [`gridledger_shim::main`] or [`gridledger_shim::start`].
#[derive(Debug)]
pub struct ContractChaincode {
    /// The user's contracts in the order added, then the system contract.
    contracts: Vec<Contract>,
    default: usize,
    metadata: Arc<OnceLock<String>>,
    executor: Executor,
}

impl ContractChaincode {
    /// Starts a definition.
    pub fn builder() -> ChaincodeBuilder {
        ChaincodeBuilder {
            info: Info::new("undefined", "latest"),
            contracts: Vec::new(),
            executor: Executor::default(),
            bounded: false,
        }
    }

    /// The metadata JSON that `org.hyperledger.fabric:GetMetadata` returns.
    pub fn metadata(&self) -> &str {
        self.metadata.get().map(String::as_str).unwrap_or_default()
    }

    /// The name of the contract that un-prefixed function names go to.
    pub fn default_contract(&self) -> &str {
        &self.contracts[self.default].name
    }

    /// Routes one call: reads the function name and arguments from `stub` and runs the transaction.
    pub fn dispatch(&self, stub: &dyn ChaincodeStub) -> Result<Vec<u8>, ContractError> {
        let (name, params) = stub.function_and_parameters().map_err(ContractError::InvalidArguments)?;
        let route = Route::parse(&name);
        let contract = match route.contract {
            None => &self.contracts[self.default],
            Some(wanted) => self.contracts.iter().find(|c| c.name == wanted).ok_or_else(|| {
                let mut available: Vec<String> = self.contracts.iter().map(|c| c.name.clone()).collect();
                available.sort();
                ContractError::UnknownContract { name: wanted.to_string(), available }
            })?,
        };
        if route.function.is_empty() {
            return Err(ContractError::BlankFunction { contract: contract.name.clone() });
        }
        contract.call(&Context::new(stub, &contract.name, route.function), &params)
    }
}

impl Chaincode for ContractChaincode {
    /// An empty function name succeeds with [`DEFAULT_INIT_MESSAGE`]; anything else is routed like Invoke.
    fn init(&self, stub: &dyn ChaincodeStub) -> Response {
        match stub.args().first() {
            None => Response::success(DEFAULT_INIT_MESSAGE),
            Some(function) if function.is_empty() => Response::success(DEFAULT_INIT_MESSAGE),
            Some(_) => self.invoke(stub),
        }
    }

    fn executor(&self) -> Executor {
        self.executor
    }

    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        match self.dispatch(stub) {
            Ok(payload) => Response::success(payload),
            Err(e) => {
                let response = Response::from(e);
                tracing::debug!(
                    tx_id = stub.tx_id(),
                    status = response.status,
                    "transaction failed: {}",
                    response.message
                );
                response
            }
        }
    }
}

#[cfg(test)]
mod tests;
