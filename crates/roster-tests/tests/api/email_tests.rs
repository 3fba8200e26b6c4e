//! Test sends, POST /emails/activities/{id}/tests (docs/CAMPAIGNS.md, "Test sends"): what
//! arrives at each address, the refusals by property, which activities can be test sent, the
//! daily limit of 50 recipients, and the privilege.

use std::time::Duration;

use roster_domain::Role;
use roster_tests::{on_both_engines_with_mail, TestApp};
use serde_json::{json, Value};

on_both_engines_with_mail!(
    a_test_send_mails_each_address_the_test_rendering,
    test_sends_refuse_bad_bodies_by_name,
    only_a_live_primary_activity_of_the_account_can_be_test_sent,
    an_account_mails_at_most_50_test_recipients_a_day
);

const HTML: &str = "<html><head><style>p.lead { color: red }</style></head><body>\
    [[trackingImage]]<p class=\"lead\">Hello [[FirstName OR \"friend\"]][[LastName]]</p>\
    <p>From [[account.OrganizationName OR \"us\"]]</p></body></html>";

async fn campaign(app: &TestApp) -> Value {
    let email = app.owner.email.as_str();
    let body = json!({
        "name": format!("Test send {}", uuid::Uuid::new_v4()),
        "email_campaign_activities": [{
            "format_type": 5,
            "from_name": "Test Org",
            "from_email": email,
            "reply_to_email": email,
            "subject": "News for [[FirstName OR \"you\"]]",
            "preheader": "Inside: [[FirstName OR \"a gift\"]]",
            "html_content": HTML,
        }],
    });
    app.post("/v3/emails", body).expect_json(200).await
}

fn activity_of(campaign: &Value, role: &str) -> String {
    let activities = campaign["campaign_activities"].as_array().unwrap();
    let activity = activities.iter().find(|a| a["role"] == role).unwrap();
    activity["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn tests_path(activity: &str) -> String {
    format!("/v3/emails/activities/{activity}/tests")
}

async fn a_test_send_mails_each_address_the_test_rendering(app: TestApp) {
    let activity = activity_of(&campaign(&app).await, "primary_email");
    let body = json!({
        "email_addresses": ["Ann@Example.com", "bob@example.com", "ann@example.com"],
        "personal_message": "Please check <this>\nThanks",
    });
    let response = app
        .post(&tests_path(&activity), body)
        .send()
        .await
        .expect(204);
    assert!(response.body.is_empty());

    // One message per distinct address.
    assert_eq!(app.mailer().drain().await.unwrap().sent, 2);
    let mut received = app.sink().wait_for(2, Duration::from_secs(10)).await;
    received.sort_by(|a, b| a.rcpt_to.cmp(&b.rcpt_to));
    let recipients: Vec<_> = received.iter().map(|r| r.rcpt_to.clone()).collect();
    assert_eq!(recipients, [["ann@example.com"], ["bob@example.com"]]);
    for mail in &received {
        let parsed = mail.parsed();
        // No contact's values, not even the owner's ("Test"): fallbacks, or nothing; the
        // account's values stay (they are not dynamic content).
        assert_eq!(parsed.subject(), Some("[TEST] News for you"));
        let from = mail.header("From").unwrap();
        assert!(
            from.contains("Test Org") && from.contains(&app.owner.email),
            "{from}"
        );
        let reply_to = mail.header("Reply-To").unwrap();
        assert!(reply_to.contains(&app.owner.email), "{reply_to}");
        // Lines end in CR LF on the wire.
        let html = parsed.body_html(0).unwrap().replace("\r\n", "\n");
        let text = parsed.body_text(0).unwrap().replace("\r\n", "\n");
        // The hidden preheader first, then the personal message (escaped), then the content.
        let preheader = html.find(">Inside: a gift</div>").expect("the preheader");
        let personal = html
            .find("Please check &lt;this&gt;\nThanks")
            .expect("the message");
        let content = html.find("Hello friend</p>").expect("the content");
        assert!(preheader < personal && personal < content, "{html}");
        assert!(html.contains("display:none"), "{html}");
        // CSS inlined at send, no tracking image, the footer with an inert unsubscribe link.
        assert!(
            html.contains("class=\"lead\" style=\"color: red;\""),
            "{html}"
        );
        assert!(!html.contains("p.lead"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"#unsubscribe\""), "{html}");
        assert!(
            text.starts_with("Please check <this>\nThanks\n\n"),
            "{text}"
        );
        assert!(text.contains("Hello friend"), "{text}");
        assert!(!text.contains("Hello Test"), "{text}");
        assert!(text.contains("Unsubscribe: #unsubscribe"), "{text}");
    }
}

async fn test_sends_refuse_bad_bodies_by_name(app: TestApp) {
    let path = tests_path(&activity_of(&campaign(&app).await, "primary_email"));
    let six: Vec<String> = (0..6).map(|n| format!("t{n}@example.com")).collect();
    for (body, property) in [
        (json!({}), "email_addresses"),
        (json!({"email_addresses": []}), "email_addresses"),
        (json!({"email_addresses": six}), "email_addresses"),
        (
            json!({"email_addresses": "a@example.com"}),
            "email_addresses",
        ),
        (
            json!({"email_addresses": ["a@example.com", "not an address"]}),
            "email_addresses[1]",
        ),
        (
            json!({"email_addresses": ["a@example.com", 7]}),
            "email_addresses[1]",
        ),
        (
            json!({"email_addresses": ["a@example.com"], "personal_message": 5}),
            "personal_message",
        ),
    ] {
        let messages = app
            .post(&path, body.clone())
            .send()
            .await
            .expect(400)
            .error_messages();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&format!("{property} "))),
            "{body}: {messages:?}"
        );
    }
    // Five is the most, and nothing refused was queued.
    let five: Vec<String> = (0..5).map(|n| format!("t{n}@example.com")).collect();
    app.post(&path, json!({"email_addresses": five}))
        .send()
        .await
        .expect(204);
    assert_eq!(app.mailer().drain().await.unwrap().sent, 5);
}

