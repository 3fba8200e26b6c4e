//! Contacts Reporting over HTTP on both engines (docs/REPORTS.md, "Contact reports"): two
//! campaigns sent through the SMTP sink, opens and clicks through the public pixel and click
//! endpoints and an opt-out through the one-click unsubscribe, then the three reports against
//! figures worked out by hand; every bad input; scope, privilege and account isolation.

use std::time::Duration;

use roster_domain::{Role, Timestamp};
use roster_tests::{on_both_engines_with_mail, TestApp, ALL_SCOPES};
use serde_json::Value;

use crate::engagement_support::{
    click, flush, machine_open, open, send_campaign, subscriber, unsubscribe,
};

on_both_engines_with_mail!(
    contact_reports_follow_the_round_trips,
    contact_reports_refuse_bad_input,
);

/// What the reports are checked against: ann opened and clicked the first campaign and opened
/// the second; bob clicked the first (an open implied) and unsubscribed from the second; cid
/// did nothing of its own (its privacy proxy fetched the first's pixel: a machine open). Each
/// step a few milliseconds apart, so the newest-first order is certain.
pub struct Story {
    pub first: String,
    pub second: String,
    pub ann: String,
    pub bob: String,
    pub cid: String,
}

async fn pause() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

pub async fn story(app: &TestApp) -> Story {
    let list = app.create_list("Readers").await;
    let ann = subscriber(app, "ann@example.com", &list).await;
    let bob = subscriber(app, "bob@example.com", &list).await;
    let cid = subscriber(app, "cid@example.com", &list).await;
    let first = send_campaign(app, "First", &list).await;
    pause().await;
    open(app, &first.to["ann@example.com"]).await;
    pause().await;
    click(app, &first.to["ann@example.com"]).await;
    pause().await;
    click(app, &first.to["bob@example.com"]).await;
    machine_open(app, &first.to["cid@example.com"]).await;
    flush(app).await;
    pause().await;
    let second = send_campaign(app, "Second", &list).await;
    assert_eq!(second.to.len(), 3);
    pause().await;
    open(app, &second.to["ann@example.com"]).await;
    pause().await;
    unsubscribe(app, &second.to["bob@example.com"]).await;
    flush(app).await;
    Story {
        first: first.activity,
        second: second.activity,
        ann,
        bob,
        cid,
    }
}

fn details(contact: &str, query: &str) -> String {
    format!("/v3/reports/contact_reports/{contact}/activity_details?{query}")
}

/// (type, activity, name) of each row, in order.
fn rows(page: &Value) -> Vec<(String, String, Option<String>)> {
    page["tracking_activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["tracking_activity_type"].as_str().unwrap().to_string(),
                row["campaign_activity_id"].as_str().unwrap().to_string(),
                row["campaign_activity_name"].as_str().map(String::from),
            )
        })
        .collect()
}

fn row(kind: &str, activity: &str, name: &str) -> (String, String, Option<String>) {
    (kind.into(), activity.into(), Some(name.into()))
}

/// An hour either side of now.
fn around_now() -> String {
    let now = Timestamp::now();
    format!(
        "start={}&end={}",
        now.plus_seconds(-3600).to_rfc3339(),
        now.plus_seconds(3600).to_rfc3339()
    )
}

