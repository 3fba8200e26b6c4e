//! The email reports as the V3 document shapes them (docs/REPORTS.md): the links report, the
//! eight tracking pages (one row type per set of properties the document gives), the
//! statistics of activities and campaigns with their `errors[]`, and the campaign summaries.

use roster_domain::email_report::{
    ActivityStats, CampaignStats, EmailPercents, EmailStats, LinkClicks, TrackingRow,
};
use roster_domain::{CampaignActivityId, Timestamp};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::cursor::Link;
use crate::wire::{date_time, PageLinks};

/// `EmailLinkClickCount`: no click segmentation or link tags in Roster, so `list_action`,
/// `list_id` and `link_tag` are never shown.
#[derive(Serialize, ToSchema)]
pub struct EmailLinkClickCount {
    link_url: String,
    url_id: String,
    unique_clicks: i64,
}

/// GET /reports/email_reports/{campaign_activity_id}/links (`EmailLinks`).
#[derive(Serialize, ToSchema)]
pub struct EmailLinks {
    campaign_activity_id: String,
    link_click_counts: Vec<EmailLinkClickCount>,
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl EmailLinks {
    pub fn new(activity: CampaignActivityId, links: &[LinkClicks]) -> Self {
        Self {
            campaign_activity_id: activity.to_string(),
            link_click_counts: links
                .iter()
                .map(|link| EmailLinkClickCount {
                    link_url: link.url.clone(),
                    url_id: link.url_id.to_string(),
                    unique_clicks: signed(link.unique_clicks),
                })
                .collect(),
        }
    }
}

/// The properties every tracking row has.
struct Common {
    contact_id: String,
    campaign_activity_id: String,
    tracking_activity_type: &'static str,
    email_address: String,
    first_name: Option<String>,
    last_name: Option<String>,
    created_time: String,
    deleted_at: Option<String>,
}

fn common(activity: CampaignActivityId, kind: &'static str, row: &TrackingRow) -> Common {
    Common {
        contact_id: row.contact.to_string(),
        campaign_activity_id: activity.to_string(),
        tracking_activity_type: kind,
        email_address: row.email_address.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        created_time: date_time(row.at),
        deleted_at: row.contact_deleted_at.map(Timestamp::to_date),
    }
}

/// Declares a tracking row type: the common properties and `$extra`, built by `$build`.
macro_rules! tracking_row {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $type:ty),* } $build:expr) => {
        $(#[$doc])*
        #[skip_serializing_none]
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            contact_id: String,
            campaign_activity_id: String,
            tracking_activity_type: &'static str,
            email_address: String,
            first_name: Option<String>,
            last_name: Option<String>,
            $($field: $type,)*
            created_time: String,
            /// The date the contact was deleted, if it was.
            deleted_at: Option<String>,
        }

        impl $name {
            pub fn new(
                activity: CampaignActivityId,
                kind: &'static str,
                row: &TrackingRow,
            ) -> Self {
                let c = common(activity, kind, row);
                #[allow(clippy::redundant_closure_call)]
                let ($($field,)*) = ($build)(row);
                Self {
                    contact_id: c.contact_id,
                    campaign_activity_id: c.campaign_activity_id,
                    tracking_activity_type: c.tracking_activity_type,
                    email_address: c.email_address,
                    first_name: c.first_name,
                    last_name: c.last_name,
                    $($field,)*
                    created_time: c.created_time,
                    deleted_at: c.deleted_at,
                }
            }
        }
    };
}

fn device(row: &TrackingRow) -> Option<String> {
    row.device.map(|d| d.as_str().to_string())
}

