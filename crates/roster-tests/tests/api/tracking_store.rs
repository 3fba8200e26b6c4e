//! The tracking store (docs/TRACKING.md) on both engines: a batch records its rows and counters
//! together, unique figures count contacts and only their own events, a click with no open
//! implies one, machine events count only in the `_all` totals under `none`, events of a
//! deleted contact or a Removed campaign are dropped, link ids are stable, and the counters
//! always equal a recount from the rows. The one-click unsubscribe commits its opt-out event
//! with the unsubscribe.

use reqwest::Method;
use roster_domain::recipient_token::{RecipientToken, TokenPurpose};
use roster_domain::tracking::{BounceCode, Device, EventKind, TrackingCounts, TrackingEvent};
use roster_domain::{CampaignActivityId, ContactId, Timestamp};
use roster_tests::{on_both_engines, test_secret, TestApp};
use serde_json::json;

use crate::contact_support::contact_with;

on_both_engines!(
    a_batch_records_rows_and_counters_together,
    events_of_deleted_contacts_and_removed_campaigns_are_dropped,
    link_ids_are_stable_per_url_and_activity,
    the_one_click_unsubscribe_records_its_opt_out_event,
);

/// A campaign of the owner's: (campaign id, primary activity id).
pub async fn campaign(app: &TestApp, name: &str) -> (String, CampaignActivityId) {
    let created = app
        .post(
            "/v3/emails",
            json!({"name": name, "email_campaign_activities": [{
                "format_type": 5,
                "from_name": "Test Org",
                "from_email": app.owner.email,
                "reply_to_email": app.owner.email,
                "subject": "News",
                "html_content": "<html><body><p>Hello</p></body></html>",
            }]}),
        )
        .send()
        .await
        .expect(200)
        .json();
    let activity = created["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (
        created["campaign_id"].as_str().unwrap().to_string(),
        activity,
    )
}

async fn contact(app: &TestApp, address: &str) -> ContactId {
    contact_with(app, address, "explicit")
        .await
        .parse()
        .unwrap()
}

fn event(
    app: &TestApp,
    activity: CampaignActivityId,
    contact: ContactId,
    kind: EventKind,
    at: i64,
) -> TrackingEvent {
    TrackingEvent::new(
        app.owner.account,
        activity,
        contact,
        1,
        kind,
        Timestamp::from_millis(at),
    )
}

async fn counts(app: &TestApp, activity: CampaignActivityId) -> TrackingCounts {
    let counts = app
        .store()
        .tracking_counts(app.owner.account, activity)
        .await
        .unwrap();
    let recount = app
        .store()
        .recount_tracking(app.owner.account, activity)
        .await
        .unwrap();
    assert_eq!(counts, recount, "the counters equal the rows");
    counts
}

async fn a_batch_records_rows_and_counters_together(app: TestApp) {
    let (_, activity) = campaign(&app, "Spring").await;
    let ann = contact(&app, "ann@example.com").await;
    let bob = contact(&app, "bob@example.com").await;
    let links = app
        .store()
        .activity_link_ids(
            app.owner.account,
            activity,
            &["https://a.example/".into(), "https://b.example/".into()],
        )
        .await
        .unwrap();
    assert_eq!(links, vec![1, 2]);
    let e = |contact, kind, at| event(&app, activity, contact, kind, at);
    let first = vec![
        e(ann, EventKind::Open, 1000).with_device(Device::Mobile, false),
        e(ann, EventKind::Open, 2000).with_device(Device::Computer, false),
        // Apple Mail Privacy Protection: under none, no opener.
        e(bob, EventKind::Open, 1500).with_device(Device::Computer, true),
        e(ann, EventKind::Click, 2500)
            .with_url(1)
            .with_device(Device::Computer, false),
        // Bob clicks without an open of his own: the click implies one.
        e(bob, EventKind::Click, 3000)
            .with_url(2)
            .with_device(Device::Tablet, false),
        e(bob, EventKind::Click, 3100)
            .with_url(2)
            .with_device(Device::Other, true),
    ];
    app.store().record_events(&first).await.unwrap();
    let after_first = counts(&app, activity).await;
    assert_eq!(after_first.unique_opens, 2);
    assert_eq!(after_first.opens.mobile, 1);
    assert_eq!(after_first.opens.computer, 1);
    assert_eq!(after_first.opens.tablet, 1, "the implied open");
    assert_eq!(after_first.opens.none, 1, "the machine open");
    assert_eq!(after_first.unique_clicks, 2);
    assert_eq!(after_first.clicks.total(), 3);
    assert_eq!(after_first.clicks.none, 1);

    let second = vec![
        e(ann, EventKind::Open, 4000).with_device(Device::Mobile, false),
        e(bob, EventKind::Open, 4100).with_device(Device::Mobile, false),
        e(bob, EventKind::Click, 4200)
            .with_url(2)
            .with_device(Device::Mobile, false),
        e(ann, EventKind::Forward, 4300),
        e(ann, EventKind::Forward, 4400),
        e(bob, EventKind::Bounce, 4500).with_bounce(BounceCode::MailboxFull),
        e(bob, EventKind::Bounce, 4600).with_bounce(BounceCode::NonExistent),
        e(ann, EventKind::Abuse, 4700),
    ];
    app.store().record_events(&second).await.unwrap();
    let after = counts(&app, activity).await;
    assert_eq!(after.unique_opens, 2, "no new opener");
    assert_eq!(after.opens.total(), 6);
    assert_eq!(after.unique_clicks, 2);
    assert_eq!(after.clicks.total(), 4);
    assert_eq!((after.unique_forwards, after.forwards), (1, 2));
    assert_eq!(after.bounces, 1);
    assert_eq!(after.bounces_by_code.mailbox_full, 1);
    assert_eq!(after.abuse, 1);

    let events = app
        .store()
        .recent_events(app.owner.account, activity, 100)
        .await
        .unwrap();
    assert_eq!(events.len(), first.len() + 1 + second.len());
    let implied: Vec<_> = events
        .iter()
        .filter(|ev| ev.contact == bob && ev.kind == EventKind::Open && !ev.machine)
        .map(|ev| (ev.device, ev.occurred_at.millis()))
        .collect();
    assert_eq!(
        implied,
        vec![(Device::Mobile, 4100), (Device::Tablet, 3000)],
        "newest first: bob's own open, then the open his first click implied"
    );
    assert!(events
        .iter()
        .filter(|ev| ev.machine)
        .all(|ev| ev.device == Device::None));
}

