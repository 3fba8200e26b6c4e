//! The follow-ups of a primary activity: the resend to non-openers' request, read with its
//! primary's and its own activity's status, and the A/B test.

use roster_domain::ab_test::{AbTest, AbTestState, Arm};
use roster_domain::campaign::CampaignStatus;
use roster_domain::resend::{ResendDelay, ResendRequest};
use roster_domain::{CampaignActivityId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::corrupt;

/// The columns `ResendRow` reads, from `email_resends r` joined to the primary activity `p`
/// and the resend's own activity `a`.
pub const RESEND_COLUMNS: &str = "r.request_number, r.activity_id, r.subject, \
    r.delay_minutes, p.status AS primary_status, a.status, a.scheduled_at, \
    (SELECT MIN(s.started_at) FROM email_sends s \
     WHERE s.account_id = a.account_id AND s.campaign_activity_id = a.id) AS sent_at";

#[derive(sqlx::FromRow)]
pub struct ResendRow {
    pub request_number: i64,
    pub activity_id: Uuid,
    pub subject: String,
    pub delay_minutes: i64,
    pub primary_status: String,
    pub status: String,
    pub scheduled_at: Option<i64>,
    pub sent_at: Option<i64>,
}

impl TryFrom<ResendRow> for ResendRequest {
    type Error = StoreError;

    fn try_from(row: ResendRow) -> Result<Self, StoreError> {
        let status =
            |text: &str| CampaignStatus::parse_stored(text).ok_or_else(|| corrupt("resend status"));
        Ok(ResendRequest {
            number: row.request_number,
            activity: CampaignActivityId(row.activity_id),
            subject: row.subject,
            delay: ResendDelay::from_minutes(row.delay_minutes),
            primary_status: status(&row.primary_status)?,
            status: status(&row.status)?,
            scheduled_at: row.scheduled_at.map(Timestamp::from_millis),
            sent_at: row.sent_at.map(Timestamp::from_millis),
        })
    }
}

/// The columns `AbTestRow` reads from `email_ab_tests`.
pub const AB_TEST_COLUMNS: &str = "alternative_subject, test_size, winner_wait_hours, state, \
    seed, winner, winner_due_at";

#[derive(sqlx::FromRow)]
pub struct AbTestRow {
    pub alternative_subject: String,
    pub test_size: i64,
    pub winner_wait_hours: i64,
    pub state: String,
    pub seed: i64,
    pub winner: Option<String>,
    pub winner_due_at: Option<i64>,
}

impl TryFrom<AbTestRow> for AbTest {
    type Error = StoreError;

    fn try_from(row: AbTestRow) -> Result<Self, StoreError> {
        Ok(AbTest {
            alternative_subject: row.alternative_subject,
            test_size: row.test_size,
            winner_wait_hours: row.winner_wait_hours,
            state: AbTestState::parse_stored(&row.state)
                .ok_or_else(|| corrupt("A/B test state"))?,
            seed: row.seed,
            winner: match row.winner {
                Some(text) => Some(Arm::parse_stored(&text).ok_or_else(|| corrupt("A/B arm"))?),
                None => None,
            },
            winner_due_at: row.winner_due_at.map(Timestamp::from_millis),
        })
    }
}
