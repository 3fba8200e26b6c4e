//! The email reports (docs/REPORTS.md; REMAINING-OPERATIONS.md §1.4, §2.8): what an activity's
//! statistics are made of, the figures derived from them (`em_not_opened`, "delivered", the
//! percents), the tracking pages' rows and keys, and the links report. Pure: the store reads
//! the counters, this module does the arithmetic, so every formula is unit-tested here.

use std::fmt;
use std::str::FromStr;

use crate::campaign::{ActivityRole, CampaignStatus};
use crate::tracking::{BounceCode, BounceCounts, Device, DeviceCounts, TrackingCounts};
use crate::{CampaignActivityId, CampaignId, ContactId, Timestamp};

/// At most this many activity ids in one activity stats call (the spec's `maximum: 10`).
pub const MAX_STATS_ACTIVITIES: usize = 10;
/// At most this many campaign ids in one campaign stats call (the spec's `maximum: 150`).
pub const MAX_STATS_CAMPAIGNS: usize = 150;

/// Whether an activity of `role` has reports: the spec says reporting data exists for
/// `primary_email` and `resend` activities only.
pub fn has_reports(role: ActivityRole) -> bool {
    matches!(role, ActivityRole::PrimaryEmail | ActivityRole::Resend)
}

/// An activity as the per-activity reports need it: whose it is, its role and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportActivity {
    pub campaign: CampaignId,
    pub activity: CampaignActivityId,
    pub role: ActivityRole,
    pub status: CampaignStatus,
}

impl ReportActivity {
    /// A Removed activity is gone for the reports (as for GET …/activities/{id}).
    pub fn is_removed(&self) -> bool {
        self.status == CampaignStatus::Removed
    }
}

/// The sends and the tracking counters of one activity, or of several added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmailStats {
    /// `em_sends`: recipients whose message the relay accepted or refused (docs/REPORTS.md).
    pub sends: u64,
    pub counts: TrackingCounts,
}

fn add_devices(total: &mut DeviceCounts, more: &DeviceCounts) {
    for device in Device::ALL {
        total.add(device, more.get(device));
    }
}

fn add_bounces(total: &mut BounceCounts, more: &BounceCounts) {
    for code in BounceCode::ALL {
        total.add(code, more.get(code));
    }
}

/// `part` over `whole` as a percent from 0 to 100 with two decimals; 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let ratio = part as f64 / whole as f64;
    (ratio * 10_000.0).round() / 100.0
}

impl EmailStats {
    /// Adds `other`'s sends and counters (a campaign's activities, a page of campaigns).
    pub fn add(&mut self, other: &EmailStats) {
        let (c, o) = (&mut self.counts, &other.counts);
        self.sends += other.sends;
        c.unique_opens += o.unique_opens;
        add_devices(&mut c.opens, &o.opens);
        c.unique_clicks += o.unique_clicks;
        add_devices(&mut c.clicks, &o.clicks);
        c.unique_forwards += o.unique_forwards;
        c.forwards += o.forwards;
        c.optouts += o.optouts;
        c.bounces += o.bounces;
        add_bounces(&mut c.bounces_by_code, &o.bounces_by_code);
        c.abuse += o.abuse;
    }

    /// `em_not_opened`: sends − opens − bounces, 0 when that is negative (the spec's formula,
    /// every bounce code included).
    pub fn not_opened(&self) -> u64 {
        self.sends
            .saturating_sub(self.counts.unique_opens)
            .saturating_sub(self.counts.bounces)
    }

    /// "Delivered": sends less the bounces that did not reach the mailbox. A V bounce (an
    /// auto-reply) proves delivery, so it is not subtracted.
    pub fn delivered(&self) -> u64 {
        let vacation = self.counts.bounces_by_code.vacation;
        let undelivered = self.counts.bounces.saturating_sub(vacation);
        self.sends.saturating_sub(undelivered)
    }

    pub fn percents(&self) -> EmailPercents {
        let c = &self.counts;
        let delivered = self.delivered();
        let (opens, clicks) = (c.opens.total(), c.clicks.total());
        EmailPercents {
            open: percent(c.unique_opens, delivered),
            did_not_open: percent(self.not_opened(), delivered),
            unsubscribe: percent(c.optouts, delivered),
            bounce: percent(c.bounces, self.sends),
            click: percent(c.unique_clicks, c.unique_opens),
            desktop_open: percent(c.opens.computer, opens),
            mobile_open: percent(c.opens.mobile + c.opens.tablet, opens),
            desktop_click: percent(c.clicks.computer, clicks),
            mobile_click: percent(c.clicks.mobile + c.clicks.tablet, clicks),
        }
    }
}

