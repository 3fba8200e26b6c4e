//! The outbox of mail to send. Server-wide rather than per account: delivery workers serve
//! every account, and the account a message was sent for is recorded on the message.

use async_trait::async_trait;

use crate::outbox::{DeliveryOutcome, Lease, OutboxEntry, OutboxState};
use crate::store::error::StoreResult;
use crate::{OutboxId, Page, PageRequest, Timestamp};

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Records a queued message before any delivery is attempted.
    async fn insert_outbox_message(&self, entry: &OutboxEntry) -> StoreResult<()>;
    /// Atomically claims up to `limit` messages that are due at `now` (queued ones whose
    /// `due_at` has passed, and `sending` ones whose lease has expired because their worker
    /// died): each becomes `sending` under `lease` until `lease_until`, with one more attempt
    /// counted. Concurrent callers (threads or nodes) never claim the same message.
    async fn claim_outbox_messages(
        &self,
        now: Timestamp,
        lease: Lease,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// Records a delivery attempt's outcome; false (and nothing changed) when `lease` is no
    /// longer the message's lease.
    async fn record_delivery(
        &self,
        id: OutboxId,
        lease: Lease,
        outcome: &DeliveryOutcome,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxEntry>>;
    /// Newest first, optionally in one state; `page.after` continues with older messages.
    async fn outbox_messages(
        &self,
        state: Option<OutboxState>,
        page: PageRequest<OutboxId>,
    ) -> StoreResult<Page<OutboxEntry, OutboxId>>;
}
