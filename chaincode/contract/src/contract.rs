//! [`Contract`]: a named set of transactions with optional before/after/unknown hooks.

use std::collections::BTreeMap;

use crate::args::Args;
use crate::context::Context;
use crate::error::{ContractError, DefinitionError};
use crate::metadata::Info;
use crate::returns::IntoPayload;
use crate::transaction::{Transaction, Tx, TxKind};

type Before = Box<dyn Fn(&Context<'_>) -> Result<(), ContractError> + Send + Sync>;
type After = Box<dyn Fn(&Context<'_>, &[u8]) -> Result<(), ContractError> + Send + Sync>;
type Unknown = Box<dyn Fn(&Context<'_>, &str) -> Result<Vec<u8>, ContractError> + Send + Sync>;

/// A named set of transactions, addressed by clients as `Name:Function`.
///
/// Built with chained calls; see the crate example. Definition mistakes (a duplicate name, parameter names that do
/// not match the handler) are collected and reported by [`ChaincodeBuilder::build`](crate::ChaincodeBuilder::build).
pub struct Contract {
    pub(crate) name: String,
    pub(crate) info: Info,
    pub(crate) is_default: bool,
    pub(crate) transactions: BTreeMap<String, Transaction>,
    before: Option<Before>,
    after: Option<After>,
    unknown: Option<Unknown>,
    pub(crate) defects: Vec<DefinitionError>,
}

impl Contract {
    /// An empty contract. Its metadata title defaults to the name and its version to `latest`, as in Go.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            info: Info::new(&name, "latest"),
            name,
            is_default: false,
            transactions: BTreeMap::new(),
            before: None,
            after: None,
            unknown: None,
            defects: Vec::new(),
        }
    }

    /// Sets the metadata info (title, version, description).
    pub fn info(mut self, info: Info) -> Self {
        self.info = info;
        self
    }

    /// Makes this the contract that function names without a `Contract:` prefix go to (otherwise: the first added).
    pub fn default_contract(mut self) -> Self {
        self.is_default = true;
        self
    }

    /// Registers a transaction that changes the ledger.
    ///
    /// `f` takes the [`Context`] and its arguments: `()`, one type, or a tuple. It returns `Result<R, E>` where `R`
    /// is any [`IntoPayload`] and `E` converts into [`ContractError`].
    pub fn submit<A, R, E, F>(self, tx: impl Into<Tx>, f: F) -> Self
    where
        A: Args,
        R: IntoPayload,
        E: Into<ContractError>,
        F: Fn(&Context<'_>, A) -> Result<R, E> + Send + Sync + 'static,
    {
        self.add(Transaction::new(tx.into(), TxKind::Submit, f))
    }

    /// Registers a transaction that only reads; like [`Contract::submit`] but tagged `evaluate`.
    pub fn evaluate<A, R, E, F>(self, tx: impl Into<Tx>, f: F) -> Self
    where
        A: Args,
        R: IntoPayload,
        E: Into<ContractError>,
        F: Fn(&Context<'_>, A) -> Result<R, E> + Send + Sync + 'static,
    {
        self.add(Transaction::new(tx.into(), TxKind::Evaluate, f))
    }

    fn add(mut self, tx: Transaction) -> Self {
        let defect = |name: &str| (self.name.clone(), name.to_string());
        if tx.name.is_empty() || tx.name.contains(':') {
            let (contract, name) = defect(&tx.name);
            self.defects.push(DefinitionError::BadTransactionName { contract, name });
        } else if self.transactions.contains_key(&tx.name) {
            let (contract, name) = defect(&tx.name);
            self.defects.push(DefinitionError::DuplicateTransaction { contract, name });
        } else if let Some(named) = tx.named.filter(|n| *n != tx.arity()) {
            let (contract, name) = defect(&tx.name);
            self.defects.push(DefinitionError::ParameterNames { contract, name, named, arity: tx.arity() });
        }
        self.transactions.insert(tx.name.clone(), tx);
        self
    }

    /// Runs before every call of this contract, even of an unknown function; an error rejects the call.
    pub fn before<E: Into<ContractError>>(
        mut self,
        f: impl Fn(&Context<'_>) -> Result<(), E> + Send + Sync + 'static,
    ) -> Self {
        self.before = Some(Box::new(move |ctx| f(ctx).map_err(Into::into)));
        self
    }

    /// Runs after a successful call with its payload; an error turns the call into a failure.
    pub fn after<E: Into<ContractError>>(
        mut self,
        f: impl Fn(&Context<'_>, &[u8]) -> Result<(), E> + Send + Sync + 'static,
    ) -> Self {
        self.after = Some(Box::new(move |ctx, payload| f(ctx, payload).map_err(Into::into)));
        self
    }

    /// Handles functions this contract does not define (it gets the function name); its result is returned.
    pub fn unknown<R: IntoPayload, E: Into<ContractError>>(
        mut self,
        f: impl Fn(&Context<'_>, &str) -> Result<R, E> + Send + Sync + 'static,
    ) -> Self {
        self.unknown = Some(Box::new(move |ctx, function| f(ctx, function).map_err(Into::into)?.into_payload()));
        self
    }

    /// The contract's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `function` with Go's order: before, then the transaction (or the unknown hook), then after.
    pub(crate) fn call(&self, ctx: &Context<'_>, params: &[String]) -> Result<Vec<u8>, ContractError> {
        if let Some(before) = &self.before {
            before(ctx)?;
        }
        let function = ctx.function();
        let payload = match self.find(function) {
            Some(tx) => tx.call(ctx, params)?,
            None => match &self.unknown {
                Some(unknown) => unknown(ctx, function)?,
                None => {
                    return Err(ContractError::UnknownFunction {
                        contract: self.name.clone(),
                        function: function.to_string(),
                        available: self.transactions.keys().cloned().collect(),
                    });
                }
            },
        };
        if let Some(after) = &self.after {
            after(ctx, &payload)?;
        }
        Ok(payload)
    }

    /// The exact name, else the name with its first letter upper-cased (Go looks up `createAsset` as `CreateAsset`).
    fn find(&self, function: &str) -> Option<&Transaction> {
        self.transactions.get(function).or_else(|| {
            let mut chars = function.chars();
            let first = chars.next()?;
            if first.is_uppercase() {
                return None;
            }
            let upper: String = first.to_uppercase().chain(chars).collect();
            self.transactions.get(&upper)
        })
    }
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("name", &self.name)
            .field("transactions", &self.transactions.keys().collect::<Vec<_>>())
            .field("before", &self.before.is_some())
            .field("after", &self.after.is_some())
            .field("unknown", &self.unknown.is_some())
            .finish()
    }
}
