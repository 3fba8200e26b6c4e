//! The reports scenario (issue 18, docs/REPORTS.md): the p99 of the activity statistics of 10
//! activities, of the campaign summaries page and of the last page of two tracking walks
//! (sends, opens), each against the p99 of GET /v3/contacts/{id} in the same run (target:
//! at most 3 times), and of an engagement segment's first page (at most 10 times).
//!
//! The data set goes in through the store before `roster serve` starts, the way the server
//! itself writes it, so every table the reports read holds what a real send would leave: an
//! account of its own with one list of `sends / 20` contacts; 20 campaigns, each created,
//! scheduled and started on that list (`SendStore::start_send` fixes the recipients), its
//! recipients claimed and recorded as delivered in batches (`record_send_deliveries`, which
//! keeps each send's `mailed_count`) and the send finished; then the opens and clicks
//! (three-tenths of the sends, two opens for each click) recorded through
//! `EventStore::record_events`, which writes the event rows, the per-contact state, the links'
//! counts and the activity counters together. The times are in the past (campaign k sent k
//! days after the first, its deliveries a second per batch apart, its events after them), so
//! the server finds nothing to send and the pages have their real order. It must run before
//! the server starts: the server's delivery workers would claim the recipients.

use anyhow::{bail, Context};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use roster_domain::campaign::{
    create_campaign, ActivityContent, CampaignInput, Recipients, MAX_LIVE_CAMPAIGNS_PER_ACCOUNT,
};
use roster_domain::contact::{Bucket, ContactFilter};
use roster_domain::outbox::{DeliveryOutcome, Lease};
use roster_domain::send::SendDelivery;
use roster_domain::store::ScheduleChange;
use roster_domain::tracking::{Device, EventKind, TrackingEvent};
use roster_domain::{AccountId, CampaignActivityId, ContactId, Store, Timestamp, UserId};
use serde_json::Value;

use crate::dataset::{self, DAY_MILLIS};
use crate::report::{Outcome, Row, Target};
use crate::{failed, say, send, Bench};

/// The data set, and `--quick`'s (the same proportions).
pub const FULL_SENDS: usize = 1_000_000;
pub const QUICK_SENDS: usize = 100_000;
pub const CAMPAIGNS: usize = 20;
/// Stats calls take at most 10 activity ids.
const STATS_IDS: usize = 10;
/// Recipients claimed and recorded per batch (the delivery workers' group commits are
/// smaller; the rows come out the same).
const DELIVERY_BATCH: u32 = 1_000;
/// Events per `record_events` call.
const EVENT_BATCH: usize = 2_000;
/// The tracked links of each campaign.
const LINKS: [&str; 3] = [
    "https://example.com/sale",
    "https://example.com/blog/latest",
    "https://example.com/account",
];
const TARGET: f64 = 3.0;
/// An engagement segment's first page (issue 18).
const ENGAGEMENT_SEGMENT_TARGET: f64 = 10.0;
const SEED: u64 = 0x2e90_2751;

/// What `seed` loaded, for the scenario.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub account: AccountId,
    pub user: UserId,
    pub client_id: String,
    /// The campaigns' primary activities, first sent first.
    pub activities: Vec<CampaignActivityId>,
    /// Recipients of each campaign (every one was mailed).
    pub recipients: usize,
    pub sends: usize,
    pub events: usize,
}

/// Opens and clicks for `sends` sends: three-tenths as many.
pub fn events_for(sends: usize) -> usize {
    sends * 3 / 10
}

/// Loads the scenario's account, campaigns, sends and events (see the module's comment).
pub async fn seed(store: &dyn Store, sends: usize) -> anyhow::Result<Seeded> {
    let recipients = (sends / CAMPAIGNS).max(1);
    let setup = dataset::setup_account(store, "reports@example.com").await?;
    let list = setup.lists[0];
    let created = Timestamp::now();
    let mut contacts: Vec<ContactId> = Vec::with_capacity(recipients);
    let mut next = 0;
    while next < recipients {
        let batch: Vec<_> = (next..recipients.min(next + dataset::BATCH))
            .map(|n| send::recipient(n, list, created))
            .collect::<anyhow::Result<_>>()?;
        store.insert_contacts_bulk(setup.account, &batch).await?;
        contacts.extend(batch.iter().map(|c| c.id));
        next += batch.len();
    }
    let events_per_campaign = events_for(recipients * CAMPAIGNS) / CAMPAIGNS;
    let first_sent = created.millis() - (CAMPAIGNS as i64 + 1) * DAY_MILLIS;
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut activities = Vec::with_capacity(CAMPAIGNS);
    for k in 0..CAMPAIGNS {
        let sent_at = Timestamp::from_millis(first_sent + k as i64 * DAY_MILLIS);
        let activity = sent_campaign(store, setup.account, list, k, sent_at).await?;
        let delivered = deliver(store, setup.account, activity, sent_at, recipients).await?;
        let url_ids = store
            .activity_link_ids(setup.account, activity, &LINKS.map(String::from))
            .await?;
        let events = engagement(
            (setup.account, activity),
            &contacts,
            &url_ids,
            events_per_campaign,
            delivered.plus_seconds(60),
            &mut rng,
        );
        for batch in events.chunks(EVENT_BATCH) {
            store.record_events(batch).await?;
        }
        activities.push(activity);
    }
    Ok(Seeded {
        account: setup.account,
        user: setup.user,
        client_id: setup.client_id,
        activities,
        recipients,
        sends: recipients * CAMPAIGNS,
        events: events_per_campaign * CAMPAIGNS,
    })
}

