//! The contact reports' rows: an activity-details row, the engagement counts, and an
//! activity's summary for one contact.

use roster_domain::contact_report::{
    ContactActivity, ContactActivityKey, ContactActivitySummary, ContactActivityType,
    ContactEngagement,
};
use roster_domain::tracking::EventKind;
use roster_domain::{CampaignActivityId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::corrupt;

fn count(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt("contact report count"))
}

#[derive(sqlx::FromRow)]
pub struct ContactActivityRow {
    pub activity_id: Uuid,
    /// `send`, or an event kind.
    pub kind: String,
    pub at: i64,
    pub event_id: i64,
    pub activity_name: Option<String>,
}

impl TryFrom<ContactActivityRow> for ContactActivity {
    type Error = StoreError;

    fn try_from(row: ContactActivityRow) -> Result<Self, StoreError> {
        let kind = if row.kind == "send" {
            ContactActivityType::Send
        } else {
            ContactActivityType::Event(
                EventKind::parse(&row.kind).ok_or_else(|| corrupt("tracking event kind"))?,
            )
        };
        let activity = CampaignActivityId(row.activity_id);
        Ok(Self {
            activity,
            kind,
            at: Timestamp::from_millis(row.at),
            activity_name: row.activity_name,
            key: ContactActivityKey {
                at: row.at,
                event_id: row.event_id,
                activity,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ContactEngagementRow {
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
}

impl TryFrom<ContactEngagementRow> for ContactEngagement {
    type Error = StoreError;

    fn try_from(row: ContactEngagementRow) -> Result<Self, StoreError> {
        Ok(Self {
            sent: count(row.sent)?,
            opened: count(row.opened)?,
            clicked: count(row.clicked)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ContactActivitySummaryRow {
    pub activity_id: Uuid,
    pub last_sent_at: i64,
    pub sends: i64,
    pub opens: i64,
    pub clicks: i64,
    pub bounces: i64,
    pub forwards: i64,
    pub optouts: i64,
}

impl TryFrom<ContactActivitySummaryRow> for ContactActivitySummary {
    type Error = StoreError;

    fn try_from(row: ContactActivitySummaryRow) -> Result<Self, StoreError> {
        Ok(Self {
            activity: CampaignActivityId(row.activity_id),
            last_sent_at: Timestamp::from_millis(row.last_sent_at),
            sends: count(row.sends)?,
            opens: count(row.opens)?,
            clicks: count(row.clicks)?,
            bounces: count(row.bounces)?,
            forwards: count(row.forwards)?,
            optouts: count(row.optouts)?,
        })
    }
}
