//! The counters behind rate limits, kept in the database so every node sees the same
//! numbers: failed sign-ins (the sign-in throttle), each client's API calls per day, each
//! account's test-send recipients per day, and the addresses forwarded to a friend per day.

use async_trait::async_trait;

use crate::forward::{ForwardClaim, ForwardQuota};
use crate::store::error::StoreResult;
use crate::{AccountId, Timestamp};

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Failed sign-ins recorded under `key` (`account:…`, `address:…`) since `since`.
    async fn signin_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64>;
    /// Counts one failed sign-in; a window older than `window_start` starts over.
    async fn record_signin_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<()>;
    async fn clear_signin_failures(&self, key: &str) -> StoreResult<()>;

    /// Adds each client's requests to its count for `day` (days since the epoch, UTC) and
    /// returns every listed client's total; a delta of 0 only reads.
    async fn add_api_usage(
        &self,
        day: i64,
        deltas: &[(String, i64)],
    ) -> StoreResult<Vec<(String, i64)>>;

    /// Counts `recipients` test-send recipients for `account` on `day` (days since the epoch,
    /// UTC) when the day's total stays within `max_per_day`, and says whether it did; a refused
    /// claim counts nothing. Atomic under concurrency.
    async fn claim_test_send_recipients(
        &self,
        account: AccountId,
        day: i64,
        recipients: u32,
        max_per_day: u32,
    ) -> StoreResult<bool>;

    /// Counts a forward's addresses for its recipient (the activity and contact) and its
    /// account on the claim's day when both totals stay within their limits, and says which
    /// limit refused it otherwise; a refused claim counts nothing. Atomic under concurrency.
    async fn claim_forwards(&self, claim: &ForwardClaim) -> StoreResult<ForwardQuota>;
}
