//! GET and POST /oauth2/default/v1/authorize: the server flow (`response_type=code`, PKCE) and
//! the client flow (`response_type=token`). An unknown client or a redirect URI that is not
//! registered exactly is never redirected to: the browser gets an error page. Other errors go
//! back to the client as RFC 6749 §4.1.2.1 / §4.2.2.1 describe (query for `code`, fragment for
//! `token`). Without a session the user signs in first; consent is asked unless the user
//! consented before to the same client for the same or more scopes.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_domain::account::{ClientApp, User};
use roster_domain::oauth::{AuthorizationCode, GrantId};
use roster_domain::Timestamp;

use super::issue::{self, Subject, OFFLINE_ACCESS};
use super::pages::{consent_form, error_page, page_outcome, secure_headers, signin_form};
use super::session::{csrf, csrf_ok, signed_in_user};
use super::tokens::IMPLICIT_LIFETIME_SECONDS;
use super::{
    is_valid_pkce_value, parse_scopes, random_secret, sha256_hex, unknown_scope, BASE_PATH,
};
use crate::error::ApiError;
use crate::AppState;

/// Authorization codes are valid for 5 minutes.
pub const CODE_LIFETIME_SECONDS: i64 = 300;

/// The parameters an authorization request carries (and the consent form repeats).
const PARAMETERS: [&str; 7] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    Code,
    Token,
}

struct AuthorizationRequest {
    client: ClientApp,
    redirect_uri: String,
    response_type: ResponseType,
    scopes: Vec<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    /// The request's parameters, to repeat in forms and return paths.
    pairs: Vec<(String, String)>,
}

/// Why a request cannot proceed.
enum Refusal {
    /// Nowhere safe to redirect: an error page.
    Page(String),
    /// Back to the client with an RFC 6749 error.
    Redirect {
        redirect_uri: String,
        fragment: bool,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

impl Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
            Self::Redirect {
                redirect_uri,
                fragment,
                error,
                description,
                state,
            } => {
                let mut pairs = vec![
                    ("error", error.to_string()),
                    ("error_description", description),
                ];
                if let Some(state) = state {
                    pairs.push(("state", state));
                }
                redirect(&redirect_uri, fragment, &pairs)
            }
        }
    }
}

/// A 302 to the client's redirect URI with parameters in the query or the fragment.
fn redirect(redirect_uri: &str, fragment: bool, pairs: &[(&str, String)]) -> Response {
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        encoded.append_pair(key, value);
    }
    let encoded = encoded.finish().replace('+', "%20");
    let location = if fragment {
        format!("{redirect_uri}#{encoded}")
    } else if redirect_uri.contains('?') {
        format!("{redirect_uri}&{encoded}")
    } else {
        format!("{redirect_uri}?{encoded}")
    };
    let mut response = StatusCode::FOUND.into_response();
    secure_headers(response.headers_mut());
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            response.headers_mut().insert(LOCATION, value);
            response
        }
        Err(_) => error_page(StatusCode::BAD_REQUEST, "The redirect URI is not usable."),
    }
}

