//! Segments: named contact criteria, evaluated when they are used.

use async_trait::async_trait;

use crate::segment::{Segment, SegmentKey, SegmentSort};
use crate::store::error::StoreResult;
use crate::{AccountId, Page, SegmentId, Timestamp};

#[async_trait]
pub trait SegmentStore: Send + Sync {
    /// Stores a new segment and returns it with its id; `Conflict` on a duplicate name.
    async fn create_segment(
        &self,
        account: AccountId,
        name: &str,
        criteria: &str,
        now: Timestamp,
    ) -> StoreResult<Segment>;
    /// The segment, unless it is deleted (what every use of a segment reads).
    async fn segment(&self, account: AccountId, id: SegmentId) -> StoreResult<Option<Segment>>;
    /// The segment even when deleted: GET /segments/{segment_id} shows a deleted segment's
    /// details (the spec); nothing else reads one.
    async fn segment_with_deleted(
        &self,
        account: AccountId,
        id: SegmentId,
    ) -> StoreResult<Option<Segment>>;
    async fn segments(
        &self,
        account: AccountId,
        sort: SegmentSort,
        after: Option<SegmentKey>,
        limit: u32,
    ) -> StoreResult<Page<Segment, SegmentKey>>;
    /// Overwrites name, criteria and edited_at; false when the segment does not exist (or is
    /// deleted).
    async fn update_segment(&self, account: AccountId, segment: &Segment) -> StoreResult<bool>;
    /// Marks the segment deleted (its row stays for `segment_with_deleted`, its name is free);
    /// false when it does not exist or is already deleted.
    async fn delete_segment(
        &self,
        account: AccountId,
        id: SegmentId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Every live segment, of every account, whose criteria mention a tracking condition: read
    /// once at start-up to log those whose tracking conditions keep their old evaluation.
    async fn segments_with_tracking(&self) -> StoreResult<Vec<(AccountId, Segment)>>;
}
