//! The server's token signing keys (stored encrypted), shared by every node, and the public
//! URL a running server issues tokens for (their issuer and audience), so the CLI mints tokens
//! that server accepts (docs/OAUTH.md).

use async_trait::async_trait;

use crate::account::SigningKey;
use crate::store::error::StoreResult;
use crate::Timestamp;

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// Every key, newest first.
    async fn signing_keys(&self) -> StoreResult<Vec<SigningKey>>;
    /// Records the public URL `roster serve` runs with (the last server started wins).
    async fn record_public_url(&self, url: &str, now: Timestamp) -> StoreResult<()>;
    /// The public URL the last server started recorded, if any did.
    async fn recorded_public_url(&self) -> StoreResult<Option<String>>;
}
