//! Whether another OpenAPI document (Roster's own, generated from its handlers) promises only
//! what the official document promises: the same operations at the same paths, the same
//! operationIds, success statuses and scopes, and request and response schemas whose every
//! property exists in the official schema with the same JSON type.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::SpecChecker;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const SCHEMA_PREFIX: &str = "#/components/schemas/";
const RESPONSE_PREFIX: &str = "#/components/responses/";
/// Deeper than any schema of either document; stops a reference cycle.
const MAX_DEPTH: usize = 24;

/// The OAuth2 schemes the official document names, each listing the same scopes.
const SCHEMES: [&str; 2] = ["oauth2_implicit", "oauth2_access_code"];

/// One operation of the other document: method (lower case) and path as written there.
pub type OperationKey = (String, String);

/// Which side of a message is being compared: request bodies must not require more than the
/// official document; responses must carry at least what it requires.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

struct Side<'a> {
    components: &'a Map<String, Value>,
}

impl<'a> Side<'a> {
    /// Follows `$ref`s and unwraps the single-branch compositions generators write for
    /// nullable or documented references.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            if let Some(name) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
            {
                match self.components.get(name) {
                    Some(target) => schema = target,
                    None => return schema,
                }
                continue;
            }
            let single = ["allOf", "oneOf", "anyOf"].iter().find_map(|keyword| {
                let branches: Vec<&Value> = schema
                    .get(*keyword)?
                    .as_array()?
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                (branches.len() == 1 && schema.get("properties").is_none()).then(|| branches[0])
            });
            match single {
                Some(branch) => schema = branch,
                None => return schema,
            }
        }
        schema
    }

    /// Properties and required names, merged across `allOf` branches.
    fn object_parts(&self, schema: &'a Value) -> (BTreeMap<&'a str, &'a Value>, BTreeSet<String>) {
        let mut properties = BTreeMap::new();
        let mut required = BTreeSet::new();
        let mut pending = vec![self.resolve(schema)];
        let mut steps = 0;
        while let Some(current) = pending.pop() {
            steps += 1;
            if steps > MAX_DEPTH {
                break;
            }
            if let Some(own) = current.get("properties").and_then(Value::as_object) {
                for (name, property) in own {
                    properties.insert(name.as_str(), property);
                }
            }
            if let Some(names) = current.get("required").and_then(Value::as_array) {
                required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            if let Some(branches) = current.get("allOf").and_then(Value::as_array) {
                pending.extend(branches.iter().map(|b| self.resolve(b)));
            }
        }
        (properties, required)
    }
}

