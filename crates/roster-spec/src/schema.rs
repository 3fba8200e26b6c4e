//! Turning OpenAPI 3.0 Schema Objects into closed, self-contained JSON Schema 2020-12 documents.
//!
//! A translated schema carries every component it reaches in its own `$defs`, so each
//! validator compiles without a registry and recursive references work as plain local refs.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{json, Map, Value};

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// Suffix of the `$defs` entry holding a component with its own top-level closure left off,
/// for use as an `allOf` branch: closing a branch would reject the other branches' properties.
const OPEN_SUFFIX: &str = ".open";

/// A component a translated schema refers to, in the closed or open variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DefRef {
    name: String,
    open: bool,
}

impl DefRef {
    fn key(&self) -> String {
        if self.open {
            format!("{}{OPEN_SUFFIX}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// The name of the component a `$ref`-only schema points at, for messages.
pub(crate) fn component_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(COMPONENT_PREFIX)
}

/// Translates `root` and every component it reaches into one JSON Schema document.
pub(crate) fn bundle(root: &Value, components: &HashMap<String, Value>) -> Result<Value, String> {
    let mut translator = Translator::default();
    let translated_root = translator.translate(root, false);

    let mut defs = Map::new();
    let mut done = HashSet::new();
    while let Some(wanted) = translator.queue.pop_front() {
        if !done.insert(wanted.clone()) {
            continue;
        }
        let component = components.get(&wanted.name).ok_or_else(|| {
            format!(
                "the schema refers to {COMPONENT_PREFIX}{}, which the document does not define",
                wanted.name
            )
        })?;
        let translated = translator.translate(component, wanted.open);
        defs.insert(wanted.key(), translated);
    }

    let mut document = match translated_root {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".to_owned(), json!([other]));
            map
        }
    };
    if !defs.is_empty() {
        document.insert("$defs".to_owned(), Value::Object(defs));
    }
    Ok(Value::Object(document))
}

#[derive(Default)]
struct Translator {
    queue: VecDeque<DefRef>,
}

/// Keywords OpenAPI 3.0 adds to JSON Schema. `nullable` is folded into `type` separately; the
/// others are annotations at best and, like `discriminator`, misleading at worst.
fn is_openapi_only(keyword: &str) -> bool {
    matches!(
        keyword,
        "example" | "xml" | "discriminator" | "externalDocs" | "nullable"
    ) || keyword.starts_with("x-")
}

fn has_properties(schema: &Map<String, Value>) -> bool {
    // openapi-generator writes `properties: {}` for free-form objects (e.g. ProfileDto.settings);
    // closing those would only ever accept `{}`.
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|properties| !properties.is_empty())
}

impl Translator {
    /// `open` leaves this schema's own object closure off because an enclosing `allOf` closes it
    /// with `unevaluatedProperties`, which sees the properties of every branch.
    fn translate(&mut self, schema: &Value, open: bool) -> Value {
        let Value::Object(source) = schema else {
            return schema.clone();
        };
        let nullable = source.get("nullable") == Some(&Value::Bool(true));

        // OpenAPI 3.0 ignores the siblings of a `$ref`, so the reference is all that is kept.
        if let Some(Value::String(reference)) = source.get("$ref") {
            let out = json!({ "$ref": self.reference(reference, open) });
            return if nullable { or_null(out) } else { out };
        }

        let composed = source.contains_key("allOf")
            || (has_properties(source)
                && (source.contains_key("anyOf") || source.contains_key("oneOf")));

        let mut out = Map::new();
        for (keyword, value) in source {
            if is_openapi_only(keyword) {
                continue;
            }
            let translated = match keyword.as_str() {
                "properties" | "patternProperties" => self.translate_map(value),
                "items" | "additionalProperties" | "not" => {
                    self.translate_one_or_many(value, false)
                }
                "allOf" => self.translate_one_or_many(value, true),
                "anyOf" | "oneOf" => self.translate_one_or_many(value, composed || open),
                // Draft 4 style boolean flags; 2020-12 wants the bound itself (see below).
                "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => continue,
                _ => value.clone(),
            };
            out.insert(keyword.clone(), translated);
        }

        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if source.get(flag) == Some(&Value::Bool(true)) {
                if let Some(limit) = out.remove(bound) {
                    out.insert(flag.to_owned(), limit);
                }
            }
        }

        let declares_extra = source.contains_key("additionalProperties")
            || source.contains_key("unevaluatedProperties");
        if !open && !declares_extra {
            if composed {
                out.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
            } else if has_properties(source) {
                out.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
        }

        if nullable {
            allow_null(out)
        } else {
            Value::Object(out)
        }
    }

