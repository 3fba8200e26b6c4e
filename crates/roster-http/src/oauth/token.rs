//! POST /oauth2/default/v1/token: every grant. The answer holds exactly `access_token`,
//! `token_type`, `expires_in`, `scope` and, when issued, `refresh_token`.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use roster_domain::oauth::{DevicePoll, DeviceStatus};
use roster_domain::Timestamp;

use super::client::{uncached, OAuthError, OAuthParams};
use super::issue::{self, Subject};
use super::tokens::{IssuedToken, DEFAULT_LIFETIME_SECONDS};
use super::{constant_time_eq, is_valid_pkce_value, parse_scopes, pkce_challenge, sha256_hex};
use crate::AppState;

pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// POST /oauth2/default/v1/token
pub async fn token(State(state): State<AppState>, params: OAuthParams) -> Response {
    uncached(exchange(&state, &params).await.map(Json))
}

async fn exchange(state: &AppState, params: &OAuthParams) -> Result<IssuedToken, OAuthError> {
    let grant_type = params.require("grant_type")?.to_string();
    let client = params.authenticate_client(state).await?;
    match grant_type.as_str() {
        "authorization_code" => {
            authorization_code(state, params, &client.client_id, client.is_public()).await
        }
        "refresh_token" => refresh_token(state, params, &client.client_id).await,
        DEVICE_CODE_GRANT => device_code(state, params, &client.client_id).await,
        other => Err(OAuthError::new(
            "unsupported_grant_type",
            format!("The grant type {other} is not supported."),
        )),
    }
}

async fn authorization_code(
    state: &AppState,
    params: &OAuthParams,
    client_id: &str,
    public_client: bool,
) -> Result<IssuedToken, OAuthError> {
    let code = params.require("code")?;
    let hash = sha256_hex(code);
    let now = Timestamp::now();
    let stored = state
        .store
        .authorization_code(&hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The authorization code is invalid."))?;
    if stored.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "The authorization code was issued to another client.",
        ));
    }
    if stored.used_at.is_some() {
        // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
        issue::revoke_grant(state, stored.grant).await?;
        return Err(OAuthError::invalid_grant(
            "The authorization code was used already; the tokens issued from it are revoked.",
        ));
    }
    if stored.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            "The authorization code has expired.",
        ));
    }
    match params.get("redirect_uri") {
        Some(uri) if uri == stored.redirect_uri => {}
        Some(_) => {
            return Err(OAuthError::invalid_grant(
                "The redirect_uri differs from the one of the authorization request.",
            ))
        }
        None => {
            return Err(OAuthError::invalid_request(
                "The parameter redirect_uri is missing.",
            ))
        }
    }
    match (&stored.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            if !is_valid_pkce_value(verifier)
                || !constant_time_eq(&pkce_challenge(verifier), challenge)
            {
                return Err(OAuthError::invalid_grant(
                    "The code_verifier does not match the code_challenge.",
                ));
            }
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "The parameter code_verifier is missing (PKCE).",
            ))
        }
        (None, _) if public_client => {
            return Err(OAuthError::invalid_grant(
                "Public clients must use PKCE; the authorization request had no code_challenge.",
            ))
        }
        (None, _) => {}
    }
    if !state.store.claim_authorization_code(&hash, now).await? {
        // Another exchange of the same code won the race: that is a replay too.
        issue::revoke_grant(state, stored.grant).await?;
        return Err(OAuthError::invalid_grant(
            "The authorization code was used already; the tokens issued from it are revoked.",
        ));
    }
    let subject = Subject {
        client_id: stored.client_id.clone(),
        account: stored.account,
        user: stored.user,
        grant: stored.grant,
    };
    issue::tokens_for_new_grant(state, &subject, &stored.scopes).await
}