/// Validates an authorization request from its pairs.
async fn validate(
    state: &AppState,
    pairs: Vec<(String, String)>,
) -> Result<Result<AuthorizationRequest, Refusal>, ApiError> {
    let mut single = std::collections::HashMap::new();
    for (key, value) in &pairs {
        if PARAMETERS.contains(&key.as_str())
            && single.insert(key.as_str(), value.as_str()).is_some()
        {
            return Ok(Err(Refusal::Page(format!(
                "The parameter {key} is repeated; the request is invalid."
            ))));
        }
    }
    let get = |name: &str| single.get(name).copied().filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return Ok(Err(Refusal::Page(
            "The request names no client (client_id is missing).".into(),
        )));
    };
    let Some(client) = state.store.client(client_id).await? else {
        return Ok(Err(Refusal::Page(
            "The application is unknown (client_id is not registered).".into(),
        )));
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Ok(Err(Refusal::Page(
            "The request has no redirect_uri.".into(),
        )));
    };
    if !client
        .redirect_uris
        .iter()
        .any(|registered| registered == redirect_uri)
    {
        return Ok(Err(Refusal::Page(
            "The redirect_uri is not registered for this application.".into(),
        )));
    }
    let redirect_uri = redirect_uri.to_string();
    let client_state = get("state").map(String::from);
    let response_type = match get("response_type") {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        other => {
            return Ok(Err(Refusal::Redirect {
                redirect_uri,
                fragment: false,
                error: if other.is_none() {
                    "invalid_request"
                } else {
                    "unsupported_response_type"
                },
                description: "response_type must be code or token.".into(),
                state: client_state,
            }))
        }
    };
    let refuse = |error: &'static str, description: String| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        fragment: response_type == ResponseType::Token,
        error,
        description,
        state: client_state.clone(),
    };
    let scopes = parse_scopes(get("scope").unwrap_or(""));
    if scopes.is_empty() {
        return Ok(Err(refuse(
            "invalid_scope",
            "The request names no scope.".into(),
        )));
    }
    if let Some(unknown) = unknown_scope(&scopes) {
        return Ok(Err(refuse(
            "invalid_scope",
            format!("The scope {unknown} is unknown."),
        )));
    }
    let code_challenge = get("code_challenge").map(String::from);
    match (get("code_challenge_method"), &code_challenge) {
        (Some("S256"), Some(_)) | (None, Some(_)) | (None, None) => {}
        (Some("S256"), None) => {
            return Ok(Err(refuse(
                "invalid_request",
                "code_challenge is missing.".into(),
            )))
        }
        (Some(_), _) => {
            return Ok(Err(refuse(
                "invalid_request",
                "Only the S256 code_challenge_method is supported.".into(),
            )))
        }
    }
    if let Some(challenge) = &code_challenge {
        if !is_valid_pkce_value(challenge) {
            return Ok(Err(refuse(
                "invalid_request",
                "The code_challenge is malformed.".into(),
            )));
        }
    }
    if response_type == ResponseType::Code && client.is_public() && code_challenge.is_none() {
        return Ok(Err(refuse(
            "invalid_request",
            "Public clients must send a PKCE code_challenge (S256).".into(),
        )));
    }
    let pairs = PARAMETERS
        .iter()
        .filter_map(|name| get(name).map(|v| (name.to_string(), v.to_string())))
        .collect();
    Ok(Ok(AuthorizationRequest {
        client,
        redirect_uri,
        response_type,
        scopes,
        state: client_state,
        code_challenge,
        pairs,
    }))
}

fn query_of(pairs: &[(String, String)]) -> String {
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        encoded.append_pair(key, value);
    }
    encoded.finish()
}

/// GET /oauth2/default/v1/authorize
pub async fn authorize_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    page_outcome("authorization", show(&state, &headers, pairs).await)
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let request = match validate(state, pairs).await? {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    let csrf = csrf(state, headers);
    let Some(user) = signed_in_user(state, headers).await? else {
        let return_to = format!("{BASE_PATH}/authorize?{}", query_of(&request.pairs));
        return Ok(signin_form(&csrf.token, &return_to, None, &csrf.cookies));
    };
    let consented = state
        .store
        .consent(user.account_id, user.id, &request.client.client_id)
        .await?
        .unwrap_or_default();
    if request.scopes.iter().all(|scope| consented.contains(scope)) {
        return grant(state, &request, &user).await;
    }
    let mut hidden = request.pairs.clone();
    hidden.push(("csrf_token".into(), csrf.token.clone()));
    Ok(consent_form(
        &format!("{BASE_PATH}/authorize"),
        &request.client.name,
        user.email.as_str(),
        &request.scopes,
        &hidden,
        &csrf.cookies,
    ))
}

