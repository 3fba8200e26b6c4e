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
    async fn segment(&self, account: AccountId, id: SegmentId) -> StoreResult<Option<Segment>>;
    async fn segments(
        &self,
        account: AccountId,
        sort: SegmentSort,
        after: Option<SegmentKey>,
        limit: u32,
    ) -> StoreResult<Page<Segment, SegmentKey>>;
    /// Overwrites name, criteria and edited_at; false when the segment does not exist.
    async fn update_segment(&self, account: AccountId, segment: &Segment) -> StoreResult<bool>;
    async fn delete_segment(&self, account: AccountId, id: SegmentId) -> StoreResult<bool>;
}
