//! Request bodies parsed into their documented types. Each body is one serde type that also
//! derives the OpenAPI schema: every property is a [`Field`], which accepts any JSON value and
//! keeps either the parsed value or the value that did not fit, so deserializing a body never
//! fails on a property. The body's `TryFrom` into its domain input then walks the fields with
//! a [`Check`], which adds lengths, counts and enums and collects every problem under its full
//! path, so one 400 names them all, in plain words. Properties a body does not declare (unknown
//! or read-only ones) are ignored, as the V3 API does.
//!
//! Limits are written twice by necessity: as literals in `#[schema(max_length = …)]` (utoipa
//! takes literals only) and as the domain's constants the check enforces. The OpenAPI tests
//! send every documented property one character over its `maxLength`, and exactly at it, so
//! the two cannot drift apart unnoticed.

use axum::extract::{FromRequest, Request};
use roster_domain::FieldError;
use serde::de::DeserializeOwned;
use serde::de::Visitor;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::ApiError;
use crate::wire::body::JsonBody;
use crate::AppState;

/// One property of a request body as it was sent. JSON `null` counts as absent, as the V3 API
/// treats it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Absent,
    Given(T),
    /// A value of another JSON type (or out of range) than the property's.
    Unfit(Value),
}

impl<T> Field<T> {
    /// Present and not null, whether or not the value fits.
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through `Option`, so that a property missing from the body is absent too, without
        // `#[serde(default)]` on every field.
        let Some(value) = Option::<Value>::deserialize(deserializer)? else {
            return Ok(Field::Absent);
        };
        Ok(match T::deserialize(ObjectsOnly(&value)) {
            Ok(parsed) => Field::Given(parsed),
            Err(_) => Field::Unfit(value),
        })
    }
}

/// Deserializes like `&Value`, except that a struct (a nested body) only comes from a JSON
/// object: serde's derived structs also accept an array of their fields in order, and a body
/// property documented as an object must not.
struct ObjectsOnly<'a>(&'a Value);

macro_rules! forward_to_value {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V)
                -> Result<V::Value, serde_json::Error> {
                self.0.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for ObjectsOnly<'de> {
    type Error = serde_json::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        if self.0.is_object() {
            self.0.deserialize_struct(name, fields, visitor)
        } else {
            Err(serde::de::Error::custom("expected a JSON object"))
        }
    }

    forward_to_value!(
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_seq(), deserialize_map(),
        deserialize_identifier(), deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    );
}

/// A whole number also accepted as a numeric string (choice ids, as Constant Contact accepts
/// them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LooseInteger(pub i64);

impl<'de> Deserialize<'de> for LooseInteger {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .map(LooseInteger)
            .ok_or_else(|| serde::de::Error::custom("not a whole number"))
    }
}

/// A request body of type `T`: valid JSON sent as `application/json` (see [`JsonBody`]) that
/// is an object, deserialized into `T`. Its properties are [`Field`]s, so this only fails when
/// the body is not an object.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonBody(value) = JsonBody::from_request(request, state).await?;
        // Parsed into a `Value` first: its objects keep the last of repeated keys, which serde's
        // derived structs would refuse as a duplicate field.
        if !value.is_object() {
            return Err(ApiError::BadRequest(
                "The request body must be a JSON object.".into(),
            ));
        }
        T::deserialize(value)
            .map(Body)
            .map_err(|_| ApiError::BadRequest("The request body is not valid.".into()))
    }
}

