//! Bulk activities: the queue (create, claim under a lease, release, finish), the batch
//! writers that commit a batch's changes together with the activity's progress, and the
//! export files.

use async_trait::async_trait;

use crate::activity::{
    Activity, ActivityJob, ActivityState, ClaimedActivity, ContactChange, ImportItem, ImportOutcome,
};
use crate::store::error::StoreResult;
use crate::{AccountId, ActivityId, ContactId, ListId, Page, PageRequest, Timestamp};

#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// Queues an activity with its job unless the account already has `max_queued` activities
    /// that are not finished (`LimitReached`).
    async fn create_activity(
        &self,
        activity: &Activity,
        job: &ActivityJob,
        max_queued: u32,
    ) -> StoreResult<()>;
    async fn activity(&self, account: AccountId, id: ActivityId) -> StoreResult<Option<Activity>>;
    /// The account's activities created since `since`, newest first, optionally in one state.
    async fn activities(
        &self,
        account: AccountId,
        state: Option<ActivityState>,
        since: Timestamp,
        page: PageRequest<ActivityId>,
    ) -> StoreResult<Page<Activity, ActivityId>>;
    /// Atomically takes the oldest activity that is queued, or processing under an expired
    /// lease, for `node` until `lease_until`, and marks it processing.
    async fn claim_activity(
        &self,
        node: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ClaimedActivity>>;
    /// Gives a claimed activity back to the queue (graceful shutdown), so any node resumes it.
    async fn release_activity(&self, id: ActivityId, node: &str) -> StoreResult<()>;
    /// Ends an activity held by `node` in `state`, appending `errors`.
    async fn finish_activity(
        &self,
        id: ActivityId,
        node: &str,
        state: ActivityState,
        errors: &[String],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// How many activities (of any account) are not finished.
    async fn unfinished_activities(&self) -> StoreResult<i64>;
    /// One import batch, in one transaction: upserts `items` by normalised email (new
    /// contacts implicit from the Account; existing ones get only the row's properties, never
    /// a permission change), adds them to `lists`, moves the maintained counts, appends the
    /// rejected items' errors, and advances the activity (held by `node`, whose
    /// `items_completed` must still be `done`) past the batch. `Conflict` when the lease was lost.
    #[allow(clippy::too_many_arguments)]
    async fn import_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        items: &[ImportItem],
        lists: &[ListId],
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<ImportOutcome>;
    /// One batch of a contact-walking job, in one transaction: applies `change` to `contacts`
    /// (sorted by id), moves the counts and advances the activity's cursor to `last` (the last
    /// contact visited, which may have been skipped) and its progress by `visited`.
    #[allow(clippy::too_many_arguments)]
    async fn change_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        change: &ContactChange,
        contacts: &[ContactId],
        visited: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()>;
    /// One chunk of an export file, stored with the activity's progress in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn append_export_chunk(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        chunk: &[u8],
        rows: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()>;
    /// The chunk of an export file that follows chunk `after` (None: the first).
    async fn export_chunk(
        &self,
        account: AccountId,
        activity: ActivityId,
        after: Option<i64>,
    ) -> StoreResult<Option<(i64, Vec<u8>)>>;
    /// Drops activities (with their errors and files) created before `before`.
    async fn purge_activities(&self, before: Timestamp) -> StoreResult<u64>;
}
