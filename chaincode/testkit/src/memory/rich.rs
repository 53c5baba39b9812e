//! A small CouchDB Mango subset for rich queries.
//!
//! Supported: `selector` with implicit equality, nested fields (`{"a": {"b": 1}}` or `"a.b"`), `_id` (the key),
//! `$eq $ne $gt $gte $lt $lte $in $nin $exists`, `$and $or $nor $not`; top-level `limit`, `skip`,
//! `sort` on `_id` ascending only, and `use_index` (ignored). Results come in key order. Comparisons follow
//! CouchDB's collation across types (null < false < true < numbers < strings < arrays < objects), with strings
//! compared by code point rather than ICU. Anything else is an "unsupported" error rather than a silent mismatch.
//!
//! Like Fabric on CouchDB, only values that are JSON objects are documents with fields; any other value can only
//! be matched through `_id`.

use std::cmp::Ordering;

use gridledger_shim::{Error, Result};
use serde_json::{Map, Value};

/// A parsed rich query.
#[derive(Debug, Clone)]
pub(super) struct RichQuery {
    selector: Cond,
    pub(super) limit: Option<usize>,
    pub(super) skip: usize,
}

#[derive(Debug, Clone)]
enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Field(Vec<String>, Op),
}

#[derive(Debug, Clone)]
enum Op {
    Cmp(CmpOp, Value),
    In(Vec<Value>),
    Nin(Vec<Value>),
    Exists(bool),
}

#[derive(Debug, Clone, Copy)]
enum CmpOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl RichQuery {
    /// Parses a CouchDB query string.
    pub(super) fn parse(query: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(query).map_err(|e| invalid(format!("query is not valid JSON: {e}")))?;
        let Value::Object(top) = value else { return Err(invalid("query must be a JSON object".into())) };
        let mut selector = None;
        let (mut limit, mut skip) = (None, 0);
        for (name, value) in &top {
            match name.as_str() {
                "selector" => selector = Some(parse_selector(value, &[])?),
                "limit" => limit = Some(count("limit", value)?),
                "skip" => skip = count("skip", value)?,
                "sort" => check_sort(value)?,
                "use_index" => {}
                other => return Err(unsupported(format!("query field {other:?}"))),
            }
        }
        let selector = selector.ok_or_else(|| invalid("query has no \"selector\"".into()))?;
        Ok(Self { selector, limit, skip })
    }

    /// Whether the document stored under `key` with this value matches the selector.
    pub(super) fn matches(&self, key: &str, value: &[u8]) -> bool {
        let mut doc = match serde_json::from_slice::<Value>(value) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        doc.insert("_id".into(), Value::String(key.into()));
        self.selector.eval(&Value::Object(doc))
    }
}

fn parse_selector(value: &Value, path: &[String]) -> Result<Cond> {
    let Value::Object(map) = value else {
        return Err(invalid(format!("selector must be an object, got {value}")));
    };
    let mut conds = Vec::new();
    for (name, arg) in map {
        conds.push(match name.as_str() {
            "$and" | "$or" | "$nor" => {
                let Value::Array(items) = arg else { return Err(invalid(format!("{name} takes an array"))) };
                let parts = items.iter().map(|i| parse_selector(i, path)).collect::<Result<Vec<_>>>()?;
                match name.as_str() {
                    "$and" => Cond::All(parts),
                    "$or" => Cond::Any(parts),
                    _ => Cond::Not(Box::new(Cond::Any(parts))),
                }
            }
            "$not" => Cond::Not(Box::new(parse_selector(arg, path)?)),
            op if op.starts_with('$') => Cond::Field(path.to_vec(), parse_op(op, arg, path)?),
            field => {
                let mut sub = path.to_vec();
                sub.extend(field.split('.').map(str::to_string));
                parse_field(arg, sub)?
            }
        });
    }
    Ok(if conds.len() == 1 { conds.remove(0) } else { Cond::All(conds) })
}

/// A field's condition: an operator object, a nested-field object, or a value for implicit equality.
fn parse_field(arg: &Value, path: Vec<String>) -> Result<Cond> {
    match arg {
        Value::Object(map) if !map.is_empty() => {
            let operators = map.keys().filter(|k| k.starts_with('$')).count();
            if operators == 0 || operators == map.len() {
                // Sub-fields ({"a": {"b": 1}}) or operators ({"a": {"$gt": 1}}) of this field.
                parse_selector(arg, &path)
            } else {
                Err(unsupported(format!("mixing operators and sub-fields in {arg}")))
            }
        }
        other => Ok(Cond::Field(path, Op::Cmp(CmpOp::Eq, other.clone()))),
    }
}

