//! Tracking: the event rows, an activity's counters, and a contact's per-activity totals as
//! the upsert returns them.

use roster_domain::tracking::{
    BounceCode, BounceCounts, Device, DeviceCounts, EventKind, TrackingCounts, TrackingEvent,
};
use roster_domain::{AccountId, CampaignActivityId, ContactId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::{corrupt, parse_enum};
use crate::tracking::ContactTotals;

#[derive(sqlx::FromRow)]
pub struct TrackingEventRow {
    pub account_id: Uuid,
    pub activity_id: Uuid,
    pub contact_id: Uuid,
    pub send_number: i64,
    pub kind: String,
    pub url_id: Option<i64>,
    pub device: String,
    pub machine: bool,
    pub bounce_code: Option<String>,
    pub occurred_at: i64,
}

impl TryFrom<TrackingEventRow> for TrackingEvent {
    type Error = StoreError;

    fn try_from(row: TrackingEventRow) -> Result<Self, StoreError> {
        Ok(Self {
            account: AccountId(row.account_id),
            activity: CampaignActivityId(row.activity_id),
            contact: ContactId(row.contact_id),
            send_number: u32::try_from(row.send_number)
                .map_err(|_| corrupt("tracking event send number"))?,
            kind: EventKind::parse(&row.kind).ok_or_else(|| corrupt("tracking event kind"))?,
            url_id: row
                .url_id
                .map(|id| u32::try_from(id).map_err(|_| corrupt("tracking event url_id")))
                .transpose()?,
            device: Device::parse(&row.device).ok_or_else(|| corrupt("tracking event device"))?,
            machine: row.machine,
            bounce_code: parse_enum(row.bounce_code, BounceCode::parse, "bounce code")?,
            occurred_at: Timestamp::from_millis(row.occurred_at),
        })
    }
}

fn count(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt("tracking counter"))
}

/// A row of `activity_tracking_counts` (the columns of `tracking::COUNTER_COLUMNS`).
#[derive(sqlx::FromRow)]
pub struct TrackingCountsRow {
    pub unique_opens: i64,
    pub opens_computer: i64,
    pub opens_mobile: i64,
    pub opens_tablet: i64,
    pub opens_other: i64,
    pub opens_none: i64,
    pub unique_clicks: i64,
    pub clicks_computer: i64,
    pub clicks_mobile: i64,
    pub clicks_tablet: i64,
    pub clicks_other: i64,
    pub clicks_none: i64,
    pub unique_forwards: i64,
    pub forwards: i64,
    pub optouts: i64,
    pub bounces: i64,
    pub bounces_b: i64,
    pub bounces_d: i64,
    pub bounces_f: i64,
    pub bounces_s: i64,
    pub bounces_v: i64,
    pub bounces_x: i64,
    pub bounces_z: i64,
    pub abuse: i64,
}

impl TryFrom<TrackingCountsRow> for TrackingCounts {
    type Error = StoreError;

    fn try_from(row: TrackingCountsRow) -> Result<Self, StoreError> {
        Ok(Self {
            unique_opens: count(row.unique_opens)?,
            opens: DeviceCounts {
                computer: count(row.opens_computer)?,
                mobile: count(row.opens_mobile)?,
                tablet: count(row.opens_tablet)?,
                other: count(row.opens_other)?,
                none: count(row.opens_none)?,
            },
            unique_clicks: count(row.unique_clicks)?,
            clicks: DeviceCounts {
                computer: count(row.clicks_computer)?,
                mobile: count(row.clicks_mobile)?,
                tablet: count(row.clicks_tablet)?,
                other: count(row.clicks_other)?,
                none: count(row.clicks_none)?,
            },
            unique_forwards: count(row.unique_forwards)?,
            forwards: count(row.forwards)?,
            optouts: count(row.optouts)?,
            bounces: count(row.bounces)?,
            bounces_by_code: BounceCounts {
                non_existent: count(row.bounces_b)?,
                undeliverable: count(row.bounces_d)?,
                mailbox_full: count(row.bounces_f)?,
                suspended: count(row.bounces_s)?,
                vacation: count(row.bounces_v)?,
                other: count(row.bounces_x)?,
                blocked: count(row.bounces_z)?,
            },
            abuse: count(row.abuse)?,
        })
    }
}

/// What the per-contact upsert returns.
#[derive(sqlx::FromRow)]
pub struct ContactTotalsRow {
    pub contact_id: Uuid,
    pub opens: i64,
    pub clicks: i64,
    pub forwards: i64,
    pub optouts: i64,
    pub bounces: i64,
    pub abuse: i64,
    pub first_bounce_code: Option<String>,
}

impl TryFrom<ContactTotalsRow> for (ContactId, ContactTotals) {
    type Error = StoreError;

    fn try_from(row: ContactTotalsRow) -> Result<Self, StoreError> {
        Ok((
            ContactId(row.contact_id),
            ContactTotals {
                opens: count(row.opens)?,
                clicks: count(row.clicks)?,
                forwards: count(row.forwards)?,
                optouts: count(row.optouts)?,
                bounces: count(row.bounces)?,
                abuse: count(row.abuse)?,
                first_bounce_code: parse_enum(
                    row.first_bounce_code,
                    BounceCode::parse,
                    "bounce code",
                )?,
            },
        ))
    }
}
