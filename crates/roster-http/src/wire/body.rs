//! JSON request bodies. The extractor enforces the media type (415), the size limit (413) and
//! JSON syntax (400) with V3 error bodies. `ObjectReader` then converts the JSON into domain
//! types property by property, collecting every problem (wrong type, too long, missing,
//! unknown enum value) so one 400 names them all, in plain words. Properties a reader does not
//! ask for (unknown or read-only ones) are ignored, as the V3 API does.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use roster_domain::FieldError;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::AppState;

/// A request body that is syntactically valid JSON sent as `application/json`.
pub struct JsonBody(pub Value);

/// True for `application/json`, with or without parameters such as `; charset=utf-8`.
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let unsupported = || {
            ApiError::UnsupportedMediaType(
                "Unsupported Media Type; the payload must be in JSON format, and Content-Type must \
                    be application/json."
                    .into(),
            )
        };
        // No Content-Type at all may simply mean no body, which is a missing body (400), not
        // one of an unsupported type: that is decided once the body is read.
        let declared_json = match request.headers().get(CONTENT_TYPE) {
            None => false,
            Some(value) if value.to_str().is_ok_and(is_json_media_type) => true,
            Some(_) => return Err(unsupported()),
        };
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge {
                        limit: state.config.body_limit,
                    }
                } else {
                    ApiError::BadRequest("The request body could not be read.".into())
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::BadRequest(
                "The request body is empty; a JSON object is required.".into(),
            ));
        }
        if !declared_json {
            return Err(unsupported());
        }
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(JsonBody(value)),
            Err(error) if error.is_eof() => Err(ApiError::BadRequest(
                "The request body is not valid JSON: it ends too early.".into(),
            )),
            Err(error) => Err(ApiError::BadRequest(format!(
                "The request body is not valid JSON (line {}, column {}).",
                error.line(),
                error.column()
            ))),
        }
    }
}

