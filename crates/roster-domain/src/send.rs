//! Scheduling and sending an email campaign activity (docs/CAMPAIGNS.md, "Sending"): when a
//! schedule falls due, what a send is (its send-history entry), its recipients as the delivery
//! queue holds them, and what a delivery of one of them came to.

use crate::campaign::Recipients;
use crate::outbox::{DeliveryOutcome, Lease};
use crate::{AccountId, CampaignActivityId, ContactId, SendId, Timestamp};

/// When POST …/schedules asks for the send: now, or at a future instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduledDate {
    Now,
    At(Timestamp),
}

impl ScheduledDate {
    /// `scheduled_date` as clients send it: `"0"` (now), a date (00:00 UTC), or a date-time in
    /// any offset, a zone-less one being UTC. An instant not in the future also means now: the
    /// Python SDK sends `"0"` as 1970-01-01T00:00:00+00:00. None when the text is none of these.
    pub fn parse(text: &str, now: Timestamp) -> Option<Self> {
        let text = text.trim();
        if text == "0" {
            return Some(Self::Now);
        }
        let at = Timestamp::parse_iso8601(text)
            .or_else(|_| Timestamp::parse_iso8601(&format!("{text}Z")))
            .ok()?;
        Some(if at > now { Self::At(at) } else { Self::Now })
    }

    /// When the scheduler starts the send.
    pub fn due_at(self, now: Timestamp) -> Timestamp {
        match self {
            Self::Now => now,
            Self::At(at) => at,
        }
    }
}

/// Where a send stands: sending, or finished with the send history's `send_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendState {
    Executing,
    Completed,
    Errored,
}

impl SendState {
    pub const ALL: [SendState; 3] = [Self::Executing, Self::Completed, Self::Errored];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Executing => "executing",
            Self::Completed => "completed",
            Self::Errored => "errored",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The send history's `reason_code`s that Roster produces (REMAINING-OPERATIONS.md §2.7 maps
/// Roster's failures to Constant Contact's codes; the others cannot happen here).
pub mod reason {
    /// Sent.
    pub const SENT: i64 = 0;
    /// The relay refused every recipient.
    pub const SEND_ERROR: i64 = 1;
    /// The reputation guard stopped the send: "could not finish sending to all".
    pub const STOPPED: i64 = 6;
    /// Nobody was eligible (reported as COMPLETED with count 0).
    pub const NO_ELIGIBLE_CONTACTS: i64 = 12;
}

/// One send of an activity: its send-history entry, and the progress the CLI shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSend {
    pub id: SendId,
    pub activity: CampaignActivityId,
    /// The history's `send_id`: 1 for the activity's first send, then 2, …
    pub number: u32,
    /// The lists or the segment it was sent to.
    pub recipients: Recipients,
    pub state: SendState,
    pub reason_code: i64,
    /// Recipients fixed when it started.
    pub recipient_count: u64,
    /// Handed to the relay so far (the history's `count`).
    pub sent: u64,
    /// Refused by the relay, or given up on.
    pub failed: u64,
    /// The history's `run_date`.
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A recipient a delivery worker claimed: enough to load what the message is rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRecipient {
    pub account: AccountId,
    pub send: SendId,
    pub send_number: u32,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    /// The address as it was when the send started.
    pub email: String,
    /// Attempts started, this one included.
    pub attempts: u32,
    pub lease: Lease,
    /// The subject of an A/B-tested activity's recipient: B is the test's alternative.
    pub subject_arm: Option<crate::ab_test::Arm>,
}

impl ClaimedRecipient {
    /// The message's `Message-ID`: derived from the send and the contact, so a resend after a
    /// crash carries the same one and nothing per recipient needs storing.
    pub fn message_id(&self, domain: &str) -> String {
        format!(
            "<{}.{}@{}>",
            self.send.0.simple(),
            self.contact.0.simple(),
            domain
        )
    }
}

/// One campaign recipient's delivery outcome, recorded with others in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendDelivery {
    pub send: SendId,
    pub contact: ContactId,
    /// The lease it was claimed under: the outcome counts only while it still holds.
    pub lease: Lease,
    pub outcome: DeliveryOutcome,
}

/// What recording a batch of deliveries came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedDeliveries {
    /// Per delivery, in order: false when its lease no longer held (another worker took the
    /// recipient over after the lease expired; that worker's outcome is the one that counts).
    pub recorded: Vec<bool>,
    /// The sends among them that are no longer executing (stopped by the reputation guard on
    /// some node): their other claimed recipients must not be mailed.
    pub stopped: Vec<SendId>,
}

/// The send and the contact a campaign message's `Message-ID` names (the inverse of
/// [`ClaimedRecipient::message_id`]), with or without its angle brackets; None for any other
/// Message-ID. A returned message's Message-ID is how a bounce names the send it is about.
pub fn campaign_message_of(message_id: &str) -> Option<(SendId, ContactId)> {
    let text = message_id.trim();
    let text = text
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(text);
    let (local, _domain) = text.split_once('@')?;
    let (send, contact) = local.split_once('.')?;
    let uuid = |hex: &str| {
        (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| uuid::Uuid::try_parse(hex).ok())
            .flatten()
    };
    Some((SendId(uuid(send)?), ContactId(uuid(contact)?)))
}