/// POST /oauth2/default/v1/authorize: the consent decision.
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    page_outcome("authorization", try_decide(&state, &headers, &body).await)
}

async fn try_decide(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let csrf_token = field("csrf_token");
    let decision = field("decision");
    let request_pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| PARAMETERS.contains(&k.as_str()))
        .cloned()
        .collect();
    if !csrf_ok(headers, csrf_token.as_deref()) {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "The form expired or did not come from this site. Start again from the application.",
        ));
    }
    let request = match validate(state, request_pairs).await? {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    let Some(user) = signed_in_user(state, headers).await? else {
        let csrf = csrf(state, headers);
        let return_to = format!("{BASE_PATH}/authorize?{}", query_of(&request.pairs));
        return Ok(signin_form(&csrf.token, &return_to, None, &csrf.cookies));
    };
    match decision.as_deref() {
        Some("allow") => {
            state
                .store
                .save_consent(
                    user.account_id,
                    user.id,
                    &request.client.client_id,
                    &request.scopes,
                )
                .await?;
            grant(state, &request, &user).await
        }
        Some("deny") => Ok(Refusal::Redirect {
            redirect_uri: request.redirect_uri.clone(),
            fragment: request.response_type == ResponseType::Token,
            error: "access_denied",
            description: "The user denied the request.".into(),
            state: request.state.clone(),
        }
        .into_response()),
        _ => Ok(error_page(
            StatusCode::BAD_REQUEST,
            "The consent form carried no decision.",
        )),
    }
}

/// Issues the code (server flow) or the access token (client flow) and redirects back.
async fn grant(
    state: &AppState,
    request: &AuthorizationRequest,
    user: &User,
) -> Result<Response, ApiError> {
    let grant = GrantId::generate();
    match request.response_type {
        ResponseType::Code => {
            let code = random_secret(32);
            let now = Timestamp::now();
            state
                .store
                .insert_authorization_code(&AuthorizationCode {
                    code_sha256: sha256_hex(&code),
                    grant,
                    client_id: request.client.client_id.clone(),
                    account: user.account_id,
                    user: user.id,
                    redirect_uri: request.redirect_uri.clone(),
                    scopes: request.scopes.clone(),
                    code_challenge: request.code_challenge.clone(),
                    created_at: now,
                    expires_at: now.plus_seconds(CODE_LIFETIME_SECONDS),
                    used_at: None,
                })
                .await?;
            let mut pairs = vec![("code", code)];
            if let Some(client_state) = &request.state {
                pairs.push(("state", client_state.clone()));
            }
            Ok(redirect(&request.redirect_uri, false, &pairs))
        }
        ResponseType::Token => {
            // The client flow issues no refresh token, so offline_access is not granted.
            let scopes: Vec<String> = request
                .scopes
                .iter()
                .filter(|s| *s != OFFLINE_ACCESS)
                .cloned()
                .collect();
            let subject = Subject {
                client_id: request.client.client_id.clone(),
                account: user.account_id,
                user: user.id,
                grant,
            };
            let issued = match issue::access_token(
                state,
                &subject,
                &scopes,
                IMPLICIT_LIFETIME_SECONDS,
            )
            .await
            {
                Ok(issued) => issued,
                Err(error) => {
                    return Ok(Refusal::Redirect {
                        redirect_uri: request.redirect_uri.clone(),
                        fragment: true,
                        error: "server_error",
                        description: error.description,
                        state: request.state.clone(),
                    }
                    .into_response())
                }
            };
            let mut pairs = vec![
                ("access_token", issued.access_token),
                ("token_type", issued.token_type),
                ("expires_in", issued.expires_in.to_string()),
                ("scope", issued.scope),
            ];
            if let Some(client_state) = &request.state {
                pairs.push(("state", client_state.clone()));
            }
            Ok(redirect(&request.redirect_uri, true, &pairs))
        }
    }
}
