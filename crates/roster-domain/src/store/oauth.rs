//! OAuth's records: client applications, authorization codes, refresh tokens and the grants
//! they belong to, revocations, consents and device authorizations.

use async_trait::async_trait;

use crate::account::ClientApp;
use crate::oauth::{AuthorizationCode, DeviceAuthorization, DevicePoll, GrantId, RefreshToken};
use crate::store::error::StoreResult;
use crate::{AccountId, Timestamp, UserId};

#[async_trait]
pub trait OAuthStore: Send + Sync {
    // --- Clients ---
    async fn create_client(&self, app: &ClientApp) -> StoreResult<()>;
    async fn client(&self, client_id: &str) -> StoreResult<Option<ClientApp>>;
    /// Every client, in registration order (`roster apps list`).
    async fn clients(&self) -> StoreResult<Vec<ClientApp>>;
    /// Deletes a client with its codes, refresh tokens and device authorizations, and records a
    /// permanent revocation of `client:<id>` so its access tokens stop working on every node.
    /// Returns whether a client was deleted.
    async fn delete_client(&self, client_id: &str) -> StoreResult<bool>;

    // --- Codes, refresh tokens, revocations ---
    async fn insert_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()>;
    async fn authorization_code(&self, code_sha256: &str)
        -> StoreResult<Option<AuthorizationCode>>;
    /// Marks an unused code used; false when it was used already (by a concurrent exchange too).
    async fn claim_authorization_code(
        &self,
        code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    async fn refresh_token(&self, token_sha256: &str) -> StoreResult<Option<RefreshToken>>;
    /// Marks `old` used and stores its successor, atomically; false (and nothing stored) when
    /// `old` was used or revoked already.
    async fn rotate_refresh_token(
        &self,
        old_sha256: &str,
        successor: &RefreshToken,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Revokes a whole grant: its refresh tokens, and (through the revocation `grant:<id>`,
    /// kept until `revocation_expires_at`) the access tokens issued from it.
    async fn revoke_grant(
        &self,
        grant: GrantId,
        now: Timestamp,
        revocation_expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// Revokes every token of the user issued up to `now`, atomically: its refresh tokens, and
    /// (through the revocation `user_revocation_subject(user, now)`, kept until
    /// `revocation_expires_at`) its access tokens. Returns how many refresh tokens it revoked.
    async fn revoke_user_tokens(
        &self,
        user: UserId,
        now: Timestamp,
        revocation_expires_at: Timestamp,
    ) -> StoreResult<u64>;
    /// Records a revocation subject (`jti:…`, `grant:…`, `client:…`, `user:…`) until
    /// `expires_at`.
    async fn insert_revocation(&self, subject: &str, expires_at: Timestamp) -> StoreResult<()>;
    /// Every revocation still in force.
    async fn revocations(&self, now: Timestamp) -> StoreResult<Vec<String>>;
    /// Deletes expired codes, device authorizations, revocations and refresh tokens.
    async fn prune_oauth(&self, now: Timestamp) -> StoreResult<()>;

    // --- Consents ---
    /// The scopes a user has consented to for a client.
    async fn consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
    ) -> StoreResult<Option<Vec<String>>>;
    /// Replaces the consented scopes.
    async fn save_consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
        scopes: &[String],
    ) -> StoreResult<()>;

    // --- Device authorizations ---
    async fn insert_device_authorization(&self, device: &DeviceAuthorization) -> StoreResult<()>;
    async fn device_authorization_by_user_code(
        &self,
        user_code: &str,
    ) -> StoreResult<Option<DeviceAuthorization>>;
    /// Approves (or denies) a pending, unexpired authorization; false otherwise.
    async fn decide_device_authorization(
        &self,
        user_code: &str,
        decision: Option<(AccountId, UserId)>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Records a token-endpoint poll: `SlowDown` (and a 5 s longer interval) when it comes
    /// sooner than the interval allows.
    async fn poll_device_authorization(
        &self,
        device_code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<DevicePoll>;
    /// Marks an approved authorization used; false when it was not approved or used already.
    async fn claim_device_authorization(&self, device_code_sha256: &str) -> StoreResult<bool>;
}
