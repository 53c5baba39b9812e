//! JSON Schema for transaction parameters and returns, in the subset Fabric's metadata schema accepts.
//!
//! [`Describe`] gives a type's schema. Built-in types describe themselves; a struct implements [`Object`], which
//! registers it once under `components.schemas` and is referred to by `$ref` everywhere else, as in Go.

use std::any::TypeId;
use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Where `$ref`s to registered objects point.
const COMPONENTS_PREFIX: &str = "#/components/schemas/";

/// A JSON Schema, restricted to the keywords Fabric's metadata schema allows (it rejects any other keyword).
///
/// Keys are kept in a sorted map, so the serialized form is the same on every peer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Schema(Map<String, Value>);

impl Schema {
    fn typed(kind: &str) -> Self {
        Self::default().set("type", kind)
    }

    fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// `{"type":"string"}`.
    pub fn string() -> Self {
        Self::typed("string")
    }
    /// `{"type":"boolean"}`.
    pub fn boolean() -> Self {
        Self::typed("boolean")
    }
    /// An integer with a `format` (`int32`, `uint64`, ...) and inclusive bounds.
    pub fn integer(format: &str, minimum: impl Into<Value>, maximum: impl Into<Value>) -> Self {
        Self::typed("integer").set("format", format).set("minimum", minimum).set("maximum", maximum)
    }
    /// A number with a `format` (`float`, `double`).
    pub fn number(format: &str) -> Self {
        Self::typed("number").set("format", format)
    }
    /// An array of `items`.
    pub fn array(items: Schema) -> Self {
        Self::typed("array").set("items", Value::Object(items.0))
    }
    /// An object with arbitrary keys whose values match `values` (a Rust map).
    pub fn map(values: Schema) -> Self {
        Self::typed("object").set("additionalProperties", Value::Object(values.0))
    }
    /// A reference to the registered object `name`.
    pub fn reference(name: &str) -> Self {
        Self::default().set("$ref", format!("{COMPONENTS_PREFIX}{name}"))
    }
    /// Any JSON value: `{}`.
    pub fn any() -> Self {
        Self::default()
    }
    /// Adds a `description`.
    pub fn description(self, text: &str) -> Self {
        self.set("description", text)
    }
    /// Adds a `format` (`byte`, `date-time`, ...).
    pub fn format(self, format: &str) -> Self {
        self.set("format", format)
    }
    /// Adds a `pattern` (a regular expression strings must match).
    pub fn pattern(self, regex: &str) -> Self {
        self.set("pattern", regex)
    }
    /// Adds `minLength`.
    pub fn min_length(self, n: u64) -> Self {
        self.set("minLength", n)
    }
    /// Adds `maxLength`.
    pub fn max_length(self, n: u64) -> Self {
        self.set("maxLength", n)
    }
    /// Replaces `minimum`.
    pub fn minimum(self, n: impl Into<Value>) -> Self {
        self.set("minimum", n)
    }
    /// Replaces `maximum`.
    pub fn maximum(self, n: impl Into<Value>) -> Self {
        self.set("maximum", n)
    }
    /// Adds `enum`: the only values allowed.
    pub fn one_of_values<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Self {
        self.set("enum", Value::Array(values.into_iter().map(Into::into).collect()))
    }

    /// The schema for use inside a component: `$ref`s become bare names, which resolve through each component's
    /// `$id` (a `#/components/...` pointer would resolve against the enclosing component, which has no
    /// `components`; Go writes nested references the same way).
    fn nested(mut self) -> Self {
        fn strip(map: &mut Map<String, Value>) {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(r) if key == "$ref" => {
                        if let Some(name) = r.strip_prefix(COMPONENTS_PREFIX) {
                            *r = name.to_string();
                        }
                    }
                    Value::Object(inner) => strip(inner),
                    _ => {}
                }
            }
        }
        strip(&mut self.0);
        self
    }

    /// The schema as JSON.
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.0
    }

    /// A short human name for messages: `string`, `integer`, `array`, `Asset`, ...
    pub fn kind(&self) -> String {
        if let Some(Value::String(r)) = self.0.get("$ref") {
            return r.rsplit('/').next().unwrap_or(r).to_string();
        }
        match self.0.get("type") {
            Some(Value::String(t)) => t.clone(),
            _ => "any JSON value".to_string(),
        }
    }
}

