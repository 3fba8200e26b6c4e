//! What a batch of tracking events changes, worked out before any SQL runs: the batch split by
//! activity, each contact's tally (what goes into its `activity_contact_tracking` row), each
//! link's clicks, and the counter deltas that follow from the events alone. The unique figures
//! need the rows as they are after the upsert: [`unique_deltas`] turns what the upsert returned
//! into them. Pure, so the arithmetic is unit-tested without a database.

use std::collections::{BTreeMap, BTreeSet};

use roster_domain::tracking::{BounceCode, Device, EventKind, TrackingCounts, TrackingEvent};
use roster_domain::{AccountId, CampaignActivityId, ContactId, Timestamp};

/// The events of one activity within a batch, in the order given.
pub struct ActivityEvents<'e> {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub events: Vec<&'e TrackingEvent>,
}

/// The batch split by (account, activity), in the order of those keys: transactions on several
/// nodes then lock the activities they share in the same order, and never wait on each other
/// in a cycle.
pub fn by_activity(events: &[TrackingEvent]) -> Vec<ActivityEvents<'_>> {
    let mut groups: BTreeMap<(AccountId, CampaignActivityId), Vec<&TrackingEvent>> =
        BTreeMap::new();
    for event in events {
        groups
            .entry((event.account, event.activity))
            .or_default()
            .push(event);
    }
    groups
        .into_iter()
        .map(|((account, activity), events)| ActivityEvents {
            account,
            activity,
            events,
        })
        .collect()
}

/// One contact's own events of one activity within a batch: the values its
/// `activity_contact_tracking` row is inserted with, or incremented by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactTally {
    pub send_number: u32,
    pub opens: u64,
    pub first_open_at: Option<Timestamp>,
    pub last_open_at: Option<Timestamp>,
    pub last_open_device: Option<Device>,
    pub clicks: u64,
    pub first_click_at: Option<Timestamp>,
    /// The device of the first click: an open a click implies takes it.
    pub first_click_device: Option<Device>,
    pub last_click_at: Option<Timestamp>,
    pub forwards: u64,
    pub last_forward_at: Option<Timestamp>,
    pub optouts: u64,
    pub bounces: u64,
    pub first_bounce_code: Option<BounceCode>,
    pub last_bounce_at: Option<Timestamp>,
    pub abuse: u64,
    /// The links the contact clicked, with the time of the first click on each.
    pub clicked: BTreeMap<u32, Timestamp>,
}

fn earliest(current: Option<Timestamp>, at: Timestamp) -> Option<Timestamp> {
    Some(current.map_or(at, |c| c.min(at)))
}

impl ContactTally {
    fn add(&mut self, event: &TrackingEvent) {
        let at = event.occurred_at;
        self.send_number = self.send_number.max(event.send_number);
        match event.kind {
            EventKind::Open => {
                self.opens += 1;
                self.first_open_at = earliest(self.first_open_at, at);
                if self.last_open_at.is_none_or(|last| at >= last) {
                    self.last_open_at = Some(at);
                    self.last_open_device = Some(event.device);
                }
            }
            EventKind::Click => {
                self.clicks += 1;
                if self.first_click_at.is_none_or(|first| at < first) {
                    self.first_click_at = Some(at);
                    self.first_click_device = Some(event.device);
                }
                if self.last_click_at.is_none_or(|last| at > last) {
                    self.last_click_at = Some(at);
                }
                if let Some(url) = event.url_id {
                    let first = self.clicked.entry(url).or_insert(at);
                    *first = (*first).min(at);
                }
            }
            EventKind::Forward => {
                self.forwards += 1;
                if self.last_forward_at.is_none_or(|last| at > last) {
                    self.last_forward_at = Some(at);
                }
            }
            EventKind::OptOut => self.optouts += 1,
            EventKind::Bounce => {
                self.bounces += 1;
                if self.last_bounce_at.is_none_or(|last| at > last) {
                    self.last_bounce_at = Some(at);
                }
                if self.first_bounce_code.is_none() {
                    self.first_bounce_code = event.bounce_code.or(Some(BounceCode::Other));
                }
            }
            EventKind::Abuse => self.abuse += 1,
        }
    }
}

/// Each contact's tally of its own events (machine events are no contact's).
pub fn contact_tallies<'e>(
    events: impl IntoIterator<Item = &'e TrackingEvent>,
) -> BTreeMap<ContactId, ContactTally> {
    let mut tallies: BTreeMap<ContactId, ContactTally> = BTreeMap::new();
    for event in events.into_iter().filter(|e| e.is_human()) {
        tallies.entry(event.contact).or_default().add(event);
    }
    tallies
}

