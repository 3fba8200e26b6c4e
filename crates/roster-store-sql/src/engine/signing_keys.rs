//! The token signing keys, stored encrypted, and the public URL the running server recorded.

use async_trait::async_trait;
use roster_domain::account::SigningKey;
use roster_domain::{SigningKeyStore, StoreResult, Timestamp};
use roster_store_sql::rows;
use roster_store_sql::unavailable;

use super::fetch::{ExecuteWrite, FetchDomain};
use super::SqlStore;

#[async_trait]
impl SigningKeyStore for SqlStore {
    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, encrypted_private_key, public_key_der, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&key.kid)
        .bind(&key.encrypted_private_key)
        .bind(&key.public_key_der)
        .bind(key.created_at.millis())
        .run_unless_conflict(&self.pool, "a signing key with this kid already exists")
        .await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<SigningKey>> {
        sqlx::query_as::<_, rows::SigningKeyRow>(
            "SELECT kid, encrypted_private_key, public_key_der, created_at FROM signing_keys \
             ORDER BY created_at DESC, kid DESC",
        )
        .all(&self.pool)
        .await
    }

    async fn record_public_url(&self, url: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO server_settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(PUBLIC_URL)
        .bind(url)
        .bind(now.millis())
        .run(&self.pool)
        .await
    }

    async fn recorded_public_url(&self) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM server_settings WHERE name = $1")
            .bind(PUBLIC_URL)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)
    }
}

/// The `server_settings` row of the public URL.
const PUBLIC_URL: &str = "public_url";
