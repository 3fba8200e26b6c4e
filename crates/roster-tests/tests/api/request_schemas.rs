//! The request schemas of the served document are the bodies the handlers parse: every nested
//! property is read (a wrong JSON type is named by its full path), and every limit the
//! document states (`maxLength`, `maxItems`, `enum`) is the one enforced, at exactly the stated
//! value. The bodies are one serde type each, which also derives the schema
//! (crates/roster-http/src/wire/field.rs); these tests keep the two halves of each field's
//! attributes honest.

use reqwest::Method;
use roster_spec::SpecChecker;
use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Map, Value};

use crate::support::concrete;

on_both_engines!(
    every_nested_request_property_is_read,
    every_documented_limit_is_the_one_enforced,
);

/// Nested properties whose checks only run once a sibling is valid, each with the reason.
const NOT_READ_WHEN_NESTED: &[(&str, &str)] = &[];

async fn document(app: &TestApp) -> Value {
    app.get("/v3/openapi.json")
        .anonymous()
        .send_unchecked()
        .await
        .expect(200)
        .json()
}

/// The schema a `$ref` points to, or the schema itself.
fn resolve<'a>(schema: &'a Value, document: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => document
            .pointer(&reference.replacen('#', "", 1))
            .expect("a declared schema"),
        None => schema,
    }
}

/// The properties of an object schema, through `allOf` branches.
fn properties<'a>(schema: &'a Value, document: &'a Value) -> Vec<(&'a String, &'a Value)> {
    let mut found = Vec::new();
    let mut pending = vec![resolve(schema, document)];
    while let Some(current) = pending.pop() {
        if let Some(own) = current["properties"].as_object() {
            found.extend(own.iter().map(|(name, p)| (name, resolve(p, document))));
        }
        for branch in current["allOf"].as_array().into_iter().flatten() {
            pending.push(resolve(branch, document));
        }
    }
    found
}

fn kind(schema: &Value) -> &str {
    match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or_default(),
        other => other.as_str().unwrap_or_default(),
    }
}

/// A value of another JSON type than the schema's.
fn wrong_value(schema: &Value) -> Value {
    if kind(schema) == "string" {
        Value::Bool(true)
    } else {
        Value::String("not of this type".into())
    }
}

/// Every operation of the document with a JSON request body: (method, concrete path, schema).
fn bodies(document: &Value) -> Vec<(Method, String, &Value)> {
    let mut found = Vec::new();
    for (method, path) in SpecChecker::operations_of(document) {
        let pointer = format!("/paths/{}/{method}", path.replace('/', "~1"));
        let operation = document.pointer(&pointer).expect("a listed operation");
        if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") {
            let method =
                Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
            found.push((method, format!("/v3{}", concrete(&path)), schema));
        }
    }
    found
}

/// For each object (or array-of-objects) property of `schema`, a value whose own properties
/// all have the wrong JSON type, one level further down each time, with the paths the
/// response must name.
fn nested_wrong_values(
    schema: &Value,
    document: &Value,
    prefix: &str,
    depth: usize,
    expected: &mut Vec<String>,
) -> Map<String, Value> {
    let mut body = Map::new();
    for (name, property) in properties(schema, document) {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let (value, item_path) = match kind(property) {
            "object" => (None, path.clone()),
            "array" if kind(resolve(&property["items"], document)) == "object" => {
                (Some(()), format!("{path}[0]"))
            }
            _ if depth > 0 => {
                expected.push(path.clone());
                body.insert(name.clone(), wrong_value(property));
                continue;
            }
            _ => continue,
        };
        let object_schema = match value {
            None => property,
            Some(()) => resolve(&property["items"], document),
        };
        let nested = nested_wrong_values(object_schema, document, &item_path, depth + 1, expected);
        if nested.is_empty() {
            continue;
        }
        let nested = Value::Object(nested);
        body.insert(
            name.clone(),
            if value.is_some() {
                json!([nested])
            } else {
                nested
            },
        );
    }
    body
}

