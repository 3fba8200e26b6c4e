//! A/B subject tests (docs/CAMPAIGNS.md, "A/B tests"): the three operations and their
//! refusals, and the test itself over real SMTP: two arms of exactly the formula's size with
//! subjects A and B, the activity EXECUTING through the winner wait (passed on the mailer's
//! clock), the winner by unique human opens sent to everyone else, and a later re-send with the
//! winning subject.

use std::collections::BTreeMap;
use std::time::Duration;

use roster_domain::Role;
use roster_tests::clock::TestClock;
use roster_tests::{on_both_engines, on_both_engines_with_mail, TestApp};
use serde_json::json;

use crate::engagement_support::{
    flush, machine_open, mailed_since, open, subscriber, two_fresh_nodes_drain, Mailed,
};
use crate::non_opener_resends::{draft_campaign, schedule};

on_both_engines!(ab_tests_follow_their_rules);
on_both_engines_with_mail!(
    an_ab_test_sends_the_winner_to_everyone_else,
    ties_and_tiny_audiences_go_to_subject_a,
    waiting_nodes_neither_lose_nor_duplicate_the_winner
);

fn abtest(activity: &str) -> String {
    format!("/v3/emails/activities/{activity}/abtest")
}

async fn campaign_type(app: &TestApp, campaign: &str) -> (String, i64) {
    let campaign = app.get_json(&format!("/v3/emails/{campaign}")).await;
    (
        campaign["type"].as_str().unwrap().to_string(),
        campaign["type_code"].as_i64().unwrap(),
    )
}

async fn ab_tests_follow_their_rules(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (campaign, activity) = draft_campaign(&app, "Winter", Some(&list)).await;
    app.get(&abtest(&activity)).send().await.expect(404);
    for (body, field) in [
        (
            json!({"test_size": 10, "winner_wait_duration": 6}),
            "alternative_subject",
        ),
        (
            json!({"alternative_subject": "B", "winner_wait_duration": 6}),
            "test_size",
        ),
        (
            json!({"alternative_subject": "B", "test_size": 10}),
            "winner_wait_duration",
        ),
        (
            json!({"alternative_subject": "B", "test_size": 4, "winner_wait_duration": 6}),
            "test_size",
        ),
        (
            json!({"alternative_subject": "B", "test_size": 51, "winner_wait_duration": 6}),
            "test_size",
        ),
        (
            json!({"alternative_subject": "B", "test_size": 10, "winner_wait_duration": 7}),
            "winner_wait_duration",
        ),
        (
            json!({"alternative_subject": "B", "test_size": "10", "winner_wait_duration": 6}),
            "test_size",
        ),
        (
            json!({"alternative_subject": "[[FirstName]]", "test_size": 10, "winner_wait_duration": 6}),
            "alternative_subject",
        ),
    ] {
        let refused = app
            .post(&abtest(&activity), body.clone())
            .send()
            .await
            .expect(400);
        assert!(
            refused.error_messages().iter().any(|m| m.contains(field)),
            "{body}: {:?}",
            refused.error_messages()
        );
    }
    let body =
        json!({"alternative_subject": "Subject B", "test_size": 5, "winner_wait_duration": 48});
    let created = app
        .post(&abtest(&activity), body.clone())
        .expect_json(201)
        .await;
    assert_eq!(created, body);
    assert_eq!(app.get_json(&abtest(&activity)).await, body);
    assert_eq!(campaign_type(&app, &campaign).await, ("AB_TEST".into(), 57));
    app.post(&abtest(&activity), body.clone())
        .send()
        .await
        .expect(409);
    // Another role: 409; an unknown activity: 404.
    let campaign_json = app.get_json(&format!("/v3/emails/{campaign}")).await;
    let permalink = campaign_json["campaign_activities"][1]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&abtest(&permalink), body.clone())
        .send()
        .await
        .expect(409);
    let unknown = uuid::Uuid::now_v7().to_string();
    app.post(&abtest(&unknown), body.clone())
        .send()
        .await
        .expect(404);
    app.delete(&abtest(&unknown)).send().await.expect(404);
    // Privileges: writing needs campaign:write (a reporter has only read), reading
    // campaign:read.
    let reporter = app
        .create_user(&app.owner, "reporter@example.com", Role::Reporter)
        .await;
    let reporter = app.token_as(&app.owner, reporter, Role::Reporter, "campaign_data");
    app.get(&abtest(&activity))
        .token(&reporter)
        .send()
        .await
        .expect(200);
    app.delete(&abtest(&activity))
        .token(&reporter)
        .send()
        .await
        .expect(403);
    app.post(&abtest(&activity), body.clone())
        .token(&reporter)
        .send()
        .await
        .expect(403);
    // Deleted in DRAFT: the type goes back; a second DELETE finds none.
    app.delete(&abtest(&activity)).send().await.expect(204);
    assert_eq!(
        campaign_type(&app, &campaign).await,
        ("NEWSLETTER".into(), 10)
    );
    app.get(&abtest(&activity)).send().await.expect(404);
    app.delete(&abtest(&activity)).send().await.expect(404);
    // An author (campaign:write) creates one; once scheduled it is neither created nor deleted.
    let author = app
        .create_user(&app.owner, "author@example.com", Role::Author)
        .await;
    let author = app.token_as(&app.owner, author, Role::Author, "campaign_data");
    app.post(&abtest(&activity), body.clone())
        .token(&author)
        .send()
        .await
        .expect(201);
    schedule(&app, &activity, "2099-01-01").await;
    let refused = app.delete(&abtest(&activity)).send().await.expect(409);
    assert!(refused.error_messages()[0].contains("SCHEDULED"));
    app.get(&abtest(&activity)).send().await.expect(200);
    let (_, other) = draft_campaign(&app, "Spring", Some(&list)).await;
    schedule(&app, &other, "2099-01-01").await;
    app.post(&abtest(&other), body.clone())
        .send()
        .await
        .expect(409);
}

