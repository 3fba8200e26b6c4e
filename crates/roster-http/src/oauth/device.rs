//! The device flow (RFC 8628): POST /oauth2/default/v1/device/authorize starts it; the signed-in
//! user enters the user code at GET/POST /oauth2/default/v1/device; the device polls the token
//! endpoint (see `token.rs`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use rand::Rng;
use roster_domain::oauth::{DeviceAuthorization, DeviceStatus};
use roster_domain::{StoreError, Timestamp};

use super::client::{uncached, OAuthError, OAuthParams};
use super::pages::{consent_form, error_page, escape, page, page_outcome, signin_form};
use super::session::{csrf, csrf_ok, signed_in_user};
use super::signin::form_fields;
use super::{parse_scopes, random_secret, sha256_hex, unknown_scope, BASE_PATH};
use crate::error::ApiError;
use crate::AppState;

/// User codes use consonants only (no vowels, so no words; no look-alike characters).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

fn new_user_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())] as char)
        .collect()
}

/// `BCDF-GHJK`, as shown to the user.
fn display_user_code(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..])
}

/// What the user typed, normalised: letters upper-cased, separators dropped.
fn normalise_user_code(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// POST /oauth2/default/v1/device/authorize
pub async fn start(State(state): State<AppState>, params: OAuthParams) -> Response {
    uncached(try_start(&state, &params).await.map(Json))
}

async fn try_start(
    state: &AppState,
    params: &OAuthParams,
) -> Result<serde_json::Value, OAuthError> {
    let client = params.authenticate_client(state).await?;
    let scopes = parse_scopes(params.get("scope").unwrap_or(""));
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope("The request names no scope."));
    }
    if let Some(unknown) = unknown_scope(&scopes) {
        return Err(OAuthError::invalid_scope(format!(
            "The scope {unknown} is unknown."
        )));
    }
    let settings = &state.config.oauth;
    let device_code = random_secret(32);
    let now = Timestamp::now();
    // A user-code collision is unlikely (20^8 codes); a few attempts make it negligible.
    for _ in 0..5 {
        let user_code = new_user_code();
        let record = DeviceAuthorization {
            device_code_sha256: sha256_hex(&device_code),
            user_code: user_code.clone(),
            client_id: client.client_id.clone(),
            scopes: scopes.clone(),
            status: DeviceStatus::Pending,
            approved_by: None,
            interval_seconds: settings.device_poll_interval_seconds,
            last_polled_at: None,
            created_at: now,
            expires_at: now.plus_seconds(settings.device_code_lifetime_seconds),
        };
        match state.store.insert_device_authorization(&record).await {
            Ok(()) => {
                let base = state.config.public_url.trim_end_matches('/');
                let shown = display_user_code(&user_code);
                return Ok(serde_json::json!({
                    "device_code": device_code,
                    "user_code": shown,
                    "verification_uri": format!("{base}{BASE_PATH}/device"),
                    "verification_uri_complete":
                        format!("{base}{BASE_PATH}/device?user_code={shown}"),
                    "expires_in": settings.device_code_lifetime_seconds,
                    "interval": settings.device_poll_interval_seconds,
                }));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(anyhow::anyhow!("no free user code after 5 attempts").into())
}

fn code_entry_form(message: Option<&str>, prefill: &str, cookies: &[String]) -> Response {
    let notice = message
        .map(|m| format!("<p class=\"error\">{}</p>\n", escape(m)))
        .unwrap_or_default();
    let body = format!(
        "{notice}<p>Enter the code your device shows.</p>\n<form method=\"get\" \
            action=\"{BASE_PATH}/device\">\n\
         <label for=\"user_code\">Code</label><input type=\"text\" id=\"user_code\" \
             name=\"user_code\" value=\"{}\" autocomplete=\"off\" required>\n\
         <button type=\"submit\">Continue</button>\n</form>",
        escape(prefill)
    );
    let status = if message.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(status, "Connect a device", &body, cookies)
}

/// GET /oauth2/default/v1/device[?user_code=…]: sign in, enter the code, then confirm.
pub async fn verification_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    page_outcome(
        "device verification",
        show(&state, &headers, query.unwrap_or_default()).await,
    )
}

async fn show(state: &AppState, headers: &HeaderMap, query: String) -> Result<Response, ApiError> {
    let csrf = csrf(state, headers);
    let fields = form_fields(query.as_bytes());
    let typed = fields.get("user_code").cloned().unwrap_or_default();
    let Some(user) = signed_in_user(state, headers).await? else {
        let return_to = if typed.is_empty() {
            format!("{BASE_PATH}/device")
        } else {
            format!(
                "{BASE_PATH}/device?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("user_code", &typed)
                    .finish()
            )
        };
        return Ok(signin_form(&csrf.token, &return_to, None, &csrf.cookies));
    };
    if typed.is_empty() {
        return Ok(code_entry_form(None, "", &csrf.cookies));
    }
    let code = normalise_user_code(&typed);
    let pending = state
        .store
        .device_authorization_by_user_code(&code)
        .await?
        .filter(|d| d.status == DeviceStatus::Pending && d.expires_at > Timestamp::now());
    let Some(device) = pending else {
        return Ok(code_entry_form(
            Some(
                "That code is unknown, expired or used already. Check the code your device shows.",
            ),
            &typed,
            &csrf.cookies,
        ));
    };
    let client_name = state
        .store
        .client(&device.client_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_else(|| device.client_id.clone());
    let hidden = vec![
        ("user_code".to_string(), display_user_code(&code)),
        ("csrf_token".to_string(), csrf.token.clone()),
    ];
    Ok(consent_form(
        &format!("{BASE_PATH}/device"),
        &client_name,
        user.email.as_str(),
        &device.scopes,
        &hidden,
        &csrf.cookies,
    ))
}

/// POST /oauth2/default/v1/device: the user's decision.
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    page_outcome(
        "device verification",
        try_decide(&state, &headers, &body).await,
    )
}

async fn try_decide(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let fields = form_fields(body);
    if !csrf_ok(headers, fields.get("csrf_token").map(String::as_str)) {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "The form expired or did not come from this site. Enter the code again.",
        ));
    }
    let Some(user) = signed_in_user(state, headers).await? else {
        let csrf = csrf(state, headers);
        return Ok(signin_form(
            &csrf.token,
            &format!("{BASE_PATH}/device"),
            None,
            &csrf.cookies,
        ));
    };
    let code = normalise_user_code(fields.get("user_code").map(String::as_str).unwrap_or(""));
    let decision = match fields.get("decision").map(String::as_str) {
        Some("allow") => Some((user.account_id, user.id)),
        Some("deny") => None,
        _ => {
            return Ok(error_page(
                StatusCode::BAD_REQUEST,
                "The form carried no decision.",
            ))
        }
    };
    let allowed = decision.is_some();
    if !state
        .store
        .decide_device_authorization(&code, decision, Timestamp::now())
        .await?
    {
        return Ok(code_entry_form(
            Some(
                "That code is unknown, expired or used already. Check the code your device shows.",
            ),
            "",
            &[],
        ));
    }
    let message = if allowed {
        "The device is connected. You can return to it now."
    } else {
        "The device was not connected."
    };
    Ok(page(
        StatusCode::OK,
        if allowed {
            "Device connected"
        } else {
            "Request denied"
        },
        &format!("<p>{}</p>", escape(message)),
        &[],
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_codes_are_forgiving_to_type() {
        let code = super::new_user_code();
        assert_eq!(code.len(), 8);
        let shown = super::display_user_code(&code);
        assert_eq!(super::normalise_user_code(&shown.to_lowercase()), code);
    }
}
