//! Resend to non-openers (docs/CAMPAIGNS.md, "Resend to non-openers"): one per campaign, its
//! own activity (role `resend`) sent `delay` after the primary's send to the contacts of the
//! primary's lists or segment who neither opened nor clicked it and did not bounce.

use crate::campaign::CampaignStatus;
use crate::{CampaignActivityId, FieldError, Timestamp};

pub const MIN_DELAY_DAYS: i64 = 1;
pub const MAX_DELAY_DAYS: i64 = 10;
pub const MIN_DELAY_MINUTES: i64 = 720;
pub const MAX_DELAY_MINUTES: i64 = 14_400;
const MINUTES_PER_DAY: i64 = 1_440;

/// The wait after the primary's send, in minutes (what both ranges come down to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResendDelay {
    minutes: i64,
}

impl ResendDelay {
    /// `delay_days` or `delay_minutes` as given: the days win when both are (the spec), one of
    /// them is required, each within its range.
    pub fn from_input(days: Option<i64>, minutes: Option<i64>) -> Result<Self, FieldError> {
        match (days, minutes) {
            (Some(days), _) if (MIN_DELAY_DAYS..=MAX_DELAY_DAYS).contains(&days) => Ok(Self {
                minutes: days * MINUTES_PER_DAY,
            }),
            (Some(_), _) => Err(FieldError::new(
                "delay_days",
                format!("must be between {MIN_DELAY_DAYS} and {MAX_DELAY_DAYS}"),
            )),
            (None, Some(minutes)) if (MIN_DELAY_MINUTES..=MAX_DELAY_MINUTES).contains(&minutes) => {
                Ok(Self { minutes })
            }
            (None, Some(_)) => Err(FieldError::new(
                "delay_minutes",
                format!("must be between {MIN_DELAY_MINUTES} and {MAX_DELAY_MINUTES}"),
            )),
            (None, None) => Err(FieldError::new(
                "delay_days",
                "either delay_days or delay_minutes is required",
            )),
        }
    }

    pub fn from_minutes(minutes: i64) -> Self {
        Self { minutes }
    }

    pub fn minutes(self) -> i64 {
        self.minutes
    }

    /// The delay in days when it is a whole number of them (the response shows it then).
    pub fn whole_days(self) -> Option<i64> {
        (self.minutes % MINUTES_PER_DAY == 0).then_some(self.minutes / MINUTES_PER_DAY)
    }

    pub fn millis(self) -> i64 {
        self.minutes * 60_000
    }

    /// When a resend of a primary sent at `sent_at` falls due.
    pub fn after(self, sent_at: Timestamp) -> Timestamp {
        Timestamp::from_millis(sent_at.millis().saturating_add(self.millis()))
    }
}

/// POST …/non_opener_resends, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResend {
    pub subject: String,
    pub delay: ResendDelay,
}

/// A campaign's resend to non-openers, as GET lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendRequest {
    /// The resend's numeric id (`resend_request_id` once the primary left DRAFT).
    pub number: i64,
    /// The resend's own activity.
    pub activity: CampaignActivityId,
    pub subject: String,
    pub delay: ResendDelay,
    /// The primary's status, which decides whether the id shows as `DRAFT`.
    pub primary_status: CampaignStatus,
    /// The resend activity's status.
    pub status: CampaignStatus,
    /// When it is due, while SCHEDULED.
    pub scheduled_at: Option<Timestamp>,
    /// When its send started, once sent.
    pub sent_at: Option<Timestamp>,
}

/// The literal id of a resend while its primary is a draft.
pub const DRAFT_REQUEST_ID: &str = "DRAFT";

impl ResendRequest {
    /// `resend_request_id` as the API shows it.
    pub fn request_id(&self) -> String {
        if self.primary_status == CampaignStatus::Draft {
            DRAFT_REQUEST_ID.to_string()
        } else {
            self.number.to_string()
        }
    }

    /// Whether `id` from a DELETE path names this resend: its shown id, or its number.
    pub fn is_named(&self, id: &str) -> bool {
        id == self.request_id() || id == self.number.to_string()
    }

    /// Deleted only before its send started.
    pub fn deletable(&self) -> bool {
        matches!(
            self.status,
            CampaignStatus::Draft | CampaignStatus::Scheduled
        )
    }
}

/// What creating a resend found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendCreation {
    Created(ResendRequest),
    /// No such activity (or a Removed one).
    NotFound,
    /// Not a primary_email activity of format 5, or in a status that takes no resend.
    Refused(CampaignStatus),
    /// The campaign has one already.
    Exists,
}

/// What deleting a resend found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendRemoval {
    Removed,
    NotFound,
    /// Its send started: it stays.
    Sent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_win_over_minutes_and_ranges_hold() {
        assert_eq!(
            ResendDelay::from_input(Some(2), Some(5)).map(|d| d.minutes()),
            Ok(2880)
        );
        assert_eq!(
            ResendDelay::from_input(None, Some(720)).map(|d| d.minutes()),
            Ok(720)
        );
        assert_eq!(
            ResendDelay::from_input(None, Some(14_400)).map(|d| d.minutes()),
            Ok(14_400)
        );
        for (days, minutes) in [(Some(0), None), (Some(11), Some(800)), (None, Some(719))] {
            assert!(ResendDelay::from_input(days, minutes).is_err());
        }
        assert!(ResendDelay::from_input(None, Some(14_401)).is_err());
        assert!(ResendDelay::from_input(None, None).is_err());
        assert_eq!(ResendDelay::from_minutes(2880).whole_days(), Some(2));
        assert_eq!(ResendDelay::from_minutes(1000).whole_days(), None);
    }
}
