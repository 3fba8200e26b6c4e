//! The hand-written supplement (`spec/ctct-v3-supplement.yaml`) against the official Swagger 2.0
//! document it was written from (`../shared/spec/ctct-v3-openapi.yaml`, build 3.0.178), operation
//! by operation: operationId, parameters, request body, statuses, response schemas and security.
//!
//! The official document is not vendored (its licence is not open), so where it is absent this
//! test is skipped with a message, except under `CI=true`, where its absence fails the run.

use std::collections::BTreeSet;
use std::path::PathBuf;

use roster_spec::SpecChecker;
use serde_json::{Map, Value};

/// The schema keywords that are facts about the data; prose and examples are left out.
const FACT_KEYWORDS: [&str; 15] = [
    "type",
    "format",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
    "readOnly",
];
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
/// Deeper than any schema of these operations; the automations task language is recursive.
const MAX_DEPTH: usize = 16;

/// `../shared/spec/ctct-v3-openapi.yaml` beside the repository, or where
/// `ROSTER_OFFICIAL_SPEC` says.
fn official_path() -> PathBuf {
    match std::env::var_os("ROSTER_OFFICIAL_SPEC") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/spec/ctct-v3-openapi.yaml"),
    }
}

/// The official document, or `None` (with a message) where it is absent outside CI.
fn official_document() -> Option<Value> {
    let path = official_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_norway::from_str(&text).expect("the official document parses")),
        Err(e) => {
            let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !in_ci,
                "CI=true but the official document {} cannot be read: {e}",
                path.display()
            );
            eprintln!(
                "skipped: the official document {} cannot be read ({e}), so the supplement is \
                 not compared with it",
                path.display()
            );
            None
        }
    }
}

fn supplement() -> Value {
    serde_norway::from_str(SpecChecker::supplement_text()).expect("the supplement parses")
}

/// One side of the comparison: where its schemas live and how it names them.
struct Side<'a> {
    document: &'a Value,
    ref_prefix: &'a str,
    schemas: &'a str,
}

impl Side<'_> {
    /// The schema reduced to its facts, with references followed (to `MAX_DEPTH`), so the two
    /// documents compare equal whatever their component names.
    fn facts(&self, schema: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::String("(deeper)".into());
        }
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(self.ref_prefix))
        {
            let pointer = format!("{}/{name}", self.schemas);
            let target = self
                .document
                .pointer(&pointer)
                .unwrap_or_else(|| panic!("{pointer} is referred to but not defined"));
            return self.facts(target, depth + 1);
        }
        let mut out = Map::new();
        for keyword in FACT_KEYWORDS {
            if let Some(value) = schema.get(keyword) {
                out.insert(keyword.into(), value.clone());
            }
        }
        let nullable = schema.get("nullable").or_else(|| schema.get("x-nullable"));
        if nullable == Some(&Value::Bool(true)) {
            out.insert("nullable".into(), Value::Bool(true));
        }
        if let Some(items) = schema.get("items") {
            out.insert("items".into(), self.facts(items, depth + 1));
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let facts = properties
                .iter()
                .map(|(name, property)| (name.clone(), self.facts(property, depth + 1)))
                .collect();
            out.insert("properties".into(), Value::Object(facts));
            out.entry("type").or_insert_with(|| "object".into());
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            let names: BTreeSet<&str> = required.iter().filter_map(Value::as_str).collect();
            out.insert("required".into(), names.into_iter().collect());
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(allowed)) => {
                out.insert("additionalProperties".into(), Value::Bool(*allowed));
            }
            Some(other) => {
                out.insert("additionalProperties".into(), self.facts(other, depth + 1));
            }
            None => {}
        }
        for keyword in ["allOf", "oneOf", "anyOf"] {
            if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
                let facts = branches.iter().map(|b| self.facts(b, depth + 1)).collect();
                out.insert(keyword.into(), Value::Array(facts));
            }
        }
        Value::Object(out)
    }
}

/// Every place where `ours` and `official` differ, as JSON pointers under `at`.
fn differences(at: &str, ours: &Value, official: &Value, found: &mut Vec<String>) {
    match (ours, official) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let here = format!("{at}/{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(&here, x, y, found),
                    (Some(x), None) => {
                        found.push(format!("{here}: {x} where the official has none"))
                    }
                    (None, Some(y)) => found.push(format!("{here}: missing; the official has {y}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{at}/{index}"), x, y, found);
            }
        }
        // YAML reads `"50"` and `50` differently; a default is the same fact either way.
        _ if ours.to_string().trim_matches('"') == official.to_string().trim_matches('"') => {}
        _ => found.push(format!("{at}: {ours} where the official has {official}")),
    }
}