/// Clicks per link (machine ones too) and who clicked each (contacts' own clicks only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkTally {
    pub clicks: u64,
    pub clickers: BTreeSet<ContactId>,
}

pub fn link_tallies<'e>(
    events: impl IntoIterator<Item = &'e TrackingEvent>,
) -> BTreeMap<u32, LinkTally> {
    let mut links: BTreeMap<u32, LinkTally> = BTreeMap::new();
    for event in events {
        if let (EventKind::Click, Some(url)) = (event.kind, event.url_id) {
            let link = links.entry(url).or_default();
            link.clicks += 1;
            if event.is_human() {
                link.clickers.insert(event.contact);
            }
        }
    }
    links
}

/// The device an event counts under: machine events always under `none`.
fn counted_device(event: &TrackingEvent) -> Device {
    if event.machine {
        Device::None
    } else {
        event.device
    }
}

/// The counter deltas that follow from the events alone: every open and click by device, every
/// forward. The unique figures come from [`unique_deltas`].
pub fn event_deltas<'e>(events: impl IntoIterator<Item = &'e TrackingEvent>) -> TrackingCounts {
    let mut deltas = TrackingCounts::default();
    for event in events {
        match event.kind {
            EventKind::Open => deltas.opens.add(counted_device(event), 1),
            EventKind::Click => deltas.clicks.add(counted_device(event), 1),
            EventKind::Forward => deltas.forwards += 1,
            EventKind::OptOut | EventKind::Bounce | EventKind::Abuse => {}
        }
    }
    deltas
}

/// A contact's `activity_contact_tracking` row as the upsert left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactTotals {
    pub opens: u64,
    pub clicks: u64,
    pub forwards: u64,
    pub optouts: u64,
    pub bounces: u64,
    pub abuse: u64,
    pub first_bounce_code: Option<BounceCode>,
}

/// What the upsert's result means for the unique counters: a figure the batch brought from zero
/// (the row's total equals the batch's own count) is a new contact in it. Returns whether the
/// contact clicked but has no open recorded at all, so the click implies one.
pub fn unique_deltas(
    tally: &ContactTally,
    totals: &ContactTotals,
    deltas: &mut TrackingCounts,
) -> bool {
    let first = |batch: u64, total: u64| u64::from(batch > 0 && batch == total);
    deltas.unique_opens += first(tally.opens, totals.opens);
    deltas.unique_clicks += first(tally.clicks, totals.clicks);
    deltas.unique_forwards += first(tally.forwards, totals.forwards);
    deltas.optouts += first(tally.optouts, totals.optouts);
    deltas.abuse += first(tally.abuse, totals.abuse);
    if first(tally.bounces, totals.bounces) == 1 {
        deltas.bounces += 1;
        let code = totals.first_bounce_code.unwrap_or(BounceCode::Other);
        deltas.bounces_by_code.add(code, 1);
    }
    tally.clicks > 0 && totals.opens == 0
}

/// The counter columns of `activity_tracking_counts`, in the order of [`counter_values`].
pub const COUNTER_COLUMNS: [&str; 25] = [
    "unique_opens",
    "opens_computer",
    "opens_mobile",
    "opens_tablet",
    "opens_other",
    "opens_none",
    "unique_clicks",
    "clicks_computer",
    "clicks_mobile",
    "clicks_tablet",
    "clicks_other",
    "clicks_none",
    "unique_forwards",
    "forwards",
    "optouts",
    "bounces",
    "bounces_b",
    "bounces_d",
    "bounces_f",
    "bounces_s",
    "bounces_v",
    "bounces_x",
    "bounces_z",
    "abuse",
    // Not a counter, but kept with them: `updated_at` is bound separately.
    "updated_at",
];

/// The counters as the values of [`COUNTER_COLUMNS`] but the last.
pub fn counter_values(counts: &TrackingCounts) -> [u64; 24] {
    let o = &counts.opens;
    let c = &counts.clicks;
    let b = &counts.bounces_by_code;
    [
        counts.unique_opens,
        o.computer,
        o.mobile,
        o.tablet,
        o.other,
        o.none,
        counts.unique_clicks,
        c.computer,
        c.mobile,
        c.tablet,
        c.other,
        c.none,
        counts.unique_forwards,
        counts.forwards,
        counts.optouts,
        counts.bounces,
        b.non_existent,
        b.undeliverable,
        b.mailbox_full,
        b.suspended,
        b.vacation,
        b.other,
        b.blocked,
        counts.abuse,
    ]
}

