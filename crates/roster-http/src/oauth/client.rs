//! What the token, device, revocation and introspection endpoints share: their parameters
//! (accepted as a form body, in the query string or as a JSON body, since real clients send
//! each), client authentication (HTTP Basic, or `client_id`/`client_secret` parameters, or
//! `client_id` alone for a public client) and RFC 6749 §5.2 error responses.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roster_domain::account::ClientApp;
use roster_domain::StoreError;

use super::{constant_time_eq, sha256_hex};
use crate::AppState;

/// An RFC 6749 §5.2 error.
#[derive(Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// The client tried HTTP Basic: a 401 carries the challenge.
    pub basic_challenge: bool,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new("invalid_scope", description)
    }

    fn invalid_client(description: impl Into<String>, basic: bool) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
            basic_challenge: basic,
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(error: StoreError) -> Self {
        tracing::error!(error = format!("{error:#}"), "database unavailable");
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "temporarily_unavailable",
            description: "The authorization server is temporarily unavailable.".into(),
            basic_challenge: false,
        }
    }
}

impl From<anyhow::Error> for OAuthError {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "The authorization server met an unexpected condition.".into(),
            basic_challenge: false,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.error, "error_description": self.description});
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        if self.basic_challenge && self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"roster\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// The answer of an OAuth endpoint: what it returns on success, or the error as RFC 6749 §5.2
/// JSON; neither may be cached.
pub fn uncached<T: IntoResponse>(result: Result<T, OAuthError>) -> Response {
    match result {
        Ok(answer) => {
            let mut response = answer.into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

/// Token responses must not be cached (RFC 6749 §5.1).
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The parameters of a request, from the query string and the body (the body wins), plus the
/// `Authorization` header for client authentication.
pub struct OAuthParams {
    values: HashMap<String, String>,
    authorization: Option<String>,
}

impl FromRequest<AppState> for OAuthParams {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, OAuthError> {
        let mut values = HashMap::new();
        if let Some(query) = request.uri().query() {
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                values.insert(key.into_owned(), value.into_owned());
            }
        }
        let authorization = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| OAuthError::invalid_request("The request body could not be read."))?;
        let looks_like_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if content_type == "application/json" || (content_type.is_empty() && looks_like_json) {
            let parsed: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|_| OAuthError::invalid_request("The request body is not valid JSON."))?;
            let serde_json::Value::Object(map) = parsed else {
                return Err(OAuthError::invalid_request(
                    "The JSON request body must be an object.",
                ));
            };
            for (key, value) in map {
                let text = match value {
                    serde_json::Value::String(text) => text,
                    serde_json::Value::Number(number) => number.to_string(),
                    serde_json::Value::Bool(flag) => flag.to_string(),
                    serde_json::Value::Null => continue,
                    _ => {
                        return Err(OAuthError::invalid_request(format!(
                            "The parameter {key} must be a string."
                        )))
                    }
                };
                values.insert(key, text);
            }
        } else if !body.is_empty() {
            if !(content_type.is_empty() || content_type == "application/x-www-form-urlencoded") {
                return Err(OAuthError::invalid_request(
                    "The body must be application/x-www-form-urlencoded or application/json.",
                ));
            }
            for (key, value) in form_urlencoded::parse(&body) {
                values.insert(key.into_owned(), value.into_owned());
            }
        }
        Ok(Self {
            values,
            authorization,
        })
    }
}

impl OAuthParams {
    /// A parameter's value; empty values count as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("The parameter {name} is missing.")))
    }

    /// Authenticates the client: HTTP Basic (`client_id:client_secret`, each form-encoded as
    /// RFC 6749 §2.3.1 asks), or the body's `client_id` and `client_secret`; a public client
    /// sends its id alone.
    pub async fn authenticate_client(&self, state: &AppState) -> Result<ClientApp, OAuthError> {
        let basic = match &self.authorization {
            Some(header) => Some(parse_basic(header).ok_or_else(|| {
                OAuthError::invalid_client(
                    "The Authorization header is not valid HTTP Basic.",
                    true,
                )
            })?),
            None => None,
        };
        let used_basic = basic.is_some();
        let (client_id, secret) = match basic {
            Some((id, secret)) => {
                if self.get("client_secret").is_some() {
                    return Err(OAuthError::invalid_request(
                        "Use one client authentication method: HTTP Basic or client_secret, not \
                            both.",
                    ));
                }
                if self.get("client_id").is_some_and(|body_id| body_id != id) {
                    return Err(OAuthError::invalid_client(
                        "The client_id parameter differs from the authenticated client.",
                        true,
                    ));
                }
                (id, secret)
            }
            None => (
                self.get("client_id")
                    .ok_or_else(|| {
                        OAuthError::invalid_client("Client authentication is required.", false)
                    })?
                    .to_string(),
                self.get("client_secret").map(String::from),
            ),
        };
        let secret = secret.filter(|s| !s.is_empty());
        let client = state
            .store
            .client(&client_id)
            .await?
            .ok_or_else(|| OAuthError::invalid_client("The client is unknown.", used_basic))?;
        match (&client.secret_sha256, secret) {
            (None, None) => Ok(client),
            (None, Some(_)) => Err(OAuthError::invalid_client(
                "The client is public and has no secret.",
                used_basic,
            )),
            (Some(_), None) => Err(OAuthError::invalid_client(
                "The client secret is missing.",
                used_basic,
            )),
            (Some(stored), Some(secret)) => {
                if constant_time_eq(stored, &sha256_hex(&secret)) {
                    Ok(client)
                } else {
                    Err(OAuthError::invalid_client(
                        "The client secret is wrong.",
                        used_basic,
                    ))
                }
            }
        }
    }
}

/// `Basic base64(id:secret)`, each part form-decoded.
fn parse_basic(header: &str) -> Option<(String, Option<String>)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    let decode = |text: &str| -> String {
        form_urlencoded::parse(format!("v={text}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let id = decode(id);
    if id.is_empty() {
        return None;
    }
    let secret = decode(secret);
    Some((id, (!secret.is_empty()).then_some(secret)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!(
            "Basic {}",
            base64::Engine::encode(&super::STANDARD, "a%2Bb:s%3Ac")
        );
        assert_eq!(
            super::parse_basic(&header),
            Some(("a+b".into(), Some("s:c".into())))
        );
        let public = format!("Basic {}", base64::Engine::encode(&super::STANDARD, "id:"));
        assert_eq!(super::parse_basic(&public), Some(("id".into(), None)));
        assert_eq!(super::parse_basic("Bearer x"), None);
    }
}
