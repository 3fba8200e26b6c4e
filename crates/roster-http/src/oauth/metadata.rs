//! RFC 8414 authorization server metadata, at `/.well-known/oauth-authorization-server`, at the
//! RFC's path for an issuer with a path component, and at the issuer-relative path Okta-style
//! clients (such as Constant Contact's) look up.

use axum::extract::State;
use axum::Json;

use super::token::DEVICE_CODE_GRANT;
use super::tokens::KNOWN_SCOPES;
use super::BASE_PATH;
use crate::AppState;

/// GET /.well-known/oauth-authorization-server (and its aliases)
pub async fn metadata(State(state): State<AppState>) -> Json<serde_json::Value> {
    let base = state.config.public_url.trim_end_matches('/');
    let endpoint = |name: &str| format!("{base}{BASE_PATH}/{name}");
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    Json(serde_json::json!({
        "issuer": state.tokens.issuer(),
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "jwks_uri": endpoint("keys"),
        "revocation_endpoint": endpoint("revoke"),
        "introspection_endpoint": endpoint("introspect"),
        "device_authorization_endpoint": endpoint("device/authorize"),
        "scopes_supported": KNOWN_SCOPES,
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": [
            "authorization_code",
            "implicit",
            "refresh_token",
            DEVICE_CODE_GRANT,
        ],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
    }))
}
