//! The outbox: messages recorded before delivery, claimed by the delivery workers under
//! leases, and their outcomes.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::outbox::{DeliveryOutcome, Lease, OutboxEntry, OutboxState};
use roster_domain::{OutboxId, OutboxStore, Page, PageRequest, StoreResult, Timestamp};
use roster_store_sql::columns::OUTBOX_COLUMNS;
use roster_store_sql::rows::{delivery_columns, OutboxRow};
use roster_store_sql::{conflict_on_unique, unavailable};

use super::fetch::{ExecuteWrite, FetchDomain};
use super::outbox_writes::write_outbox_entry;
use super::SqlStore;

#[async_trait]
impl OutboxStore for SqlStore {
    async fn insert_outbox_message(&self, entry: &OutboxEntry) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
        write_outbox_entry(&mut conn, entry)
            .await
            .map_err(|e| conflict_on_unique(e, "an outbox message with this id already exists"))?;
        Ok(())
    }

    async fn claim_outbox_messages(
        &self,
        now: Timestamp,
        lease: Lease,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        // Claimable at `$1` (now): queued and due, or sending with an expired lease (its worker
        // died mid-delivery: the at-least-once path). One text for both engines; `claim_lock`
        // says why they end the subquery differently.
        let text = format!(
            "UPDATE outbox SET state = 'sending', lease_token = $2, due_at = $3, \
             attempts = attempts + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox \
             WHERE state IN ('queued', 'sending') AND due_at <= $1 \
             ORDER BY due_at, id LIMIT $4{}) RETURNING {OUTBOX_COLUMNS}",
            self.dialect.claim_lock(),
        );
        let mut entries: Vec<OutboxEntry> = sqlx::query_as::<_, OutboxRow>(&text)
            .bind(now.millis())
            .bind(lease.0)
            .bind(lease_until.millis())
            .bind(i64::from(limit))
            .all(&self.pool)
            .await?;
        // RETURNING gives no order; oldest due first keeps delivery close to FIFO.
        entries.sort_by_key(|e| (e.created_at, e.id));
        Ok(entries)
    }

    async fn record_delivery(
        &self,
        id: OutboxId,
        lease: Lease,
        outcome: &DeliveryOutcome,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (state, reply, due_at, finished_at) = delivery_columns(outcome, now);
        let done = sqlx::query(
            "UPDATE outbox SET state = $3, last_reply = $4, due_at = $5, finished_at = $6, \
             lease_token = NULL, updated_at = $7 \
             WHERE id = $1 AND lease_token = $2 AND state = 'sending'",
        )
        .bind(id.0)
        .bind(lease.0)
        .bind(state)
        .bind(reply)
        .bind(due_at)
        .bind(finished_at)
        .bind(now.millis())
        .affected(&self.pool)
        .await?;
        Ok(done > 0)
    }

    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxEntry>> {
        static SELECT: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = $1"));
        sqlx::query_as::<_, OutboxRow>(&SELECT)
            .bind(id.0)
            .optional(&self.pool)
            .await
    }

    async fn outbox_messages(
        &self,
        state: Option<OutboxState>,
        page: PageRequest<OutboxId>,
    ) -> StoreResult<Page<OutboxEntry, OutboxId>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox \
                 WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR id < $2) \
                 ORDER BY id DESC LIMIT $3"
            )
        });
        let entries = sqlx::query_as::<_, OutboxRow>(&SELECT)
            .bind(state.map(|s| s.as_str()))
            .bind(page.after.map(|id| id.0))
            .bind(i64::from(page.limit) + 1)
            .all(&self.pool)
            .await?;
        Ok(Page::from_overfetch(entries, page.limit, |e| e.id))
    }
}
