//! What recipients do with a campaign message once it was sent, as reports count it
//! (docs/TRACKING.md; REMAINING-OPERATIONS.md §2.8): opens, clicks, forwards, opt-outs,
//! bounces and spam complaints. Each is one append-only [`TrackingEvent`], recorded with the
//! per-activity counters the reports read ([`TrackingCounts`]) in one transaction
//! (`EventStore::record_events`).
//!
//! Sends are not events: a send is a row of the send's recipients (`email_send_recipients`,
//! state `sent`), written by the delivery workers, so the send path takes no extra write.
//!
//! Nothing identifying the recipient's machine is kept: the device class and the machine flag
//! are derived from the User-Agent when the event happens, and neither the address nor the
//! User-Agent itself is stored.

use crate::recipient_token::RecipientToken;
use crate::{AccountId, CampaignActivityId, ContactId, Timestamp};

/// What a recipient did. The text values are stored: never rename them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A fetch of the open-tracking image, or an open implied by a click (a click counts as an
    /// open when none was recorded: images may be blocked).
    Open,
    /// A followed tracked link (`url_id` names it).
    Click,
    /// A use of the forward-to-a-friend page (one event per use).
    Forward,
    /// An unsubscribe through this activity's link (at most one per contact and activity).
    OptOut,
    /// A bounce (`bounce_code` says which).
    Bounce,
    /// A spam complaint (a feedback-loop report).
    Abuse,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        Self::Open,
        Self::Click,
        Self::Forward,
        Self::OptOut,
        Self::Bounce,
        Self::Abuse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Click => "click",
            Self::Forward => "forward",
            Self::OptOut => "optout",
            Self::Bounce => "bounce",
            Self::Abuse => "abuse",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The device class of an open or a click, read from the User-Agent (reports' `device_type`).
/// `None` is "not captured": machine openers and every event that is not an open or a click.
/// The text values are stored: never rename them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    Computer,
    Mobile,
    Tablet,
    Other,
    None,
}

impl Device {
    pub const ALL: [Device; 5] = [
        Self::Computer,
        Self::Mobile,
        Self::Tablet,
        Self::Other,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Computer => "computer",
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Other => "other",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// Constant Contact's bounce codes (the bounces report's `bounce_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BounceCode {
    /// B: the address does not exist.
    NonExistent,
    /// D: undeliverable after repeated attempts.
    Undeliverable,
    /// F: the mailbox is full.
    MailboxFull,
    /// S: suspended: the address bounced as non-existent repeatedly, and is no longer mailed.
    Suspended,
    /// V: a vacation or other auto-reply. The message *was* delivered.
    Vacation,
    /// X: any other refusal.
    Other,
    /// Z: blocked by the receiving provider (policy, spam).
    Blocked,
}

impl BounceCode {
    pub const ALL: [BounceCode; 7] = [
        Self::NonExistent,
        Self::Undeliverable,
        Self::MailboxFull,
        Self::Suspended,
        Self::Vacation,
        Self::Other,
        Self::Blocked,
    ];

    /// The one-letter code, as the API and the database spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NonExistent => "B",
            Self::Undeliverable => "D",
            Self::MailboxFull => "F",
            Self::Suspended => "S",
            Self::Vacation => "V",
            Self::Other => "X",
            Self::Blocked => "Z",
        }
    }

    /// A code as the API spells it (one capital letter).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Whether the message reached the mailbox all the same (an auto-reply): such bounces are
    /// listed, but not subtracted from "delivered" in the percentages.
    pub fn was_delivered(self) -> bool {
        self == Self::Vacation
    }
}

/// One thing a recipient did with one message: who (the account, activity, contact and send
/// the message's signed token names), what, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    /// The send-history `send_id` of the send whose message it was.
    pub send_number: u32,
    pub kind: EventKind,
    /// The link followed, for clicks (a positive number, stable per URL within the activity).
    pub url_id: Option<u32>,
    /// For opens and clicks; `None` for everything else and for machine events.
    pub device: Device,
    /// A known machine opener or link scanner (docs/TRACKING.md, "Machine opens"), not the
    /// recipient: it counts only in the `_all` totals, under device `none`.
    pub machine: bool,
    /// For bounces.
    pub bounce_code: Option<BounceCode>,
    pub occurred_at: Timestamp,
}

impl TrackingEvent {
    /// An event of `kind` for the recipient a verified token names, with no device, link or
    /// bounce code (set them with the `with_…` methods).
    pub fn for_recipient(token: &RecipientToken, kind: EventKind, at: Timestamp) -> Self {
        Self::new(
            token.account,
            token.activity,
            token.contact,
            token.send,
            kind,
            at,
        )
    }

    /// An event of `kind`, with no device, link or bounce code.
    pub fn new(
        account: AccountId,
        activity: CampaignActivityId,
        contact: ContactId,
        send_number: u32,
        kind: EventKind,
        at: Timestamp,
    ) -> Self {
        Self {
            account,
            activity,
            contact,
            send_number,
            kind,
            url_id: None,
            device: Device::None,
            machine: false,
            bounce_code: None,
            occurred_at: at,
        }
    }