/// The registered objects, serialized as the metadata's `components`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Components {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    schemas: BTreeMap<String, ObjectType>,
    /// Which Rust type claimed each name, to catch two types sharing one.
    #[serde(skip)]
    owners: BTreeMap<String, TypeId>,
    #[serde(skip)]
    conflicts: Vec<String>,
}

impl Components {
    /// Registers `T` (and, through its fields, every object it contains) and returns a `$ref` to it.
    pub fn register<T: Object>(&mut self) -> Schema {
        let id = TypeId::of::<T>();
        match self.owners.get(T::NAME) {
            Some(owner) if *owner == id => {}
            Some(_) => self.conflicts.push(T::NAME.to_string()),
            None => {
                // Claim the name before describing the fields, so a type that contains itself terminates.
                self.owners.insert(T::NAME.to_string(), id);
                let mut fields = Fields { components: self, object: ObjectType::new(T::NAME) };
                T::describe(&mut fields);
                let object = fields.object;
                self.schemas.insert(T::NAME.to_string(), object);
            }
        }
        Schema::reference(T::NAME)
    }

    /// The registered object schemas by name.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &ObjectType)> {
        self.schemas.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Names claimed by more than one Rust type.
    pub(crate) fn conflicts(&self) -> &[String] {
        &self.conflicts
    }
}

/// One registered object (Fabric metadata `objecttype`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectType {
    #[serde(rename = "$id")]
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    properties: BTreeMap<String, Schema>,
    /// Omitted when empty: Go's validator rejects an empty `required` (fabric-contract-api-go#154).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    required: Vec<String>,
    #[serde(rename = "additionalProperties")]
    additional_properties: bool,
}

impl ObjectType {
    fn new(id: &str) -> Self {
        Self {
            id: id.to_string(),
            kind: "object",
            properties: BTreeMap::new(),
            required: Vec::new(),
            additional_properties: false,
        }
    }
}

/// Collects an [`Object`]'s fields; see [`Object::describe`].
#[derive(Debug)]
pub struct Fields<'c> {
    components: &'c mut Components,
    object: ObjectType,
}

impl Fields<'_> {
    /// A field that must be present.
    pub fn field<T: Describe>(&mut self, name: &str) -> &mut Self {
        let schema = T::schema(self.components);
        self.field_schema(name, schema, true)
    }
    /// A field that may be absent (typically an `Option`).
    pub fn optional<T: Describe>(&mut self, name: &str) -> &mut Self {
        let schema = T::schema(self.components);
        self.field_schema(name, schema, false)
    }
    /// A field with a hand-written schema (patterns, bounds, descriptions).
    pub fn field_schema(&mut self, name: &str, schema: Schema, required: bool) -> &mut Self {
        self.object.properties.insert(name.to_string(), schema.nested());
        if required && !self.object.required.iter().any(|r| r == name) {
            self.object.required.push(name.to_string());
        }
        self
    }
}

/// A type with a JSON Schema.
pub trait Describe {
    /// The schema; objects register themselves in `components` and return a `$ref`.
    fn schema(components: &mut Components) -> Schema;
}

/// A struct passed or returned as JSON, described field by field (the Rust side of a Go struct with `json` tags).
///
/// Implementing it makes the type usable as a transaction argument (parsed from JSON) and return (serialized to
/// JSON). The field names given to [`Fields`] should match the serde names.
pub trait Object: Serialize + DeserializeOwned + 'static {
    /// The component name, e.g. `Asset`.
    const NAME: &'static str;
    /// Lists the fields.
    fn describe(fields: &mut Fields<'_>);
}