/// The facts of one operation, in one shape for both documents: operationId, parameters by
/// (in, name), request body, each status with its body schema, and security.
fn operation_facts(side: &Side<'_>, operation: &Value, swagger2: bool) -> Value {
    let mut parameters = Map::new();
    let mut body = Value::Null;
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let location = parameter["in"].as_str().unwrap_or_default();
        if location == "body" {
            body = serde_json::json!({
                "required": parameter.get("required").cloned().unwrap_or(Value::Bool(false)),
                "schema": side.facts(&parameter["schema"], 0),
            });
            continue;
        }
        // Swagger 2.0 writes the schema keywords on the parameter itself.
        let schema = if swagger2 {
            parameter
        } else {
            &parameter["schema"]
        };
        parameters.insert(
            format!(
                "{location} {}",
                parameter["name"].as_str().unwrap_or_default()
            ),
            serde_json::json!({
                "required": parameter.get("required").cloned().unwrap_or(Value::Bool(false)),
                "schema": side.facts(schema, 0),
            }),
        );
    }
    if let Some(request) = operation.get("requestBody") {
        body = serde_json::json!({
            "required": request.get("required").cloned().unwrap_or(Value::Bool(false)),
            "schema": side.facts(&request["content"]["application/json"]["schema"], 0),
        });
    }
    let mut responses = Map::new();
    for (status, response) in operation["responses"].as_object().into_iter().flatten() {
        let schema = if swagger2 {
            response.get("schema")
        } else {
            response.pointer("/content/application~1json/schema")
        };
        responses.insert(
            status.clone(),
            schema.map_or(Value::Null, |s| side.facts(s, 0)),
        );
    }
    serde_json::json!({
        "operationId": operation["operationId"],
        "parameters": parameters,
        "body": body,
        "responses": responses,
        "security": operation["security"],
    })
}

#[test]
fn the_supplement_says_what_the_official_document_says() {
    let Some(official) = official_document() else {
        return;
    };
    let supplement = supplement();
    let official_side = Side {
        document: &official,
        ref_prefix: "#/definitions/",
        schemas: "/definitions",
    };
    let supplement_side = Side {
        document: &supplement,
        ref_prefix: "#/components/schemas/",
        schemas: "/components/schemas",
    };

    let ours = SpecChecker::supplement_operations();
    assert_eq!(ours.len(), 17, "{ours:?}");
    // The official document's operations under the supplement's path prefixes: the same set.
    let mut theirs = BTreeSet::new();
    for (path, item) in official["paths"].as_object().expect("official paths") {
        if !(path.starts_with("/partner/") || path.starts_with("/automations/")) {
            continue;
        }
        for method in METHODS {
            if item.get(method).is_some() {
                theirs.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert_eq!(
        ours, theirs,
        "the supplement and the official document list other operations"
    );

    let mut problems = Vec::new();
    for (method, path) in &ours {
        let pointer = format!("/paths/{}/{method}", path.replace('/', "~1"));
        let our_operation = supplement.pointer(&pointer).expect("a listed operation");
        let official_operation = official.pointer(&pointer).expect("a listed operation");
        let our_facts = operation_facts(&supplement_side, our_operation, false);
        let official_facts = operation_facts(&official_side, official_operation, true);
        let mut found = Vec::new();
        differences("", &our_facts, &official_facts, &mut found);
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{} {path}: {p}", method.to_ascii_uppercase())),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_supplement_covers_the_partner_and_automations_operations_only() {
    let ours = SpecChecker::supplement_operations();
    let partner = ours
        .iter()
        .filter(|(_, p)| p.starts_with("/partner/accounts"))
        .count();
    let webhooks = ours
        .iter()
        .filter(|(_, p)| p.starts_with("/partner/webhooks/"))
        .count();
    let automations = ours
        .iter()
        .filter(|(_, p)| p.starts_with("/automations/"))
        .count();
    assert_eq!((partner, webhooks, automations), (8, 5, 4), "{ours:?}");
    // Each is documented for the checker, and none was in the vendored copy already (loading
    // would have failed).
    for (method, path) in &ours {
        let concrete = path.replace('{', "x").replace('}', "");
        assert!(
            SpecChecker::global()
                .operation_id(method, &format!("/v3{concrete}"))
                .is_some(),
            "{method} {path} is not found by the checker"
        );
    }
}