/// A body whose every nested property (in objects and in arrays of objects, at any depth) has
/// the wrong JSON type must draw a 400 naming each by its full path. Top-level properties are
/// covered by `openapi::every_documented_request_property_is_read`.
async fn every_nested_request_property_is_read(app: TestApp) {
    let document = document(&app).await;
    let mut unread = Vec::new();
    let mut checked = 0;
    for (method, path, schema) in bodies(&document) {
        let mut expected = Vec::new();
        let body = nested_wrong_values(schema, &document, "", 0, &mut expected);
        if expected.is_empty() {
            continue;
        }
        let response = app
            .request(method.clone(), &path)
            .json(Value::Object(body))
            .send_unchecked()
            .await;
        let text = String::from_utf8_lossy(&response.body).into_owned();
        for name in expected {
            checked += 1;
            let excused = NOT_READ_WHEN_NESTED.iter().any(|(p, _)| *p == name);
            if (response.status != 400 || !text.contains(&format!("{name} "))) && !excused {
                unread.push(format!(
                    "{method} {path} {name}: {} {text}",
                    response.status
                ));
            }
        }
    }
    assert!(checked >= 40, "only {checked} nested properties");
    assert!(unread.is_empty(), "{}", unread.join("\n"));
}

/// One stated limit of one property.
struct Limit {
    /// The property's path in the body (`choices[0].choice_label`).
    path: String,
    /// A value past the limit, and the message that must name it.
    over: Value,
    message: String,
    /// A value at the limit exactly, and the start of the message it must not draw.
    at: Option<(Value, String)>,
}

fn limits_of(schema: &Value, document: &Value, prefix: &str, found: &mut Vec<Limit>) {
    for (name, property) in properties(schema, document) {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Some(max) = property["maxLength"].as_u64() {
            found.push(Limit {
                path: path.clone(),
                over: Value::String("x".repeat(max as usize + 1)),
                message: format!("{path} exceeds the maximum length of {max} characters"),
                at: Some((
                    Value::String("x".repeat(max as usize)),
                    format!("{path} exceeds the maximum length"),
                )),
            });
        }
        if let Some(max) = property["maxItems"].as_u64() {
            let item = match kind(resolve(&property["items"], document)) {
                "object" => json!({}),
                "integer" => json!(1),
                _ => json!("x"),
            };
            found.push(Limit {
                path: path.clone(),
                over: Value::Array(vec![item.clone(); max as usize + 1]),
                message: format!("{path} may hold at most {max} items"),
                at: Some((
                    Value::Array(vec![item; max as usize]),
                    format!("{path} may hold at most"),
                )),
            });
        }
        if let Some(allowed) = property["enum"].as_array() {
            let allowed: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
            found.push(Limit {
                path: path.clone(),
                over: Value::String("not-one-of-them".into()),
                message: format!("{path} must be one of: {}", allowed.join(", ")),
                at: None,
            });
        }
        match kind(property) {
            "object" => limits_of(property, document, &path, found),
            "array" if kind(resolve(&property["items"], document)) == "object" => limits_of(
                resolve(&property["items"], document),
                document,
                &format!("{path}[0]"),
                found,
            ),
            _ => {}
        }
    }
}

/// A body holding `value` at `path` (`a.b[0].c`), every level above it an object or a
/// one-item array.
fn body_at(path: &str, value: Value) -> Value {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let inner = match rest {
        Some(rest) => body_at(rest, value),
        None => value,
    };
    match head.strip_suffix("[0]") {
        Some(name) => json!({ name: [inner] }),
        None => json!({ head: inner }),
    }
}

/// Every `maxLength`, `maxItems` and `enum` of every request schema: one past the limit draws a
/// 400 whose message states that very limit for that very path; exactly at the limit draws no
/// such message.
async fn every_documented_limit_is_the_one_enforced(app: TestApp) {
    let document = document(&app).await;
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, path, schema) in bodies(&document) {
        let mut limits = Vec::new();
        limits_of(schema, &document, "", &mut limits);
        for limit in limits {
            checked += 1;
            let over = app
                .request(method.clone(), &path)
                .json(body_at(&limit.path, limit.over))
                .send_unchecked()
                .await;
            let text = String::from_utf8_lossy(&over.body).into_owned();
            if over.status != 400 || !text.contains(&limit.message) {
                wrong.push(format!(
                    "{method} {path}: over the limit, expected 400 with '{}', got {} {text}",
                    limit.message, over.status
                ));
            }
            if let Some((at, forbidden)) = limit.at {
                let response = app
                    .request(method.clone(), &path)
                    .json(body_at(&limit.path, at))
                    .send_unchecked()
                    .await;
                let text = String::from_utf8_lossy(&response.body).into_owned();
                if text.contains(&forbidden) {
                    wrong.push(format!(
                        "{method} {path}: at the limit, {} drew {} {text}",
                        limit.path, response.status
                    ));
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} limits");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