impl<T: Object> Describe for T {
    fn schema(components: &mut Components) -> Schema {
        components.register::<T>()
    }
}

impl Describe for String {
    fn schema(_: &mut Components) -> Schema {
        Schema::string()
    }
}

impl Describe for bool {
    fn schema(_: &mut Components) -> Schema {
        Schema::boolean()
    }
}

macro_rules! describe_integers {
    ($($t:ty => $format:literal),* $(,)?) => {$(
        impl Describe for $t {
            fn schema(_: &mut Components) -> Schema {
                Schema::integer($format, <$t>::MIN, <$t>::MAX)
            }
        }
    )*};
}

describe_integers!(
    i8 => "int8", i16 => "int16", i32 => "int32", i64 => "int64",
    u8 => "uint8", u16 => "uint16", u32 => "uint32", u64 => "uint64",
);

impl Describe for f32 {
    fn schema(_: &mut Components) -> Schema {
        Schema::number("float")
    }
}

impl Describe for f64 {
    fn schema(_: &mut Components) -> Schema {
        Schema::number("double")
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn schema(components: &mut Components) -> Schema {
        Schema::array(T::schema(components))
    }
}

impl<T: Describe> Describe for BTreeMap<String, T> {
    fn schema(components: &mut Components) -> Schema {
        Schema::map(T::schema(components))
    }
}

/// An `Option` has its inner type's schema; mark the field optional with [`Fields::optional`].
impl<T: Describe> Describe for Option<T> {
    fn schema(components: &mut Components) -> Schema {
        T::schema(components)
    }
}

impl Describe for Value {
    fn schema(_: &mut Components) -> Schema {
        Schema::any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Serialize, Deserialize)]
    struct Node {
        name: String,
        children: Vec<Node>,
        weight: Option<u32>,
    }

    // By hand: inside gridledger-contract the derive's `::gridledger_contract` paths do not resolve.
    impl Object for Node {
        const NAME: &'static str = "Node";
        fn describe(fields: &mut Fields<'_>) {
            fields.field::<String>("name").field::<Vec<Node>>("children").optional::<Option<u32>>("weight");
        }
    }

    #[test]
    fn builtin_schemas() {
        let mut c = Components::default();
        assert_eq!(json!(String::schema(&mut c)), json!({"type": "string"}));
        assert_eq!(
            json!(u8::schema(&mut c)),
            json!({"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255})
        );
        assert_eq!(json!(Vec::<bool>::schema(&mut c)), json!({"type": "array", "items": {"type": "boolean"}}));
        assert_eq!(u64::schema(&mut c).kind(), "integer");
    }

    #[test]
    fn recursive_objects_register_once() {
        let mut c = Components::default();
        assert_eq!(json!(Node::schema(&mut c)), json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(Node::schema(&mut c).kind(), "Node");
        assert_eq!(
            json!(c),
            json!({"schemas": {"Node": {
                "$id": "Node",
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "Node"}},
                    "name": {"type": "string"},
                    "weight": {"type": "integer", "format": "uint32", "minimum": 0, "maximum": 4_294_967_295u64},
                },
                "required": ["name", "children"],
                "additionalProperties": false,
            }}})
        );
        assert!(c.conflicts().is_empty());
    }

    #[test]
    fn two_types_one_name_is_a_conflict() {
        #[derive(Serialize, Deserialize)]
        struct Other;
        // By hand: inside gridledger-contract the derive's `::gridledger_contract` paths do not resolve.
        impl Object for Other {
            const NAME: &'static str = "Node";
            fn describe(_: &mut Fields<'_>) {}
        }
        let mut c = Components::default();
        Node::schema(&mut c);
        Other::schema(&mut c);
        assert_eq!(c.conflicts(), ["Node"]);
    }
}
