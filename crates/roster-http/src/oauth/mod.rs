//! Roster's own OAuth2 authorization server, at the paths Constant Contact uses
//! (`/oauth2/default/v1/...`): the signing keys and access tokens, the sign-in and consent
//! pages, the token endpoint and its grants (authorization code with PKCE, refresh token with
//! rotation, device code), revocation, introspection and the server metadata.

pub mod authorize;
pub mod client;
pub mod device;
pub mod issue;
pub mod keys;
pub mod metadata;
pub mod pages;
pub mod password;
pub mod revoke;
pub mod session;
pub mod signin;
pub mod token;
pub mod tokens;

use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;

/// Where the authorization server's endpoints live.
pub const BASE_PATH: &str = "/oauth2/default/v1";

/// GET /oauth2/default/v1/keys: the JWKS clients verify access tokens with.
pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.tokens.jwks().await)
}

/// A random secret of `bytes` bytes, base64url without padding (32 bytes: 43 characters, well
/// under the 50 a known client's refresh-token column holds).
pub fn random_secret(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// Secrets are stored and compared as SHA-256 hex digests.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares without an early exit, so timing reveals nothing about where two digests differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The scopes of a request: separated by spaces (`%20`, or `+` in a form-encoded value) or by
/// a literal `+` (`%2B`), deduplicated in first-seen order.
pub fn parse_scopes(text: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in text
        .split(|c: char| c.is_whitespace() || c == '+')
        .filter(|s| !s.is_empty())
    {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_string());
        }
    }
    scopes
}

/// The first scope Roster does not know.
pub fn unknown_scope(scopes: &[String]) -> Option<&str> {
    scopes
        .iter()
        .map(String::as_str)
        .find(|scope| !tokens::KNOWN_SCOPES.contains(scope))
}

/// The S256 PKCE challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636: 43 to 128 unreserved characters.
pub fn is_valid_pkce_value(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_on_every_separator_clients_use() {
        assert_eq!(
            parse_scopes("contact_data+campaign_data offline_access  contact_data"),
            ["contact_data", "campaign_data", "offline_access"]
        );
        assert!(parse_scopes(" + ").is_empty());
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(random_secret(32).len() <= 50);
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }
}
