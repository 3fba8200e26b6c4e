//! The public pages in a real browser (SQLite only; `roster_tests::chromium`): each loads with
//! no error in the browser log, its form is filled and submitted with the keyboard alone, and
//! axe-core finds no violation of impact serious or critical. Screenshots are kept under
//! `target/browser-screenshots/`.

use futures::future::BoxFuture;
use futures::FutureExt;
use roster_domain::permalink::PermalinkId;
use roster_domain::recipient_token::{RecipientToken, TokenPurpose};
use roster_domain::{CampaignActivityId, ContactId};
use roster_tests::chromium::Chromium;
use roster_tests::{test_secret, Engine, TestApp};
use serde_json::json;

use crate::contact_support::contact_with;
use crate::tracking_pages::{forward_path, sent_campaign, sent_campaign_of};

/// A campaign of the owner's; its primary_email activity's id.
async fn primary_activity(app: &TestApp) -> CampaignActivityId {
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
    campaign["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn token(
    app: &TestApp,
    purpose: TokenPurpose,
    activity: CampaignActivityId,
    contact: &str,
) -> String {
    RecipientToken {
        purpose,
        account: app.owner.account,
        activity,
        contact: contact.parse::<ContactId>().unwrap(),
        send: 1,
    }
    .issue(&test_secret().recipient_key())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsubscribe_page_in_a_browser() {
    roster_tests::run(Engine::Sqlite, |app| async move {
        let Some(browser) = Chromium::start("unsubscribe").await else {
            return;
        };
        let activity = primary_activity(&app).await;
        let jo = contact_with(&app, "jo@example.com", "explicit").await;
        let token = token(&app, TokenPurpose::Unsubscribe, activity, &jo);
        browser
            .open(&app.url(&format!("/unsubscribe/{token}")))
            .await;
        assert!(browser.text().await.contains("jo@example.com"));
        browser.assert_accessible().await;
        browser.screenshot("form").await;

        browser
            .submit_with_keyboard(&[("reason", "Too much mail")])
            .await;
        assert!(browser.text().await.contains("You are unsubscribed"));
        browser.assert_accessible().await;
        browser.screenshot("done").await;
        let contact = app.get_json(&format!("/v3/contacts/{jo}")).await;
        assert_eq!(
            contact["email_address"]["permission_to_send"],
            "unsubscribed"
        );
        assert_eq!(contact["email_address"]["opt_out_reason"], "Too much mail");
        browser.close().await;
    })
    .await
}

/// The permalink of a sent campaign, and a forged one's 404 page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permalink_in_a_browser() {
    roster_tests::run(Engine::Sqlite, |app| async move {
        let Some(browser) = Chromium::start("permalink").await else {
            return;
        };
        let sent = sent_campaign(&app, 1).await;
        let id = PermalinkId {
            account: app.owner.account,
            activity: sent.activity,
        }
        .issue(&test_secret().recipient_key());
        browser.open(&app.url(&format!("/permalink/{id}"))).await;
        let text = browser.text().await;
        assert!(text.contains("Hello friend"), "{text}");
        assert_eq!(browser.client().title().await.unwrap(), "News for you");
        browser.assert_accessible().await;
        browser.screenshot("copy").await;

        // The author's markup runs no script on the page: the policy refuses it (and says so
        // in the console).
        let scripted = sent_campaign_of(
            &app,
            1,
            "<html><body><p id=\"p\">Plain</p><script>document.title = 'scripted';\
             document.getElementById('p').textContent = 'scripted';</script>\
             <img src=\"data:,\" alt=\"\" onerror=\"document.title = 'scripted'\">\
             </body></html>",
            "scripted.example",
        )
        .await;
        let id = PermalinkId {
            account: app.owner.account,
            activity: scripted.activity,
        }
        .issue(&test_secret().recipient_key());
        browser
            .client()
            .goto(&app.url(&format!("/permalink/{id}")))
            .await
            .unwrap();
        assert_eq!(browser.client().title().await.unwrap(), "News for you");
        assert!(browser.text().await.contains("Plain"));
        let refused = browser.log().await;
        assert!(
            refused
                .iter()
                .any(|e| e.message.contains("Content Security Policy")),
            "{refused:?}"
        );

        browser
            .open_answered(&app.url("/permalink/not-a-permalink"), 404)
            .await;
        assert!(browser.text().await.contains("This email is not available"));
        browser.assert_accessible().await;
        browser.screenshot("not-found").await;
        browser.close().await;
    })
    .await
}

/// The forward page: its form, its problems (400) and its answer, by keyboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_page_in_a_browser() {
    roster_tests::run(Engine::Sqlite, |app| async move {
        let Some(browser) = Chromium::start("forward").await else {
            return;
        };
        let sent = sent_campaign(&app, 1).await;
        browser.open(&app.url(&forward_path(&app, &sent, 0))).await;
        assert!(browser.text().await.contains("Forward to a friend"));
        browser.assert_accessible().await;
        browser.screenshot("form").await;

        browser
            .submit_with_keyboard_answered(
                &[("addresses", "ann@friend.example, not-an-address")],
                400,
            )
            .await;
        let text = browser.text().await;
        assert!(
            text.contains("\u{201c}not-an-address\u{201d} is not an email address."),
            "{text}"
        );
        browser.assert_accessible().await;
        browser.screenshot("problems").await;

        // The page again, its text areas holding what was typed: clear the addresses first.
        browser
            .client()
            .execute("document.getElementById('addresses').value = '';", vec![])
            .await
            .unwrap();
        browser
            .submit_with_keyboard(&[
                ("addresses", "ann@friend.example, bo@friend.example"),
                ("note", "Have a look.\nIt is good."),
            ])
            .await;
        let text = browser.text().await;
        assert!(text.contains("The email is on its way to"), "{text}");
        assert!(text.contains("bo@friend.example"), "{text}");
        browser.assert_accessible().await;
        browser.screenshot("sent").await;

        // Past the recipient's 10 addresses a day: the 429 page.
        let five = "c@f.example, d@f.example, e@f.example, f@f.example, g@f.example";
        let form = app.url(&forward_path(&app, &sent, 0));
        browser.open(&form).await;
        browser.submit_with_keyboard(&[("addresses", five)]).await;
        browser.open(&form).await;
        let five = "h@f.example, i@f.example, j@f.example, k@f.example, l@f.example";
        browser
            .submit_with_keyboard_answered(&[("addresses", five)], 429)
            .await;
        assert!(browser.text().await.contains("try again tomorrow"));
        browser.assert_accessible().await;
        browser.screenshot("limit").await;
        browser.close().await;
    })
    .await
}

