//! Resend to non-openers (docs/CAMPAIGNS.md, "Resend to non-openers"): the three operations,
//! their refusals, and the resend itself over real SMTP, reaching exactly the contacts who did
//! not open the primary (machine opens do not count; bounced ones and opt-outs are left out;
//! newcomers to the list are in) once its delay has passed on the mailer's clock.

use std::collections::BTreeSet;
use std::time::Duration;

use roster_domain::bounce::{BounceTarget, SuspensionPolicy};
use roster_domain::tracking::BounceCode;
use roster_domain::Timestamp;
use roster_tests::clock::TestClock;
use roster_tests::{on_both_engines, on_both_engines_with_mail, TestApp};
use serde_json::{json, Value};

use crate::engagement_support::{
    click, flush, machine_open, mailed_since, open, subscriber, two_fresh_nodes_drain, unsubscribe,
};

on_both_engines!(
    resends_follow_their_rules,
    a_resend_refuses_what_it_cannot_follow
);
on_both_engines_with_mail!(
    a_resend_reaches_exactly_the_non_openers,
    waiting_nodes_neither_lose_nor_duplicate_the_resend
);

const HTML: &str = "<html><body>[[trackingImage]]<p>Hello</p>\
     <p><a href=\"https://shop.example/\">Shop</a></p></body></html>";

fn resends(activity: &str) -> String {
    format!("/v3/emails/activities/{activity}/non_opener_resends")
}

/// A draft campaign ready to send to `list`; returns (campaign id, primary activity id).
pub(crate) async fn draft_campaign(
    app: &TestApp,
    name: &str,
    list: Option<&str>,
) -> (String, String) {
    let email = &app.owner.email;
    let created = app
        .post(
            "/v3/emails",
            json!({"name": name, "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": name, "html_content": HTML
            }]}),
        )
        .expect_json(200)
        .await;
    let campaign = created["campaign_id"].as_str().unwrap().to_string();
    let activity = created["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    if let Some(list) = list {
        app.put_json(
            &format!("/v3/emails/activities/{activity}"),
            json!({
                "from_name": "Test Org", "from_email": email, "reply_to_email": email,
                "subject": name, "html_content": HTML, "contact_list_ids": [list],
                "physical_address_in_footer": {
                    "organization_name": "Test Org", "address_line1": "1 Main St",
                    "city": "Boston", "state_code": "MA", "postal_code": "02101",
                    "country_code": "US"
                }
            }),
        )
        .await;
    }
    (campaign, activity)
}

pub(crate) async fn schedule(app: &TestApp, activity: &str, when: &str) {
    app.post(
        &format!("/v3/emails/activities/{activity}/schedules"),
        json!({"scheduled_date": when}),
    )
    .send()
    .await
    .expect(201);
}