async fn contact_reports_follow_the_round_trips(app: TestApp) {
    let s = story(&app).await;
    // Activity details: sends and own events, newest first, named by their campaign.
    let all = "tracking_activities_list=em_sends,em_opens,em_clicks,em_bounces,em_optouts,\
               em_forwards";
    let page = app.get_json(&details(&s.ann, all)).await;
    assert_eq!(
        rows(&page),
        [
            row("em_opens", &s.second, "Second"),
            row("em_sends", &s.second, "Second"),
            row("em_clicks", &s.first, "First"),
            row("em_opens", &s.first, "First"),
            row("em_sends", &s.first, "First"),
        ]
    );
    assert!(page.get("_links").is_none(), "one page");
    for item in page["tracking_activities"].as_array().unwrap() {
        assert_eq!(item["contact_id"], s.ann.as_str());
    }
    let times: Vec<&str> = page["tracking_activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_time"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    // The same rows two at a time through the cursor.
    let mut walked = Vec::new();
    let mut next = Some(details(&s.ann, &format!("{all}&limit=2")));
    let mut pages = 0;
    while let Some(path) = next {
        let page = app.get_json(&path).await;
        walked.extend(rows(&page));
        next = page["_links"]["next"]["href"].as_str().map(String::from);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(walked, rows(&app.get_json(&details(&s.ann, all)).await));

    // The repeated form, and no names when asked.
    let page = app
        .get_json(&details(
            &s.ann,
            "tracking_activity_type=em_sends&tracking_activity_type=em_clicks\
             &include_campaign_activity_names=false",
        ))
        .await;
    let unnamed: Vec<(String, String, Option<String>)> = [
        ("em_sends", &s.second),
        ("em_clicks", &s.first),
        ("em_sends", &s.first),
    ]
    .into_iter()
    .map(|(kind, activity)| (kind.to_string(), activity.to_string(), None))
    .collect();
    assert_eq!(rows(&page), unnamed);
    assert!(page["tracking_activities"][0]
        .get("campaign_activity_name")
        .is_none());
    // Bob's open is the one his click implied; his opt-out is from the second campaign.
    let bob = app
        .get_json(&details(
            &s.bob,
            "tracking_activities_list=em_opens,em_optouts",
        ))
        .await;
    assert_eq!(
        rows(&bob),
        [
            row("em_optouts", &s.second, "Second"),
            row("em_opens", &s.first, "First"),
        ]
    );
    // Landing-page types are accepted; Roster has none.
    let landing = app
        .get_json(&details(&s.ann, "tracking_activities_list=p_contact_open"))
        .await;
    assert_eq!(landing["tracking_activities"], serde_json::json!([]));
    let cid = app
        .get_json(&details(
            &s.cid,
            "tracking_activities_list=em_opens,em_clicks",
        ))
        .await;
    assert_eq!(cid["tracking_activities"], serde_json::json!([]));

    // Open and click rates: opened (or clicked) activities and clicked activities over the
    // activities sent in the range.
    let rates = |contact: &str, range: String| {
        let app = &app;
        let path = format!("/v3/reports/contact_reports/{contact}/open_and_click_rates?{range}");
        async move { app.get_json(&path).await }
    };
    let ann = rates(&s.ann, around_now()).await;
    assert_eq!(ann["contact_id"], s.ann.as_str());
    assert_eq!(ann["included_activities_count"], 2);
    assert_eq!(ann["average_open_rate"], 1.0);
    assert_eq!(ann["average_click_rate"], 0.5);
    let bob = rates(&s.bob, around_now()).await;
    assert_eq!(bob["included_activities_count"], 2);
    assert_eq!(bob["average_open_rate"], 0.5);
    assert_eq!(bob["average_click_rate"], 0.5);
    let cid = rates(&s.cid, around_now()).await;
    assert_eq!(cid["included_activities_count"], 2);
    assert_eq!(cid["average_open_rate"], 0.0);
    assert_eq!(cid["average_click_rate"], 0.0);
    let before = rates(
        &s.ann,
        "start=2019-01-01T00:00:00-0500&end=2019-12-01T00:00:00-0500".into(),
    )
    .await;
    assert_eq!(before["included_activities_count"], 0);
    assert_eq!(before["average_open_rate"], 0.0);
    assert_eq!(before["average_click_rate"], 0.0);

    // Activity summary: the most recently sent first, with what the contact did.
    let summary = |contact: &str| {
        let app = &app;
        let path = format!(
            "/v3/reports/contact_reports/{contact}/activity_summary?{}",
            around_now()
        );
        async move { app.get_json(&path).await }
    };
    let counts = |item: &Value| -> Vec<i64> {
        [
            "em_sends",
            "em_opens",
            "em_clicks",
            "em_bounces",
            "em_forwards",
            "em_unsubscribes",
        ]
        .iter()
        .map(|key| item[*key].as_i64().unwrap())
        .collect()
    };
    let ann = summary(&s.ann).await;
    assert_eq!(ann["contact_id"], s.ann.as_str());
    let activities = ann["campaign_activities"].as_array().unwrap();
    assert_eq!(activities.len(), 2);
    assert_eq!(activities[0]["campaign_activity_id"], s.second.as_str());
    assert_eq!(counts(&activities[0]), [1, 1, 0, 0, 0, 0]);
    assert_eq!(activities[1]["campaign_activity_id"], s.first.as_str());
    assert_eq!(counts(&activities[1]), [1, 1, 1, 0, 0, 0]);
    assert!(
        activities[0]["start_on"].as_str().unwrap() > activities[1]["start_on"].as_str().unwrap()
    );
    let bob = summary(&s.bob).await;
    let activities = bob["campaign_activities"].as_array().unwrap();
    assert_eq!(counts(&activities[0]), [1, 0, 0, 0, 0, 1]);
    assert_eq!(counts(&activities[1]), [1, 1, 1, 0, 0, 0]);
    let none = app
        .get_json(&format!(
            "/v3/reports/contact_reports/{}/activity_summary?\
             start=2019-01-01T00:00:00-0500&end=2019-12-01T00:00:00-0500",
            s.ann
        ))
        .await;
    assert_eq!(none["campaign_activities"], serde_json::json!([]));
}

async fn contact_reports_refuse_bad_input(app: TestApp) {
    let list = app.create_list("Readers").await;
    let ann = subscriber(&app, "ann@example.com", &list).await;
    let refused = |path: String| {
        let app = &app;
        async move { app.get(&path).send().await.expect(400).error_messages() }
    };
    // activity_details: one of the two type parameters, never both; known types; limit 1-100.
    assert_eq!(
        refused(details(&ann, "")).await,
        ["One of tracking_activities_list or tracking_activity_type is required."]
    );
    assert_eq!(
        refused(details(
            &ann,
            "tracking_activities_list=em_sends&tracking_activity_type=em_opens"
        ))
        .await,
        [
            "tracking_activities_list and tracking_activity_type are mutually exclusive; give \
          one of them."
        ]
    );
    let unknown = refused(details(&ann, "tracking_activities_list=em_sends,em_abuse")).await;
    assert!(
        unknown[0].starts_with("tracking_activities_list holds em_abuse;"),
        "{unknown:?}"
    );
    let unknown = refused(details(&ann, "tracking_activity_type=sends")).await;
    assert!(
        unknown[0].starts_with("tracking_activity_type holds sends;"),
        "{unknown:?}"
    );
    for limit in ["0", "101", "ten", "-1"] {
        assert_eq!(
            refused(details(
                &ann,
                &format!("tracking_activities_list=em_sends&limit={limit}")
            ))
            .await,
            ["limit must be a whole number from 1 to 100."],
            "{limit}"
        );
    }
    assert_eq!(
        refused(details(
            &ann,
            "tracking_activities_list=em_sends&include_campaign_activity_names=maybe"
        ))
        .await,
        ["include_campaign_activity_names must be true or false."]
    );
    assert_eq!(
        refused(details(
            &ann,
            "tracking_activities_list=em_sends&cursor=bm90IG1pbmU"
        ))
        .await,
        ["cursor is not a cursor this server issued."]
    );
    for limit in ["1", "100"] {
        app.get(&details(
            &ann,
            &format!("tracking_activities_list=em_sends&limit={limit}"),
        ))
        .send()
        .await
        .expect(200);
    }

    // The rates and the summary: start and end required, ISO 8601, in order, ≤ 5 years.
    for report in ["open_and_click_rates", "activity_summary"] {
        let path = |query: &str| format!("/v3/reports/contact_reports/{ann}/{report}?{query}");
        assert_eq!(
            refused(path("")).await,
            ["start is required.", "end is required."]
        );
        assert_eq!(
            refused(path("start=2019-01-01T00:00:00-0500")).await,
            ["end is required."]
        );
        assert_eq!(
            refused(path("end=2019-01-01T00:00:00-0500")).await,
            ["start is required."]
        );
        assert_eq!(
            refused(path("start=yesterday&end=2019-01-01T00:00:00-0500")).await,
            ["start must be an ISO-8601 date-time such as 2019-01-01T00:00:00-0500."]
        );
        assert_eq!(
            refused(path("start=2019-02-01T00:00:00Z&end=2019-01-01T00:00:00Z")).await,
            ["end must not be before start."]
        );
        assert_eq!(
            refused(path("start=2015-01-01T00:00:00Z&end=2020-01-03T00:00:00Z")).await,
            ["end must be at most 5 years after start."]
        );
        // Five years (with a leap day) is accepted, and so is an unencoded `+` offset.
        app.get(&path("start=2015-01-01T00:00:00Z&end=2020-01-01T00:00:00Z"))
            .send()
            .await
            .expect(200);
        app.get(&path(
            "start=2019-01-01T00:00:00+0500&end=2019-12-01T00:00:00+0500",
        ))
        .send()
        .await
        .expect(200);
        let range = "start=2019-01-01T00:00:00Z&end=2019-02-01T00:00:00Z";
        // Path ids: malformed 400, unknown or another account's 404.
        assert_eq!(
            refused(format!("/v3/reports/contact_reports/nope/{report}?{range}")).await,
            ["contact_id is in an invalid format."]
        );
        let unknown = uuid::Uuid::now_v7();
        app.get(&format!(
            "/v3/reports/contact_reports/{unknown}/{report}?{range}"
        ))
        .send()
        .await
        .expect(404);
    }
    let other = app.create_account("other@example.com").await;
    for path in [
        details(&ann, "tracking_activities_list=em_sends"),
        format!(
            "/v3/reports/contact_reports/{ann}/open_and_click_rates?{}",
            around_now()
        ),
        format!(
            "/v3/reports/contact_reports/{ann}/activity_summary?{}",
            around_now()
        ),
    ] {
        app.get(&path).token(&other.token).send().await.expect(404);
        // contact_data scope, and the ui:campaign:metrics privilege an author lacks.
        let campaign_only = app.token_for(&app.owner, "campaign_data");
        app.get(&path)
            .token(&campaign_only)
            .send()
            .await
            .expect(403);
        let author = app
            .create_user(
                &app.owner,
                &format!("a{}@example.com", path.len()),
                Role::Author,
            )
            .await;
        let author = app.token_as(&app.owner, author, Role::Author, ALL_SCOPES);
        let forbidden = app.get(&path).token(&author).send().await.expect(403);
        assert!(forbidden.error_messages()[0].contains("ui:campaign:metrics"));
        app.get(&path).send().await.expect(200);
    }
}