/// Campaign `k`, created on `list` and started at `at`: its primary activity.
async fn sent_campaign(
    store: &dyn Store,
    account: AccountId,
    list: roster_domain::ListId,
    k: usize,
    at: Timestamp,
) -> anyhow::Result<CampaignActivityId> {
    let html = format!(
        "<html><body>[[trackingImage]]<p>Issue {k}</p>{}</body></html>",
        LINKS.map(|l| format!("<a href=\"{l}\">{l}</a>")).join(" ")
    );
    let (campaign, mut activities) = create_campaign(
        CampaignInput {
            name: format!("Report {k:02}"),
            content: ActivityContent {
                from_name: "Bench".into(),
                from_email: "reports@example.com".into(),
                reply_to_email: "reports@example.com".into(),
                subject: format!("Issue {k}"),
                preheader: None,
                html_content: html,
                physical_address_in_footer: None,
            },
        },
        at,
    );
    activities[0].recipients = Recipients {
        contact_list_ids: vec![list],
        segment_ids: Vec::new(),
    };
    let activity = activities[0].id;
    store
        .create_campaign(
            account,
            &campaign,
            &activities,
            MAX_LIVE_CAMPAIGNS_PER_ACCOUNT,
        )
        .await?;
    let scheduled = store.schedule_activity(account, activity, at, at).await?;
    if scheduled != ScheduleChange::Done {
        bail!("campaign {k} could not be scheduled: {scheduled:?}");
    }
    // The scheduler's filter (roster-mailer): the list's members that may be mailed.
    let filter = ContactFilter {
        buckets: Bucket::NOT_DELETED
            .iter()
            .copied()
            .filter(|b| *b != Bucket::Unsubscribed)
            .collect(),
        lists: vec![list],
        ..ContactFilter::default()
    };
    store
        .start_send(account, activity, Some(&filter), at)
        .await?
        .with_context(|| format!("campaign {k} was not due"))?;
    Ok(activity)
}

/// Claims and records every recipient of the activity's executing send as delivered, a batch
/// a second from `started`, then finishes the send; answers when the last one went.
async fn deliver(
    store: &dyn Store,
    account: AccountId,
    activity: CampaignActivityId,
    started: Timestamp,
    recipients: usize,
) -> anyhow::Result<Timestamp> {
    let mut at = started;
    let mut delivered = 0;
    loop {
        at = at.plus_seconds(1);
        let lease = Lease::generate();
        let claimed = store
            .claim_send_recipients(at, lease, at.plus_seconds(600), DELIVERY_BATCH)
            .await?;
        if claimed.is_empty() {
            break;
        }
        let deliveries: Vec<SendDelivery> = claimed
            .iter()
            .map(|r| SendDelivery {
                send: r.send,
                contact: r.contact,
                lease,
                outcome: DeliveryOutcome::Sent {
                    reply: "250 2.0.0 Ok: queued".into(),
                },
            })
            .collect();
        let recorded = store.record_send_deliveries(&deliveries, at).await?;
        delivered += recorded.recorded.iter().filter(|done| **done).count();
    }
    store.finish_sends(at).await?;
    let sends = store.sends(account, activity).await?;
    if delivered != recipients || sends.len() != 1 {
        bail!(
            "the send of {activity} delivered {delivered} of {recipients} recipients in {} \
             sends",
            sends.len()
        );
    }
    Ok(at)
}