    /// The device the event came from; a machine event is always under `none`.
    pub fn with_device(mut self, device: Device, machine: bool) -> Self {
        self.machine = machine;
        self.device = if machine { Device::None } else { device };
        self
    }

    pub fn with_url(mut self, url_id: u32) -> Self {
        self.url_id = Some(url_id);
        self
    }

    pub fn with_bounce(mut self, code: BounceCode) -> Self {
        self.bounce_code = Some(code);
        self
    }

    /// Whether the event is the recipient's own (not a machine's): only these count in the
    /// unique figures (`em_opens`, `em_clicks`), for resends and for A/B winners.
    pub fn is_human(&self) -> bool {
        !self.machine
    }
}

/// Opens or clicks by device class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceCounts {
    pub computer: u64,
    pub mobile: u64,
    pub tablet: u64,
    pub other: u64,
    /// Machine events, and any whose device was not captured.
    pub none: u64,
}

impl DeviceCounts {
    pub fn total(&self) -> u64 {
        self.computer + self.mobile + self.tablet + self.other + self.none
    }

    pub fn get(&self, device: Device) -> u64 {
        match device {
            Device::Computer => self.computer,
            Device::Mobile => self.mobile,
            Device::Tablet => self.tablet,
            Device::Other => self.other,
            Device::None => self.none,
        }
    }

    pub fn add(&mut self, device: Device, count: u64) {
        match device {
            Device::Computer => self.computer += count,
            Device::Mobile => self.mobile += count,
            Device::Tablet => self.tablet += count,
            Device::Other => self.other += count,
            Device::None => self.none += count,
        }
    }
}

/// Bounced contacts by the code of each one's first bounce from the activity (they add up to
/// `TrackingCounts::bounces`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BounceCounts {
    pub non_existent: u64,
    pub undeliverable: u64,
    pub mailbox_full: u64,
    pub suspended: u64,
    pub vacation: u64,
    pub other: u64,
    pub blocked: u64,
}

impl BounceCounts {
    pub fn get(&self, code: BounceCode) -> u64 {
        match code {
            BounceCode::NonExistent => self.non_existent,
            BounceCode::Undeliverable => self.undeliverable,
            BounceCode::MailboxFull => self.mailbox_full,
            BounceCode::Suspended => self.suspended,
            BounceCode::Vacation => self.vacation,
            BounceCode::Other => self.other,
            BounceCode::Blocked => self.blocked,
        }
    }

    pub fn add(&mut self, code: BounceCode, count: u64) {
        match code {
            BounceCode::NonExistent => self.non_existent += count,
            BounceCode::Undeliverable => self.undeliverable += count,
            BounceCode::MailboxFull => self.mailbox_full += count,
            BounceCode::Suspended => self.suspended += count,
            BounceCode::Vacation => self.vacation += count,
            BounceCode::Other => self.other += count,
            BounceCode::Blocked => self.blocked += count,
        }
    }
}

/// An activity's counters, kept with its events in the same transactions, so the statistics
/// reports read one row. "Unique" figures count contacts, and only their own (not machine)
/// events; the `_all` figures count every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackingCounts {
    /// `em_opens`: contacts who opened (a click with no open counts as one).
    pub unique_opens: u64,
    /// `em_opens_all` by device (machine opens under `none`).
    pub opens: DeviceCounts,
    /// `em_clicks`: contacts who clicked.
    pub unique_clicks: u64,
    /// `em_clicks_all` by device (machine clicks under `none`).
    pub clicks: DeviceCounts,
    /// `em_forwards`: contacts who forwarded.
    pub unique_forwards: u64,
    /// Every use of the forward page.
    pub forwards: u64,
    /// `em_optouts`: contacts who unsubscribed through this activity.
    pub optouts: u64,
    /// `em_bounces`: contacts whose message bounced.
    pub bounces: u64,
    pub bounces_by_code: BounceCounts,
    /// `em_abuse`: contacts who complained.
    pub abuse: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        for device in Device::ALL {
            assert_eq!(Device::parse(device.as_str()), Some(device));
        }
        for code in BounceCode::ALL {
            assert_eq!(BounceCode::parse(code.as_str()), Some(code));
        }
        let letters: String = BounceCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(letters, "BDFSVXZ");
        assert_eq!(BounceCode::parse("b"), None);
        assert!(BounceCode::Vacation.was_delivered());
        assert!(!BounceCode::NonExistent.was_delivered());
    }

    #[test]
    fn a_machine_event_has_no_device() {
        let event = TrackingEvent::new(
            AccountId::generate(),
            CampaignActivityId::generate(),
            ContactId::generate(),
            1,
            EventKind::Open,
            Timestamp::from_millis(1),
        );
        let human = event.clone().with_device(Device::Mobile, false);
        assert_eq!((human.device, human.is_human()), (Device::Mobile, true));
        let machine = event.with_device(Device::Computer, true);
        assert_eq!((machine.device, machine.is_human()), (Device::None, false));
    }
}