/// A list of `count` contacts `reader{i}@example.com`.
async fn readers(app: &TestApp, count: usize) -> String {
    let list = app.create_list("Readers").await;
    for i in 0..count {
        subscriber(app, &format!("reader{i}@example.com"), &list).await;
    }
    list
}

/// The subjects of `mailed`, counted.
fn subjects(mailed: &std::collections::HashMap<String, Mailed>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for message in mailed.values() {
        *counts.entry(message.subject.clone()).or_insert(0) += 1;
    }
    counts
}

async fn status(app: &TestApp, activity: &str) -> String {
    app.get_json(&format!("/v3/emails/activities/{activity}"))
        .await["current_status"]
        .as_str()
        .unwrap()
        .to_string()
}

const SIX_HOURS: Duration = Duration::from_secs(6 * 3600);

/// A campaign to 10 readers with a 20% test and a 6-hour wait, its arms mailed: returns
/// (campaign, activity, the arms' messages).
async fn arms_sent(app: &TestApp) -> (String, String, std::collections::HashMap<String, Mailed>) {
    let list = readers(app, 10).await;
    let (campaign, activity) = draft_campaign(app, "Subject A", Some(&list)).await;
    app.post(
        &abtest(&activity),
        json!({"alternative_subject": "Subject B", "test_size": 20, "winner_wait_duration": 6}),
    )
    .expect_json(201)
    .await;
    let before = app.sink().received().len();
    schedule(app, &activity, "0").await;
    app.mailer().drain().await.unwrap();
    let arms = mailed_since(app, before);
    // floor(10 × 20 / 100) = 2 per arm.
    assert_eq!(
        subjects(&arms),
        BTreeMap::from([("Subject A".into(), 2), ("Subject B".into(), 2)])
    );
    assert_eq!(status(app, &activity).await, "EXECUTING");
    (campaign, activity, arms)
}