/// `count` opens and clicks of the activity's recipients from `from` on, a few seconds apart,
/// in the order they happen: two opens for each click; openers among the first 40% of the
/// recipients (so many open more than once), clickers among the first 20%, over the three
/// links; one open in twenty from a machine.
fn engagement(
    (account, activity): (AccountId, CampaignActivityId),
    contacts: &[ContactId],
    url_ids: &[u32],
    count: usize,
    from: Timestamp,
    rng: &mut StdRng,
) -> Vec<TrackingEvent> {
    let openers = (contacts.len() * 2 / 5).max(1);
    let clickers = (contacts.len() / 5).max(1);
    let devices = [
        Device::Computer,
        Device::Computer,
        Device::Mobile,
        Device::Mobile,
        Device::Mobile,
        Device::Tablet,
        Device::Other,
    ];
    (0..count)
        .map(|n| {
            let at = Timestamp::from_millis(from.millis() + n as i64 * 3_000);
            let device = devices[rng.gen_range(0..devices.len())];
            if n % 3 == 2 {
                let contact = contacts[rng.gen_range(0..clickers)];
                TrackingEvent::new(account, activity, contact, 1, EventKind::Click, at)
                    .with_device(device, false)
                    .with_url(url_ids[rng.gen_range(0..url_ids.len())])
            } else {
                let contact = contacts[rng.gen_range(0..openers)];
                TrackingEvent::new(account, activity, contact, 1, EventKind::Open, at)
                    .with_device(device, rng.gen_ratio(1, 20))
            }
        })
        .collect()
}

