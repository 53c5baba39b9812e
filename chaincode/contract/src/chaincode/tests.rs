//! Routing, Init, hooks, argument and status handling of a whole [`ContractChaincode`].

use std::sync::{Arc, Mutex};

use gridledger_shim::Response;
use serde_json::{Value, json};

use crate::{Context, Contract, ContractChaincode, ContractError, DefinitionError, Tx};
use gridledger_testkit::memory::MemoryLedger;

use crate::test_fixtures::Asset;

fn assets() -> Contract {
    Contract::new("Assets")
        .submit(Tx::new("CreateAsset").params(["id", "size"]), |ctx: &Context<'_>, (id, size): (String, u64)| {
            let asset = Asset { id, size };
            ctx.put_state(&asset.id, &serde_json::to_vec(&asset)?)?;
            Ok::<_, ContractError>(asset)
        })
        .evaluate(Tx::new("ReadAsset").params(["id"]), |ctx: &Context<'_>, id: String| {
            let bytes = ctx.get_state(&id)?.ok_or_else(|| ContractError::NotFound(format!("asset {id} not found")))?;
            Ok::<_, ContractError>(String::from_utf8_lossy(&bytes).into_owned())
        })
        .submit("Store", |_: &Context<'_>, asset: Asset| Ok::<_, ContractError>(asset.size))
        .evaluate("Where", |ctx: &Context<'_>, ()| {
            Ok::<_, ContractError>(format!("{}:{}", ctx.contract(), ctx.function()))
        })
        .submit("Nothing", |_: &Context<'_>, ()| Ok::<_, ContractError>(()))
}

