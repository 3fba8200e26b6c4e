//! Real round trips for the engagement tests (contact reports, tracking criteria, engagement
//! levels): campaigns sent through the SMTP sink to a list, then opens and clicks through the
//! public pixel and click endpoints and opt-outs through the one-click unsubscribe, exactly as
//! a recipient's mail client would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use roster_tests::clock::TestClock;
use roster_tests::TestApp;
use serde_json::{json, Value};

pub const PUBLIC: &str = "http://roster.test";
const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, \
                       like Gecko) Chrome/120.0.0.0 Safari/537.36";
const CONTENT: &str = "<html><body>[[trackingImage]]<p>Hello</p>\
     <p><a href=\"https://shop.example/\">Shop</a></p></body></html>";

/// The personal links of one recipient's message (paths under the test server).
#[derive(Debug, Clone)]
pub struct Mailed {
    pub subject: String,
    pub pixel: String,
    pub link: String,
    pub unsubscribe: String,
}

/// A campaign sent to a list: its ids and each recipient's message, by address.
pub struct Sent {
    pub campaign: String,
    pub activity: String,
    pub to: HashMap<String, Mailed>,
}

/// Creates a contact (explicit permission) on `list`; returns its id.
pub async fn subscriber(app: &TestApp, address: &str, list: &str) -> String {
    let created = app
        .create_contact(json!({
            "email_address": {"address": address, "permission_to_send": "explicit"},
            "first_name": address.split('@').next().unwrap(), "list_memberships": [list]
        }))
        .await;
    created["contact_id"].as_str().unwrap().to_string()
}

fn values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.split(&needle)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC).unwrap_or(url).to_string()
}

/// Creates a campaign `name` whose activity has `subject` and `html`, addresses it to `list`
/// with a footer, and schedules it now (201): its campaign and activity ids. The caller drains
/// the mailer it wants (after noting the sink's count, to tell this send's messages apart).
pub async fn schedule_campaign(
    app: &TestApp,
    name: &str,
    subject: &str,
    html: &str,
    list: &str,
) -> (String, String) {
    let email = &app.owner.email;
    let created: Value = app
        .post(
            "/v3/emails",
            json!({"name": name, "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": subject, "html_content": html
            }]}),
        )
        .send()
        .await
        .expect(200)
        .json();
    let campaign = created["campaign_id"].as_str().unwrap().to_string();
    let activity = created["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put_json(
        &format!("/v3/emails/activities/{activity}"),
        json!({
            "from_name": "Test Org", "from_email": email, "reply_to_email": email,
            "subject": subject, "html_content": html, "contact_list_ids": [list],
            "physical_address_in_footer": {
                "organization_name": "Test Org", "address_line1": "1 Main St",
                "city": "Boston", "state_code": "MA", "postal_code": "02101",
                "country_code": "US"
            }
        }),
    )
    .await;
    app.post(
        &format!("/v3/emails/activities/{activity}/schedules"),
        json!({"scheduled_date": "0"}),
    )
    .send()
    .await
    .expect(201);
    (campaign, activity)
}

/// Sends a new campaign named `name` to `list` now and delivers it to the sink.
pub async fn send_campaign(app: &TestApp, name: &str, list: &str) -> Sent {
    let before = app.sink().received().len();
    let (campaign, activity) = schedule_campaign(app, name, name, CONTENT, list).await;
    app.mailer().drain().await.unwrap();
    Sent {
        campaign,
        activity,
        to: mailed_since(app, before),
    }
}

/// Each message the sink received after the first `before`, by its recipient's address.
pub fn mailed_since(app: &TestApp, before: usize) -> HashMap<String, Mailed> {
    let mut to = HashMap::new();
    for mail in app.sink().received().iter().skip(before) {
        let parsed = mail.parsed();
        let html = parsed.body_html(0).unwrap().to_string();
        let pixel = values(&html, "src")
            .into_iter()
            .find(|src| src.starts_with(&format!("{PUBLIC}/t/o/")))
            .expect("a pixel");
        let hrefs = values(&html, "href");
        let link = hrefs
            .iter()
            .find(|h| h.starts_with(&format!("{PUBLIC}/t/c/")))
            .expect("a tracked link");
        let unsubscribe = hrefs
            .iter()
            .find(|h| h.starts_with(&format!("{PUBLIC}/unsubscribe/")))
            .expect("an unsubscribe link");
        let previous = to.insert(
            mail.rcpt_to[0].clone(),
            Mailed {
                subject: parsed.subject().unwrap_or_default().to_string(),
                pixel: local(&pixel),
                link: local(link),
                unsubscribe: local(unsubscribe),
            },
        );
        assert!(previous.is_none(), "{} was mailed twice", mail.rcpt_to[0]);
    }
    to
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Fetches the recipient's pixel from a desktop browser.
pub async fn open(app: &TestApp, mailed: &Mailed) {
    let answer = client()
        .get(app.url(&mailed.pixel))
        .header("user-agent", DESKTOP)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

/// Fetches the recipient's pixel as Apple Mail Privacy Protection's proxy does on delivery: a
/// machine open, never the contact's own.
pub async fn machine_open(app: &TestApp, mailed: &Mailed) {
    let answer = client()
        .get(app.url(&mailed.pixel))
        .header("user-agent", "Mozilla/5.0")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

/// Follows the recipient's tracked link from a desktop browser.
pub async fn click(app: &TestApp, mailed: &Mailed) {
    let answer = client()
        .get(app.url(&mailed.link))
        .header("user-agent", DESKTOP)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
}

/// The one-click unsubscribe (RFC 8058) of the recipient's message.
pub async fn unsubscribe(app: &TestApp, mailed: &Mailed) {
    app.request(Method::POST, &mailed.unsubscribe)
        .anonymous()
        .raw_body(
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click".to_string(),
        )
        .send_unchecked()
        .await
        .expect(200);
}

/// Commits every event recorded so far (the group-commit writer's drain hook).
pub async fn flush(app: &TestApp) {
    app.state.events.flush().await.unwrap();
}

/// Two delivery nodes started afresh on a clock `later` than now drain at once, then each once
/// more: a stored wait (a resend's time, an A/B test's winner) is a row, not a timer of the
/// node that set it, so these must send what fell due exactly once between them.
pub async fn two_fresh_nodes_drain(app: &TestApp, later: Duration) {
    let clock = TestClock::new();
    clock.advance(later);
    let nodes: Vec<_> = (0..2)
        .map(|_| {
            let clock: Arc<TestClock> = clock.clone();
            app.mailer_with(move |c| c.clock = clock)
        })
        .collect();
    let (first, second) = tokio::join!(nodes[0].drain(), nodes[1].drain());
    first.unwrap();
    second.unwrap();
    for node in &nodes {
        node.drain().await.unwrap();
    }
}
