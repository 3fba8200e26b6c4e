//! The Contacts Reporting responses, shaped as the official document's
//! `ContactTrackingActivitiesPage`, `ContactOpenAndClickRates` and
//! `ContactCampaignActivitiesSummary`.

use roster_domain::contact_report::{ContactActivity, ContactActivitySummary, ContactEngagement};
use roster_domain::{CampaignActivityId, ContactId};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

/// One row of the activity details (`ContactTrackingActivity`).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ContactTrackingActivityResource {
    contact_id: String,
    campaign_activity_id: String,
    #[schema(format = DateTime)]
    created_time: String,
    tracking_activity_type: &'static str,
    campaign_activity_name: Option<String>,
}

impl ContactTrackingActivityResource {
    pub(super) fn new(contact: ContactId, row: ContactActivity, with_names: bool) -> Self {
        Self {
            contact_id: contact.to_string(),
            campaign_activity_id: row.activity.to_string(),
            created_time: date_time(row.at),
            tracking_activity_type: row.kind.name(),
            campaign_activity_name: if with_names { row.activity_name } else { None },
        }
    }
}

/// `ContactTrackingActivitiesPage`: newest first, `_links.next` while more rows exist.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ContactTrackingActivitiesPage {
    pub(super) tracking_activities: Vec<ContactTrackingActivityResource>,
    pub(super) _links: Option<PageLinks>,
}

/// `ContactOpenAndClickRates`: fractions from 0 to 1.
#[derive(Serialize, ToSchema)]
pub struct ContactOpenAndClickRates {
    contact_id: String,
    included_activities_count: i32,
    #[schema(format = Double)]
    average_open_rate: f64,
    #[schema(format = Double)]
    average_click_rate: f64,
}

impl ContactOpenAndClickRates {
    pub(super) fn new(contact: ContactId, engagement: ContactEngagement) -> Self {
        Self {
            contact_id: contact.to_string(),
            included_activities_count: i32::try_from(engagement.sent).unwrap_or(i32::MAX),
            average_open_rate: engagement.open_rate(),
            average_click_rate: engagement.click_rate(),
        }
    }
}

/// `CampaignActivitySummary`: what the contact did with one activity's message.
#[derive(Serialize, ToSchema)]
pub struct CampaignActivitySummaryResource {
    campaign_activity_id: String,
    #[schema(format = DateTime)]
    start_on: String,
    em_bounces: i32,
    em_clicks: i32,
    em_forwards: i32,
    em_opens: i32,
    em_sends: i32,
    em_unsubscribes: i32,
}

fn int32(count: u64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

impl From<ContactActivitySummary> for CampaignActivitySummaryResource {
    fn from(summary: ContactActivitySummary) -> Self {
        Self {
            campaign_activity_id: CampaignActivityId::to_string(&summary.activity),
            start_on: date_time(summary.last_sent_at),
            em_bounces: int32(summary.bounces),
            em_clicks: int32(summary.clicks),
            em_forwards: int32(summary.forwards),
            em_opens: int32(summary.opens),
            em_sends: int32(summary.sends),
            em_unsubscribes: int32(summary.optouts),
        }
    }
}

/// `ContactCampaignActivitiesSummary`: at most the 200 most recently sent activities, so never
/// a next page.
#[derive(Serialize, ToSchema)]
pub struct ContactCampaignActivitiesSummary {
    pub(super) contact_id: String,
    pub(super) campaign_activities: Vec<CampaignActivitySummaryResource>,
}