impl Bench<'_> {
    pub(crate) async fn reports_scenario(&self) -> Vec<Row> {
        let Some((seeded, token)) = self.reports else {
            let error = anyhow::anyhow!("the reports data set was not loaded");
            return vec![failed("reports", "reports", "ms", ratio(), error)];
        };
        say(format!(
            "reports: stats, summaries and tracking pages over {} sends and {} opens and \
             clicks in {CAMPAIGNS} campaigns",
            seeded.sends, seeded.events
        ));
        let size = format!(
            "{} campaigns, {} sends, {} opens and clicks{}",
            CAMPAIGNS,
            seeded.sends,
            seeded.events,
            if seeded.sends < FULL_SENDS {
                format!(" (scaled down from {FULL_SENDS} sends)")
            } else {
                String::new()
            }
        );
        let mut rows = Vec::new();
        let stats = format!(
            "p99 of GET /v3/reports/stats/email_campaign_activities/{{{STATS_IDS} ids}} ({size})"
        );
        rows.push(self.stats_row(seeded, token, stats).await);
        let summaries = format!(
            "p99 of GET /v3/reports/summary_reports/email_campaign_summaries (first page, \
             {size})"
        );
        rows.push(self.summaries_row(seeded, token, summaries).await);
        for report in ["sends", "opens"] {
            rows.push(self.tracking_row(seeded, token, report, &size).await);
        }
        rows.push(self.engagement_segment_row(seeded, token, &size).await);
        rows
    }

    /// The p99 of the first page of GET /v3/contacts?segment_id= for the spec's own tracking
    /// example (`not_opened` in the last 5 campaigns), created through POST /v3/segments.
    /// Target: at most 10 times GET /v3/contacts/{id}, as for the contact segment row.
    async fn engagement_segment_row(&self, seeded: &Seeded, token: &str, size: &str) -> Row {
        let figure = format!(
            "p99 of the first page (limit=50) of GET /v3/contacts?segment_id= for contacts \
             that opened none of the last 5 campaigns ({size})"
        );
        let target = Target::RatioAtMost(ENGAGEMENT_SEGMENT_TARGET);
        let recipients = seeded.recipients;
        let outcome = async {
            let criteria = serde_json::json!({
                "version": "1.0.0",
                "criteria": {"type": "and", "group": [
                    {"source": "tracking", "field": "not_opened", "op": "contains-any",
                     "const_value": "last-n-campaigns", "param": "5"},
                ]},
            });
            let body = serde_json::json!({
                "name": "Opened none of the last 5 campaigns",
                "segment_criteria": criteria.to_string(),
            });
            let (status, segment) = self
                .send_json(
                    reqwest::Method::POST,
                    "/v3/segments",
                    token,
                    Some(body.to_string()),
                )
                .await?;
            let id = segment["segment_id"]
                .as_i64()
                .with_context(|| format!("POST /v3/segments answered {status}: {segment}"))?;
            let path = format!("/v3/contacts?segment_id={id}&limit=50");
            self.p99_against_get_as(&path, token, move |body| {
                let n = body["contacts"].as_array().map_or(0, Vec::len);
                // Only the first two-fifths of the list open (`engagement`): the other
                // three-fifths opened none, a full page from a hundred recipients up.
                if n == 0 || (recipients >= 100 && n != 50) {
                    bail!("the segment's first page holds {n} contacts, not 50");
                }
                Ok(())
            })
            .await
        }
        .await;
        match outcome {
            Ok(outcome) => Row {
                scenario: "reports",
                figure,
                unit: "ms",
                outcome,
                target,
                load: None,
            },
            Err(e) => failed("reports", &figure, "ms", target, e),
        }
    }

    async fn stats_row(&self, seeded: &Seeded, token: &str, figure: String) -> Row {
        let ids: Vec<String> = seeded.activities[..STATS_IDS.min(seeded.activities.len())]
            .iter()
            .map(|id| id.to_string())
            .collect();
        let path = format!(
            "/v3/reports/stats/email_campaign_activities/{}",
            ids.join(",")
        );
        let recipients = seeded.recipients as i64;
        let outcome = self
            .p99_against_get_as(&path, token, move |body| {
                let results = body["results"].as_array().map_or(&[][..], Vec::as_slice);
                if results.len() != ids.len() || body["errors"] != Value::Array(Vec::new()) {
                    bail!("{} results and errors {}", results.len(), body["errors"]);
                }
                for result in results {
                    let stats = &result["stats"];
                    if stats["em_sends"].as_i64() != Some(recipients)
                        || stats["em_opens"].as_i64().unwrap_or(0) == 0
                        || stats["em_clicks"].as_i64().unwrap_or(0) == 0
                    {
                        bail!("unexpected stats: {stats}");
                    }
                }
                Ok(())
            })
            .await;
        row(figure, outcome)
    }

    async fn summaries_row(&self, seeded: &Seeded, token: &str, figure: String) -> Row {
        let path = "/v3/reports/summary_reports/email_campaign_summaries";
        let (recipients, campaigns) = (seeded.recipients as i64, seeded.activities.len());
        let outcome = self
            .p99_against_get_as(path, token, move |body| {
                let summaries = body["bulk_email_campaign_summaries"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice);
                if summaries.len() != campaigns {
                    bail!("{} summaries, not {campaigns}", summaries.len());
                }
                if let Some(wrong) = summaries
                    .iter()
                    .find(|s| s["unique_counts"]["sends"].as_i64() != Some(recipients))
                {
                    bail!("unexpected summary: {wrong}");
                }
                Ok(())
            })
            .await;
        row(figure, outcome)
    }

    /// The p99 of the last page of a walk through the most recent campaign's `report` page
    /// at limit=500.
    async fn tracking_row(&self, seeded: &Seeded, token: &str, report: &str, size: &str) -> Row {
        let figure = format!(
            "p99 of the last page of GET /v3/reports/email_reports/{{id}}/tracking/{report}\
             ?limit=500 after walking every page of one campaign ({size})"
        );
        let outcome = async {
            let activity = seeded.activities.last().context("no campaign")?;
            let base = format!("/v3/reports/email_reports/{activity}/tracking/{report}");
            // Every send and every open of the campaign, machine opens included (its rows add
            // up to em_opens_all), as the stats say.
            let stats = self
                .get_json_as(
                    &format!("/v3/reports/stats/email_campaign_activities/{activity}"),
                    token,
                )
                .await?;
            let column = if report == "sends" {
                "em_sends"
            } else {
                "em_opens_all"
            };
            let expected = stats["results"][0]["stats"][column]
                .as_u64()
                .with_context(|| format!("no {column} in {stats}"))?;
            let walk = self
                .walk(
                    &format!("{base}?limit=500"),
                    token,
                    "tracking_activities",
                    usize::try_from(expected)?,
                )
                .await?;
            say(format!(
                "  {report}: {expected} rows in {} pages, walked in {:.1} s",
                walk.pages,
                walk.time.as_secs_f64()
            ));
            let outcome = self
                .p99_against_get_as(&walk.last_path, token, |body| {
                    if body["tracking_activities"].as_array().map_or(0, Vec::len) == 0 {
                        bail!("the last page is empty");
                    }
                    Ok(())
                })
                .await?;
            anyhow::Ok((walk.pages, outcome))
        }
        .await;
        match outcome {
            Ok((pages, outcome)) => row(format!("{figure}; {pages} pages"), Ok(outcome)),
            Err(e) => row(figure, Err(e)),
        }
    }
}

fn ratio() -> Target {
    Target::RatioAtMost(TARGET)
}

fn row(figure: String, outcome: anyhow::Result<Outcome>) -> Row {
    match outcome {
        Ok(outcome) => Row {
            scenario: "reports",
            figure,
            unit: "ms",
            outcome,
            target: ratio(),
            load: None,
        },
        Err(e) => failed("reports", &figure, "ms", ratio(), e),
    }
}
