//! The token signing keys, stored encrypted.

use async_trait::async_trait;
use roster_domain::account::SigningKey;
use roster_domain::{SigningKeyStore, StoreResult};
use roster_store_sql::rows;

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
}