fn others() -> Contract {
    Contract::new("a:b").evaluate("Hello", |_: &Context<'_>, ()| Ok::<_, ContractError>("from a:b".to_string()))
}

fn chaincode() -> ContractChaincode {
    ContractChaincode::builder().contract(assets()).contract(others()).build().unwrap()
}

/// Invokes on a fresh ledger (committed when the status is below 400).
fn invoke(cc: &ContractChaincode, args: &[&str]) -> Response {
    MemoryLedger::new().invoke(cc, args)
}

fn ok(response: Response) -> String {
    assert_eq!(response.status, 200, "{}", response.message);
    String::from_utf8(response.payload).unwrap()
}

#[test]
fn routes_to_the_default_and_named_contracts() {
    let cc = chaincode();
    assert_eq!(ok(invoke(&cc, &["Where"])), "Assets:Where");
    assert_eq!(ok(invoke(&cc, &["Assets:Where"])), "Assets:Where");
    assert_eq!(ok(invoke(&cc, &["a:b:Hello"])), "from a:b", "split at the last ':'");
}

#[test]
fn a_marked_contract_is_the_default() {
    let cc = ContractChaincode::builder().contract(assets()).contract(others().default_contract()).build().unwrap();
    assert_eq!(cc.default_contract(), "a:b");
    assert_eq!(ok(invoke(&cc, &["Hello"])), "from a:b");
}

#[test]
fn go_finds_lower_case_function_names() {
    assert_eq!(ok(invoke(&chaincode(), &["where"])), "Assets:where");
}

#[test]
fn unknown_contract_and_function_name_what_exists() {
    let cc = chaincode();
    let r = invoke(&cc, &["Nope:Where"]);
    assert_eq!(r.status, 400);
    assert_eq!(r.message, r#"contract "Nope" not found; available contracts: Assets, a:b, org.hyperledger.fabric"#);
    let r = invoke(&cc, &["Assets:Nope"]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message,
        r#"function "Nope" not found in contract "Assets"; available: CreateAsset, Nothing, ReadAsset, Store, Where"#
    );
    let r = invoke(&cc, &["Assets:"]);
    assert_eq!((r.status, r.message.as_str()), (400, r#"blank function name passed to contract "Assets""#));
    assert_eq!(invoke(&cc, &[]).status, 400);
}

#[test]
fn the_unknown_hook_answers_unknown_functions() {
    let contract = assets().unknown(|ctx: &Context<'_>, function: &str| {
        Ok::<_, ContractError>(format!("{} has no {function}", ctx.contract()))
    });
    let cc = ContractChaincode::builder().contract(contract).build().unwrap();
    assert_eq!(ok(invoke(&cc, &["Missing"])), "Assets has no Missing");
    assert_eq!(invoke(&cc, &["Other:Missing"]).status, 400, "an unknown contract has no hook to ask");
}

#[test]
fn argument_count_and_type_errors() {
    let cc = chaincode();
    let r = invoke(&cc, &["CreateAsset", "a1"]);
    assert_eq!(
        (r.status, r.message.as_str()),
        (400, "CreateAsset expects 2 arguments (id: string, size: integer), got 1")
    );
    let r = invoke(&cc, &["CreateAsset", "a1", "5", "extra"]);
    assert_eq!(r.message, "CreateAsset expects 2 arguments (id: string, size: integer), got 3");
    let r = invoke(&cc, &["CreateAsset", "a1", "abc"]);
    assert_eq!(
        (r.status, r.message.as_str()),
        (
            400,
            r#"argument 2 (size): expected an integer from 0 to 18446744073709551615, got "abc": write plain decimal digits"#
        )
    );
    let r = invoke(&cc, &["Store", r#"{"id":"x"}"#]);
    assert_eq!(r.status, 400);
    assert!(
        r.message.starts_with(
            r#"argument 1 (param0): expected a JSON Asset object, got "{\"id\":\"x\"}": missing field `size`"#
        ),
        "{}",
        r.message
    );
    let r = invoke(&cc, &["Store"]);
    assert_eq!(r.message, "Store expects 1 argument (param0: Asset), got 0");
}

#[test]
fn long_arguments_are_shortened_in_messages() {
    let long = "x".repeat(200);
    let r = invoke(&chaincode(), &["CreateAsset", "a", &long]);
    assert_eq!(
        r.message,
        format!(
            r#"argument 2 (size): expected an integer from 0 to 18446744073709551615, got 200 bytes starting "{}…""#,
            "x".repeat(32)
        )
    );
}

#[test]
fn oversized_names_and_arguments_get_short_messages() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let cc = chaincode();
    for args in [
        vec![huge.as_str()],
        vec![&format!("{huge}:Missing")],
        vec![&format!("{huge}:")],
        vec!["CreateAsset", "a", huge.as_str()],
        vec!["Store", huge.as_str()],
    ] {
        let r = invoke(&cc, &args);
        assert_eq!(r.status, 400);
        assert!(r.message.len() < 300, "{} bytes: {}", r.message.len(), crate::clip(&r.message, 300));
        assert!(r.message.contains(r#"10485760 bytes starting "xxxx"#), "{}", r.message);
    }
}

#[test]
fn a_long_domain_message_is_cut_at_the_backstop() {
    let e = ContractError::BadRequest(format!("no asset {}", "x".repeat(10_000)));
    let r = gridledger_shim::Response::from(e);
    assert!(r.message.len() <= crate::MAX_MESSAGE_BYTES + 32, "{}", r.message.len());
    assert!(r.message.ends_with("… (10009 bytes)"), "{}", &r.message[r.message.len() - 40..]);
}

#[test]
fn returns_follow_go_serialization() {
    let cc = chaincode();
    assert_eq!(ok(invoke(&cc, &["CreateAsset", "a1", "7"])), r#"{"id":"a1","size":7}"#);
    assert_eq!(ok(invoke(&cc, &["Store", r#"{"id":"a","size":9}"#])), "9");
    assert_eq!(ok(invoke(&cc, &["Nothing"])), "");
    assert_eq!(ok(invoke(&cc, &["Where"])), "Assets:Where", "strings are raw, not JSON-quoted");
}

#[test]
fn writes_reach_the_ledger() {
    let (cc, ledger) = (chaincode(), MemoryLedger::new());
    assert_eq!(ok(ledger.invoke(&cc, ["CreateAsset", "a1", "7"])), r#"{"id":"a1","size":7}"#);
    assert_eq!(ok(ledger.query(&cc, ["Assets:ReadAsset", "a1"])), r#"{"id":"a1","size":7}"#);
    assert_eq!(ledger.invoke(&cc, ["CreateAsset", "a2", "x"]).status, 400);
    assert_eq!(ledger.get(gridledger_testkit::memory::DEFAULT_NAMESPACE, "a2"), None, "a 400 is not committed");
}

#[test]
fn domain_errors_keep_their_status() {
    let r = invoke(&chaincode(), &["ReadAsset", "missing"]);
    assert_eq!((r.status, r.message.as_str()), (404, "asset missing not found"));
}

type Log = Arc<Mutex<Vec<String>>>;

fn hooked(log: &Log, reject: bool) -> Contract {
    let (b, t, a, u) = (log.clone(), log.clone(), log.clone(), log.clone());
    Contract::new("Hooked")
        .before(move |ctx: &Context<'_>| {
            b.lock().unwrap().push(format!("before {}", ctx.function()));
            if reject { Err(ContractError::Forbidden("not you".into())) } else { Ok(()) }
        })
        .submit("Run", move |_: &Context<'_>, ()| {
            t.lock().unwrap().push("run".into());
            Ok::<_, ContractError>("done".to_string())
        })
        .after(move |_: &Context<'_>, payload: &[u8]| {
            a.lock().unwrap().push(format!("after {}", String::from_utf8_lossy(payload)));
            Ok::<_, ContractError>(())
        })
        .unknown(move |_: &Context<'_>, function: &str| {
            u.lock().unwrap().push(format!("unknown {function}"));
            Ok::<_, ContractError>(())
        })
}

#[test]
fn hooks_run_before_and_after_in_order() {
    let log = Log::default();
    let cc = ContractChaincode::builder().contract(hooked(&log, false)).build().unwrap();
    assert_eq!(ok(invoke(&cc, &["Run"])), "done");
    assert_eq!(ok(invoke(&cc, &["Missing"])), "");
    assert_eq!(
        *log.lock().unwrap(),
        ["before Run", "run", "after done", "before Missing", "unknown Missing", "after "]
    );
}

#[test]
fn a_rejecting_before_hook_stops_the_call() {
    let log = Log::default();
    let cc = ContractChaincode::builder().contract(hooked(&log, true)).build().unwrap();
    let r = invoke(&cc, &["Run"]);
    assert_eq!((r.status, r.message.as_str()), (403, "not you"));
    assert_eq!(*log.lock().unwrap(), ["before Run"]);
}

#[test]
fn a_failing_after_hook_fails_the_call() {
    let contract = assets().after(|_: &Context<'_>, _: &[u8]| Err(ContractError::Internal("audit failed".into())));
    let cc = ContractChaincode::builder().contract(contract).build().unwrap();
    let r = invoke(&cc, &["Where"]);
    assert_eq!((r.status, r.message.as_str(), r.payload.len()), (500, "audit failed", 0));
}

#[test]
fn init_without_a_function_succeeds_by_default() {
    let cc = chaincode();
    let ledger = MemoryLedger::new();
    for args in [&[][..], &[""], &["", "ignored"]] {
        assert_eq!(ok(ledger.init(&cc, args)), "Default initiator successful.");
    }
    assert_eq!(ok(ledger.init(&cc, ["Where"])), "Assets:Where", "otherwise routed like invoke");
    assert_eq!(ledger.init(&cc, ["Nope:X"]).status, 400);
}

#[test]
fn non_utf8_arguments_are_a_bad_request() {
    let ledger = MemoryLedger::new();
    let r = ledger.invoke(&chaincode(), [&b"CreateAsset"[..], &[0xff], b"1"]);
    assert_eq!(r.status, 400, "{}", r.message);
    assert!(r.message.contains("argument 1 is not valid UTF-8"), "{}", r.message);
}

#[test]
fn get_metadata_is_served_by_the_system_contract() {
    let cc = chaincode();
    let payload = ok(invoke(&cc, &["org.hyperledger.fabric:GetMetadata"]));
    assert_eq!(payload, cc.metadata());
    let metadata: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(metadata["info"], json!({"title": "undefined", "version": "latest"}));
    assert_eq!(metadata["contracts"]["Assets"]["default"], json!(true));
    assert_eq!(metadata["contracts"]["a:b"]["default"], json!(false));
    let system = &metadata["contracts"]["org.hyperledger.fabric"];
    assert_eq!(system["transactions"][0]["name"], "GetMetadata");
    assert_eq!(system["transactions"][0]["tag"], json!(["evaluate", "EVALUATE"]));
    assert_eq!(system["transactions"][0]["returns"], json!({"type": "string"}));
}

#[test]
fn metadata_shape() {
    let metadata: Value = serde_json::from_str(chaincode().metadata()).unwrap();
    assert_eq!(metadata["$schema"], crate::metadata::METADATA_SCHEMA_URL);
    let assets = &metadata["contracts"]["Assets"];
    assert_eq!(assets["name"], "Assets");
    assert_eq!(assets["info"], json!({"title": "Assets", "version": "latest"}));
    let names: Vec<&str> =
        assets["transactions"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CreateAsset", "Nothing", "ReadAsset", "Store", "Where"], "sorted by name, as in Go");
    assert_eq!(
        assets["transactions"][0],
        json!({
            "name": "CreateAsset",
            "tag": ["submit", "SUBMIT"],
            "parameters": [
                {"name": "id", "schema": {"type": "string"}},
                {"name": "size", "schema": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": u64::MAX}},
            ],
            "returns": {"$ref": "#/components/schemas/Asset"},
        })
    );
    assert_eq!(assets["transactions"][1], json!({"name": "Nothing", "tag": ["submit", "SUBMIT"]}));
    assert_eq!(assets["transactions"][2]["tag"], json!(["evaluate", "EVALUATE"]));
    assert_eq!(
        metadata["components"]["schemas"]["Asset"],
        json!({
            "$id": "Asset",
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "size": {"type": "integer", "format": "uint64", "minimum": 0, "maximum": u64::MAX},
            },
            "required": ["id", "size"],
            "additionalProperties": false,
        })
    );
}

#[test]
fn metadata_is_deterministic() {
    let first = chaincode().metadata().to_string();
    for _ in 0..5 {
        assert_eq!(chaincode().metadata(), first);
    }
}

#[test]
fn definition_errors() {
    let build = |contracts: Vec<Contract>| {
        contracts.into_iter().fold(ContractChaincode::builder(), |b, c| b.contract(c)).build().unwrap_err()
    };
    let noop = |_: &Context<'_>, ()| Ok::<_, ContractError>(());
    assert_eq!(build(vec![]), DefinitionError::NoContracts);
    assert_eq!(build(vec![assets(), assets()]), DefinitionError::DuplicateContract("Assets".into()));
    assert_eq!(build(vec![Contract::new("Empty")]), DefinitionError::EmptyContract("Empty".into()));
    assert_eq!(
        build(vec![Contract::new("org.hyperledger.fabric").submit("X", noop)]),
        DefinitionError::ReservedName("org.hyperledger.fabric".into())
    );
    assert_eq!(
        build(vec![assets().default_contract(), others().default_contract()]),
        DefinitionError::SeveralDefaults(vec!["Assets".into(), "a:b".into()])
    );
    assert_eq!(
        build(vec![Contract::new("C").submit("X", noop).submit("X", noop)]),
        DefinitionError::DuplicateTransaction { contract: "C".into(), name: "X".into() }
    );
    assert_eq!(
        build(vec![Contract::new("C").submit("A:B", noop)]),
        DefinitionError::BadTransactionName { contract: "C".into(), name: "A:B".into() }
    );
    assert_eq!(
        build(vec![Contract::new("C").submit(Tx::new("X").params(["a", "b"]), noop)]),
        DefinitionError::ParameterNames { contract: "C".into(), name: "X".into(), named: 2, arity: 0 }
    );
}

proptest::proptest! {
    #[test]
    fn arbitrary_calls_never_panic_and_fail_as_bad_requests(
        args in proptest::collection::vec("[a-zA-Z:{}\"0-9 ]{0,12}", 0..5),
    ) {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = invoke(&chaincode(), &refs);
        proptest::prop_assert!(matches!(r.status, 200 | 400 | 404), "{} {}", r.status, r.message);
    }
}

#[test]
fn the_executor_preference_reaches_the_runtime() {
    use gridledger_shim::{Chaincode, Executor};
    let contract =
        || Contract::new("C").evaluate(Tx::new("Ping"), |_: &Context<'_>, (): ()| Ok::<_, ContractError>(()));
    let default = ContractChaincode::builder().contract(contract()).build().unwrap();
    assert_eq!(default.executor(), Executor::Coroutine);
    let threads = ContractChaincode::builder().executor(Executor::Threads).contract(contract()).build().unwrap();
    assert_eq!(threads.executor(), Executor::Threads);
}
