//! POST /oauth2/default/v1/signin: the sign-in form of the authorize and device pages. Failed
//! attempts are throttled per account (the email tried) and per client address; the throttle
//! is checked before the password hash is computed, since hashing is the expensive part.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_domain::{EmailAddress, Timestamp};

use super::pages::{error_page, secure_headers, signin_form};
use super::password::{decoy_hash, verify_password};
use super::session::{csrf, csrf_ok, session_cookie};
use super::BASE_PATH;
use crate::error::ApiError;
use crate::AppState;

/// The peer's address (the TCP connection's; Roster does not trust forwarding headers).
pub struct PeerAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// Parses a form body into pairs (the last value of a repeated name wins).
pub fn form_fields(body: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Where a sign-in may return to: the authorization server's own pages only.
pub fn is_safe_return_path(path: &str) -> bool {
    let allowed = [
        format!("{BASE_PATH}/authorize?"),
        format!("{BASE_PATH}/device"),
    ];
    allowed
        .iter()
        .any(|prefix| path.starts_with(prefix.as_str()))
        && !path.contains("//")
        && !path.contains('\\')
}

pub const WRONG_CREDENTIALS: &str = "The email or password is wrong.";
pub const THROTTLED: &str = "Too many failed sign-in attempts. Wait a few minutes, then try again.";

/// POST /oauth2/default/v1/signin
pub async fn sign_in(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match try_sign_in(&state, address, &headers, &body).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(error = %error, "sign-in failed");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in is temporarily unavailable. Try again shortly.",
            )
        }
    }
}

async fn try_sign_in(
    state: &AppState,
    address: Option<IpAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let fields = form_fields(body);
    let return_to = fields.get("return_to").map(String::as_str).unwrap_or("");
    if !is_safe_return_path(return_to) {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "The sign-in form is incomplete: start again from the application.",
        ));
    }
    let csrf = csrf(state, headers);
    if !csrf_ok(headers, fields.get("csrf_token").map(String::as_str)) {
        return Ok(signin_form(
            &csrf.token,
            return_to,
            Some("The form expired. Sign in again."),
            &csrf.cookies,
        ));
    }
    let username = fields.get("username").map(String::as_str).unwrap_or("");
    let password = fields.get("password").cloned().unwrap_or_default();
    let settings = &state.config.oauth;
    let now = Timestamp::now();
    let window_start = now.plus_seconds(-settings.signin_window_seconds);
    let account_key = format!("account:{}", username.trim().to_lowercase());
    let address_key = format!(
        "address:{}",
        address.map(|a| a.to_string()).unwrap_or_default()
    );
    // The throttle comes first: a throttled attempt costs no hash.
    if state
        .store
        .signin_failures(&account_key, window_start)
        .await?
        >= settings.signin_failures_per_account
        || state
            .store
            .signin_failures(&address_key, window_start)
            .await?
            >= settings.signin_failures_per_address
    {
        let mut response = signin_form(&csrf.token, return_to, Some(THROTTLED), &csrf.cookies);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
    }
    let user = match EmailAddress::parse(username) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let stored_hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_string());
    let matches = verify_password(password, stored_hash)
        .await
        .map_err(ApiError::Internal)?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            for key in [&account_key, &address_key] {
                state
                    .store
                    .record_signin_failure(key, now, window_start)
                    .await?;
            }
            return Ok(signin_form(
                &csrf.token,
                return_to,
                Some(WRONG_CREDENTIALS),
                &csrf.cookies,
            ));
        }
    };
    state.store.clear_signin_failures(&account_key).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    secure_headers(headers);
    if let Ok(location) = HeaderValue::from_str(return_to) {
        headers.insert(LOCATION, location);
    }
    for cookie in csrf
        .cookies
        .iter()
        .cloned()
        .chain([session_cookie(state, &user)])
    {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(axum::http::header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn returns_only_to_the_authorization_pages() {
        assert!(super::is_safe_return_path(
            "/oauth2/default/v1/authorize?client_id=x"
        ));
        assert!(super::is_safe_return_path("/oauth2/default/v1/device"));
        assert!(!super::is_safe_return_path("https://evil.example/"));
        assert!(!super::is_safe_return_path(
            "//evil.example/oauth2/default/v1/device"
        ));
        assert!(!super::is_safe_return_path("/v3/contacts"));
    }
}