/// A campaign recipient as `roster outbox` shows it: the row, where its delivery stands, and
/// the relay's last reply. Its `lease` is the current one, or nil when none is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientEntry {
    pub recipient: ClaimedRecipient,
    pub state: String,
    pub last_reply: Option<String>,
    pub updated_at: Timestamp,
}

/// What starting a due activity came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedSend {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub send: SendId,
    pub recipient_count: u64,
}

/// What the reputation guard looks at: how the first recipients of a send fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EarlyOutcomes {
    /// Recipients the send has in all.
    pub recipient_count: u64,
    /// Recipients whose delivery finished (sent or failed), among the first `window`.
    pub finished: u64,
    /// Of those, refused permanently.
    pub refused: u64,
}

/// The reputation guard: a send stops when over `percent` of its first `window` recipients
/// (or of all of them, for a smaller send) are refused permanently at SMTP time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReputationGuard {
    pub window: u64,
    pub percent: f64,
}

impl Default for ReputationGuard {
    fn default() -> Self {
        Self {
            window: 1000,
            percent: 5.0,
        }
    }
}

impl ReputationGuard {
    /// Whether the refusals so far already exceed the share, whatever the rest of the window
    /// brings: the window is the first `window` recipients, or all of a smaller send.
    pub fn trips(&self, early: EarlyOutcomes) -> bool {
        let window = self.window.min(early.recipient_count);
        window > 0 && (early.refused as f64) * 100.0 > self.percent * (window as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_dates_read_as_clients_send_them() {
        let now = Timestamp::parse_iso8601("2026-05-01T12:00:00Z").unwrap();
        let at = |text| ScheduledDate::parse(text, now);
        assert_eq!(at("0"), Some(ScheduledDate::Now));
        assert_eq!(at("1970-01-01T00:00:00+00:00"), Some(ScheduledDate::Now));
        assert_eq!(at("2026-05-01T11:59:59Z"), Some(ScheduledDate::Now));
        let future = |text| Timestamp::parse_iso8601(text).unwrap();
        assert_eq!(
            at("2026-06-01"),
            Some(ScheduledDate::At(future("2026-06-01T00:00:00Z")))
        );
        assert_eq!(
            at("2026-06-01T10:00:00"),
            Some(ScheduledDate::At(future("2026-06-01T10:00:00Z")))
        );
        assert_eq!(
            at("2026-06-01T10:00:00+02:00"),
            Some(ScheduledDate::At(future("2026-06-01T08:00:00Z")))
        );
        for bad in ["", "tomorrow", "2026-13-01", "1", "2026-06-01T25:00:00Z"] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_campaign_message_id_names_its_send_and_contact() {
        let recipient = ClaimedRecipient {
            account: AccountId::generate(),
            send: SendId::generate(),
            send_number: 1,
            activity: CampaignActivityId::generate(),
            contact: ContactId::generate(),
            email: "a@example.com".into(),
            attempts: 1,
            lease: Lease::generate(),
            subject_arm: None,
        };
        let id = recipient.message_id("news.example.com");
        let named = Some((recipient.send, recipient.contact));
        assert_eq!(campaign_message_of(&id), named);
        assert_eq!(campaign_message_of(id.trim_matches(['<', '>'])), named);
        assert_eq!(
            campaign_message_of(&format!(" {} ", id.to_uppercase())),
            named
        );
        for other in [
            "",
            "<abc@example.com>",
            "<0192f1c47b1e7c399a513f0c8e2d4b10@example.com>",
            "<0192f1c47b1e7c399a513f0c8e2d4b10.0192f1c47b1e7c399a513f0c8e2d4b1@example.com>",
            "<0192f1c47b1e7c399a513f0c8e2d4b10.0192f1c4-7b1e-7c39-9a51-3f0c8e2d4b10@x>",
            "0192f1c47b1e7c399a513f0c8e2d4b10.0192f1c47b1e7c399a513f0c8e2d4b10",
        ] {
            assert_eq!(campaign_message_of(other), None, "{other}");
        }
    }

    #[test]
    fn the_guard_trips_only_past_the_share_of_its_window() {
        let guard = ReputationGuard::default();
        let early = |recipient_count, finished, refused| EarlyOutcomes {
            recipient_count,
            finished,
            refused,
        };
        assert!(!guard.trips(early(5000, 1000, 50)));
        assert!(guard.trips(early(5000, 60, 51)));
        // A send of 100: over 5 of them.
        assert!(!guard.trips(early(100, 100, 5)));
        assert!(guard.trips(early(100, 6, 6)));
        assert!(!guard.trips(early(0, 0, 0)));
    }
}