/// The harness's own checks can fail: a console error, an uncaught exception, a page that does
/// not load, an inaccessible page and a form without a keyboard path are each caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_checks_catch_what_they_look_for() {
    roster_tests::run(Engine::Sqlite, |app| async move {
        let Some(browser) = Chromium::start("self-check").await else {
            return;
        };
        let page = |html: &str| format!("data:text/html;charset=utf-8,{}", encode(html));
        let clean = "<!doctype html><html lang=\"en\"><head><title>T</title></head>\
                     <body><main><h1>T</h1><form method=\"post\" action=\"#\">\
                     <label for=\"a\">A</label><input id=\"a\"></form></main></body></html>";
        browser.open(&page(clean)).await;
        browser.assert_accessible().await;

        fails(
            "a console error",
            browser
                .open(&page("<script>console.error('boom')</script>"))
                .boxed(),
        )
        .await;
        fails(
            "an uncaught exception",
            browser
                .open(&page("<script>undefinedFunction()</script>"))
                .boxed(),
        )
        .await;
        fails(
            "a page answered 404",
            browser.open(&app.url("/no/such/page")).boxed(),
        )
        .await;
        browser.open(&page("<p><img src=\"data:,\"></p>")).await;
        fails(
            "an image without alt text in a page without a language",
            browser.assert_accessible().boxed(),
        )
        .await;
        browser.open(&page(clean)).await;
        fails(
            "a form without a submit button",
            browser.submit_with_keyboard(&[("a", "x")]).boxed(),
        )
        .await;
        browser.close().await;
    })
    .await
}

/// Asserts that `check` fails (panics).
async fn fails(what: &str, check: BoxFuture<'_, ()>) {
    let outcome = std::panic::AssertUnwindSafe(check).catch_unwind().await;
    assert!(outcome.is_err(), "the harness missed {what}");
}

fn encode(html: &str) -> String {
    form_urlencoded::byte_serialize(html.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
