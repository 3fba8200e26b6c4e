//! The email reports' rows (docs/REPORTS.md): an activity's statistics, a sent campaign's
//! position, a tracking page's row and a link's clicks. Rows whose domain value needs more
//! than the row (the time now, the report's kind) convert through a method taking it.

use roster_domain::campaign::{ActivityRole, CampaignStatus};
use roster_domain::email_report::{
    ActivityStats, EmailStats, LinkClicks, ReportActivity, SummaryKey, TrackingKey, TrackingRow,
};
use roster_domain::tracking::{BounceCode, Device, TrackingCounts};
use roster_domain::{CampaignActivityId, CampaignId, ContactId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::{corrupt, parse_enum};
use super::TrackingCountsRow;

fn count(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(what))
}

/// An activity's campaign, role and status.
#[derive(sqlx::FromRow)]
pub struct ReportActivityRow {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub role: String,
    pub status: String,
}

impl TryFrom<ReportActivityRow> for ReportActivity {
    type Error = StoreError;

    fn try_from(row: ReportActivityRow) -> Result<Self, StoreError> {
        Ok(Self {
            campaign: CampaignId(row.campaign_id),
            activity: CampaignActivityId(row.id),
            role: ActivityRole::parse_stored(&row.role).ok_or_else(|| corrupt("activity role"))?,
            status: CampaignStatus::parse_stored(&row.status)
                .ok_or_else(|| corrupt("activity status"))?,
        })
    }
}

/// What `reports::activity_stats_sql` reads.
#[derive(sqlx::FromRow)]
pub struct ActivityStatsRow {
    #[sqlx(flatten)]
    pub activity: ReportActivityRow,
    #[sqlx(flatten)]
    pub counts: TrackingCountsRow,
    pub counted_at: Option<i64>,
    pub sends: i64,
    pub send_count: i64,
    pub last_sent: Option<i64>,
    pub last_finished: Option<i64>,
    /// How many of its sends finished (fewer than `send_count`: one is executing).
    pub executing: i64,
}

impl ActivityStatsRow {
    /// The statistics, refreshed `now` while a send is executing.
    pub fn into_stats(self, now: Timestamp) -> Result<ActivityStats, StoreError> {
        let send_count = count(self.send_count, "send count")?;
        let finished = count(self.executing, "send count")?;
        let counts = TrackingCounts::try_from(self.counts)?;
        let last_refresh = if finished < send_count {
            Some(now)
        } else {
            self.counted_at
                .max(self.last_finished)
                .map(Timestamp::from_millis)
        };
        Ok(ActivityStats {
            activity: self.activity.try_into()?,
            stats: EmailStats {
                sends: count(self.sends, "mailed count")?,
                counts,
            },
            send_count,
            last_sent: self.last_sent.map(Timestamp::from_millis),
            last_refresh,
        })
    }
}

/// A sent campaign and its last send.
#[derive(sqlx::FromRow)]
pub struct SentCampaignRow {
    pub campaign_id: Uuid,
    pub last_sent: i64,
}

impl From<SentCampaignRow> for SummaryKey {
    fn from(row: SentCampaignRow) -> Self {
        SummaryKey {
            last_sent: Timestamp::from_millis(row.last_sent),
            campaign: CampaignId(row.campaign_id),
        }
    }
}

/// What `reports::tracking_page_sql` reads, for every report.
#[derive(sqlx::FromRow)]
pub struct TrackingRowSql {
    pub position: i64,
    pub contact_id: Uuid,
    pub email_address: String,
    pub at: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub deleted_at: Option<i64>,
    pub current_email: Option<String>,
    pub device: Option<String>,
    pub url_id: Option<i64>,
    pub link_url: Option<String>,
    pub opt_out_reason: Option<String>,
    pub bounce_code: Option<String>,
}

impl TrackingRowSql {
    /// The row, keyed by its event id, or by its time and contact (`keyed_by_contact`).
    pub fn into_row(self, keyed_by_contact: bool) -> Result<TrackingRow, StoreError> {
        let contact = ContactId(self.contact_id);
        Ok(TrackingRow {
            key: TrackingKey {
                position: self.position,
                contact: keyed_by_contact.then_some(contact),
            },
            contact,
            email_address: self.email_address,
            first_name: self.first_name,
            last_name: self.last_name,
            at: Timestamp::from_millis(self.at),
            contact_deleted_at: self.deleted_at.map(Timestamp::from_millis),
            device: parse_enum(self.device, Device::parse, "tracking event device")?,
            url_id: self
                .url_id
                .map(|id| u32::try_from(id).map_err(|_| corrupt("tracking event url_id")))
                .transpose()?,
            link_url: self.link_url,
            opt_out_reason: self.opt_out_reason,
            bounce_code: parse_enum(self.bounce_code, BounceCode::parse, "bounce code")?,
            current_email_address: self.current_email,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct LinkClicksRow {
    pub url_id: i64,
    pub url: String,
    pub unique_clicks: i64,
}

impl TryFrom<LinkClicksRow> for LinkClicks {
    type Error = StoreError;

    fn try_from(row: LinkClicksRow) -> Result<Self, StoreError> {
        Ok(Self {
            url_id: u32::try_from(row.url_id).map_err(|_| corrupt("link url_id"))?,
            url: row.url,
            unique_clicks: count(row.unique_clicks, "link clicks")?,
        })
    }
}