/// `roster campaigns show` of `campaign`, as JSON.
fn campaigns_show(app: &TestApp, campaign: &str) -> serde_json::Value {
    let output = roster_tests::serve::roster_command(
        env!("CARGO_BIN_EXE_roster-under-test"),
        &app.database_url,
    )
    .args([
        "campaigns",
        "show",
        campaign,
        "--account-email",
        &app.owner.email,
    ])
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn an_ab_test_sends_the_winner_to_everyone_else(app: TestApp) {
    let (campaign, activity, arms) = arms_sent(&app).await;
    // B's two readers open; one of A's is opened by a machine only: B wins, 2 to 0.
    for (address, message) in &arms {
        match (message.subject.as_str(), address.as_str()) {
            ("Subject B", _) => open(&app, message).await,
            ("Subject A", _) => machine_open(&app, message).await,
            _ => unreachable!(),
        }
    }
    flush(&app).await;
    let before = app.sink().received().len();
    let clock = TestClock::new();
    let waiting = app.mailer_with(|c| c.clock = clock.clone());
    clock.advance(SIX_HOURS - Duration::from_secs(60));
    waiting.drain().await.unwrap();
    assert_eq!(
        app.sink().received().len(),
        before,
        "nothing before the wait is over"
    );
    assert_eq!(status(&app, &activity).await, "EXECUTING");
    clock.advance(Duration::from_secs(120));
    waiting.drain().await.unwrap();
    let winners = mailed_since(&app, before);
    assert_eq!(
        subjects(&winners),
        BTreeMap::from([("Subject B".into(), 6)])
    );
    assert!(winners.keys().all(|address| !arms.contains_key(address)));
    assert_eq!(status(&app, &activity).await, "DONE");
    let shown = app.get_json(&format!("/v3/emails/{campaign}")).await;
    assert_eq!(shown["current_status"], "Done");
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    let counts: Vec<(i64, i64)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|send| {
            (
                send["send_id"].as_i64().unwrap(),
                send["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [(1, 4), (2, 6)]);
    // The API has no per-arm figures; `roster campaigns show` prints them.
    let shown = campaigns_show(&app, &campaign);
    assert_eq!(shown["ab_test"]["winner"], "B", "{shown}");
    assert_eq!(
        shown["ab_test"]["arms"],
        json!([
            {"arm": "A", "subject": "Subject A", "sends": 2, "unique_opens": 0},
            {"arm": "B", "subject": "Subject B", "sends": 2, "unique_opens": 2},
        ]),
        "{shown}"
    );
    // A re-send of the DONE activity mails a newcomer the winning subject.
    let list = app
        .get_json(&format!("/v3/emails/activities/{activity}"))
        .await["contact_list_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    subscriber(&app, "late@example.com", &list).await;
    let before = app.sink().received().len();
    schedule(&app, &activity, "0").await;
    waiting.drain().await.unwrap();
    let late = mailed_since(&app, before);
    assert_eq!(late.len(), 1);
    assert_eq!(late["late@example.com"].subject, "Subject B");
}

async fn ties_and_tiny_audiences_go_to_subject_a(app: TestApp) {
    // 4 readers at 25%: one per arm; nobody opens, so A wins the tie.
    let list = readers(&app, 4).await;
    let (_, activity) = draft_campaign(&app, "Subject A", Some(&list)).await;
    let body =
        json!({"alternative_subject": "Subject B", "test_size": 25, "winner_wait_duration": 12});
    app.post(&abtest(&activity), body.clone())
        .expect_json(201)
        .await;
    let before = app.sink().received().len();
    schedule(&app, &activity, "0").await;
    app.mailer().drain().await.unwrap();
    let arms = mailed_since(&app, before);
    assert_eq!(
        subjects(&arms),
        BTreeMap::from([("Subject A".into(), 1), ("Subject B".into(), 1)])
    );
    let clock = TestClock::new();
    clock.advance(Duration::from_secs(12 * 3600 + 60));
    app.mailer_with(|c| c.clock = clock.clone())
        .drain()
        .await
        .unwrap();
    let rest = mailed_since(&app, before + 2);
    assert_eq!(subjects(&rest), BTreeMap::from([("Subject A".into(), 2)]));
    // One recipient: the test is skipped and it gets subject A at once.
    let single = app.create_list("Single").await;
    subscriber(&app, "only@example.com", &single).await;
    let (_, activity) = draft_campaign(&app, "Only A", Some(&single)).await;
    app.post(&abtest(&activity), body).expect_json(201).await;
    let before = app.sink().received().len();
    schedule(&app, &activity, "0").await;
    app.mailer().drain().await.unwrap();
    let only = mailed_since(&app, before);
    assert_eq!(only["only@example.com"].subject, "Only A");
    assert_eq!(status(&app, &activity).await, "DONE");
}

async fn waiting_nodes_neither_lose_nor_duplicate_the_winner(app: TestApp) {
    let (_, activity, arms) = arms_sent(&app).await;
    for message in arms.values().filter(|m| m.subject == "Subject A") {
        open(&app, message).await;
    }
    flush(&app).await;
    // The wait is a row: two nodes started afresh after it drain at once; the winner send
    // starts once and each of the others gets it once.
    let before = app.sink().received().len();
    two_fresh_nodes_drain(&app, SIX_HOURS + Duration::from_secs(60)).await;
    let winners = mailed_since(&app, before);
    assert_eq!(
        subjects(&winners),
        BTreeMap::from([("Subject A".into(), 6)])
    );
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    assert_eq!(status(&app, &activity).await, "DONE");
}