async fn refresh_token(
    state: &AppState,
    params: &OAuthParams,
    client_id: &str,
) -> Result<IssuedToken, OAuthError> {
    let presented = params.require("refresh_token")?;
    let hash = sha256_hex(presented);
    let now = Timestamp::now();
    let stored = state
        .store
        .refresh_token(&hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The refresh token is invalid."))?;
    if stored.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "The refresh token was issued to another client.",
        ));
    }
    if stored.revoked_at.is_some() {
        return Err(OAuthError::invalid_grant("The refresh token is revoked."));
    }
    if stored.used_at.is_some() {
        issue::revoke_grant(state, stored.grant).await?;
        return Err(OAuthError::invalid_grant(
            "The refresh token was used already; every token of its grant is revoked.",
        ));
    }
    if stored.expires_at <= now {
        return Err(OAuthError::invalid_grant("The refresh token has expired."));
    }
    // The requested scope may only narrow what was granted (RFC 6749 §6).
    let scopes = match params.get("scope") {
        None => stored.scopes.clone(),
        Some(text) => {
            let requested = parse_scopes(text);
            if requested.is_empty() {
                stored.scopes.clone()
            } else if let Some(extra) = requested.iter().find(|s| !stored.scopes.contains(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "The scope {extra} was not granted; a refresh may only narrow the scope."
                )));
            } else {
                requested
            }
        }
    };
    let subject = Subject {
        client_id: stored.client_id.clone(),
        account: stored.account,
        user: stored.user,
        grant: stored.grant,
    };
    let mut issued =
        issue::access_token(state, &subject, &scopes, DEFAULT_LIFETIME_SECONDS).await?;
    // The successor keeps the grant's scope, whatever this access token narrowed to.
    let (secret, successor) = issue::refresh_token(&subject, &stored.scopes);
    if !state
        .store
        .rotate_refresh_token(&hash, &successor, now)
        .await?
    {
        issue::revoke_grant(state, stored.grant).await?;
        return Err(OAuthError::invalid_grant(
            "The refresh token was used already; every token of its grant is revoked.",
        ));
    }
    issued.refresh_token = Some(secret);
    Ok(issued)
}

async fn device_code(
    state: &AppState,
    params: &OAuthParams,
    client_id: &str,
) -> Result<IssuedToken, OAuthError> {
    let device_code = params.require("device_code")?;
    let hash = sha256_hex(device_code);
    let now = Timestamp::now();
    let device = match state.store.poll_device_authorization(&hash, now).await? {
        DevicePoll::Unknown => {
            return Err(OAuthError::invalid_grant("The device code is invalid."))
        }
        DevicePoll::SlowDown => {
            return Err(OAuthError::new(
                "slow_down",
                "Polling too fast: wait 5 seconds longer between requests.",
            ))
        }
        DevicePoll::Current(device) => device,
    };
    if device.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "The device code was issued to another client.",
        ));
    }
    if device.expires_at <= now && device.status != DeviceStatus::Used {
        return Err(OAuthError::new(
            "expired_token",
            "The device code has expired.",
        ));
    }
    match device.status {
        DeviceStatus::Pending => Err(OAuthError::new(
            "authorization_pending",
            "The user has not yet approved the request.",
        )),
        DeviceStatus::Denied => Err(OAuthError::new(
            "access_denied",
            "The user denied the request.",
        )),
        DeviceStatus::Used => Err(OAuthError::invalid_grant(
            "The device code was exchanged already.",
        )),
        DeviceStatus::Approved => {
            let Some((account, user)) = device.approved_by else {
                return Err(OAuthError::invalid_grant("The device code is invalid."));
            };
            if !state.store.claim_device_authorization(&hash).await? {
                return Err(OAuthError::invalid_grant(
                    "The device code was exchanged already.",
                ));
            }
            let subject = Subject {
                client_id: device.client_id.clone(),
                account,
                user,
                grant: roster_domain::oauth::GrantId::generate(),
            };
            issue::tokens_for_new_grant(state, &subject, &device.scopes).await
        }
    }
}