tracking_row!(
    /// `SendsTrackingActivity`, `DidNotOpensTrackingActivity` and `ForwardsTrackingActivity`
    /// (the same properties).
    ContactActivity {} |_row: &TrackingRow| ()
);
tracking_row!(
    /// `OpensTrackingActivity` (opens and unique opens).
    OpensTrackingActivity { device_type: Option<String> } |row: &TrackingRow| (device(row),)
);
tracking_row!(
    /// `ClicksTrackingActivity`.
    ClicksTrackingActivity { device_type: Option<String>, url_id: String, link_url: String }
    |row: &TrackingRow| (
        device(row),
        row.url_id.map(|id| id.to_string()).unwrap_or_default(),
        row.link_url.clone().unwrap_or_default(),
    )
);
tracking_row!(
    /// `OptoutsTrackingActivity`.
    OptoutsTrackingActivity { opt_out_reason: Option<String> }
    |row: &TrackingRow| (row.opt_out_reason.clone(),)
);
tracking_row!(
    /// `BouncesTrackingActivity`.
    BouncesTrackingActivity { bounce_code: String, current_email_address: Option<String> }
    |row: &TrackingRow| (
        row.bounce_code.map(|c| c.as_str()).unwrap_or("X").to_string(),
        row.current_email_address.clone(),
    )
);

/// `reportingLinks`: on the opt-outs and bounces pages always present (the document requires
/// it), with `next` when a next page exists.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ReportingLinks {
    next: Option<Link>,
}

