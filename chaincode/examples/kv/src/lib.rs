//! The `kv` example chaincode: one function per ledger feature, specified in `SPEC.md` beside this crate.
//!
//! The Go reference chaincode in `tests/go-reference` implements the same functions, so end-to-end and
//! differential tests can compare both byte for byte. Written on the raw shim API on purpose: it shows what the
//! contract API saves you from, and it keeps the benchmark free of routing overhead.

use gridledger_shim::identity::ClientIdentity;
use gridledger_shim::statebased::{KeyEndorsementPolicy, RoleType};
use gridledger_shim::{Chaincode, ChaincodeStub, Response};
use serde::Serialize;

mod records;

use records::{CompositeEntry, Entry, History, PageOut, PartialEntry};

/// The chaincode.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kv;

/// A failure message; every function's error becomes a 500 response with exactly this text.
type Fallible<T = Vec<u8>> = Result<T, String>;

impl Chaincode for Kv {
    fn invoke(&self, stub: &dyn ChaincodeStub) -> Response {
        match dispatch(stub) {
            Ok(payload) => Response::success(payload),
            Err(message) => Response::error(message),
        }
    }
}

fn dispatch(stub: &dyn ChaincodeStub) -> Fallible {
    let (function, args) = stub.function_and_parameters().map_err(|e| e.to_string())?;
    let a = Args { function: &function, args: &args };
    let s = stub;
    match function.as_str() {
        "Put" => a.exact(2).and_then(|()| done(s.put_state(&args[0], args[1].as_bytes()))),
        "Get" => a.exact(1).and_then(|()| found(s.get_state(&args[0]), "key", &args[0])),
        "Del" => a.exact(1).and_then(|()| done(s.del_state(&args[0]))),
        "GetPut" => a.exact(2).and_then(|()| get_put(s, &args[0], &args[1])),
        "Range" => a.exact(2).and_then(|()| range(s, &args[0], &args[1])),
        "RangePage" => a.exact(4).and_then(|()| range_page(s, &args)),
        "PutComposite" => a.at_least(2).and_then(|()| put_composite(s, &args)),
        "ByPartial" => a.at_least(1).and_then(|()| by_partial(s, &args[0], &strs(&args[1..]))),
        "ByPartialPage" => a.at_least(3).and_then(|()| by_partial_page(s, &args)),
        "AllCompositePage" => a.exact(2).and_then(|()| all_composite_page(s, &args)),
        "History" => a.exact(1).and_then(|()| history(s, &args[0])),
        "PutPrivate" => a.exact(2).and_then(|()| put_private(s, &args[0], &args[1])),
        "GetPrivate" => {
            a.exact(2).and_then(|()| found(s.get_private_data(&args[0], &args[1]), "private key", &args[1]))
        }
        "GetPrivateHash" => a.exact(2).and_then(|()| {
            found(s.get_private_data_hash(&args[0], &args[1]), "private key", &args[1]).map(|h| hex::encode(h).into())
        }),
        "DelPrivate" => a.exact(2).and_then(|()| done(s.del_private_data(&args[0], &args[1]))),
        "PurgePrivate" => a.exact(2).and_then(|()| done(s.purge_private_data(&args[0], &args[1]))),
        "Event" => a.exact(2).and_then(|()| done(s.set_event(&args[0], args[1].as_bytes()))),
        "Invoke" => a.at_least(2).and_then(|()| invoke(s, &args)),
        "SetEndorsers" => a.at_least(1).and_then(|()| set_endorsers(s, &args[0], &strs(&args[1..]))),
        "Endorsers" => a.exact(1).and_then(|()| endorsers(s, &args[0])),
        "WhoAmI" => a.exact(0).and_then(|()| who_am_i(s)),
        "TxInfo" => a.exact(0).and_then(|()| tx_info(s)),
        "PutMany" => a.exact(2).and_then(|()| put_many(s, &args[0], &args[1])),
        "GetMany" => a.at_least(1).and_then(|()| get_many(s, &strs(&args))),
        other => Err(format!("unknown function: {other}")),
    }
}