fn parse_op(op: &str, arg: &Value, path: &[String]) -> Result<Op> {
    Ok(match op {
        "$eq" => Op::Cmp(CmpOp::Eq, arg.clone()),
        "$ne" => Op::Cmp(CmpOp::Ne, arg.clone()),
        "$gt" => Op::Cmp(CmpOp::Gt, arg.clone()),
        "$gte" => Op::Cmp(CmpOp::Gte, arg.clone()),
        "$lt" => Op::Cmp(CmpOp::Lt, arg.clone()),
        "$lte" => Op::Cmp(CmpOp::Lte, arg.clone()),
        "$in" | "$nin" => {
            let Value::Array(items) = arg else { return Err(invalid(format!("{op} takes an array"))) };
            if op == "$in" { Op::In(items.clone()) } else { Op::Nin(items.clone()) }
        }
        "$exists" => match arg {
            Value::Bool(b) => Op::Exists(*b),
            _ => return Err(invalid("$exists takes a boolean".into())),
        },
        other => return Err(unsupported(format!("selector operator {other:?} (on field {:?})", path.join(".")))),
    })
}

fn count(name: &str, value: &Value) -> Result<usize> {
    value
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| invalid(format!("{name} must be a non-negative integer")))
}

fn check_sort(value: &Value) -> Result<()> {
    let ascending_id = |v: &Value| match v {
        Value::String(s) => s == "_id",
        Value::Object(m) => m.len() == 1 && m.get("_id").and_then(Value::as_str) == Some("asc"),
        _ => false,
    };
    match value {
        Value::Array(items) if items.iter().all(ascending_id) => Ok(()),
        _ => Err(unsupported(format!("sort {value} (only [{{\"_id\": \"asc\"}}], key order)"))),
    }
}

impl Cond {
    fn eval(&self, doc: &Value) -> bool {
        match self {
            Cond::All(parts) => parts.iter().all(|c| c.eval(doc)),
            Cond::Any(parts) => parts.iter().any(|c| c.eval(doc)),
            Cond::Not(inner) => !inner.eval(doc),
            Cond::Field(path, op) => op.eval(lookup(doc, path)),
        }
    }
}

impl Op {
    fn eval(&self, value: Option<&Value>) -> bool {
        // A missing field matches nothing but `$exists: false` (Mango).
        let Some(value) = value else { return matches!(self, Op::Exists(false)) };
        match self {
            Op::Exists(should) => *should,
            Op::In(items) => items.iter().any(|i| collate(value, i) == Ordering::Equal),
            Op::Nin(items) => items.iter().all(|i| collate(value, i) != Ordering::Equal),
            Op::Cmp(op, arg) => {
                let ord = collate(value, arg);
                match op {
                    CmpOp::Eq => ord.is_eq(),
                    CmpOp::Ne => ord.is_ne(),
                    CmpOp::Gt => ord.is_gt(),
                    CmpOp::Gte => ord.is_ge(),
                    CmpOp::Lt => ord.is_lt(),
                    CmpOp::Lte => ord.is_le(),
                }
            }
        }
    }
}

fn lookup<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, part| v.as_object()?.get(part))
}

/// CouchDB's view collation, with strings by code point.
fn collate(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(false) => 1,
            Value::Bool(true) => 2,
            Value::Number(_) => 3,
            Value::String(_) => 4,
            Value::Array(_) => 5,
            Value::Object(_) => 6,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(f64::NAN).partial_cmp(&y.as_f64().unwrap_or(f64::NAN)).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            x.iter().zip(y).map(|(p, q)| collate(p, q)).find(|o| o.is_ne()).unwrap_or(x.len().cmp(&y.len()))
        }
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .zip(y)
            .map(|((ka, va), (kb, vb))| ka.cmp(kb).then_with(|| collate(va, vb)))
            .find(|o| o.is_ne())
            .unwrap_or(x.len().cmp(&y.len())),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument(format!("rich query: {message}"))
}

fn unsupported(what: String) -> Error {
    Error::InvalidArgument(format!("rich query: unsupported {what} in the in-memory CouchDB emulation"))
}
