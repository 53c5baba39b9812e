//! One registered transaction: its declaration ([`Tx`]), kind, and the type-erased handler.

use crate::args::{ArgError, Args};
use crate::context::Context;
use crate::error::ContractError;
use crate::quote::quote;
use crate::returns::IntoPayload;
use crate::schema::{Components, Schema};

/// Whether a transaction changes the ledger. Metadata only: the peer does not enforce it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    /// Submitted for ordering (writes).
    Submit,
    /// Evaluated on one peer (reads).
    Evaluate,
}

impl TxKind {
    /// The metadata tags, as fabric-contract-api-go writes them (lower-case legacy tag first).
    pub fn tags(self) -> [&'static str; 2] {
        match self {
            Self::Submit => ["submit", "SUBMIT"],
            Self::Evaluate => ["evaluate", "EVALUATE"],
        }
    }
}

/// A transaction's declaration: its name and, optionally, parameter names and a description.
///
/// A plain `&str` converts into a `Tx`; parameters are then named `param0`, `param1`, ... as in Go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    pub(crate) name: String,
    pub(crate) params: Option<Vec<String>>,
    pub(crate) description: Option<String>,
}

impl Tx {
    /// A transaction called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), params: None, description: None }
    }
    /// Names the parameters, in order (shown in metadata and error messages).
    pub fn params<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.params = Some(names.into_iter().map(Into::into).collect());
        self
    }
    /// Describes the transaction (carried in the metadata of its return).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

impl From<&str> for Tx {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for Tx {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}

/// The parameter and return schemas of a handler, derived from its Rust types.
pub(crate) struct Signature {
    pub(crate) params: Vec<Schema>,
    pub(crate) returns: Option<Schema>,
}

type Handler = Box<dyn Fn(&Context<'_>, &[String]) -> Result<Vec<u8>, ContractError> + Send + Sync>;

/// A registered transaction.
pub(crate) struct Transaction {
    pub(crate) name: String,
    pub(crate) kind: TxKind,
    pub(crate) params: Vec<String>,
    pub(crate) description: Option<String>,
    /// Named param count as declared, to report a mismatch with the handler at build time.
    pub(crate) named: Option<usize>,
    arity: usize,
    /// Each parameter's byte bound (`None`: unbounded), for `require_bounded_arguments`.
    pub(crate) bounds: Vec<Option<usize>>,
    signature: fn(&mut Components) -> Signature,
    handler: Handler,
}

fn signature<A: Args, R: IntoPayload>(components: &mut Components) -> Signature {
    Signature { params: A::schemas(components), returns: R::return_schema(components) }
}

impl Transaction {
    pub(crate) fn new<A, R, E, F>(tx: Tx, kind: TxKind, f: F) -> Self
    where
        A: Args,
        R: IntoPayload,
        E: Into<ContractError>,
        F: Fn(&Context<'_>, A) -> Result<R, E> + Send + Sync + 'static,
    {
        let named = tx.params.as_ref().map(Vec::len);
        let params = tx.params.unwrap_or_else(|| (0..A::ARITY).map(|i| format!("param{i}")).collect());
        let names = params.clone();
        let handler: Handler = Box::new(move |ctx, raw| {
            let args = A::parse(raw).map_err(|(index, e)| argument_error(&names, raw, index, e))?;
            f(ctx, args).map_err(Into::into)?.into_payload()
        });
        Self {
            name: tx.name,
            kind,
            arity: A::ARITY,
            bounds: A::bounds(),
            params,
            description: tx.description,
            named,
            signature: signature::<A, R>,
            handler,
        }
    }

    /// How many arguments the handler takes.
    pub(crate) fn arity(&self) -> usize {
        self.arity
    }

    /// The handler's schemas, registering any objects in `components`.
    pub(crate) fn signature(&self, components: &mut Components) -> Signature {
        (self.signature)(components)
    }

    /// Checks the argument count, parses and runs the handler.
    pub(crate) fn call(&self, ctx: &Context<'_>, raw: &[String]) -> Result<Vec<u8>, ContractError> {
        if raw.len() != self.arity {
            let sig = self.signature(&mut Components::default());
            let signature = self
                .params
                .iter()
                .zip(&sig.params)
                .map(|(name, schema)| format!("{name}: {}", schema.kind()))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ContractError::ArgumentCount {
                function: self.name.clone(),
                expected: self.arity,
                signature,
                got: raw.len(),
            });
        }
        (self.handler)(ctx, raw)
    }
}

/// The refusal of argument `index`; the argument appears only as [`quote()`] shows it.
fn argument_error(names: &[String], raw: &[String], index: usize, e: ArgError) -> ContractError {
    let arg = raw.get(index).map(String::as_str).unwrap_or_default();
    let got = quote(arg).to_string();
    ContractError::Argument {
        position: index + 1,
        name: names.get(index).cloned().unwrap_or_else(|| format!("param{index}")),
        expected: e.expected,
        got,
        detail: e.detail,
    }
}
