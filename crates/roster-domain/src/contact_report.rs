//! Contact reports (docs/REPORTS.md, "Contact reports"): one contact's campaign history read
//! from its sends and tracking events: the activity details page, the average open and click
//! rates over a date range, and the per-activity summary of the most recent activities.

use crate::tracking::EventKind;
use crate::{CampaignActivityId, Timestamp};

/// The longest range the rates and the summary accept (the spec: "cannot exceed 5 years").
pub const MAX_RANGE_DAYS: i64 = 5 * 365 + 1;
/// The activity summary covers at most this many activities, the most recent first.
pub const SUMMARY_ACTIVITIES: u32 = 200;

/// A tracking activity type of the activity details (`tracking_activity_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContactActivityType {
    Send,
    Event(EventKind),
    /// A landing-page type (`p_contact_*`): accepted, and never present, since Roster has no
    /// landing pages.
    LandingPage,
}

impl ContactActivityType {
    /// Every type the spec names, as it names them.
    pub const NAMES: [&'static str; 10] = [
        "em_sends",
        "em_opens",
        "em_clicks",
        "em_bounces",
        "em_optouts",
        "em_forwards",
        "p_contact_open",
        "p_contact_click",
        "p_contact_add",
        "p_contact_update",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "em_sends" => Self::Send,
            "em_opens" => Self::Event(EventKind::Open),
            "em_clicks" => Self::Event(EventKind::Click),
            "em_bounces" => Self::Event(EventKind::Bounce),
            "em_optouts" => Self::Event(EventKind::OptOut),
            "em_forwards" => Self::Event(EventKind::Forward),
            "p_contact_open" | "p_contact_click" | "p_contact_add" | "p_contact_update" => {
                Self::LandingPage
            }
            _ => return None,
        })
    }

    /// The row's `tracking_activity_type`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Send => "em_sends",
            Self::Event(EventKind::Open) => "em_opens",
            Self::Event(EventKind::Click) => "em_clicks",
            Self::Event(EventKind::Bounce) => "em_bounces",
            Self::Event(EventKind::OptOut) => "em_optouts",
            Self::Event(EventKind::Forward) => "em_forwards",
            Self::Event(EventKind::Abuse) => "em_abuse",
            Self::LandingPage => "p_contact_open",
        }
    }
}

/// One row of the activity details: a send to the contact, or one of its own events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactActivity {
    pub activity: CampaignActivityId,
    pub kind: ContactActivityType,
    pub at: Timestamp,
    /// The campaign's name, when asked for.
    pub activity_name: Option<String>,
    /// The position of the row in the page order (newest first).
    pub key: ContactActivityKey,
}

/// The position after which a page of activity details continues: newest first by time, then
/// events before sends (events by id, descending), then by activity. A send's event id is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactActivityKey {
    pub at: i64,
    pub event_id: i64,
    pub activity: CampaignActivityId,
}

impl ContactActivityKey {
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.event_id, self.activity)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        Some(Self {
            at: parts.next()?.parse().ok()?,
            event_id: parts.next()?.parse().ok()?,
            activity: parts.next()?.parse().ok()?,
        })
    }
}

/// A checked date range of the rates and the summary: `start` ≤ `end`, at most
/// [`MAX_RANGE_DAYS`] apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Why a range is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    EndBeforeStart,
    TooLong,
}

impl ReportRange {
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, RangeError> {
        if end < start {
            return Err(RangeError::EndBeforeStart);
        }
        if end.millis() - start.millis() > MAX_RANGE_DAYS * 86_400_000 {
            return Err(RangeError::TooLong);
        }
        Ok(Self { start, end })
    }
}

/// What the open and click rates are computed from: the activities sent to the contact in
/// the range, and how many of them it opened and clicked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactEngagement {
    pub sent: u64,
    pub opened: u64,
    pub clicked: u64,
}

impl ContactEngagement {
    /// Opened activities over activities sent (0 when none was sent).
    pub fn open_rate(&self) -> f64 {
        ratio(self.opened, self.sent)
    }

    /// Clicked activities over activities sent (0 when none was sent).
    pub fn click_rate(&self) -> f64 {
        ratio(self.clicked, self.sent)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One activity of the contact's summary: what it did with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactActivitySummary {
    pub activity: CampaignActivityId,
    /// The last time the activity was sent to the contact.
    pub last_sent_at: Timestamp,
    pub sends: u64,
    pub opens: u64,
    pub clicks: u64,
    pub bounces: u64,
    pub forwards: u64,
    pub optouts: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_ordered_and_at_most_five_years() {
        let day = |n: i64| Timestamp::from_millis(n * 86_400_000);
        assert!(ReportRange::new(day(0), day(MAX_RANGE_DAYS)).is_ok());
        assert_eq!(
            ReportRange::new(day(0), day(MAX_RANGE_DAYS + 1)),
            Err(RangeError::TooLong)
        );
        assert_eq!(
            ReportRange::new(day(2), day(1)),
            Err(RangeError::EndBeforeStart)
        );
    }

    #[test]
    fn rates_are_zero_without_sends() {
        assert_eq!(ContactEngagement::default().open_rate(), 0.0);
        let engagement = ContactEngagement {
            sent: 4,
            opened: 3,
            clicked: 1,
        };
        assert_eq!(engagement.open_rate(), 0.75);
        assert_eq!(engagement.click_rate(), 0.25);
    }

    #[test]
    fn keys_round_trip_and_types_parse() {
        let key = ContactActivityKey {
            at: 17,
            event_id: 4,
            activity: CampaignActivityId::generate(),
        };
        assert_eq!(ContactActivityKey::decode(&key.encode()), Some(key));
        assert_eq!(ContactActivityKey::decode("1.x.y"), None);
        for name in ContactActivityType::NAMES {
            let parsed = ContactActivityType::parse(name).unwrap();
            if parsed != ContactActivityType::LandingPage {
                assert_eq!(parsed.name(), name);
            }
        }
        assert_eq!(ContactActivityType::parse("em_abuse"), None);
    }
}
