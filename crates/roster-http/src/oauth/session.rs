//! Browser state of the authorization server: the sign-in session cookie (stateless: the user,
//! the account and an expiry under an HMAC of a key derived from the server secret) and the
//! CSRF cookie whose value every form must echo (double submit). Both cookies are HttpOnly,
//! SameSite=Lax, limited to the authorization server's paths, and Secure behind https.

use axum::http::header::COOKIE;
use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use roster_domain::account::User;
use roster_domain::{AccountId, Timestamp, UserId};
use sha2::Sha256;

use super::{constant_time_eq, random_secret};
use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "roster_session";
pub const CSRF_COOKIE: &str = "roster_csrf";

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value; `max_age` 0 deletes it.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/oauth2; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

fn mac(key: &[u8; 32], payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The session cookie for a signed-in user.
pub fn session_cookie(state: &AppState, user: &User) -> String {
    let lifetime = state.config.oauth.session_lifetime_seconds;
    let expires = Timestamp::now().plus_seconds(lifetime).millis();
    let payload = format!("{}.{}.{expires}", user.account_id, user.id);
    let value = format!("{payload}.{}", mac(&state.session_key, &payload));
    set_cookie(state, SESSION_COOKIE, &value, lifetime)
}

fn decode_session(key: &[u8; 32], value: &str) -> Option<(AccountId, UserId)> {
    let (payload, tag) = value.rsplit_once('.')?;
    if !constant_time_eq(&mac(key, payload), tag) {
        return None;
    }
    let mut parts = payload.split('.');
    let account: AccountId = parts.next()?.parse().ok()?;
    let user: UserId = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    (expires > Timestamp::now().millis()).then_some((account, user))
}

/// The signed-in user, if the session cookie is valid and the user still exists.
pub async fn signed_in_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<User>, ApiError> {
    let Some(value) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((account, user)) = decode_session(&state.session_key, &value) else {
        return Ok(None);
    };
    Ok(state.store.user(account, user).await?)
}

/// The CSRF token forms must carry, and the cookie to set when the browser has none yet.
pub struct Csrf {
    pub token: String,
    pub cookies: Vec<String>,
}

pub fn csrf(state: &AppState, headers: &HeaderMap) -> Csrf {
    match cookie(headers, CSRF_COOKIE).filter(|v| v.len() >= 32) {
        Some(token) => Csrf {
            token,
            cookies: Vec::new(),
        },
        None => {
            let token = random_secret(32);
            let cookie = set_cookie(state, CSRF_COOKIE, &token, 24 * 3600);
            Csrf {
                token,
                cookies: vec![cookie],
            }
        }
    }
}

/// Whether a form's `csrf_token` matches the browser's CSRF cookie.
pub fn csrf_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), submitted) {
        (Some(expected), Some(submitted)) => {
            expected.len() >= 32 && constant_time_eq(&expected, submitted)
        }
        _ => false,
    }
}
