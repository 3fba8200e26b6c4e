//! POST /oauth2/default/v1/revoke (RFC 7009) and /introspect (RFC 7662). Both authenticate the
//! client and act only on that client's own tokens: another client's token is answered as if it
//! were unknown (revocation: 200 and nothing happens; introspection: `active: false`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use roster_domain::Timestamp;

use super::client::{uncached, OAuthError, OAuthParams};
use super::tokens::LEEWAY_SECONDS;
use super::{issue, sha256_hex};
use crate::AppState;

/// POST /oauth2/default/v1/revoke
pub async fn revoke(State(state): State<AppState>, params: OAuthParams) -> Response {
    uncached(try_revoke(&state, &params).await.map(|()| StatusCode::OK))
}

async fn try_revoke(state: &AppState, params: &OAuthParams) -> Result<(), OAuthError> {
    let client = params.authenticate_client(state).await?;
    let token = params.require("token")?;
    if let Some(refresh) = state.store.refresh_token(&sha256_hex(token)).await? {
        if refresh.client_id == client.client_id {
            // Revoking a refresh token revokes its grant, access tokens included (RFC 7009 §2.1).
            issue::revoke_grant(state, refresh.grant).await?;
        }
        return Ok(());
    }
    if let Ok(claims) = state.tokens.verify(token).await {
        if claims.cid == client.client_id {
            let subject = format!("jti:{}", claims.jti);
            let until = Timestamp::from_millis((claims.exp + LEEWAY_SECONDS + 60) * 1000);
            state.store.insert_revocation(&subject, until).await?;
            state.tokens.note_revoked(subject);
        }
    }
    Ok(())
}

/// POST /oauth2/default/v1/introspect
pub async fn introspect(State(state): State<AppState>, params: OAuthParams) -> Response {
    uncached(try_introspect(&state, &params).await.map(Json))
}

async fn try_introspect(
    state: &AppState,
    params: &OAuthParams,
) -> Result<serde_json::Value, OAuthError> {
    let client = params.authenticate_client(state).await?;
    let token = params.require("token")?;
    let inactive = serde_json::json!({"active": false});
    if let Ok(claims) = state.tokens.verify(token).await {
        if claims.cid != client.client_id {
            return Ok(inactive);
        }
        return Ok(serde_json::json!({
            "active": true,
            "token_type": "Bearer",
            "scope": claims.scp.join(" "),
            "client_id": claims.cid,
            "sub": claims.sub,
            "exp": claims.exp,
            "iat": claims.iat,
            "iss": claims.iss,
            "aud": claims.aud,
            "jti": claims.jti,
        }));
    }
    if let Some(refresh) = state.store.refresh_token(&sha256_hex(token)).await? {
        let now = Timestamp::now();
        let live =
            refresh.used_at.is_none() && refresh.revoked_at.is_none() && refresh.expires_at > now;
        if refresh.client_id == client.client_id && live {
            return Ok(serde_json::json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": refresh.scopes.join(" "),
                "client_id": refresh.client_id,
                "sub": refresh.user.to_string(),
                "exp": refresh.expires_at.unix_seconds(),
                "iat": refresh.created_at.unix_seconds(),
            }));
        }
    }
    Ok(inactive)
}