impl JsonBody {
    /// Reads the body as one JSON object with `read`, turning every collected problem into one
    /// 400 response.
    pub fn read_object<T>(
        self,
        read: impl FnOnce(&mut ObjectReader<'_>) -> Option<T>,
    ) -> Result<T, ApiError> {
        let Value::Object(map) = self.0 else {
            return Err(ApiError::BadRequest(
                "The request body must be a JSON object.".into(),
            ));
        };
        let mut errors = Vec::new();
        let parsed = {
            let mut reader = ObjectReader::new(&map, String::new(), &mut errors);
            read(&mut reader)
        };
        match parsed {
            Some(value) if errors.is_empty() => Ok(value),
            _ if !errors.is_empty() => Err(ApiError::Validation(errors)),
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

/// Reads the properties of one JSON object, recording problems under their full path.
pub struct ObjectReader<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    errors: &'a mut Vec<FieldError>,
}

impl<'a> ObjectReader<'a> {
    pub fn new(
        map: &'a Map<String, Value>,
        prefix: String,
        errors: &'a mut Vec<FieldError>,
    ) -> Self {
        Self {
            map,
            prefix,
            errors,
        }
    }

    /// The full path of a property, e.g. `choices[1].choice_label`.
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
        self.errors.push(FieldError::new(field, message));
    }

    /// Records a problem already tied to a path.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// The value of a property, treating JSON null as absent.
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn wrong_type(&mut self, name: &str, expected: &str, got: &Value) {
        let message = format!("must be {expected}, not {}", type_name(got));
        self.error(name, message);
    }

    pub fn has(&self, name: &str) -> bool {
        self.present(name).is_some()
    }

    /// An optional string of at most `max_len` characters.
    pub fn string(&mut self, name: &str, max_len: usize) -> Option<String> {
        let value = self.present(name)?;
        let Value::String(text) = value else {
            self.wrong_type(name, "a string", value);
            return None;
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
        Some(text.clone())
    }

    /// A string that must be present.
    pub fn required_string(&mut self, name: &str, max_len: usize) -> Option<String> {
        if !self.has(name) {
            self.error(name, "is required");
            return None;
        }
        self.string(name, max_len)
    }

    /// An optional whole number.
    pub fn integer(&mut self, name: &str) -> Option<i64> {
        let value = self.present(name)?;
        match value.as_i64() {
            Some(number) => Some(number),
            None if value.is_number() => {
                self.error(name, "must be a whole number within the 64-bit range");
                None
            }
            None => {
                self.wrong_type(name, "an integer", value);
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.present(name)?;
        match value {
            Value::Bool(flag) => Some(*flag),
            other => {
                self.wrong_type(name, "a boolean", other);
                None
            }
        }
    }

    /// A string that must be one of `allowed`, converted by `parse`.
    pub fn enumerated<T>(
        &mut self,
        name: &str,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.string(name, usize::MAX)?;
        match parse(&text) {
            Some(value) => Some(value),
            None => {
                self.error(name, format!("must be one of: {}", allowed.join(", ")));
                None
            }
        }
    }

    /// A nested object, read by `read` with paths prefixed by this property's name.
    pub fn object<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut ObjectReader<'_>) -> T,
    ) -> Option<T> {
        let value = self.present(name)?;
        let Value::Object(map) = value else {
            self.wrong_type(name, "an object", value);
            return None;
        };
        let prefix = self.path(name);
        let mut nested = ObjectReader::new(map, prefix, self.errors);
        Some(read(&mut nested))
    }

    /// An array of ids (strings) of at most `max_items`; each item that does not parse is
    /// recorded by its index.
    pub fn ids<T: std::str::FromStr>(&mut self, name: &str, max_items: usize) -> Option<Vec<T>> {
        let value = self.present(name)?;
        let Value::Array(items) = value else {
            self.wrong_type(name, "an array of ids", value);
            return None;
        };
        if items.len() > max_items {
            self.error(name, format!("may hold at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.as_str().map(str::parse::<T>) {
                Some(Ok(id)) => out.push(id),
                _ => {
                    let field = format!("{}[{index}]", self.path(name));
                    self.errors
                        .push(FieldError::new(field, "is not a valid id"));
                }
            }
        }
        Some(out)
    }

    /// An array of strings of at most `max_items`; items that are not strings are recorded.
    pub fn strings(&mut self, name: &str, max_items: usize) -> Option<Vec<String>> {
        let value = self.present(name)?;
        let Value::Array(items) = value else {
            self.wrong_type(name, "an array of strings", value);
            return None;
        };
        if items.len() > max_items {
            self.error(name, format!("may hold at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item {
                Value::String(text) => out.push(text.clone()),
                other => {
                    let field = format!("{}[{index}]", self.path(name));
                    self.errors.push(FieldError::new(
                        field,
                        format!("must be a string, not {}", type_name(other)),
                    ));
                }
            }
        }
        Some(out)
    }

    /// An array of whole numbers, also accepted as numeric strings (choice ids).
    pub fn integers(&mut self, name: &str, max_items: usize) -> Option<Vec<i64>> {
        let value = self.present(name)?;
        let Value::Array(items) = value else {
            self.wrong_type(name, "an array", value);
            return None;
        };
        if items.len() > max_items {
            self.error(name, format!("may hold at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let number = item
                .as_i64()
                .or_else(|| item.as_str().and_then(|s| s.trim().parse().ok()));
            match number {
                Some(n) => out.push(n),
                None => {
                    let field = format!("{}[{index}]", self.path(name));
                    self.errors
                        .push(FieldError::new(field, "must be a whole number"));
                }
            }
        }
        Some(out)
    }

    /// An array of objects of at most `max_items`, each read by `read`. Items that fail are left
    /// out; their problems are recorded.
    pub fn objects<T>(
        &mut self,
        name: &str,
        max_items: usize,
        mut read: impl FnMut(&mut ObjectReader<'_>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let value = self.present(name)?;
        let Value::Array(items) = value else {
            self.wrong_type(name, "an array", value);
            return None;
        };
        if items.len() > max_items {
            self.error(name, format!("may hold at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{}[{index}]", self.path(name));
            let Value::Object(map) = item else {
                self.errors.push(FieldError::new(
                    item_path,
                    format!("must be an object, not {}", type_name(item)),
                ));
                continue;
            };
            let mut nested = ObjectReader::new(map, item_path, self.errors);
            if let Some(parsed) = read(&mut nested) {
                out.push(parsed);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(value: Value) -> Result<(Option<String>, Option<i64>), ApiError> {
        JsonBody(value).read_object(|r| {
            let label = r.required_string("label", 5);
            let count = r.integer("count");
            let _ = r.objects("items", 2, |item| item.required_string("name", 3));
            Some((label, count))
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
        let problems = fields(
            read(json!({"label": "too long", "count": "7", "items": [{"name": 1}, 5]}))
                .unwrap_err(),
        );
        assert_eq!(
            problems,
            [
                "label exceeds the maximum length of 5 characters.",
                "count must be an integer, not a string.",
                "items[0].name must be a string, not a number.",
                "items[1] must be an object, not a number."
            ]
        );
    }

    #[test]
    fn missing_and_null_required_properties_are_named() {
        assert_eq!(
            fields(read(json!({"label": null})).unwrap_err()),
            ["label is required."]
        );
    }

    #[test]
    fn unknown_properties_are_ignored() {
        assert_eq!(
            read(json!({"label": "ok", "whatever": [1, 2]})).unwrap(),
            (Some("ok".into()), None)
        );
    }

    #[test]
    fn non_objects_are_refused() {
        assert!(matches!(read(json!([1])), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn json_media_type_allows_parameters_only() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("Application/JSON; charset=utf-8"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type("application/jsonx"));
        assert!(!is_json_media_type(""));
    }
}
