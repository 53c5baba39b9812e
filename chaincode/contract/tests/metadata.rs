//! The metadata of a sample chaincode that uses every kind of parameter and return.
//!
//! Offline, this checks what Fabric's metadata schema demands structurally (allowed schema keywords, resolvable
//! `$ref`s, no empty `required`). With `GRIDLEDGER_METADATA_OUT=<file>` it also writes the document there for
//! `validate-metadata.sh`, which checks it with fabric-contract-api-go's own validator.

use std::collections::BTreeMap;

use gridledger_contract::{
    Context, Contract, ContractChaincode, ContractError, DefinitionError, Info, Int, Json, Object, Raw, Schema, Text,
    Tx,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Serialize, Deserialize, Object)]
struct Meter {
    #[object(schema = Schema::string().pattern("^M-[0-9]+$").description("Meter id"))]
    id: String,
    owner: Option<String>,
    readings: Vec<Reading>,
    labels: BTreeMap<String, String>,
    parent: Option<Box<Meter>>,
}

#[derive(Serialize, Deserialize, Object)]
struct Reading {
    kwh: f64,
    at: i64,
    verified: bool,
}

type R<T> = Result<T, ContractError>;

fn sample() -> ContractChaincode {
    let meters = Contract::new("Meters")
        .info(Info::new("Meters", "1.0.0").description("Meter registry"))
        .submit(Tx::new("Register").params(["meter"]).description("Registers a meter"), |_: &Context<'_>, m: Meter| {
            R::Ok(m)
        })
        .submit(
            Tx::new("Record").params(["id", "kwh", "at", "verified"]),
            |_: &Context<'_>, (_id, _kwh, _at, _v): (String, f64, i64, bool)| R::Ok(()),
        )
        .evaluate(Tx::new("List").params(["ids"]), |_: &Context<'_>, _ids: Vec<String>| R::Ok(Vec::<Meter>::new()))
        .evaluate("Sizes", |_: &Context<'_>, (_a, _b, _c, _d): (u8, u16, u32, u64)| {
            R::Ok(BTreeMap::<String, u64>::new())
        })
        .evaluate("Signed", |_: &Context<'_>, (_a, _b, _c): (i8, i16, i32)| R::Ok(0.5f32))
        .evaluate("Raw", |_: &Context<'_>, ()| R::Ok(Raw(vec![1, 2])))
        .evaluate("Any", |_: &Context<'_>, v: Value| R::Ok(v))
        .submit(
            Tx::new("Bounded").params(["name", "count", "meter", "meters"]),
            |_: &Context<'_>,
             (_n, _c, _m, _ms): (Text<64>, Int<1, 1000>, Json<Meter, 4096>, Json<Vec<Meter>, 65536>)| {
                R::Ok(())
            },
        );
    let admin = Contract::new("Admin").submit("Ping", |_: &Context<'_>, ()| R::Ok("pong".to_string()));
    ContractChaincode::builder()
        .info(Info::new("gridledger sample", "0.1.0"))
        .contract(meters)
        .contract(admin)
        .build()
        .expect("the sample is a valid definition")
}

/// Bounded parameters carry their bounds in the metadata: `maxLength`, `minimum`/`maximum`, and a document's size
/// in its description.
#[test]
fn bounded_parameters_document_their_bounds() {
    let doc: Value = serde_json::from_str(sample().metadata()).unwrap();
    let txs = doc["contracts"]["Meters"]["transactions"].as_array().unwrap();
    let tx = txs.iter().find(|t| t["name"] == "Bounded").unwrap();
    let schema = |i: usize| tx["parameters"][i]["schema"].clone();
    assert_eq!(schema(0), serde_json::json!({"type": "string", "maxLength": 64}));
    assert_eq!(schema(1), serde_json::json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 1000}));
    assert_eq!(
        schema(2),
        serde_json::json!({"$ref": "#/components/schemas/Meter", "description": "a JSON document of at most 4096 bytes"})
    );
    assert_eq!(schema(3)["description"], "a JSON document of at most 65536 bytes");
}

/// `require_bounded_arguments` refuses a parameter without a bound, naming it.
#[test]
fn unbounded_parameters_are_refused_when_bounds_are_required() {
    let unbounded = Contract::new("C")
        .submit(Tx::new("Put").params(["id", "value"]), |_: &Context<'_>, (_id, _v): (Text<64>, String)| R::Ok(()));
    let e = ContractChaincode::builder().contract(unbounded).require_bounded_arguments().build().unwrap_err();
    assert_eq!(
        e,
        DefinitionError::UnboundedParameter { contract: "C".into(), name: "Put".into(), parameter: "value".into() }
    );
    let bounded = Contract::new("C").submit(
        Tx::new("Put").params(["id", "value", "n", "on"]),
        |_: &Context<'_>, (_id, _v, _n, _on): (Text<64>, Json<Value, 100>, i64, bool)| R::Ok(()),
    );
    assert!(ContractChaincode::builder().contract(bounded).require_bounded_arguments().build().is_ok());
}

/// The keywords Fabric's metadata schema allows in a parameter or return schema (`definitions.schema`).
const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "format",
    "title",
    "description",
    "default",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "additionalProperties",
    "type",
    "items",
    "allOf",
    "properties",
    "discriminator",
    "readOnly",
    "example",
];

/// `nested`: inside a component, where references are bare names resolved through `$id` (as Go writes them).
fn check_schema(schema: &Value, components: &Value, nested: bool, at: &str) {
    let object = schema.as_object().unwrap_or_else(|| panic!("{at}: not an object"));
    for (key, value) in object {
        assert!(SCHEMA_KEYWORDS.contains(&key.as_str()), "{at}: keyword {key:?} is not allowed");
        match key.as_str() {
            "$ref" => {
                let target = value.as_str().expect("$ref is a string");
                let name = if nested { Some(target) } else { target.strip_prefix("#/components/schemas/") };
                let name = name.unwrap_or_else(|| panic!("{at}: $ref {target} has the wrong form"));
                assert!(components.get(name).is_some(), "{at}: $ref to unknown {name}");
            }
            "items" | "additionalProperties" if value.is_object() => check_schema(value, components, nested, at),
            _ => {}
        }
    }
}

#[test]
fn sample_metadata_fits_fabrics_schema() {
    let json = sample().metadata().to_string();
    if let Ok(path) = std::env::var("GRIDLEDGER_METADATA_OUT") {
        std::fs::write(&path, &json).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
    let doc: Value = serde_json::from_str(&json).unwrap();
    let components = &doc["components"]["schemas"];
    assert_eq!(doc["info"]["title"], "gridledger sample");
    for (name, contract) in doc["contracts"].as_object().unwrap() {
        assert_eq!(contract["name"], name.as_str());
        for tx in contract["transactions"].as_array().unwrap() {
            let at = format!("{name}:{}", tx["name"]);
            for p in tx.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                check_schema(&p["schema"], components, false, &at);
            }
            if let Some(returns) = tx.get("returns") {
                check_schema(returns, components, false, &at);
            }
        }
    }
    for (name, object) in components.as_object().unwrap() {
        assert_eq!(object["$id"], name.as_str());
        assert!(object.get("required").is_none_or(|r| !r.as_array().unwrap().is_empty()), "{name}: empty required");
        for (field, schema) in object["properties"].as_object().unwrap() {
            check_schema(schema, components, true, &format!("{name}.{field}"));
        }
    }
    assert_eq!(components.as_object().unwrap().keys().collect::<Vec<_>>(), ["Meter", "Reading"]);
}
