//! The server's token signing keys (stored encrypted), shared by every node.

use async_trait::async_trait;

use crate::account::SigningKey;
use crate::store::error::StoreResult;

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// Every key, newest first.
    async fn signing_keys(&self) -> StoreResult<Vec<SigningKey>>;
}