/// Argument-count checks with the messages SPEC.md fixes.
struct Args<'a> {
    function: &'a str,
    args: &'a [String],
}

impl Args<'_> {
    fn exact(&self, n: usize) -> Fallible<()> {
        if self.args.len() == n { Ok(()) } else { Err(format!("{} expects {n} arguments", self.function)) }
    }
    fn at_least(&self, n: usize) -> Fallible<()> {
        if self.args.len() >= n { Ok(()) } else { Err(format!("{} expects at least {n} arguments", self.function)) }
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn done(result: gridledger_shim::Result<()>) -> Fallible {
    result.map(|()| Vec::new()).map_err(|e| e.to_string())
}

fn found(result: gridledger_shim::Result<Option<Vec<u8>>>, what: &str, key: &str) -> Fallible {
    result.map_err(|e| e.to_string())?.ok_or_else(|| format!("{what} not found: {key}"))
}

fn json<T: Serialize>(value: &T) -> Fallible {
    serde_json::to_vec(value).map_err(|e| format!("cannot encode the result: {e}"))
}

fn err(e: gridledger_shim::Error) -> String {
    e.to_string()
}

fn get_put(s: &dyn ChaincodeStub, key: &str, value: &str) -> Fallible {
    let old = s.get_state(key).map_err(err)?.unwrap_or_default();
    s.put_state(key, value.as_bytes()).map_err(err)?;
    Ok(old)
}

fn range(s: &dyn ChaincodeStub, start: &str, end: &str) -> Fallible {
    let entries =
        s.get_state_by_range(start, end).map_err(err)?.map(|kv| kv.map(Entry::from)).collect::<Result<Vec<_>, _>>();
    json(&entries.map_err(err)?)
}

fn page_size(text: &str) -> Fallible<i32> {
    text.parse().map_err(|_| format!("invalid pageSize: {text}"))
}

fn range_page(s: &dyn ChaincodeStub, args: &[String]) -> Fallible {
    let page = s.get_state_by_range_with_pagination(&args[0], &args[1], page_size(&args[2])?, &args[3]).map_err(err)?;
    json(&PageOut::new(page.records.into_iter().map(Entry::from).collect(), page.fetched_records_count, page.bookmark))
}

fn put_composite(s: &dyn ChaincodeStub, args: &[String]) -> Fallible {
    let (object_type, value, attrs) = (&args[0], &args[1], strs(&args[2..]));
    let key = s.create_composite_key(object_type, &attrs).map_err(err)?;
    s.put_state(&key, value.as_bytes()).map_err(err)?;
    Ok(std::iter::once(object_type.as_str()).chain(attrs).collect::<Vec<_>>().join("/").into_bytes())
}

fn by_partial(s: &dyn ChaincodeStub, object_type: &str, attrs: &[&str]) -> Fallible {
    let mut entries = Vec::new();
    for kv in s.get_state_by_partial_composite_key(object_type, attrs).map_err(err)? {
        entries.push(PartialEntry::from_kv(s, kv.map_err(err)?)?);
    }
    json(&entries)
}

fn by_partial_page(s: &dyn ChaincodeStub, args: &[String]) -> Fallible {
    let attrs = strs(&args[3..]);
    let page = s
        .get_state_by_partial_composite_key_with_pagination(&args[2], &attrs, page_size(&args[0])?, &args[1])
        .map_err(err)?;
    let records = page.records.into_iter().map(|kv| PartialEntry::from_kv(s, kv)).collect::<Fallible<Vec<_>>>()?;
    json(&PageOut::new(records, page.fetched_records_count, page.bookmark))
}

fn all_composite_page(s: &dyn ChaincodeStub, args: &[String]) -> Fallible {
    let page = s.get_all_states_composite_key_with_pagination(page_size(&args[0])?, &args[1]).map_err(err)?;
    let records = page.records.into_iter().map(|kv| CompositeEntry::from_kv(s, kv)).collect::<Fallible<Vec<_>>>()?;
    json(&PageOut::new(records, page.fetched_records_count, page.bookmark))
}

fn history(s: &dyn ChaincodeStub, key: &str) -> Fallible {
    let entries = s.get_history_for_key(key).map_err(err)?.map(|m| m.map(History::from)).collect::<Result<Vec<_>, _>>();
    json(&entries.map_err(err)?)
}

fn put_private(s: &dyn ChaincodeStub, collection: &str, key: &str) -> Fallible {
    let value = s.transient().get("value").ok_or("transient field 'value' is required")?;
    done(s.put_private_data(collection, key, value))
}

fn invoke(s: &dyn ChaincodeStub, args: &[String]) -> Fallible {
    let (chaincode, call) = (&args[0], &args[1..]);
    let call: Vec<Vec<u8>> = call.iter().map(|a| a.clone().into_bytes()).collect();
    let response = s.invoke_chaincode(chaincode, &call, "").map_err(err)?;
    if response.status != Response::OK {
        return Err(format!("invoke {chaincode} failed: {} {}", response.status, response.message));
    }
    Ok(response.payload)
}

fn set_endorsers(s: &dyn ChaincodeStub, key: &str, orgs: &[&str]) -> Fallible {
    let mut policy = KeyEndorsementPolicy::new(None).map_err(err)?;
    policy.add_orgs(RoleType::Peer, orgs).map_err(err)?;
    let bytes = policy.policy();
    done(s.set_state_validation_parameter(key, &bytes))
}

fn endorsers(s: &dyn ChaincodeStub, key: &str) -> Fallible {
    let orgs = match s.get_state_validation_parameter(key).map_err(err)? {
        Some(bytes) => KeyEndorsementPolicy::new(Some(&bytes)).map_err(err)?.list_orgs(),
        None => Vec::new(),
    };
    json(&orgs)
}

fn who_am_i(s: &dyn ChaincodeStub) -> Fallible {
    #[derive(Serialize)]
    struct WhoAmI<'a> {
        #[serde(rename = "mspId")]
        msp_id: &'a str,
        id: &'a str,
    }
    let identity = ClientIdentity::from_stub(s).map_err(err)?;
    json(&WhoAmI { msp_id: identity.msp_id(), id: &identity.id() })
}