/// Declares a tracking page of `$row`s; `_links` is `Option<PageLinks>` (shown only when a
/// next page exists) or `ReportingLinks` (always shown).
macro_rules! tracking_page {
    ($(#[$doc:meta])* $name:ident($row:ty), $links:ty, $make:expr) => {
        $(#[$doc])*
        #[skip_serializing_none]
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            tracking_activities: Vec<$row>,
            _links: $links,
        }

        impl $name {
            pub fn new(tracking_activities: Vec<$row>, links: Option<PageLinks>) -> Self {
                #[allow(clippy::redundant_closure_call)]
                let _links = ($make)(links);
                Self {
                    tracking_activities,
                    _links,
                }
            }
        }
    };
}

fn optional(links: Option<PageLinks>) -> Option<PageLinks> {
    links
}

fn always(links: Option<PageLinks>) -> ReportingLinks {
    ReportingLinks {
        next: links.map(|l| l.next),
    }
}

tracking_page!(
    /// `SendsTrackingActivitiesPage`, `DidNotOpensTrackingActivitiesPage` and
    /// `ForwardsTrackingActivitiesPage`.
    ContactActivitiesPage(ContactActivity), Option<PageLinks>, optional
);
tracking_page!(
    /// `OpensTrackingActivitiesPage` (opens and unique opens).
    OpensTrackingActivitiesPage(OpensTrackingActivity), Option<PageLinks>, optional
);
tracking_page!(
    /// `ClicksTrackingActivitiesPage`.
    ClicksTrackingActivitiesPage(ClicksTrackingActivity), Option<PageLinks>, optional
);
tracking_page!(
    /// `OptoutsTrackingActivitiesPage`.
    OptoutsTrackingActivitiesPage(OptoutsTrackingActivity), ReportingLinks, always
);
tracking_page!(
    /// `BouncesTrackingActivitiesPage`.
    BouncesTrackingActivitiesPage(BouncesTrackingActivity), ReportingLinks, always
);

/// `StatsEmail`.
#[derive(Serialize, ToSchema)]
pub struct StatsEmail {
    em_sends: i64,
    em_opens: i64,
    em_opens_all: i64,
    em_opens_all_computer: i64,
    em_opens_all_mobile: i64,
    em_opens_all_tablet: i64,
    em_opens_all_other: i64,
    em_opens_all_none: i64,
    em_clicks: i64,
    em_clicks_all: i64,
    em_clicks_all_computer: i64,
    em_clicks_all_mobile: i64,
    em_clicks_all_tablet: i64,
    em_clicks_all_other: i64,
    em_clicks_all_none: i64,
    em_forwards: i64,
    em_optouts: i64,
    em_bounces: i64,
    em_not_opened: i64,
}

impl StatsEmail {
    pub fn new(stats: &EmailStats) -> Self {
        let c = &stats.counts;
        Self {
            em_sends: signed(stats.sends),
            em_opens: signed(c.unique_opens),
            em_opens_all: signed(c.opens.total()),
            em_opens_all_computer: signed(c.opens.computer),
            em_opens_all_mobile: signed(c.opens.mobile),
            em_opens_all_tablet: signed(c.opens.tablet),
            em_opens_all_other: signed(c.opens.other),
            em_opens_all_none: signed(c.opens.none),
            em_clicks: signed(c.unique_clicks),
            em_clicks_all: signed(c.clicks.total()),
            em_clicks_all_computer: signed(c.clicks.computer),
            em_clicks_all_mobile: signed(c.clicks.mobile),
            em_clicks_all_tablet: signed(c.clicks.tablet),
            em_clicks_all_other: signed(c.clicks.other),
            em_clicks_all_none: signed(c.clicks.none),
            em_forwards: signed(c.unique_forwards),
            em_optouts: signed(c.optouts),
            em_bounces: signed(c.bounces),
            em_not_opened: signed(stats.not_opened()),
        }
    }
}

/// `StatsEmailActivity`: `StatsEmail` with complaints and the bounces by code.
#[derive(Serialize, ToSchema)]
pub struct StatsEmailActivity {
    #[serde(flatten)]
    email: StatsEmail,
    em_abuse: i64,
    em_bounces_blocked: i64,
    em_bounces_mailbox_full: i64,
    em_bounces_nonexistent_address: i64,
    em_bounces_other: i64,
    em_bounces_suspended: i64,
    em_bounces_undeliverable: i64,
    em_bounces_vacation: i64,
}

impl StatsEmailActivity {
    pub fn new(stats: &EmailStats) -> Self {
        let b = &stats.counts.bounces_by_code;
        Self {
            email: StatsEmail::new(stats),
            em_abuse: signed(stats.counts.abuse),
            em_bounces_blocked: signed(b.blocked),
            em_bounces_mailbox_full: signed(b.mailbox_full),
            em_bounces_nonexistent_address: signed(b.non_existent),
            em_bounces_other: signed(b.other),
            em_bounces_suspended: signed(b.suspended),
            em_bounces_undeliverable: signed(b.undeliverable),
            em_bounces_vacation: signed(b.vacation),
        }
    }
}

/// `PercentsEmail`: percents from 0 to 100, two decimals.
#[derive(Serialize, ToSchema)]
pub struct PercentsEmail {
    open: f64,
    did_not_open: f64,
    unsubscribe: f64,
    bounce: f64,
    click: f64,
    desktop_open: f64,
    mobile_open: f64,
    desktop_click: f64,
    mobile_click: f64,
}

impl From<EmailPercents> for PercentsEmail {
    fn from(p: EmailPercents) -> Self {
        Self {
            open: p.open,
            did_not_open: p.did_not_open,
            unsubscribe: p.unsubscribe,
            bounce: p.bounce,
            click: p.click,
            desktop_open: p.desktop_open,
            mobile_open: p.mobile_open,
            desktop_click: p.desktop_click,
            mobile_click: p.mobile_click,
        }
    }
}

/// `StatsError`: an id the stats calls could not report.
#[derive(Serialize, ToSchema)]
pub struct StatsError {
    error_key: String,
    error_message: String,
}

impl StatsError {
    pub fn new(key: &str, message: String) -> Self {
        Self {
            error_key: key.to_string(),
            error_message: message,
        }
    }
}

fn refresh_time(last_refresh: Option<Timestamp>, last_sent: Option<Timestamp>) -> String {
    date_time(
        last_refresh
            .or(last_sent)
            .unwrap_or_else(|| Timestamp::from_millis(0)),
    )
}

/// A campaign's `results[]` entry (`CampaignStatsResultGenericStatsEmailPercentsEmail`).
#[derive(Serialize, ToSchema)]
pub struct CampaignStatsResult {
    campaign_id: String,
    stats: StatsEmail,
    percents: PercentsEmail,
    last_refresh_time: String,
}

impl CampaignStatsResult {
    pub fn new(campaign: &CampaignStats) -> Self {
        Self {
            campaign_id: campaign.campaign.to_string(),
            stats: StatsEmail::new(&campaign.stats),
            percents: campaign.stats.percents().into(),
            last_refresh_time: refresh_time(campaign.last_refresh, campaign.last_sent),
        }
    }
}

/// GET /reports/stats/email_campaigns/{campaign_ids} (`CampaignStatsQueryResultEmail`).
#[derive(Serialize, ToSchema)]
pub struct CampaignStatsQueryResultEmail {
    pub errors: Vec<StatsError>,
    pub results: Vec<CampaignStatsResult>,
}

/// An activity's `results[]` entry (`CampaignActivityStatsResultGenericStatsEmailActivity`).
#[derive(Serialize, ToSchema)]
pub struct ActivityStatsResult {
    campaign_id: String,
    campaign_activity_id: String,
    stats: StatsEmailActivity,
    last_refresh_time: String,
}

impl ActivityStatsResult {
    pub fn new(activity: &ActivityStats) -> Self {
        Self {
            campaign_id: activity.activity.campaign.to_string(),
            campaign_activity_id: activity.activity.activity.to_string(),
            stats: StatsEmailActivity::new(&activity.stats),
            last_refresh_time: refresh_time(activity.last_refresh, activity.last_sent),
        }
    }
}

/// GET /reports/stats/email_campaign_activities/{campaign_activity_ids}
/// (`CampaignActivityStatsQueryResultEmail`).
#[derive(Serialize, ToSchema)]
pub struct CampaignActivityStatsQueryResultEmail {
    pub errors: Vec<StatsError>,
    pub results: Vec<ActivityStatsResult>,
}

/// `UniqueEmailCounts`.
#[derive(Serialize, ToSchema)]
pub struct UniqueEmailCounts {
    sends: i64,
    opens: i64,
    clicks: i64,
    forwards: i64,
    optouts: i64,
    abuse: i64,
    bounces: i64,
    not_opened: i64,
}

/// `BulkEmailCampaignSummary`.
#[derive(Serialize, ToSchema)]
pub struct BulkEmailCampaignSummary {
    campaign_id: String,
    campaign_type: &'static str,
    last_sent_date: String,
    unique_counts: UniqueEmailCounts,
}

/// The type of every campaign the API creates (NEWSLETTER), as the summaries spell it.
const NEWSLETTER: &str = "Newsletter";

impl BulkEmailCampaignSummary {
    pub fn new(campaign: &CampaignStats, last_sent: Timestamp) -> Self {
        let (s, c) = (&campaign.stats, &campaign.stats.counts);
        Self {
            campaign_id: campaign.campaign.to_string(),
            campaign_type: NEWSLETTER,
            last_sent_date: date_time(last_sent),
            unique_counts: UniqueEmailCounts {
                sends: signed(s.sends),
                opens: signed(c.unique_opens),
                clicks: signed(c.unique_clicks),
                forwards: signed(c.unique_forwards),
                optouts: signed(c.optouts),
                abuse: signed(c.abuse),
                bounces: signed(c.bounces),
                not_opened: signed(s.not_opened()),
            },
        }
    }
}

/// `BulkEmailCampaignSummariesPercents`: the page's campaigns added up.
#[derive(Serialize, ToSchema)]
pub struct BulkEmailCampaignSummariesPercents {
    click: f64,
    open: f64,
    did_not_open: f64,
    bounce: f64,
    unsubscribe: f64,
}

impl From<EmailPercents> for BulkEmailCampaignSummariesPercents {
    fn from(p: EmailPercents) -> Self {
        Self {
            click: p.click,
            open: p.open,
            did_not_open: p.did_not_open,
            bounce: p.bounce,
            unsubscribe: p.unsubscribe,
        }
    }
}

/// GET /reports/summary_reports/email_campaign_summaries (`BulkEmailCampaignSummariesPage`).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct BulkEmailCampaignSummariesPage {
    pub bulk_email_campaign_summaries: Vec<BulkEmailCampaignSummary>,
    pub aggregate_percents: BulkEmailCampaignSummariesPercents,
    pub _links: Option<PageLinks>,
}
