//! Issuing tokens, shared by every grant: access tokens carry the user's role and the grant id;
//! refresh tokens are random 43-character strings (a known client stores them in a 50-character
//! column) kept only as hashes.

use roster_domain::oauth::{GrantId, RefreshToken};
use roster_domain::{AccountId, Timestamp, UserId};

use super::client::OAuthError;
use super::tokens::{Grant, IssuedToken, DEFAULT_LIFETIME_SECONDS, LEEWAY_SECONDS};
use super::{random_secret, sha256_hex};
use crate::AppState;

/// Refresh tokens expire when unused for this long (each rotation starts a new period).
pub const REFRESH_LIFETIME_SECONDS: i64 = 180 * 24 * 3600;

/// The scope that makes a grant issue refresh tokens.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// Who and what an access token is for.
pub struct Subject {
    pub client_id: String,
    pub account: AccountId,
    pub user: UserId,
    pub grant: GrantId,
}

/// Signs an access token for the subject's user with `scopes`; the user must still exist.
pub async fn access_token(
    state: &AppState,
    subject: &Subject,
    scopes: &[String],
    lifetime_seconds: i64,
) -> Result<IssuedToken, OAuthError> {
    let user = state
        .store
        .user(subject.account, subject.user)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The user of this grant no longer exists."))?;
    Ok(state.tokens.mint(Grant {
        user: subject.user,
        account: subject.account,
        client_id: subject.client_id.clone(),
        scopes: scopes.to_vec(),
        lifetime_seconds,
        role: user.role,
        grant: Some(subject.grant),
    })?)
}

/// A new refresh token (the secret to hand out, and the record to store).
pub fn refresh_token(subject: &Subject, scopes: &[String]) -> (String, RefreshToken) {
    let secret = random_secret(32);
    let now = Timestamp::now();
    let record = RefreshToken {
        token_sha256: sha256_hex(&secret),
        grant: subject.grant,
        client_id: subject.client_id.clone(),
        account: subject.account,
        user: subject.user,
        scopes: scopes.to_vec(),
        created_at: now,
        expires_at: now.plus_seconds(REFRESH_LIFETIME_SECONDS),
        used_at: None,
        revoked_at: None,
    };
    (secret, record)
}

/// Access token, plus a refresh token when `offline_access` was granted: what the
/// authorization-code and device grants answer.
pub async fn tokens_for_new_grant(
    state: &AppState,
    subject: &Subject,
    scopes: &[String],
) -> Result<IssuedToken, OAuthError> {
    let mut issued = access_token(state, subject, scopes, DEFAULT_LIFETIME_SECONDS).await?;
    if scopes.iter().any(|s| s == OFFLINE_ACCESS) {
        let (secret, record) = refresh_token(subject, scopes);
        state.store.insert_refresh_token(&record).await?;
        issued.refresh_token = Some(secret);
    }
    Ok(issued)
}

/// Revokes a grant everywhere: its refresh tokens now, its access tokens on this node now and
/// on every other node at their next revocation refresh.
pub async fn revoke_grant(state: &AppState, grant: GrantId) -> Result<(), OAuthError> {
    let now = Timestamp::now();
    // Access tokens live at most DEFAULT_LIFETIME_SECONDS; the revocation outlives them.
    let until = now.plus_seconds(DEFAULT_LIFETIME_SECONDS + LEEWAY_SECONDS + 60);
    state.store.revoke_grant(grant, now, until).await?;
    state.tokens.note_revoked(format!("grant:{grant}"));
    Ok(())
}
