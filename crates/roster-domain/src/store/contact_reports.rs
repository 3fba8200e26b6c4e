//! Contact reports (docs/REPORTS.md, "Contact reports"): one contact's sends and own tracking
//! events, read through the per-contact indexes (a contact's sends, its events, its
//! per-activity tracking rows), never by walking an activity's recipients.

use async_trait::async_trait;

use crate::contact_report::{
    ContactActivity, ContactActivityKey, ContactActivitySummary, ContactActivityType,
    ContactEngagement, ReportRange,
};
use crate::store::error::StoreResult;
use crate::{AccountId, ContactId, Page, PageRequest};

#[async_trait]
pub trait ContactReportStore: Send + Sync {
    /// The contact's sends and own events (machine ones excluded) of the given types, newest
    /// first, with the campaign's name when `with_names`.
    async fn contact_activities(
        &self,
        account: AccountId,
        contact: ContactId,
        types: &[ContactActivityType],
        with_names: bool,
        page: PageRequest<ContactActivityKey>,
    ) -> StoreResult<Page<ContactActivity, ContactActivityKey>>;

    /// How many activities were sent to the contact within the range (by the time each was
    /// sent), and how many of those it opened and clicked.
    async fn contact_engagement(
        &self,
        account: AccountId,
        contact: ContactId,
        range: ReportRange,
    ) -> StoreResult<ContactEngagement>;

    /// The activities sent to the contact within the range, the most recently sent first, at
    /// most `limit`, with what the contact did with each.
    async fn contact_activity_summaries(
        &self,
        account: AccountId,
        contact: ContactId,
        range: ReportRange,
        limit: u32,
    ) -> StoreResult<Vec<ContactActivitySummary>>;
}