/// The problems found in one request body, each under its full path.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// Checks a body with `check` from its root, turning every collected problem into one 400.
    /// `check` returns None when it could not build its value; then at least one problem must
    /// have been recorded, or the body is refused as a whole.
    pub fn run<T>(check: impl FnOnce(&mut Check<'_>) -> Option<T>) -> Result<T, ApiError> {
        let mut problems = Problems::default();
        let built = check(&mut Check {
            prefix: String::new(),
            problems: &mut problems.0,
        });
        match built {
            Some(value) if problems.0.is_empty() => Ok(value),
            _ if !problems.0.is_empty() => Err(ApiError::Validation(problems.0)),
            _ => Err(ApiError::BadRequest(
                "The request body is not valid.".into(),
            )),
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks the fields of one JSON object of a body, recording problems under their full path
/// (`choices[1].choice_label`). Each method takes the property's name and its field, and
/// returns the checked value, or None when it is absent or has a problem.
pub struct Check<'a> {
    prefix: String,
    problems: &'a mut Vec<FieldError>,
}

impl Check<'_> {
    /// The full path of a property of this object.
    pub fn path(&self, name: &str) -> String {
        if name.is_empty() {
            self.prefix.clone()
        } else if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Records a problem with a property of this object.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        let field = self.path(name);
        self.problems.push(FieldError::new(field, message));
    }

    /// Records a problem already tied to a path.
    pub fn push(&mut self, error: FieldError) {
        self.problems.push(error);
    }

    /// Whether any problem has been recorded so far, in this object or elsewhere.
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    fn unfit(&mut self, name: &str, expected: &str, got: &Value) {
        self.error(name, format!("must be {expected}, not {}", type_name(got)));
    }

    /// An optional string of at most `max_len` characters.
    pub fn string(&mut self, name: &str, field: Field<String>, max_len: usize) -> Option<String> {
        let text = match field {
            Field::Absent => return None,
            Field::Unfit(value) => {
                self.unfit(name, "a string", &value);
                return None;
            }
            Field::Given(text) => text,
        };
        if text.chars().count() > max_len {
            self.error(
                name,
                format!("exceeds the maximum length of {max_len} characters"),
            );
            return None;
        }
        if text.contains('\0') {
            self.error(name, "must not contain NUL characters");
            return None;
        }
        Some(text)
    }

    /// A string that must be present.
    pub fn required_string(
        &mut self,
        name: &str,
        field: Field<String>,
        max_len: usize,
    ) -> Option<String> {
        if !field.is_present() {
            self.error(name, "is required");
            return None;
        }
        self.string(name, field, max_len)
    }

    /// An optional whole number.
    pub fn integer(&mut self, name: &str, field: Field<i64>) -> Option<i64> {
        match field {
            Field::Absent => None,
            Field::Given(number) => Some(number),
            Field::Unfit(value) if value.is_number() => {
                self.error(name, "must be a whole number within the 64-bit range");
                None
            }
            Field::Unfit(value) => {
                self.unfit(name, "an integer", &value);
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &str, field: Field<bool>) -> Option<bool> {
        match field {
            Field::Absent => None,
            Field::Given(flag) => Some(flag),
            Field::Unfit(value) => {
                self.unfit(name, "a boolean", &value);
                None
            }
        }
    }

    /// A string that must be one of `allowed`, converted by `parse`.
    pub fn enumerated<T>(
        &mut self,
        name: &str,
        field: Field<String>,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.string(name, field, usize::MAX)?;
        match parse(&text) {
            Some(value) => Some(value),
            None => {
                self.error(name, format!("must be one of: {}", allowed.join(", ")));
                None
            }
        }
    }

    /// A nested object, checked by `check` with paths prefixed by this property's name.
    pub fn object<B, T>(
        &mut self,
        name: &str,
        field: Field<B>,
        check: impl FnOnce(&mut Check<'_>, B) -> T,
    ) -> Option<T> {
        let body = match field {
            Field::Absent => return None,
            Field::Unfit(value) => {
                self.unfit(name, "an object", &value);
                return None;
            }
            Field::Given(body) => body,
        };
        let prefix = self.path(name);
        let mut nested = Check {
            prefix,
            problems: self.problems,
        };
        Some(check(&mut nested, body))
    }

    /// The items of an array property of at most `max_items`, or None (with the problem
    /// recorded) when it is absent, not an array or too long.
    fn items<I>(
        &mut self,
        name: &str,
        field: Field<Vec<I>>,
        expected: &str,
        max_items: usize,
    ) -> Option<Vec<I>> {
        let items = match field {
            Field::Absent => return None,
            Field::Unfit(value) => {
                self.unfit(name, expected, &value);
                return None;
            }
            Field::Given(items) => items,
        };
        if items.len() > max_items {
            self.error(name, format!("may hold at most {max_items} items"));
            return None;
        }
        Some(items)
    }

    fn item_path(&self, name: &str, index: usize) -> String {
        format!("{}[{index}]", self.path(name))
    }

    /// An array of ids (strings) of at most `max_items`; each item that does not parse is
    /// recorded by its index.
    pub fn ids<T: std::str::FromStr>(
        &mut self,
        name: &str,
        field: Field<Vec<Value>>,
        max_items: usize,
    ) -> Option<Vec<T>> {
        let items = self.items(name, field, "an array of ids", max_items)?;
        let mut ids = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.as_str().map(str::parse::<T>) {
                Some(Ok(id)) => ids.push(id),
                _ => {
                    let field = self.item_path(name, index);
                    self.push(FieldError::new(field, "is not a valid id"));
                }
            }
        }
        Some(ids)
    }

    /// An array of strings of at most `max_items`; items that are not strings are recorded.
    pub fn strings(
        &mut self,
        name: &str,
        field: Field<Vec<Value>>,
        max_items: usize,
    ) -> Option<Vec<String>> {
        let items = self.items(name, field, "an array of strings", max_items)?;
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            match item {
                Value::String(text) => strings.push(text),
                other => {
                    let field = self.item_path(name, index);
                    let message = format!("must be a string, not {}", type_name(&other));
                    self.push(FieldError::new(field, message));
                }
            }
        }
        Some(strings)
    }

    /// An array of whole numbers, also accepted as numeric strings (choice ids).
    pub fn integers(
        &mut self,
        name: &str,
        field: Field<Vec<Field<LooseInteger>>>,
        max_items: usize,
    ) -> Option<Vec<i64>> {
        let items = self.items(name, field, "an array", max_items)?;
        let mut numbers = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            match item {
                Field::Given(LooseInteger(number)) => numbers.push(number),
                _ => {
                    let field = self.item_path(name, index);
                    self.push(FieldError::new(field, "must be a whole number"));
                }
            }
        }
        Some(numbers)
    }

    /// An array of objects of at most `max_items`, each checked by `check`. Items that fail are
    /// left out; their problems are recorded.
    pub fn objects<B, T>(
        &mut self,
        name: &str,
        field: Field<Vec<Field<B>>>,
        max_items: usize,
        mut check: impl FnMut(&mut Check<'_>, B) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = self.items(name, field, "an array", max_items)?;
        let mut checked = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let prefix = self.item_path(name, index);
            let body = match item {
                Field::Given(body) => body,
                // A null item is no object either.
                Field::Absent => {
                    self.push(FieldError::new(prefix, "must be an object, not null"));
                    continue;
                }
                Field::Unfit(value) => {
                    let message = format!("must be an object, not {}", type_name(&value));
                    self.push(FieldError::new(prefix, message));
                    continue;
                }
            };
            let mut nested = Check {
                prefix,
                problems: self.problems,
            };
            if let Some(value) = check(&mut nested, body) {
                checked.push(value);
            }
        }
        Some(checked)
    }
}

/// A `name` (of a tag, a segment), trimmed; checked once the body is otherwise valid, so a
/// blank one is refused on its own.
pub fn non_blank_name(name: String) -> Result<String, ApiError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be blank"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Item {
        name: Field<String>,
    }

    #[derive(Deserialize)]
    struct Sample {
        label: Field<String>,
        count: Field<i64>,
        items: Field<Vec<Field<Item>>>,
        choice_ids: Field<Vec<Field<LooseInteger>>>,
    }

    type Checked = (Option<String>, Option<i64>, Option<Vec<i64>>);

    fn check(value: Value) -> Result<Checked, ApiError> {
        let Ok(sample) = Sample::deserialize(value) else {
            return Err(ApiError::BadRequest("not an object".into()));
        };
        Problems::run(|c| {
            let label = c.required_string("label", sample.label, 5);
            let count = c.integer("count", sample.count);
            let _ = c.objects("items", sample.items, 2, |item, body: Item| {
                item.required_string("name", body.name, 3)
            });
            let choices = c.integers("choice_ids", sample.choice_ids, 3);
            Some((label, count, choices))
        })
    }

    fn fields(error: ApiError) -> Vec<String> {
        match error {
            ApiError::Validation(problems) => problems.into_iter().map(|p| p.to_string()).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn reports_every_problem_at_once() {
        let body = json!({
            "label": "too long", "count": "7", "items": [{"name": 1}, 5], "choice_ids": [1, "x"]
        });
        assert_eq!(
            fields(check(body).unwrap_err()),
            [
                "label exceeds the maximum length of 5 characters.",
                "count must be an integer, not a string.",
                "items[0].name must be a string, not a number.",
                "items[1] must be an object, not a number.",
                "choice_ids[1] must be a whole number."
            ]
        );
    }

    #[test]
    fn missing_and_null_required_properties_are_named() {
        assert_eq!(
            fields(check(json!({"label": null})).unwrap_err()),
            ["label is required."]
        );
    }

    #[test]
    fn numbers_out_of_range_and_numeric_strings() {
        assert_eq!(
            fields(check(json!({"label": "ok", "count": 1.5})).unwrap_err()),
            ["count must be a whole number within the 64-bit range."]
        );
        assert_eq!(
            check(json!({"label": "ok", "choice_ids": ["7", 8]})).unwrap(),
            (Some("ok".into()), None, Some(vec![7, 8]))
        );
    }

    #[test]
    fn unknown_properties_are_ignored() {
        assert_eq!(
            check(json!({"label": "ok", "whatever": [1, 2]})).unwrap(),
            (Some("ok".into()), None, None)
        );
    }

    #[test]
    fn an_array_is_no_object() {
        assert_eq!(
            fields(check(json!({"label": "ok", "items": [["x"]]})).unwrap_err()),
            ["items[0] must be an object, not an array."]
        );
    }

    #[test]
    fn nul_characters_are_refused() {
        assert_eq!(
            fields(check(json!({"label": "a\u{0}b"})).unwrap_err()),
            ["label must not contain NUL characters."]
        );
    }
}