/// Whether a delta changes anything.
pub fn is_zero(counts: &TrackingCounts) -> bool {
    counter_values(counts).iter().all(|v| *v == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(contact: ContactId, kind: EventKind, at: i64) -> TrackingEvent {
        TrackingEvent::new(
            AccountId(uuid::Uuid::nil()),
            CampaignActivityId(uuid::Uuid::nil()),
            contact,
            1,
            kind,
            Timestamp::from_millis(at),
        )
    }

    #[test]
    fn tallies_count_only_the_contacts_own_events() {
        let a = ContactId::generate();
        let events = vec![
            event(a, EventKind::Open, 20).with_device(Device::Mobile, false),
            event(a, EventKind::Open, 10).with_device(Device::Computer, false),
            event(a, EventKind::Open, 30).with_device(Device::Tablet, true),
            event(a, EventKind::Click, 40)
                .with_url(2)
                .with_device(Device::Mobile, false),
            event(a, EventKind::Click, 35)
                .with_url(2)
                .with_device(Device::Computer, false),
            event(a, EventKind::Click, 50)
                .with_url(3)
                .with_device(Device::Other, true),
            event(a, EventKind::Bounce, 60).with_bounce(BounceCode::MailboxFull),
            event(a, EventKind::Bounce, 70).with_bounce(BounceCode::NonExistent),
        ];
        let tallies = contact_tallies(&events);
        let tally = &tallies[&a];
        assert_eq!(tally.opens, 2);
        assert_eq!(tally.first_open_at, Some(Timestamp::from_millis(10)));
        assert_eq!(tally.last_open_at, Some(Timestamp::from_millis(20)));
        assert_eq!(tally.last_open_device, Some(Device::Mobile));
        assert_eq!(tally.clicks, 2);
        assert_eq!(tally.first_click_device, Some(Device::Computer));
        assert_eq!(
            tally.clicked,
            BTreeMap::from([(2, Timestamp::from_millis(35))])
        );
        assert_eq!(tally.first_bounce_code, Some(BounceCode::MailboxFull));

        let deltas = event_deltas(&events);
        assert_eq!(deltas.opens.total(), 3);
        assert_eq!(deltas.opens.none, 1);
        assert_eq!(deltas.clicks.total(), 3);
        assert_eq!(deltas.clicks.none, 1);
        let links = link_tallies(&events);
        assert_eq!(links[&2].clicks, 2);
        assert_eq!(links[&3].clicks, 1);
        assert!(links[&3].clickers.is_empty());
    }

    #[test]
    fn a_figure_the_batch_brought_from_zero_is_a_new_contact() {
        let tally = ContactTally {
            opens: 2,
            clicks: 1,
            bounces: 1,
            ..ContactTally::default()
        };
        let totals = ContactTotals {
            opens: 2,
            clicks: 3,
            forwards: 0,
            optouts: 0,
            bounces: 1,
            abuse: 0,
            first_bounce_code: Some(BounceCode::Blocked),
        };
        let mut deltas = TrackingCounts::default();
        assert!(!unique_deltas(&tally, &totals, &mut deltas));
        assert_eq!(deltas.unique_opens, 1);
        assert_eq!(deltas.unique_clicks, 0);
        assert_eq!((deltas.bounces, deltas.bounces_by_code.blocked), (1, 1));

        // A click with no open anywhere implies one.
        let clicked = ContactTally {
            clicks: 1,
            ..ContactTally::default()
        };
        let totals = ContactTotals {
            opens: 0,
            clicks: 1,
            ..totals
        };
        let mut deltas = TrackingCounts::default();
        assert!(unique_deltas(&clicked, &totals, &mut deltas));
        assert_eq!(deltas.unique_clicks, 1);
    }

    #[test]
    fn batches_split_by_activity_in_order() {
        let a = ContactId::generate();
        let mut other = event(a, EventKind::Open, 2);
        other.activity = CampaignActivityId::generate();
        let events = vec![
            event(a, EventKind::Open, 1),
            other,
            event(a, EventKind::Open, 3),
        ];
        let groups = by_activity(&events);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].events.len(), 2);
        assert_eq!(groups[1].events.len(), 1);
    }
}
