//! Tracking events and what reports read from them (docs/TRACKING.md): the append-only
//! events, the per-activity counters kept with them, the per-contact state that makes unique
//! figures exact, and the tracked links of each activity.

use async_trait::async_trait;

use crate::store::error::StoreResult;
use crate::tracking::{TrackingCounts, TrackingEvent};
use crate::{AccountId, CampaignActivityId};

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Records `events` in one transaction: their rows, the per-contact state, and one counter
    /// update per (activity, kind). Events of an activity that is gone or Removed, or of a
    /// contact that is gone or deleted, are dropped (nothing is recorded for them). A human
    /// click of a contact with no open recorded (after this batch's opens) also records an
    /// open, with the click's device and time. Machine events count only in the `_all`
    /// totals, under device `none`.
    ///
    /// Opt-outs are recorded with the unsubscribe itself (`ConsentStore::
    /// record_campaign_opt_out`), not here; an `OptOut` event given here is recorded as any
    /// other.
    async fn record_events(&self, events: &[TrackingEvent]) -> StoreResult<()>;

    /// The activity's counters (zero before any event).
    async fn tracking_counts(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<TrackingCounts>;

    /// The counters computed afresh from the activity's event rows, for checks that the
    /// maintained ones are right (after a crash, in tests). Reads every event of the activity.
    async fn recount_tracking(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<TrackingCounts>;

    /// The activity's most recent events, newest first, at most `limit`.
    async fn recent_events(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        limit: u32,
    ) -> StoreResult<Vec<TrackingEvent>>;

    /// The `url_id` of each of `urls` within the activity, in the same order: the one it was
    /// given before, or the next free positive number. Each distinct URL (compared exactly as
    /// written) keeps its id for good, across the activity's sends and every node.
    async fn activity_link_ids(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        urls: &[String],
    ) -> StoreResult<Vec<u32>>;

    /// The URL a tracked link of the activity stands for, if `url_id` is one of its links.
    async fn activity_link(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        url_id: u32,
    ) -> StoreResult<Option<String>>;
}
