//! `#[derive(Object)]`: each case is checked against the schema a hand-written `describe` gives, or the JSON serde
//! writes, so the derive can only pass by agreeing with both.

use std::collections::BTreeMap;

use gridledger_contract::{Components, Describe, Fields, Object, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The `components.schemas` entry of `T`.
fn schema_of<T: Describe>() -> Value {
    let mut components = Components::default();
    T::schema(&mut components);
    json!(components)["schemas"].clone()
}

#[derive(Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Derived {
    meter_id: String,
    interval_start: i64,
    #[serde(rename = "WH")]
    wh: i64,
    counter: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[object(schema = Schema::integer("uint32", 60, 3600))]
    interval_seconds: u32,
    #[serde(default = "one")]
    #[object(optional)]
    weight: u32,
    #[object(required)]
    parent: Option<Box<Derived>>,
    #[serde(skip)]
    cache: u8,
}

fn one() -> u32 {
    1
}

/// The same type with the `describe` the derive should write.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HandWritten {
    meter_id: String,
    interval_start: i64,
    #[serde(rename = "WH")]
    wh: i64,
    counter: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    interval_seconds: u32,
    #[serde(default = "one")]
    weight: u32,
    parent: Option<Box<HandWritten>>,
}

impl Object for HandWritten {
    const NAME: &'static str = "Derived";
    fn describe(fields: &mut Fields<'_>) {
        fields
            .field::<String>("meterId")
            .field::<i64>("intervalStart")
            .field::<i64>("WH")
            .optional::<u64>("counter")
            .field::<Vec<String>>("tags")
            .field_schema("intervalSeconds", Schema::integer("uint32", 60, 3600), true)
            .optional::<u32>("weight")
            .field_schema("parent", Schema::reference("Derived"), true);
    }
}

#[test]
fn derived_equals_hand_written() {
    assert_eq!(schema_of::<Derived>(), schema_of::<HandWritten>());
    let derived = &schema_of::<Derived>()["Derived"];
    // `required` keeps the fields' order, so it pins the order the derive lists them in.
    assert_eq!(derived["required"], json!(["meterId", "intervalStart", "WH", "tags", "intervalSeconds", "parent"]));
    assert!(derived["properties"].get("cache").is_none(), "a skipped field is not described");
}

#[test]
fn property_names_are_the_names_serde_writes() {
    let value = Derived {
        meter_id: "m".into(),
        interval_start: 0,
        wh: 1,
        counter: Some(2),
        tags: vec!["t".into()],
        interval_seconds: 900,
        weight: 1,
        parent: None,
        cache: 0,
    };
    let written: Vec<String> = json!(value).as_object().unwrap().keys().cloned().collect();
    let described: Vec<String> =
        schema_of::<Derived>()["Derived"]["properties"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(written, described);
    let back: Derived = serde_json::from_value(json!(value)).unwrap();
    assert_eq!((back.counter, back.cache), (Some(2), 0));
}

#[derive(Serialize, Deserialize, Object)]
#[serde(rename_all = "kebab-case")]
#[object(name = "Renamed")]
struct Kebab {
    price_per_kwh: i64,
}

#[derive(Serialize, Deserialize, Object)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Screaming {
    price_per_kwh: i64,
}

#[derive(Serialize, Deserialize, Object)]
#[serde(rename_all = "PascalCase")]
struct Pascal {
    price_per_kwh: i64,
    r#type: String,
}

#[derive(Serialize, Deserialize, Object)]
struct NoRule {
    price_per_kwh: i64,
    #[serde(rename(serialize = "out", deserialize = "in"))]
    both: i64,
}

/// The property names of `T`'s schema, registered under `name`.
fn properties<T: Describe>(name: &str) -> Vec<String> {
    schema_of::<T>()[name]["properties"].as_object().expect("an object schema").keys().cloned().collect()
}

#[test]
fn rename_rules() {
    assert_eq!(properties::<Kebab>("Renamed"), ["price-per-kwh"]);
    assert_eq!(properties::<Screaming>("Screaming"), ["PRICE_PER_KWH"]);
    assert_eq!(properties::<Pascal>("Pascal"), ["PricePerKwh", "Type"]);
    assert_eq!(properties::<NoRule>("NoRule"), ["out", "price_per_kwh"]);
    assert_eq!(json!(Pascal { price_per_kwh: 1, r#type: "x".into() }), json!({"PricePerKwh": 1, "Type": "x"}));
}

#[derive(Serialize, Deserialize, Object)]
struct Empty {}

#[derive(Serialize, Deserialize, Object)]
struct Nested {
    by_name: BTreeMap<String, Vec<Empty>>,
    any: Value,
}

#[test]
fn nested_objects_register_with_their_own_names() {
    let schemas = schema_of::<Nested>();
    assert_eq!(
        schemas["Empty"],
        json!({"$id": "Empty", "type": "object", "properties": {}, "additionalProperties": false})
    );
    assert_eq!(
        schemas["Nested"]["properties"],
        json!({
            "any": {},
            "by_name": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "Empty"}}},
        })
    );
    assert_eq!(<Nested as Object>::NAME, "Nested");
}
