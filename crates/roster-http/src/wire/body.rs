//! JSON request bodies. The extractor enforces the media type (415), the size limit (413) and
//! JSON syntax (400) with V3 error bodies; `wire::field::Body<T>` then parses the JSON into the
//! operation's body type.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_type_allows_parameters_only() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("Application/JSON; charset=utf-8"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type("application/jsonx"));
        assert!(!is_json_media_type(""));
    }
}
