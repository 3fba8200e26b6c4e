//! The rate-limit counters: failed sign-ins per throttle key, API calls per client and day,
//! test-send recipients per account and day, and forwarded addresses per recipient and per
//! account and day, each moved by one upsert so concurrent nodes count together.

use async_trait::async_trait;
use roster_domain::forward::{ForwardClaim, ForwardQuota};
use roster_domain::{AccountId, RateLimitStore, StoreResult, Timestamp};
use roster_store_sql::unavailable;

use super::fetch::{ExecuteWrite, FetchDomain};
use super::SqlStore;

#[async_trait]
impl RateLimitStore for SqlStore {
    async fn signin_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64> {
        let row: Option<(i64,)> = sqlx::query_as::<_, (i64,)>(
            "SELECT failures FROM oauth_signin_failures \
             WHERE throttle_key = $1 AND window_start >= $2",
        )
        .bind(key)
        .bind(since.millis())
        .optional(&self.pool)
        .await?;
        Ok(row.map(|(failures,)| failures).unwrap_or(0))
    }

    async fn record_signin_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_signin_failures (throttle_key, window_start, failures) \
             VALUES ($1, $2, 1) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE \
             WHEN oauth_signin_failures.window_start < $3 THEN 1 \
             ELSE oauth_signin_failures.failures + 1 END, window_start = CASE \
             WHEN oauth_signin_failures.window_start < $3 THEN $2 \
             ELSE oauth_signin_failures.window_start END",
        )
        .bind(key)
        .bind(now.millis())
        .bind(window_start.millis())
        .run(&self.pool)
        .await
    }

    async fn clear_signin_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM oauth_signin_failures WHERE throttle_key = $1")
            .bind(key)
            .run(&self.pool)
            .await
    }

    async fn add_api_usage(
        &self,
        day: i64,
        deltas: &[(String, i64)],
    ) -> StoreResult<Vec<(String, i64)>> {
        let mut totals = Vec::with_capacity(deltas.len());
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        for (client_id, delta) in deltas {
            let total: Option<(i64,)> = if *delta == 0 {
                sqlx::query_as(
                    "SELECT requests FROM api_daily_usage WHERE client_id = $1 \
                     AND day = $2",
                )
                .bind(client_id)
                .bind(day)
                .fetch_optional(&mut *tx)
                .await
            } else {
                sqlx::query_as(
                    "INSERT INTO api_daily_usage (client_id, day, requests) VALUES ($1, $2, $3) \
                     ON CONFLICT (client_id, day) \
                     DO UPDATE SET requests = api_daily_usage.requests + excluded.requests \
                     RETURNING requests",
                )
                .bind(client_id)
                .bind(day)
                .bind(*delta)
                .fetch_optional(&mut *tx)
                .await
            }
            .map_err(unavailable)?;
            totals.push((client_id.clone(), total.map(|(n,)| n).unwrap_or(0)));
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(totals)
    }

    async fn claim_test_send_recipients(
        &self,
        account: AccountId,
        day: i64,
        recipients: u32,
        max_per_day: u32,
    ) -> StoreResult<bool> {
        if recipients > max_per_day {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The upsert comes first (a write first keeps SQLite from upgrading a read lock); its
        // WHERE refuses the claim that would pass the maximum, so it changes no row.
        let claimed = sqlx::query(
            "INSERT INTO test_send_daily_counts (account_id, day, recipients) \
             VALUES ($1, $2, $3) ON CONFLICT (account_id, day) DO UPDATE \
             SET recipients = test_send_daily_counts.recipients + excluded.recipients \
             WHERE test_send_daily_counts.recipients + excluded.recipients <= $4",
        )
        .bind(account.0)
        .bind(day)
        .bind(i64::from(recipients))
        .bind(i64::from(max_per_day))
        .affected(&mut *tx)
        .await?;
        // Earlier days no longer matter: one row per account stays.
        sqlx::query("DELETE FROM test_send_daily_counts WHERE account_id = $1 AND day < $2")
            .bind(account.0)
            .bind(day)
            .run(&mut *tx)
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(claimed == 1)
    }

    async fn claim_forwards(&self, claim: &ForwardClaim) -> StoreResult<ForwardQuota> {
        if claim.addresses > claim.limits.per_recipient_per_day {
            return Ok(ForwardQuota::RecipientLimit);
        }
        if claim.addresses > claim.limits.per_account_per_day {
            return Ok(ForwardQuota::AccountLimit);
        }
        let addresses = i64::from(claim.addresses);
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Each upsert's WHERE refuses the claim that would pass its limit, so it changes no
        // row; the transaction is then dropped, which rolls the other back.
        let recipient = sqlx::query(
            "INSERT INTO forward_recipient_daily_counts \
             (account_id, activity_id, contact_id, day, addresses) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (account_id, activity_id, contact_id, day) DO UPDATE \
             SET addresses = forward_recipient_daily_counts.addresses + excluded.addresses \
             WHERE forward_recipient_daily_counts.addresses + excluded.addresses <= $6",
        )
        .bind(claim.account.0)
        .bind(claim.activity.0)
        .bind(claim.contact.0)
        .bind(claim.day)
        .bind(addresses)
        .bind(i64::from(claim.limits.per_recipient_per_day))
        .affected(&mut *tx)
        .await?;
        if recipient != 1 {
            return Ok(ForwardQuota::RecipientLimit);
        }
        let account = sqlx::query(
            "INSERT INTO forward_account_daily_counts (account_id, day, addresses) \
             VALUES ($1, $2, $3) ON CONFLICT (account_id, day) DO UPDATE \
             SET addresses = forward_account_daily_counts.addresses + excluded.addresses \
             WHERE forward_account_daily_counts.addresses + excluded.addresses <= $4",
        )
        .bind(claim.account.0)
        .bind(claim.day)
        .bind(addresses)
        .bind(i64::from(claim.limits.per_account_per_day))
        .affected(&mut *tx)
        .await?;
        if account != 1 {
            return Ok(ForwardQuota::AccountLimit);
        }
        // Earlier days no longer matter: only the day's rows stay.
        for table in [
            "forward_recipient_daily_counts",
            "forward_account_daily_counts",
        ] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE account_id = $1 AND day < $2"
            ))
            .bind(claim.account.0)
            .bind(claim.day)
            .run(&mut *tx)
            .await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(ForwardQuota::Claimed)
    }
}