/// The JSON types a schema admits besides null, and whether it admits null. OpenAPI 3.0 writes
/// `type: string` with `nullable: true`; 3.1 writes `type: [string, "null"]`.
fn json_types(schema: &Value) -> (BTreeSet<String>, bool) {
    let mut types = BTreeSet::new();
    let mut nullable = schema.get("nullable") == Some(&Value::Bool(true));
    match schema.get("type") {
        Some(Value::String(one)) => {
            types.insert(one.clone());
        }
        Some(Value::Array(many)) => {
            types.extend(many.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        _ => {}
    }
    if types.remove("null") {
        nullable = true;
    }
    if types.is_empty() && (schema.get("properties").is_some() || schema.get("allOf").is_some()) {
        types.insert("object".to_owned());
    }
    (types, nullable)
}

struct Comparison<'a> {
    ours: Side<'a>,
    official: Side<'a>,
    direction: Direction,
    label: String,
    problems: Vec<String>,
}

impl<'a> Comparison<'a> {
    fn schema(&mut self, ours: &'a Value, official: &'a Value, pointer: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let ours = self.ours.resolve(ours);
        let official = self.official.resolve(official);
        let (our_types, our_null) = json_types(ours);
        let (official_types, official_null) = json_types(official);

        // An official schema without a type admits anything; nothing more to hold ours to.
        if official_types.is_empty() {
            return;
        }
        for kind in &our_types {
            let same = official_types.contains(kind)
                || (kind == "integer" && official_types.contains("number"));
            if !same {
                self.problems.push(format!(
                    "{}: {} is {kind} where the official document has {}",
                    self.label,
                    describe(pointer),
                    official_types
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
                return;
            }
        }
        if our_null && !official_null {
            self.problems.push(format!(
                "{}: {} may be null, which the official document does not allow",
                self.label,
                describe(pointer)
            ));
        }

        if our_types.contains("array") {
            if let (Some(our_items), Some(official_items)) =
                (ours.get("items"), official.get("items"))
            {
                self.schema(
                    our_items,
                    official_items,
                    &format!("{pointer}/items"),
                    depth + 1,
                );
            }
        }
        if our_types.contains("object")
            || ours.get("properties").is_some()
            || ours.get("allOf").is_some()
        {
            self.object(ours, official, pointer, depth);
        }
    }

    fn object(&mut self, ours: &'a Value, official: &'a Value, pointer: &str, depth: usize) {
        let (our_properties, our_required) = self.ours.object_parts(ours);
        let (official_properties, official_required) = self.official.object_parts(official);
        // A free-form official object (no properties declared) accepts any property.
        if official_properties.is_empty() {
            return;
        }
        for (name, our_property) in &our_properties {
            let at = format!("{pointer}/properties/{name}");
            match official_properties.get(name).copied() {
                Some(official_property) => {
                    self.schema(our_property, official_property, &at, depth + 1)
                }
                None => self.problems.push(format!(
                    "{}: {} is not in the official schema",
                    self.label,
                    describe(&at)
                )),
            }
        }
        match self.direction {
            Direction::Request => {
                for name in our_required.difference(&official_required) {
                    self.problems.push(format!(
                        "{}: {} is required, where the official document makes it optional",
                        self.label,
                        describe(&format!("{pointer}/properties/{name}"))
                    ));
                }
            }
            Direction::Response => {
                for name in official_required.difference(&our_required) {
                    self.problems.push(format!(
                        "{}: {} is required by the official document but may be left out",
                        self.label,
                        describe(&format!("{pointer}/properties/{name}"))
                    ));
                }
            }
        }
    }
}

fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        "the body (JSON pointer \"\")".to_owned()
    } else {
        format!("the schema at JSON pointer \"{pointer}\"")
    }
}

/// The scopes each scheme requires, whether the document lists the schemes as alternatives
/// (one requirement each) or, as a few official operations do, in one requirement.
fn scopes(operation: &Value, document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_scheme = BTreeMap::new();
    let requirements = operation
        .get("security")
        .or_else(|| document.get("security"))
        .and_then(Value::as_array);
    for requirement in requirements.into_iter().flatten() {
        for scheme in SCHEMES {
            if let Some(names) = requirement.get(scheme).and_then(Value::as_array) {
                by_scheme
                    .entry(scheme.to_owned())
                    .or_insert_with(BTreeSet::new)
                    .extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
    }
    by_scheme
}

fn success_statuses(operation: &Value) -> BTreeSet<String> {
    operation
        .get("responses")
        .and_then(Value::as_object)
        .map(|responses| {
            responses
                .keys()
                .filter(|status| status.starts_with('2'))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The `content` map of a response or request body, following a `components/responses` ref.
fn content<'v>(holder: &'v Value, document: &'v Value) -> Option<&'v Map<String, Value>> {
    let holder = match holder
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(RESPONSE_PREFIX))
    {
        Some(name) => document.pointer(&format!("/components/responses/{name}"))?,
        None => holder,
    };
    holder.get("content")?.as_object()
}

fn components(document: &Value) -> Map<String, Value> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

impl SpecChecker {
    /// The operations of `ours`, an OpenAPI 3.0 or 3.1 document as JSON, whose paths are
    /// written as the official document writes them (relative to `/v3`).
    pub fn operations_of(ours: &Value) -> BTreeSet<OperationKey> {
        let mut keys = BTreeSet::new();
        if let Some(paths) = ours.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    if item.get(method).is_some() {
                        keys.insert((method.to_owned(), path.clone()));
                    }
                }
            }
        }
        keys
    }

    /// The official document's operations, keyed like [`SpecChecker::operations_of`].
    pub fn official_operations(&self) -> BTreeSet<OperationKey> {
        Self::operations_of(&self.document)
    }

    /// Every way `ours` promises something the official document does not: an operation it
    /// lacks (same method and path template), another operationId, a success status it does
    /// not declare, other scopes, a media type it does not declare, or a schema property it
    /// does not have or types differently. Empty when `ours` is compatible.
    pub fn incompatibilities(&self, ours: &Value) -> Vec<String> {
        let official_components = components(&self.document);
        let our_components = components(ours);
        let mut problems = Vec::new();
        for (method, path) in Self::operations_of(ours) {
            let label = format!("{} {path}", method.to_ascii_uppercase());
            let Some(our_operation) = ours.pointer(&format!("/paths/{}/{method}", escape(&path)))
            else {
                continue;
            };
            let Some(official_operation) = self
                .document
                .pointer(&format!("/paths/{}/{method}", escape(&path)))
            else {
                problems.push(format!(
                    "{label}: the official document has no such operation"
                ));
                continue;
            };

            let our_id = our_operation.get("operationId");
            let official_id = official_operation.get("operationId");
            if our_id != official_id {
                problems.push(format!(
                    "{label}: operationId {} where the official document has {}",
                    our_id.unwrap_or(&Value::Null),
                    official_id.unwrap_or(&Value::Null)
                ));
            }

            let our_statuses = success_statuses(our_operation);
            let official_statuses = success_statuses(official_operation);
            if our_statuses.is_empty() {
                problems.push(format!("{label}: declares no success status"));
            }
            for status in our_statuses.difference(&official_statuses) {
                problems.push(format!(
                    "{label}: success status {status} is not among the official document's ({})",
                    official_statuses
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }

            let our_scopes = scopes(our_operation, ours);
            let official_scopes = scopes(official_operation, &self.document);
            if our_scopes != official_scopes {
                problems.push(format!(
                    "{label}: scopes {our_scopes:?} where the official document has \
                     {official_scopes:?}"
                ));
            }

            let mut comparison = Comparison {
                ours: Side {
                    components: &our_components,
                },
                official: Side {
                    components: &official_components,
                },
                direction: Direction::Request,
                label: format!("{label} request body"),
                problems: Vec::new(),
            };
            let our_body = our_operation.get("requestBody");
            let official_body = official_operation.get("requestBody");
            match (our_body, official_body) {
                (Some(_), None) => comparison.problems.push(format!(
                    "{label}: reads a body the official document does not declare"
                )),
                (Some(our_body), Some(official_body)) => {
                    let official_content = content(official_body, &self.document);
                    for (media, our_media) in content(our_body, ours).into_iter().flatten() {
                        compare_media(&mut comparison, media, our_media, official_content);
                    }
                }
                _ => {}
            }

            comparison.direction = Direction::Response;
            for status in our_statuses.intersection(&official_statuses) {
                comparison.label = format!("{label} {status} response");
                let our_response = &our_operation["responses"][status];
                let official_content =
                    content(&official_operation["responses"][status], &self.document);
                for (media, our_media) in content(our_response, ours).into_iter().flatten() {
                    compare_media(&mut comparison, media, our_media, official_content);
                }
            }
            problems.append(&mut comparison.problems);
        }
        problems
    }
}

fn compare_media<'a>(
    comparison: &mut Comparison<'a>,
    media: &str,
    our_media: &'a Value,
    official_content: Option<&'a Map<String, Value>>,
) {
    let Some(official_media) = official_content.and_then(|c| c.get(media)) else {
        comparison.problems.push(format!(
            "{}: {media} is not a media type the official document declares here",
            comparison.label
        ));
        return;
    };
    if let (Some(ours), Some(official)) = (our_media.get("schema"), official_media.get("schema")) {
        comparison.schema(ours, official, "", 0);
    }
}

/// A path as a JSON pointer token (`/` and `~` escaped).
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A one-operation document in Roster's form: GET /contact_tags/{tag_id} answering `schema`.
    fn document_with(operation_id: &str, scopes: &[&str], schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/contact_tags/{tag_id}": {
                    "get": {
                        "operationId": operation_id,
                        "responses": {
                            "200": {
                                "description": "OK",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/Tag"}
                                }}
                            }
                        },
                        "security": [{"oauth2_implicit": scopes}, {"oauth2_access_code": scopes}]
                    }
                }
            },
            "components": {"schemas": {"Tag": schema}}
        })
    }

    fn tag(properties: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": properties, "required": required})
    }

    #[test]
    fn a_faithful_subset_is_compatible() {
        let ours = document_with(
            "getTag",
            &["contact_data"],
            tag(
                json!({
                    "tag_id": {"type": "string"},
                    "name": {"type": "string"},
                    "contacts_count": {"type": "integer"}
                }),
                &["tag_id", "name"],
            ),
        );
        assert_eq!(
            SpecChecker::global().incompatibilities(&ours),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_kind_of_difference_is_reported() {
        let ours = document_with(
            "getTagDetails",
            &["account_read"],
            tag(
                json!({
                    "tag_id": {"type": "integer"},
                    "name": {"type": ["string", "null"]},
                    "colour": {"type": "string"}
                }),
                &["tag_id"],
            ),
        );
        let problems = SpecChecker::global().incompatibilities(&ours);
        let expected = [
            "operationId \"getTagDetails\" where the official document has \"getTag\"",
            "scopes {\"oauth2_access_code\": {\"account_read\"}, \
             \"oauth2_implicit\": {\"account_read\"}}",
            "\"/properties/tag_id\" is integer where the official document has string",
            "\"/properties/name\" may be null",
            "\"/properties/colour\" is not in the official schema",
        ];
        for part in expected {
            assert!(
                problems.iter().any(|p| p.contains(part)),
                "{part} not among {problems:#?}"
            );
        }
    }

    #[test]
    fn an_operation_the_official_document_lacks_is_reported() {
        let mut ours = document_with("getTag", &["contact_data"], json!({"type": "object"}));
        let operation = ours["paths"]["/contact_tags/{tag_id}"].take();
        ours["paths"]["/contact_tags/{tag_id}/colour"] = operation;
        let problems = SpecChecker::global().incompatibilities(&ours);
        assert_eq!(
            problems,
            vec!["GET /contact_tags/{tag_id}/colour: the official document has no such operation"]
        );
    }
}