/// The resend activity of a campaign, from GET /emails/{campaign_id}.
async fn resend_activity(app: &TestApp, campaign: &str) -> Option<String> {
    let campaign = app.get_json(&format!("/v3/emails/{campaign}")).await;
    campaign["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "resend")
        .map(|a| a["campaign_activity_id"].as_str().unwrap().to_string())
}

async fn resends_follow_their_rules(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (campaign, activity) = draft_campaign(&app, "Spring", Some(&list)).await;
    app.get(&resends(&activity))
        .send()
        .await
        .expect(200)
        .assert_answer(200, &json!([]), "no resend yet");
    // Both delays given: the minutes are ignored.
    let created = app
        .post(
            &resends(&activity),
            json!({"resend_subject": "Did you miss it?", "delay_days": 2, "delay_minutes": 900}),
        )
        .expect_json(201)
        .await;
    assert_eq!(
        created,
        json!({"resend_subject": "Did you miss it?", "delay_days": 2, "delay_minutes": 2880,
               "resend_request_id": "DRAFT"})
    );
    assert_eq!(app.get_json(&resends(&activity)).await, json!([created]));
    let resend = resend_activity(&app, &campaign)
        .await
        .expect("a resend activity");
    let shown = app
        .get_json(&format!("/v3/emails/activities/{resend}"))
        .await;
    assert_eq!(
        (&shown["role"], &shown["current_status"], &shown["subject"]),
        (
            &json!("resend"),
            &json!("DRAFT"),
            &json!("Did you miss it?")
        )
    );
    // Its send history is its own, empty until it is sent.
    assert_eq!(
        app.get_json(&format!("/v3/emails/activities/{resend}/send_history"))
            .await,
        json!([])
    );
    // One per campaign.
    let second = app
        .post(
            &resends(&activity),
            json!({"resend_subject": "Again", "delay_days": 3}),
        )
        .send()
        .await
        .expect(409);
    assert!(second.error_messages()[0].contains("already has a resend"));
    // A DELETE names the resend by the id GET shows.
    app.delete(&format!("{}/12345", resends(&activity)))
        .send()
        .await
        .expect(404);
    app.delete(&format!("{}/DRAFT", resends(&activity)))
        .send()
        .await
        .expect(204);
    assert_eq!(app.get_json(&resends(&activity)).await, json!([]));
    assert_eq!(resend_activity(&app, &campaign).await, None);
    app.get(&format!("/v3/emails/activities/{resend}"))
        .send()
        .await
        .expect(404);
    // Minutes that are not whole days show alone; once the primary is scheduled the id is a
    // number, and the resend waits for the primary's send.
    let created = app
        .post(
            &resends(&activity),
            json!({"resend_subject": "Last call", "delay_minutes": 1000}),
        )
        .expect_json(201)
        .await;
    assert_eq!(created["delay_minutes"], 1000);
    assert!(created.get("delay_days").is_none(), "{created}");
    schedule(&app, &activity, "2099-01-01").await;
    let listed = app.get_json(&resends(&activity)).await;
    let id = listed[0]["resend_request_id"].as_str().unwrap().to_string();
    assert!(id.parse::<u64>().is_ok(), "{listed}");
    assert!(listed[0].get("resend_status").is_none(), "{listed}");
    app.delete(&format!("{}/DRAFT", resends(&activity)))
        .send()
        .await
        .expect(404);
    // A resend on a SCHEDULED primary may be created too (after deleting this one).
    app.delete(&format!("{}/{id}", resends(&activity)))
        .send()
        .await
        .expect(204);
    app.post(
        &resends(&activity),
        json!({"resend_subject": "Last call", "delay_days": 1}),
    )
    .send()
    .await
    .expect(201);
}

async fn a_resend_refuses_what_it_cannot_follow(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (campaign, activity) = draft_campaign(&app, "Summer", Some(&list)).await;
    // Out-of-range and missing values: 400, each named.
    for (body, field) in [
        (json!({"delay_days": 2}), "resend_subject"),
        (
            json!({"resend_subject": " ", "delay_days": 2}),
            "resend_subject",
        ),
        (json!({"resend_subject": "x"}), "delay_days"),
        (
            json!({"resend_subject": "x", "delay_days": 0}),
            "delay_days",
        ),
        (
            json!({"resend_subject": "x", "delay_days": 11}),
            "delay_days",
        ),
        (
            json!({"resend_subject": "x", "delay_days": 11, "delay_minutes": 800}),
            "delay_days",
        ),
        (
            json!({"resend_subject": "x", "delay_minutes": 719}),
            "delay_minutes",
        ),
        (
            json!({"resend_subject": "x", "delay_minutes": 14401}),
            "delay_minutes",
        ),
        (
            json!({"resend_subject": "x", "delay_minutes": "900"}),
            "delay_minutes",
        ),
        (
            json!({"resend_subject": "[[FirstName]]", "delay_days": 1}),
            "resend_subject",
        ),
    ] {
        let refused = app
            .post(&resends(&activity), body.clone())
            .send()
            .await
            .expect(400);
        assert!(
            refused.error_messages()[0].contains(field),
            "{body}: {:?}",
            refused.error_messages()
        );
    }
    // The edges are in range.
    for body in [
        json!({"resend_subject": "x", "delay_days": 10}),
        json!({"resend_subject": "x", "delay_minutes": 720}),
        json!({"resend_subject": "x", "delay_minutes": 14400}),
    ] {
        app.post(&resends(&activity), body).send().await.expect(201);
        app.delete(&format!("{}/DRAFT", resends(&activity)))
            .send()
            .await
            .expect(204);
    }
    // Another role: 409; an unknown activity: 404.
    let campaign_json = app.get_json(&format!("/v3/emails/{campaign}")).await;
    let permalink = campaign_json["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "permalink")
        .unwrap()["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"resend_subject": "x", "delay_days": 1});
    app.post(&resends(&permalink), body.clone())
        .send()
        .await
        .expect(409);
    let unknown = uuid::Uuid::now_v7().to_string();
    app.post(&resends(&unknown), body.clone())
        .send()
        .await
        .expect(404);
    app.get(&resends(&unknown)).send().await.expect(404);
    app.post(&resends("not-an-id"), body.clone())
        .send()
        .await
        .expect(400);
    // EXECUTING (no relay: the send waits in the queue): 409.
    app.create_contact(json!({
        "email_address": {"address": "ann@example.com", "permission_to_send": "explicit"},
        "list_memberships": [list]
    }))
    .await;
    schedule(&app, &activity, "0").await;
    app.mailer().drain().await.unwrap();
    let executing = app
        .get_json(&format!("/v3/emails/activities/{activity}"))
        .await;
    assert_eq!(executing["current_status"], "EXECUTING");
    let refused = app
        .post(&resends(&activity), body.clone())
        .send()
        .await
        .expect(409);
    assert!(refused.error_messages()[0].contains("EXECUTING"));
    // Only the send privilege creates or deletes one; reading needs campaign:read.
    let author = app
        .create_user(
            &app.owner,
            "author@example.com",
            roster_domain::Role::Author,
        )
        .await;
    let author = app.token_as(
        &app.owner,
        author,
        roster_domain::Role::Author,
        "campaign_data",
    );
    app.post(&resends(&activity), body.clone())
        .token(&author)
        .send()
        .await
        .expect(403);
    app.delete(&format!("{}/DRAFT", resends(&activity)))
        .token(&author)
        .send()
        .await
        .expect(403);
    app.get(&resends(&activity))
        .token(&author)
        .send()
        .await
        .expect(200);
}

/// The resend's recipients, by address, after the primary's send: one contact per kind of
/// engagement, plus a newcomer who joined the list after the send.
struct Audience {
    campaign: String,
    primary: String,
    resend: String,
}

/// Sends a campaign with a one-day resend to `list`'s contacts and records each contact's
/// engagement: `opened` opens, `clicked` clicks (no pixel), `machine` is opened by a machine
/// only, `bounced` bounces (a full mailbox: the address stays mailable), `unsubscribed` opts
/// out, `silent` does nothing; `newcomer` joins afterwards.
async fn sent_with_engagement(app: &TestApp) -> Audience {
    let list = app.create_list("Readers").await;
    let mut contacts = std::collections::HashMap::new();
    for name in [
        "opened",
        "clicked",
        "machine",
        "bounced",
        "unsubscribed",
        "silent",
    ] {
        let address = format!("{name}@example.com");
        contacts.insert(name, subscriber(app, &address, &list).await);
    }
    let (campaign, primary) = draft_campaign(app, "Autumn", Some(&list)).await;
    app.post(
        &resends(&primary),
        json!({"resend_subject": "In case you missed it", "delay_days": 1}),
    )
    .expect_json(201)
    .await;
    let before = app.sink().received().len();
    schedule(app, &primary, "0").await;
    app.mailer().drain().await.unwrap();
    let mailed = mailed_since(app, before);
    assert_eq!(mailed.len(), 6);
    open(app, &mailed["opened@example.com"]).await;
    click(app, &mailed["clicked@example.com"]).await;
    machine_open(app, &mailed["machine@example.com"]).await;
    unsubscribe(app, &mailed["unsubscribed@example.com"]).await;
    flush(app).await;
    let recorded = app
        .store()
        .record_bounce(
            &BounceTarget {
                account: app.owner.account,
                activity: primary.parse().unwrap(),
                contact: contacts["bounced"].parse().unwrap(),
                send_number: 1,
                email: "bounced@example.com".into(),
            },
            BounceCode::MailboxFull,
            SuspensionPolicy::default(),
            Timestamp::now(),
        )
        .await
        .unwrap();
    assert!(recorded.is_some());
    subscriber(app, "newcomer@example.com", &list).await;
    let resend = resend_activity(app, &campaign).await.expect("a resend");
    Audience {
        campaign,
        primary,
        resend,
    }
}

const DAY: Duration = Duration::from_secs(86_400);

async fn a_resend_reaches_exactly_the_non_openers(app: TestApp) {
    let audience = sent_with_engagement(&app).await;
    // Scheduled by the primary's send, a day after it.
    let listed = app.get_json(&resends(&audience.primary)).await;
    assert_eq!(listed[0]["resend_status"], "SCHEDULED", "{listed}");
    let primary_sent = app
        .get_json(&format!(
            "/v3/emails/activities/{}/send_history",
            audience.primary
        ))
        .await[0]["run_date"]
        .as_str()
        .unwrap()
        .to_string();
    let due = Timestamp::parse_iso8601(listed[0]["resend_date"].as_str().unwrap()).unwrap();
    let sent = Timestamp::parse_iso8601(&primary_sent).unwrap();
    assert_eq!(due.millis() - sent.millis(), 86_400_000);
    // Before its time, nothing.
    let before = app.sink().received().len();
    let clock = TestClock::new();
    let waiting = app.mailer_with(|c| c.clock = clock.clone());
    waiting.drain().await.unwrap();
    clock.advance(DAY - Duration::from_secs(60));
    waiting.drain().await.unwrap();
    assert_eq!(app.sink().received().len(), before);
    // At its time: the silent contact, the one opened only by a machine, and the newcomer,
    // with the resend's subject.
    clock.advance(Duration::from_secs(120));
    waiting.drain().await.unwrap();
    let mailed = mailed_since(&app, before);
    let to: BTreeSet<&str> = mailed.keys().map(String::as_str).collect();
    assert_eq!(
        to,
        BTreeSet::from([
            "machine@example.com",
            "newcomer@example.com",
            "silent@example.com"
        ])
    );
    assert!(mailed
        .values()
        .all(|m| m.subject == "In case you missed it"));
    // Its own activity: its history, its status, its reports; the campaign stays Done.
    let history = app
        .get_json(&format!(
            "/v3/emails/activities/{}/send_history",
            audience.resend
        ))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(
        (&history[0]["count"], &history[0]["send_status"]),
        (&json!(3), &json!("COMPLETED"))
    );
    let listed = app.get_json(&resends(&audience.primary)).await;
    assert_eq!(listed[0]["resend_status"], "DONE", "{listed}");
    let campaign = app
        .get_json(&format!("/v3/emails/{}", audience.campaign))
        .await;
    assert_eq!(campaign["current_status"], "Done");
    open(&app, &mailed["silent@example.com"]).await;
    flush(&app).await;
    let stats = app
        .get_json(&format!(
            "/v3/reports/stats/email_campaign_activities/{}",
            audience.resend
        ))
        .await;
    let counts: &Value = &stats["results"][0]["stats"];
    assert_eq!(
        (&counts["em_sends"], &counts["em_opens"]),
        (&json!(3), &json!(1)),
        "{stats}"
    );
    // Sent: it cannot be deleted any more, and nothing is sent twice.
    let id = listed[0]["resend_request_id"].as_str().unwrap();
    app.delete(&format!("{}/{id}", resends(&audience.primary)))
        .send()
        .await
        .expect(409);
    clock.advance(DAY);
    waiting.drain().await.unwrap();
    assert_eq!(app.sink().received().len(), before + 3);
}

async fn waiting_nodes_neither_lose_nor_duplicate_the_resend(app: TestApp) {
    let audience = sent_with_engagement(&app).await;
    let before = app.sink().received().len();
    // The wait outlives the node that scheduled it (the schedule is a row): two nodes started
    // afresh, both past the delay, drain at once; each non-opener gets the resend once.
    two_fresh_nodes_drain(&app, DAY + Duration::from_secs(60)).await;
    let mailed = mailed_since(&app, before);
    assert_eq!(mailed.len(), 3, "{:?}", mailed.keys());
    let history = app
        .get_json(&format!(
            "/v3/emails/activities/{}/send_history",
            audience.resend
        ))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
}