/// `PercentsEmail` (and, without the device shares, the summaries' `aggregate_percents`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EmailPercents {
    /// Openers over delivered.
    pub open: f64,
    /// `em_not_opened` over delivered.
    pub did_not_open: f64,
    /// Opt-outs over delivered.
    pub unsubscribe: f64,
    /// Bounced contacts over sends.
    pub bounce: f64,
    /// Clickers over openers.
    pub click: f64,
    /// Computer opens over every open (`em_opens_all`).
    pub desktop_open: f64,
    /// Phone and tablet opens over every open.
    pub mobile_open: f64,
    pub desktop_click: f64,
    pub mobile_click: f64,
}

/// One activity's statistics as the store reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityStats {
    pub activity: ReportActivity,
    pub stats: EmailStats,
    /// How many sends the activity's history holds (0: never sent, so no stats).
    pub send_count: u64,
    /// When the last send started.
    pub last_sent: Option<Timestamp>,
    /// When the figures last changed: the last batch of events counted, the last send
    /// finished, or now while a send is executing.
    pub last_refresh: Option<Timestamp>,
}

impl ActivityStats {
    /// Whether the activity stats call reports it (others go to `errors[]`): an activity with
    /// reports, not Removed, sent at least once.
    pub fn has_stats(&self) -> bool {
        has_reports(self.activity.role) && !self.activity.is_removed() && self.send_count > 0
    }
}

/// A campaign's statistics: its `primary_email` and `resend` activities added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignStats {
    pub campaign: CampaignId,
    pub stats: EmailStats,
    pub last_sent: Option<Timestamp>,
    pub last_refresh: Option<Timestamp>,
    /// Whether any of them was sent (a campaign never sent has no stats).
    pub sent: bool,
    pub removed: bool,
}

impl CampaignStats {
    /// Adds up each campaign's activities, in the order the campaigns are first met.
    pub fn of(activities: &[ActivityStats]) -> Vec<CampaignStats> {
        let mut campaigns: Vec<CampaignStats> = Vec::new();
        for item in activities {
            let id = item.activity.campaign;
            let index = match campaigns.iter().position(|c| c.campaign == id) {
                Some(index) => index,
                None => {
                    campaigns.push(CampaignStats {
                        campaign: id,
                        stats: EmailStats::default(),
                        last_sent: None,
                        last_refresh: None,
                        sent: false,
                        removed: false,
                    });
                    campaigns.len() - 1
                }
            };
            let campaign = &mut campaigns[index];
            campaign.removed |= item.activity.is_removed();
            if !has_reports(item.activity.role) {
                continue;
            }
            campaign.stats.add(&item.stats);
            campaign.sent |= item.send_count > 0;
            campaign.last_sent = campaign.last_sent.max(item.last_sent);
            campaign.last_refresh = campaign.last_refresh.max(item.last_refresh);
        }
        campaigns
    }

    pub fn has_stats(&self) -> bool {
        self.sent && !self.removed
    }
}

/// The position of a summaries page: the last campaign's last send, and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryKey {
    pub last_sent: Timestamp,
    pub campaign: CampaignId,
}

impl fmt::Display for SummaryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}~{}", self.last_sent.millis(), self.campaign)
    }
}

impl FromStr for SummaryKey {
    type Err = crate::InvalidId;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (at, campaign) = text.split_once('~').ok_or(crate::InvalidId)?;
        Ok(Self {
            last_sent: Timestamp::from_millis(at.parse().map_err(|_| crate::InvalidId)?),
            campaign: campaign.parse()?,
        })
    }
}

/// The eight tracking pages of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingReport {
    Sends,
    Opens,
    UniqueOpens,
    DidNotOpens,
    Clicks,
    Forwards,
    OptOuts,
    Bounces,
}

impl TrackingReport {
    /// `tracking_activity_type` of its rows.
    pub fn activity_type(self) -> &'static str {
        match self {
            Self::Sends => "em_sends",
            Self::Opens | Self::UniqueOpens => "em_opens",
            Self::DidNotOpens => "em_didnotopens",
            Self::Clicks => "em_clicks",
            Self::Forwards => "em_forwards",
            Self::OptOuts => "em_optouts",
            Self::Bounces => "em_bounces",
        }
    }

    /// Whether its pages are keyed by a time and a contact (one row per contact) rather than
    /// by the event's id.
    pub fn keyed_by_contact(self) -> bool {
        matches!(self, Self::Sends | Self::UniqueOpens | Self::DidNotOpens)
    }
}

/// The filters of the clicks and bounces pages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackingFilter {
    /// Clicks of this link only (an int64 in the spec; no link has an id beyond u32).
    pub url_id: Option<i64>,
    /// Bounces of these codes only (all when empty).
    pub bounce_codes: Vec<BounceCode>,
}

/// The position of a tracking page: the last row's event id (pages of events), or its time
/// and contact (pages of contacts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackingKey {
    pub position: i64,
    pub contact: Option<ContactId>,
}