async fn events_of_deleted_contacts_and_removed_campaigns_are_dropped(app: TestApp) {
    let (campaign_id, removed) = campaign(&app, "Gone").await;
    let (_, kept) = campaign(&app, "Kept").await;
    let ann = contact(&app, "ann@example.com").await;
    let cy = contact(&app, "cy@example.com").await;
    app.delete(&format!("/v3/contacts/{cy}"))
        .send()
        .await
        .expect(204);
    app.delete(&format!("/v3/emails/{campaign_id}"))
        .send()
        .await
        .expect(204);
    let batch = vec![
        event(&app, removed, ann, EventKind::Open, 1),
        event(&app, kept, cy, EventKind::Open, 2),
        event(&app, kept, ann, EventKind::Open, 3),
        // An activity that never existed.
        event(
            &app,
            CampaignActivityId::generate(),
            ann,
            EventKind::Open,
            4,
        ),
    ];
    app.store().record_events(&batch).await.unwrap();
    assert_eq!(counts(&app, removed).await, TrackingCounts::default());
    let kept_counts = counts(&app, kept).await;
    assert_eq!(
        (kept_counts.unique_opens, kept_counts.opens.total()),
        (1, 1)
    );
}

async fn link_ids_are_stable_per_url_and_activity(app: TestApp) {
    let (_, one) = campaign(&app, "One").await;
    let (_, two) = campaign(&app, "Two").await;
    let store = app.store();
    let account = app.owner.account;
    let urls = |list: &[&str]| list.iter().map(|u| u.to_string()).collect::<Vec<_>>();
    let first = store
        .activity_link_ids(
            account,
            one,
            &urls(&["https://x/", "https://y/", "https://x/"]),
        )
        .await
        .unwrap();
    assert_eq!(first, vec![1, 2, 1]);
    let again = store
        .activity_link_ids(account, one, &urls(&["https://z/", "https://y/"]))
        .await
        .unwrap();
    assert_eq!(again, vec![3, 2]);
    let other = store
        .activity_link_ids(account, two, &urls(&["https://y/"]))
        .await
        .unwrap();
    assert_eq!(other, vec![1]);
    assert_eq!(
        store
            .activity_link(account, one, 2)
            .await
            .unwrap()
            .as_deref(),
        Some("https://y/")
    );
    assert_eq!(store.activity_link(account, one, 4).await.unwrap(), None);
    assert_eq!(store.activity_link(account, two, 2).await.unwrap(), None);
}

async fn the_one_click_unsubscribe_records_its_opt_out_event(app: TestApp) {
    let (_, activity) = campaign(&app, "Spring").await;
    let jo = contact(&app, "jo@example.com").await;
    let token = RecipientToken {
        purpose: TokenPurpose::Unsubscribe,
        account: app.owner.account,
        activity,
        contact: jo,
        send: 2,
    };
    let path = format!(
        "/unsubscribe/{}",
        token.issue(&test_secret().recipient_key())
    );
    for _ in 0..2 {
        let done = app
            .request(Method::POST, &path)
            .anonymous()
            .raw_body(
                "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click",
            )
            .send_unchecked()
            .await;
        assert_eq!(done.status, 200);
        // Committed before the answer: no flush needed.
        assert_eq!(counts(&app, activity).await.optouts, 1);
    }
    let events = app
        .store()
        .recent_events(app.owner.account, activity, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind, events[0].contact, events[0].send_number),
        (EventKind::OptOut, jo, 2)
    );
}
