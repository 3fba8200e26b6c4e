//! The unsubscribe link of campaign messages (docs/MAIL.md, "Unsubscribe"): the RFC 8058
//! one-click POST unsubscribes once and is credited to the activity, the GET page never
//! changes anything, the page's form stores the reason, and a forged token (or one naming
//! nothing) answers the 404 page and changes nothing. Tokens are issued here with the test
//! server's secret, as the sender issues them.

use reqwest::Method;
use roster_domain::recipient_token::{RecipientToken, TokenPurpose};
use roster_domain::{CampaignActivityId, ContactId};
use roster_tests::{on_both_engines, test_secret, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::contact_support::contact_with;

on_both_engines!(
    one_click_unsubscribes_once_and_credits_the_activity,
    the_page_asks_and_its_form_stores_the_reason,
    forged_tokens_and_links_naming_nothing_change_nothing,
);

/// A campaign of the owner's and its primary_email activity's id.
async fn campaign_activity(app: &TestApp) -> CampaignActivityId {
    let campaign = app
        .post(
            "/v3/emails",
            json!({"name": "Spring", "email_campaign_activities": [{
                "format_type": 5,
                "from_name": "Test Org",
                "from_email": app.owner.email,
                "reply_to_email": app.owner.email,
                "subject": "Spring news",
                "html_content": "<html><body><p>Hello</p></body></html>",
            }]}),
        )
        .send()
        .await
        .expect(200)
        .json();
    let primary = campaign["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "primary_email")
        .expect("a primary_email activity")["campaign_activity_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    primary
}

fn recipient(app: &TestApp, activity: CampaignActivityId, contact: &str) -> RecipientToken {
    RecipientToken {
        purpose: TokenPurpose::Unsubscribe,
        account: app.owner.account,
        activity,
        contact: contact.parse::<ContactId>().unwrap(),
        send: 3,
    }
}

fn link(token: &RecipientToken) -> String {
    format!(
        "/unsubscribe/{}",
        token.issue(&test_secret().recipient_key())
    )
}

async fn open(app: &TestApp, path: &str) -> TestResponse {
    app.request(Method::GET, path)
        .anonymous()
        .send_unchecked()
        .await
}

async fn post(app: &TestApp, path: &str, form: &str) -> TestResponse {
    app.request(Method::POST, path)
        .anonymous()
        .raw_body("application/x-www-form-urlencoded", form.to_string())
        .send_unchecked()
        .await
}

async fn one_click(app: &TestApp, path: &str) -> TestResponse {
    post(app, path, "List-Unsubscribe=One-Click").await
}

fn html(response: &TestResponse) -> String {
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(response.header("location").is_none(), "never a redirect");
    let csp = response.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    String::from_utf8_lossy(&response.body).into_owned()
}

async fn contact(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/v3/contacts/{id}")).await
}

async fn credited(app: &TestApp, activity: CampaignActivityId) -> usize {
    app.store()
        .campaign_opt_outs(app.owner.account, activity)
        .await
        .unwrap()
        .len()
}

async fn one_click_unsubscribes_once_and_credits_the_activity(app: TestApp) {
    let activity = campaign_activity(&app).await;
    let jo = contact_with(&app, "jo@example.com", "explicit").await;
    let path = link(&recipient(&app, activity, &jo));

    let done = one_click(&app, &path).await;
    assert_eq!(done.status, 200);
    assert!(html(&done).contains("jo@example.com"));
    let stored = contact(&app, &jo).await;
    let email = &stored["email_address"];
    assert_eq!(email["permission_to_send"], "unsubscribed");
    assert_eq!(email["opt_out_source"], "Contact");
    assert!(email["opt_out_date"].is_string(), "{email}");
    assert!(email.get("opt_out_reason").is_none(), "{email}");
    assert_eq!(stored["update_source"], "Contact");
    let opt_outs = app
        .store()
        .campaign_opt_outs(app.owner.account, activity)
        .await
        .unwrap();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(opt_outs[0].contact.to_string(), jo);
    assert_eq!(opt_outs[0].send, 3);
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(counts["unsubscribed"], 1);
    assert_eq!(counts["explicit"], 0);

    // A second POST is harmless: same answer, same contact, no second row.
    let again = one_click(&app, &path).await;
    assert_eq!(again.status, 200);
    html(&again);
    assert_eq!(contact(&app, &jo).await, stored);
    assert_eq!(credited(&app, activity).await, 1);
}

async fn the_page_asks_and_its_form_stores_the_reason(app: TestApp) {
    let activity = campaign_activity(&app).await;
    let jo = contact_with(&app, "jo@example.com", "implicit").await;
    let path = link(&recipient(&app, activity, &jo));
    let before = contact(&app, &jo).await;

    // Scanners fetch links: the page only asks.
    for _ in 0..2 {
        let shown = open(&app, &path).await;
        assert_eq!(shown.status, 200);
        let body = html(&shown);
        assert!(body.contains("<form method=\"post\""), "{body}");
        assert!(body.contains(&format!("action=\"{path}\"")), "{body}");
        assert!(body.contains("name=\"reason\""), "{body}");
    }
    assert_eq!(contact(&app, &jo).await, before);
    assert_eq!(credited(&app, activity).await, 0);

    let done = post(&app, &path, "reason=Too+many+emails+%26+more").await;
    assert_eq!(done.status, 200);
    html(&done);
    let email = contact(&app, &jo).await["email_address"].clone();
    assert_eq!(email["permission_to_send"], "unsubscribed");
    assert_eq!(email["opt_out_reason"], "Too many emails & more");
    let opt_outs = app
        .store()
        .campaign_opt_outs(app.owner.account, activity)
        .await
        .unwrap();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(
        opt_outs[0].reason.as_deref(),
        Some("Too many emails & more")
    );

    // Now the page says so instead of asking.
    let shown = open(&app, &path).await;
    assert_eq!(shown.status, 200);
    let body = html(&shown);
    assert!(!body.contains("<form"), "{body}");
    assert!(body.contains("is unsubscribed"), "{body}");
}

async fn forged_tokens_and_links_naming_nothing_change_nothing(app: TestApp) {
    let activity = campaign_activity(&app).await;
    let jo = contact_with(&app, "jo@example.com", "explicit").await;
    let genuine = recipient(&app, activity, &jo);
    let before = contact(&app, &jo).await;
    let issued = genuine.issue(&test_secret().recipient_key());

    let mut flipped = issued.clone().into_bytes();
    flipped[40] = if flipped[40] == b'A' { b'B' } else { b'A' };
    let other_key = roster_domain::recipient_token::RecipientKey::new([9; 32]);
    let mut forged = vec![
        "/unsubscribe/abc".to_string(),
        format!("/unsubscribe/{}", String::from_utf8(flipped).unwrap()),
        format!("/unsubscribe/{}", genuine.issue(&other_key)),
        link(&RecipientToken {
            purpose: TokenPurpose::Open,
            ..genuine
        }),
        // Genuine signatures over ids that name nothing: an unknown contact, an unknown
        // activity, another account.
        link(&RecipientToken {
            contact: ContactId::generate(),
            ..genuine
        }),
        link(&RecipientToken {
            activity: CampaignActivityId::generate(),
            ..genuine
        }),
    ];
    let b = app.create_account("b@example.com").await;
    forged.push(link(&RecipientToken {
        account: b.account,
        ..genuine
    }));
    for path in &forged {
        let shown = open(&app, path).await;
        let posted = one_click(&app, path).await;
        // The unknown activity's link still shows the page (the contact is real); only its
        // POST, which would credit the activity, is refused.
        if path.as_str() != forged[5] {
            assert_eq!(shown.status, 404, "GET {path}");
            html(&shown);
        }
        assert_eq!(posted.status, 404, "POST {path}");
        html(&posted);
    }
    assert_eq!(contact(&app, &jo).await, before);
    assert_eq!(credited(&app, activity).await, 0);

    // A deleted contact's link is dead too.
    app.delete(&format!("/v3/contacts/{jo}"))
        .send()
        .await
        .expect(204);
    let path = format!("/unsubscribe/{issued}");
    assert_eq!(one_click(&app, &path).await.status, 404);
    assert_eq!(open(&app, &path).await.status, 404);
    assert_eq!(credited(&app, activity).await, 0);
}