impl fmt::Display for TrackingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.contact {
            None => write!(f, "{}", self.position),
            Some(contact) => write!(f, "{}~{contact}", self.position),
        }
    }
}

impl FromStr for TrackingKey {
    type Err = crate::InvalidId;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (position, contact) = match text.split_once('~') {
            None => (text, None),
            Some((position, contact)) => (position, Some(contact.parse()?)),
        };
        Ok(Self {
            position: position.parse().map_err(|_| crate::InvalidId)?,
            contact,
        })
    }
}

/// One row of a tracking page: the contact, when, and what the page's kind adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingRow {
    pub key: TrackingKey,
    pub contact: ContactId,
    /// The address the activity was sent to (the contact's current one when unknown).
    pub email_address: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub at: Timestamp,
    pub contact_deleted_at: Option<Timestamp>,
    pub device: Option<Device>,
    pub url_id: Option<u32>,
    pub link_url: Option<String>,
    pub opt_out_reason: Option<String>,
    pub bounce_code: Option<BounceCode>,
    /// The contact's address now (bounces).
    pub current_email_address: Option<String>,
}

/// A tracked link of an activity and how many contacts clicked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClicks {
    pub url_id: u32,
    pub url: String,
    pub unique_clicks: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(sends: u64) -> EmailStats {
        EmailStats {
            sends,
            counts: TrackingCounts::default(),
        }
    }

    #[test]
    fn percents_are_rounded_and_zero_without_a_denominator() {
        assert_eq!(percent(2, 3), 66.67);
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(3, 3), 100.0);
        assert_eq!(percent(5, 0), 0.0);
        assert_eq!(stats(0).percents(), EmailPercents::default());
    }

    #[test]
    fn delivered_keeps_vacation_bounces_and_not_opened_follows_the_spec() {
        let mut s = stats(10);
        s.counts.unique_opens = 4;
        s.counts.unique_clicks = 1;
        s.counts.optouts = 1;
        s.counts.bounces = 3;
        s.counts.bounces_by_code.vacation = 1;
        s.counts.bounces_by_code.non_existent = 2;
        s.counts.opens.computer = 3;
        s.counts.opens.mobile = 2;
        s.counts.opens.tablet = 1;
        s.counts.opens.none = 2;
        assert_eq!(s.delivered(), 8, "10 sends less 2 undelivered bounces");
        assert_eq!(s.not_opened(), 3, "10 − 4 − 3");
        let p = s.percents();
        assert_eq!(p.open, 50.0);
        assert_eq!(p.did_not_open, 37.5);
        assert_eq!(p.unsubscribe, 12.5);
        assert_eq!(p.bounce, 30.0);
        assert_eq!(p.click, 25.0);
        assert_eq!(p.desktop_open, 37.5);
        assert_eq!(p.mobile_open, 37.5);
        assert_eq!((p.desktop_click, p.mobile_click), (0.0, 0.0));
        let mut more = stats(1);
        more.counts.unique_opens = 5;
        assert_eq!(more.not_opened(), 0, "never negative");
    }

    #[test]
    fn campaigns_add_up_their_reported_activities() {
        let campaign = CampaignId::generate();
        let item = |role, sends, sent| ActivityStats {
            activity: ReportActivity {
                campaign,
                activity: CampaignActivityId::generate(),
                role,
                status: CampaignStatus::Done,
            },
            stats: stats(sends),
            send_count: sent,
            last_sent: Some(Timestamp::from_millis(sends as i64)),
            last_refresh: None,
        };
        let all = CampaignStats::of(&[
            item(ActivityRole::PrimaryEmail, 5, 1),
            item(ActivityRole::Permalink, 100, 0),
            item(ActivityRole::Resend, 2, 1),
        ]);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].stats.sends, 7);
        assert_eq!(all[0].last_sent, Some(Timestamp::from_millis(5)));
        assert!(all[0].has_stats());
        let unsent = CampaignStats::of(&[item(ActivityRole::PrimaryEmail, 0, 0)]);
        assert!(!unsent[0].has_stats());
    }

    #[test]
    fn keys_round_trip() {
        let key = TrackingKey {
            position: 42,
            contact: None,
        };
        assert_eq!(key.to_string().parse::<TrackingKey>(), Ok(key));
        let key = TrackingKey {
            position: -7,
            contact: Some(ContactId::generate()),
        };
        assert_eq!(key.to_string().parse::<TrackingKey>(), Ok(key));
        assert!("x".parse::<TrackingKey>().is_err());
        assert!("1~nope".parse::<TrackingKey>().is_err());
        let summary = SummaryKey {
            last_sent: Timestamp::from_millis(1_700_000_000_000),
            campaign: CampaignId::generate(),
        };
        assert_eq!(summary.to_string().parse::<SummaryKey>(), Ok(summary));
        assert!("12".parse::<SummaryKey>().is_err());
    }
}
