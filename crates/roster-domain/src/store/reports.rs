//! What the email reports read (docs/REPORTS.md): an activity's role and status, the sends and
//! tracking counters of activities and campaigns, the campaigns in the order of their last
//! send, the tracking pages of an activity and its links. Read-only: the events and counters
//! are written by `EventStore` and the sends by `SendStore`.

use async_trait::async_trait;

use crate::email_report::{
    ActivityStats, LinkClicks, ReportActivity, SummaryKey, TrackingFilter, TrackingKey,
    TrackingReport, TrackingRow,
};
use crate::store::error::StoreResult;
use crate::{AccountId, CampaignActivityId, CampaignId, Page, PageRequest, Timestamp};

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The activity's campaign, role and status (Removed ones too).
    async fn report_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<ReportActivity>>;

    /// The statistics of those of `activities` the account has (Removed ones and every role
    /// too), in no particular order. `now` is the refresh time of an activity still sending.
    async fn activity_stats(
        &self,
        account: AccountId,
        activities: &[CampaignActivityId],
        now: Timestamp,
    ) -> StoreResult<Vec<ActivityStats>>;

    /// The statistics of every activity of those of `campaigns` the account has.
    async fn campaign_activity_stats(
        &self,
        account: AccountId,
        campaigns: &[CampaignId],
        now: Timestamp,
    ) -> StoreResult<Vec<ActivityStats>>;

    /// The account's campaigns that are not Removed and whose `primary_email` or `resend`
    /// activity was sent, the most recently sent first, with each one's last send.
    async fn sent_campaigns(
        &self,
        account: AccountId,
        page: PageRequest<SummaryKey>,
    ) -> StoreResult<Page<SummaryKey, SummaryKey>>;

    /// One page of an activity's tracking report, newest first.
    async fn tracking_page(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        report: TrackingReport,
        filter: &TrackingFilter,
        page: PageRequest<TrackingKey>,
    ) -> StoreResult<Page<TrackingRow, TrackingKey>>;

    /// The activity's tracked links in `url_id` order; only those someone clicked unless
    /// `with_unclicked`.
    async fn link_clicks(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        with_unclicked: bool,
    ) -> StoreResult<Vec<LinkClicks>>;
}
