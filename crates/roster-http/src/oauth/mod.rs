//! Roster's own OAuth2 authorization server, at the paths Constant Contact uses
//! (`/oauth2/default/v1/...`). This module owns the signing keys and access tokens; the
//! authorization flows build on them.

pub mod keys;
pub mod tokens;

use axum::extract::State;
use axum::Json;

use crate::AppState;

/// GET /oauth2/default/v1/keys: the JWKS clients verify access tokens with.
pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.tokens.jwks().await)
}