async fn only_a_live_primary_activity_of_the_account_can_be_test_sent(app: TestApp) {
    let created = campaign(&app).await;
    let body = json!({"email_addresses": ["a@example.com"]});
    // The permalink activity: the path parameter's text allows primary_email only.
    let permalink = tests_path(&activity_of(&created, "permalink"));
    app.post(&permalink, body.clone()).send().await.expect(404);
    let primary = tests_path(&activity_of(&created, "primary_email"));
    // Another account's activity is not found.
    let other = app.create_account("other-tester@example.com").await;
    app.post(&primary, body.clone())
        .token(&other.token)
        .send()
        .await
        .expect(404);
    // An author may write campaigns but not send them: campaign:send.
    let author = app
        .create_user(&app.owner, "author-tester@example.com", Role::Author)
        .await;
    let author_token = app.token_as(&app.owner, author, Role::Author, "campaign_data");
    app.post(&primary, body.clone())
        .token(&author_token)
        .send()
        .await
        .expect(403);
    // Any status but Removed: a draft is test sent, a removed campaign's activity is not.
    app.post(&primary, body.clone()).send().await.expect(204);
    let id = created["campaign_id"].as_str().unwrap();
    app.delete(&format!("/v3/emails/{id}"))
        .send()
        .await
        .expect(204);
    app.post(&primary, body).send().await.expect(404);
    assert_eq!(app.mailer().drain().await.unwrap().sent, 1);
}

async fn an_account_mails_at_most_50_test_recipients_a_day(app: TestApp) {
    let path = tests_path(&activity_of(&campaign(&app).await, "primary_email"));
    let addresses = |from: usize, count: usize| -> Value {
        let list: Vec<String> = (from..from + count)
            .map(|n| format!("r{n}@example.com"))
            .collect();
        json!({ "email_addresses": list })
    };
    // Addresses are counted, not requests: 9 × 5 + 3 = 48.
    for request in 0..9 {
        app.post(&path, addresses(request * 5, 5))
            .send()
            .await
            .expect(204);
    }
    app.post(&path, addresses(45, 3)).send().await.expect(204);
    // Five more would make 53: refused with the error array, and not counted.
    let refused = app.post(&path, addresses(48, 5)).send().await.expect(429);
    assert!(
        refused.error_messages().iter().any(|m| m.contains("50")),
        "{:?}",
        refused.error_messages()
    );
    app.post(&path, addresses(48, 2)).send().await.expect(204);
    app.post(&path, addresses(50, 1)).send().await.expect(429);
    // Another account has its own 50.
    let other = app.create_account("second-tester@example.com").await;
    let other_campaign = app
        .post(
            "/v3/emails",
            json!({"name": "Other", "email_campaign_activities": [{
                "format_type": 5, "from_name": "O", "from_email": other.email,
                "reply_to_email": other.email, "subject": "s", "html_content": "<p>x</p>"}]}),
        )
        .token(&other.token)
        .expect_json(200)
        .await;
    let other_path = tests_path(&activity_of(&other_campaign, "primary_email"));
    app.post(&other_path, addresses(0, 5))
        .token(&other.token)
        .send()
        .await
        .expect(204);
}