fn tx_info(s: &dyn ChaincodeStub) -> Fallible {
    #[derive(Serialize)]
    struct TxInfo<'a> {
        #[serde(rename = "txId")]
        tx_id: &'a str,
        channel: &'a str,
        seconds: i64,
        nanos: i32,
    }
    let ts = s.tx_timestamp().map_err(err)?;
    json(&TxInfo { tx_id: s.tx_id(), channel: s.channel_id(), seconds: ts.seconds, nanos: ts.nanos })
}

fn put_many(s: &dyn ChaincodeStub, count: &str, prefix: &str) -> Fallible {
    let count: u32 = count.parse().map_err(|_| format!("invalid count: {count}"))?;
    // One key buffer for the whole loop: `format!` per key (an allocation and the formatting machinery) cost
    // more CPU than the batched puts themselves (BENCHMARKS.md, "Write batching and multi-get").
    let mut key = String::with_capacity(prefix.len() + 10);
    for i in 0..count {
        key.clear();
        key.push_str(prefix);
        push_padded(&mut key, i);
        s.put_state(&key, b"v").map_err(err)?;
    }
    Ok(Vec::new())
}

/// Appends `n` as `format!("{n:04}")` would: decimal, zero-padded to at least 4 digits.
fn push_padded(out: &mut String, n: u32) {
    let mut digits = [b'0'; 10];
    let (mut rest, mut start) = (n, digits.len());
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = start.min(digits.len() - 4);
    out.extend(digits[start..].iter().copied().map(char::from));
}

fn get_many(s: &dyn ChaincodeStub, keys: &[&str]) -> Fallible {
    let values = s.get_multiple_states(keys).map_err(err)?;
    let values: Vec<String> =
        values.into_iter().map(|v| String::from_utf8_lossy(&v.unwrap_or_default()).into_owned()).collect();
    json(&values)
}

#[cfg(test)]
mod tests;