    fn translate_map(&mut self, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(name, schema)| (name.clone(), self.translate(schema, false)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn translate_one_or_many(&mut self, value: &Value, open: bool) -> Value {
        match value {
            Value::Array(schemas) => Value::Array(
                schemas
                    .iter()
                    .map(|schema| self.translate(schema, open))
                    .collect(),
            ),
            schema => self.translate(schema, open),
        }
    }

    fn reference(&mut self, reference: &str, open: bool) -> String {
        let Some(escaped) = reference.strip_prefix(COMPONENT_PREFIX) else {
            // Not a schema component: left as written so compiling reports it by name.
            return reference.to_owned();
        };
        let wanted = DefRef {
            name: unescape_pointer(escaped),
            open,
        };
        let target = format!("#/$defs/{}", escape_pointer(&wanted.key()));
        self.queue.push_back(wanted);
        target
    }
}

fn allow_null(mut schema: Map<String, Value>) -> Value {
    match schema.get("type") {
        Some(Value::String(kind)) => {
            let kind = kind.clone();
            schema.insert("type".to_owned(), json!([kind, "null"]));
            if let Some(Value::Array(allowed)) = schema.get_mut("enum") {
                if !allowed.contains(&Value::Null) {
                    allowed.push(Value::Null);
                }
            }
            Value::Object(schema)
        }
        _ => or_null(Value::Object(schema)),
    }
}

fn or_null(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

/// Undoes the URI-fragment percent-encoding and then the JSON-pointer escaping of a ref token.
fn unescape_pointer(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded)
        .replace("~1", "/")
        .replace("~0", "~")
}

/// JSON-pointer escaping plus percent-encoding of whatever a URI fragment may not hold as is.
fn escape_pointer(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for byte in token.replace('~', "~0").replace('/', "~1").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn components(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
        pairs
            .iter()
            .map(|(name, schema)| ((*name).to_owned(), schema.clone()))
            .collect()
    }

    fn validator(root: Value, components: &HashMap<String, Value>) -> jsonschema::Validator {
        let bundled = bundle(&root, components).unwrap();
        crate::build_validator(&bundled).unwrap()
    }

    #[test]
    fn objects_with_properties_are_closed_and_free_form_ones_are_not() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": { "type": "string" },
                "free": { "type": "object", "properties": {} },
                "map": { "type": "object", "additionalProperties": { "type": "string" } }
            }
        });
        let v = validator(schema, &HashMap::new());
        assert!(v.is_valid(&json!({ "a": "x", "free": { "k": 1 }, "map": { "k": "v" } })));
        assert!(!v.is_valid(&json!({ "a": "x", "b": 1 })));
        assert!(!v.is_valid(&json!({ "map": { "k": 1 } })));
    }

    #[test]
    fn openapi_keywords_go_but_properties_with_their_names_stay() {
        let schema = json!({
            "type": "object",
            "example": { "ignored": true },
            "x-sdk-name": "Thing",
            "discriminator": { "propertyName": "example" },
            "properties": { "example": { "type": "integer", "example": "not an integer" } }
        });
        let bundled = bundle(&schema, &HashMap::new()).unwrap();
        assert_eq!(
            bundled,
            json!({
                "type": "object",
                "properties": { "example": { "type": "integer" } },
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn nullable_admits_null_only_where_declared() {
        let schema = json!({
            "type": "object",
            "properties": {
                "s": { "type": "string", "nullable": true, "enum": ["a"] },
                "r": { "$ref": "#/components/schemas/Thing", "nullable": true },
                "t": { "type": "string" }
            }
        });
        let parts = components(&[("Thing", json!({ "type": "integer" }))]);
        let v = validator(schema, &parts);
        assert!(v.is_valid(&json!({ "s": null, "r": null })));
        assert!(v.is_valid(&json!({ "s": "a", "r": 3 })));
        assert!(!v.is_valid(&json!({ "s": "b" })));
        assert!(!v.is_valid(&json!({ "t": null })));
    }

    #[test]
    fn all_of_accepts_the_union_of_its_branches_and_nothing_more() {
        let parts = components(&[
            (
                "Base",
                json!({
                    "type": "object",
                    "properties": { "id": { "type": "string" } },
                    "required": ["id"]
                }),
            ),
            (
                "Named",
                json!({ "allOf": [
                    { "$ref": "#/components/schemas/Base" },
                    { "type": "object", "properties": { "name": { "type": "string" } } }
                ] }),
            ),
        ]);
        let root = json!({ "allOf": [
            { "$ref": "#/components/schemas/Named" },
            { "type": "object", "properties": { "extra": { "type": "boolean" } } }
        ] });
        let v = validator(root, &parts);
        assert!(v.is_valid(&json!({ "id": "1", "name": "n", "extra": true })));
        assert!(
            !v.is_valid(&json!({ "name": "n" })),
            "Base's required is kept"
        );
        assert!(!v.is_valid(&json!({ "id": "1", "surprise": 1 })));

        // Used directly, the closed variant of Base still rejects what only Named allows.
        let base = validator(json!({ "$ref": "#/components/schemas/Base" }), &parts);
        assert!(!base.is_valid(&json!({ "id": "1", "name": "n" })));
    }

    #[test]
    fn recursive_references_compile_and_validate_at_depth() {
        let parts = components(&[(
            "Node",
            json!({
                "type": "object",
                "properties": {
                    "value": { "type": "integer" },
                    "children": {
                        "type": "array",
                        "items": { "$ref": "#/components/schemas/Node" }
                    }
                }
            }),
        )]);
        let v = validator(json!({ "$ref": "#/components/schemas/Node" }), &parts);
        assert!(v.is_valid(&json!({ "value": 1, "children": [{ "value": 2, "children": [] }] })));
        assert!(!v.is_valid(&json!({ "children": [{ "children": [{ "value": "deep" }] }] })));
        assert!(!v.is_valid(&json!({ "children": [{ "oops": 1 }] })));
    }

    #[test]
    fn boolean_exclusive_bounds_become_numeric() {
        let v = validator(
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true }),
            &HashMap::new(),
        );
        assert!(!v.is_valid(&json!(0)));
        assert!(v.is_valid(&json!(0.5)));
    }

    #[test]
    fn unknown_components_are_reported_by_name() {
        let err = bundle(
            &json!({ "$ref": "#/components/schemas/Missing" }),
            &HashMap::new(),
        )
        .unwrap_err();
        assert!(err.contains("Missing"), "{err}");
    }

    #[test]
    fn odd_component_names_survive_the_round_trip() {
        let parts = components(&[("a/b c~d", json!({ "type": "string" }))]);
        let v = validator(
            json!({ "$ref": "#/components/schemas/a~1b%20c~0d" }),
            &parts,
        );
        assert!(v.is_valid(&json!("x")));
        assert!(!v.is_valid(&json!(1)));
    }
}
