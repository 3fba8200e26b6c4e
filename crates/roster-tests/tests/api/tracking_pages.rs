//! The permalink and forward-to-a-friend pages (docs/TRACKING.md) over HTTP, on both engines:
//! the permalink shows the sent email to anyone, with fallbacks and no personal link, once it
//! was sent and until its campaign is Removed; the footer's forward link opens a form that
//! mails each friend a plain copy through the outbox, names every problem with a 400 page,
//! and stops at the daily limits with a 429 page; forged ids and tokens, and unknown paths
//! under the pages' prefixes, answer 404 pages.

use reqwest::Method;
use roster_domain::contact::{Contact, EmailChannel, Permission, Source};
use roster_domain::forward::ForwardLimits;
use roster_domain::permalink::PermalinkId;
use roster_domain::recipient_token::{RecipientToken, TokenPurpose};
use roster_domain::{CampaignActivityId, ContactId, EmailAddress, ListId, PageRequest, Timestamp};
use roster_http::ServerConfig;
use roster_tests::{
    on_both_engines, on_both_engines_with, on_both_engines_with_mail, test_secret, TestApp,
    TestResponse,
};
use serde_json::json;

use crate::engagement_support::schedule_campaign;

on_both_engines_with_mail!(
    the_permalink_shows_the_sent_email_to_anyone,
    a_forward_mails_each_friend_a_plain_copy,
);
on_both_engines!(
    the_forward_form_names_every_problem,
    a_recipient_forwards_at_most_ten_addresses_a_day,
    forged_links_and_unknown_paths_answer_404_pages,
);
on_both_engines_with!(
    small_account_limit;
    an_account_forwards_at_most_its_daily_limit,
);

pub const HTML: &str = "<html><head><style>p.lead { color: #1a1a1a }</style></head><body>\
    [[trackingImage]]<p class=\"lead\">Hello [[FirstName OR \"friend\"]]</p>\
    <p><a href=\"https://example.com/spring\">Read more</a></p></body></html>";
pub const SUBJECT: &str = "News for [[FirstName OR \"you\"]]";

/// A campaign sent to some readers.
pub struct Sent {
    pub campaign: String,
    pub activity: CampaignActivityId,
    /// (contact id, address), first names `Reader0`, `Reader1`, …
    pub readers: Vec<(String, String)>,
}

/// Creates `count` readers on a list, a campaign to it, and sends it now (with a relay, the
/// messages reach the sink; without one they wait in the outbox, but the send has started).
pub async fn sent_campaign(app: &TestApp, count: usize) -> Sent {
    sent_campaign_of(app, count, HTML, "example.com").await
}

/// As [`sent_campaign`], with `html` as the content, to readers at `domain` (one call per
/// domain: the list is named after it).
pub async fn sent_campaign_of(app: &TestApp, count: usize, html: &str, domain: &str) -> Sent {
    let list = app.create_list(&format!("Readers at {domain}")).await;
    let now = Timestamp::now();
    let contacts: Vec<Contact> = (0..count)
        .map(|i| {
            let mut contact = Contact::blank(Source::Account, now);
            let address = EmailAddress::parse(&format!("reader{i}@{domain}")).unwrap();
            contact.email = Some(EmailChannel::arriving(
                address,
                Permission::Explicit,
                Source::Account,
                None,
                now,
            ));
            contact.first_name = Some(format!("Reader{i}"));
            contact.list_ids = vec![ListId(list.parse().unwrap())];
            contact
        })
        .collect();
    app.store()
        .insert_contacts_bulk(app.owner.account, &contacts)
        .await
        .unwrap();
    let (campaign, activity) =
        schedule_campaign(app, &format!("Spring at {domain}"), SUBJECT, html, &list).await;
    app.mailer().drain().await.unwrap();
    Sent {
        campaign,
        activity: activity.parse().unwrap(),
        readers: contacts
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    c.email.as_ref().unwrap().address.as_str().to_string(),
                )
            })
            .collect(),
    }
}

/// A signed token of `purpose` for a reader of the send.
pub fn token(app: &TestApp, purpose: TokenPurpose, sent: &Sent, reader: usize) -> String {
    RecipientToken {
        purpose,
        account: app.owner.account,
        activity: sent.activity,
        contact: sent.readers[reader].0.parse::<ContactId>().unwrap(),
        send: 1,
    }
    .issue(&test_secret().recipient_key())
}

pub fn forward_path(app: &TestApp, sent: &Sent, reader: usize) -> String {
    format!(
        "/forward/{}",
        token(app, TokenPurpose::Forward, sent, reader)
    )
}

/// A path on the test server for a URL under the public URL.
fn local(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.config.public_url)
        .unwrap_or_else(|| panic!("{url} is not under the public URL"))
        .to_string()
}

async fn open(app: &TestApp, path: &str) -> TestResponse {
    app.request(Method::GET, path)
        .anonymous()
        .send_unchecked()
        .await
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    app.request(Method::POST, path)
        .anonymous()
        .raw_body("application/x-www-form-urlencoded", body)
        .send_unchecked()
        .await
}

/// The page's HTML, checking it is one of Roster's HTML pages and never a redirect.
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

async fn outbox_kinds(app: &TestApp) -> Vec<String> {
    app.store()
        .outbox_messages(
            None,
            PageRequest {
                limit: 1000,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .iter()
        .map(|e| e.message.kind().to_string())
        .collect()
}

async fn forwards_queued(app: &TestApp) -> usize {
    outbox_kinds(app)
        .await
        .iter()
        .filter(|k| *k == roster_mailer::FORWARD_KIND)
        .count()
}

async fn permalink_url_of(app: &TestApp, activity: &str) -> Option<String> {
    app.get_json(&format!(
        "/v3/emails/activities/{activity}?include=permalink_url"
    ))
    .await["permalink_url"]
        .as_str()
        .map(String::from)
}

async fn the_permalink_shows_the_sent_email_to_anyone(app: TestApp) {
    // Before the send: no permalink_url, and the signed id of the activity answers 404.
    let email = &app.owner.email;
    let draft = app
        .post(
            "/v3/emails",
            json!({"name": "Draft", "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": SUBJECT, "html_content": HTML
            }]}),
        )
        .send()
        .await
        .expect(200)
        .json();
    let draft_activity = draft["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap();
    assert_eq!(permalink_url_of(&app, draft_activity).await, None);
    let unsent = PermalinkId {
        account: app.owner.account,
        activity: draft_activity.parse().unwrap(),
    }
    .url(&app.config.public_url, &test_secret().recipient_key());
    assert_eq!(open(&app, &local(&app, &unsent)).await.status, 404);

    let sent = sent_campaign(&app, 2).await;
    let activity = sent.activity.to_string();
    let url = permalink_url_of(&app, &activity)
        .await
        .expect("a permalink_url after the send");
    assert!(url.starts_with("http://roster.test/permalink/"), "{url}");
    // Only when asked for, like the other sub-resources; the permalink activity and PUT show
    // the same URL.
    let plain = app
        .get_json(&format!("/v3/emails/activities/{activity}"))
        .await;
    assert!(plain.get("permalink_url").is_none(), "{plain}");
    let campaign = app.get_json(&format!("/v3/emails/{}", sent.campaign)).await;
    let permalink_activity = campaign["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "permalink")
        .unwrap()["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        permalink_url_of(&app, &permalink_activity).await.as_deref(),
        Some(url.as_str())
    );
    let put = app
        .put_json(
            &format!("/v3/emails/activities/{activity}"),
            json!({"from_name": "Test Org", "from_email": email, "reply_to_email": email,
                   "subject": SUBJECT}),
        )
        .await;
    assert_eq!(put["permalink_url"].as_str(), Some(url.as_str()));

    // Anyone's copy: fallbacks, no pixel, no personal link; a title and a language.
    let page = open(&app, &local(&app, &url)).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("cache-control").as_deref(), Some("no-cache"));
    let body = String::from_utf8_lossy(&page.body).into_owned();
    assert!(body.contains("Hello friend"), "{body}");
    assert!(
        !body.contains("Reader0") && !body.contains("reader0@"),
        "{body}"
    );
    assert!(body.contains("<title>News for you</title>"), "{body}");
    assert!(body.contains("<html lang=\"en\">"), "{body}");
    assert!(
        body.contains("href=\"https://example.com/spring\""),
        "{body}"
    );
    assert!(!body.contains("<img"), "no tracking image: {body}");
    assert!(
        !body.contains("/unsubscribe/") && !body.contains("/forward/"),
        "{body}"
    );
    assert!(
        !body.contains(">Unsubscribe<") && !body.contains("Forward email"),
        "{body}"
    );
    assert!(
        body.contains("Test Org<br>1 Main St<br>Boston, MA 02101"),
        "{body}"
    );
    // The same for everyone, and HEAD answers too.
    assert_eq!(open(&app, &local(&app, &url)).await.body, page.body);
    let head = app
        .request(Method::HEAD, &local(&app, &url))
        .anonymous()
        .send_unchecked()
        .await;
    assert_eq!(head.status, 200);

    // The messages carry the forward link; the permalink is no one's message.
    let received = app.sink().received();
    assert_eq!(received.len(), 2);
    let mail = received[0].parsed().body_html(0).unwrap().to_string();
    assert!(mail.contains("Forward email</a>"), "{mail}");
    assert!(
        mail.contains("href=\"http://roster.test/forward/"),
        "{mail}"
    );

    // Removed: the page is gone, and so is the activity.
    app.delete(&format!("/v3/emails/{}", sent.campaign))
        .send()
        .await
        .expect(204);
    let gone = open(&app, &local(&app, &url)).await;
    assert_eq!(gone.status, 404);
    assert!(html(&gone).contains("not available"));
}

/// The first link in `html` whose address starts with `prefix`.
fn link_starting(html: &str, prefix: &str) -> String {
    let start = html
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix} in {html}"))
        + "href=\"".len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&")
}

async fn a_forward_mails_each_friend_a_plain_copy(app: TestApp) {
    let sent = sent_campaign(&app, 2).await;
    // One friend is an unsubscribed contact of the account: not mailed, and not said.
    let gone =
        crate::contact_support::contact_with(&app, "gone@friend.example", "unsubscribed").await;
    let contacts_before = app.get_json("/v3/contacts/counts").await;
    let delivered = app.sink().received();
    let reader0 = delivered
        .iter()
        .find(|r| r.rcpt_to[0] == sent.readers[0].1)
        .unwrap();
    let message = reader0.parsed().body_html(0).unwrap().to_string();
    let forward = local(
        &app,
        &link_starting(&message, "http://roster.test/forward/"),
    );
    assert!(reader0
        .parsed()
        .body_text(0)
        .unwrap()
        .contains("Forward email: http://roster.test/forward/"));

    // The page: GET shows the form and changes nothing.
    let form = open(&app, &forward).await;
    assert_eq!(form.status, 200);
    let page = html(&form);
    assert!(page.contains("News for you"), "{page}");
    assert!(page.contains("reader0@example.com"), "{page}");
    let (action, _) = roster_tests::form_fields(&page).unwrap();
    assert_eq!(action, forward);
    assert_eq!(forwards_queued(&app).await, 0);

    let answer = post_form(
        &app,
        &forward,
        &[
            (
                "addresses",
                "Ann@Friend.example,\r\nbo@friend.example gone@friend.example",
            ),
            ("note", "Thought you'd like this.\r\n<b>Really</b>"),
        ],
    )
    .await;
    assert_eq!(answer.status, 200);
    let done = html(&answer);
    assert!(done.contains("ann@friend.example") && done.contains("gone@friend.example"));
    app.mailer().drain().await.unwrap();
    let copies: Vec<_> = app.sink().received()[delivered.len()..].to_vec();
    let mut to: Vec<String> = copies.iter().map(|c| c.rcpt_to[0].clone()).collect();
    to.sort();
    assert_eq!(to, ["ann@friend.example", "bo@friend.example"]);
    for copy in &copies {
        let parsed = copy.parsed();
        assert_eq!(parsed.subject(), Some("Fwd: News for you"));
        assert!(copy.header("List-Unsubscribe").is_none());
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.address(), Some(app.owner.email.as_str()));
        let html = parsed.body_html(0).unwrap().to_string();
        assert!(
            html.contains("Reader0 (reader0@example.com) forwarded this email from Test Org"),
            "{html}"
        );
        assert!(html.contains("like this."), "{html}");
        assert!(
            html.contains("&lt;b&gt;Really"),
            "the note, escaped: {html}"
        );
        assert!(!html.contains("<b>Really"), "{html}");
        assert!(html.contains("Hello friend"), "{html}");
        assert!(!html.contains("Reader1"), "{html}");
        assert!(!html.contains("<img"), "no tracking image: {html}");
        assert!(
            !html.contains("/unsubscribe/") && !html.contains("/forward/"),
            "{html}"
        );
        // Mail leaves with its style rules inlined.
        assert!(
            html.contains("<p class=\"lead\" style=\"color: #1a1a1a"),
            "{html}"
        );
        let text = parsed.body_text(0).unwrap().to_string();
        assert!(text.contains("Thought you'd like this."), "{text}");
        assert!(text.contains("<b>Really</b>"), "{text}");
        assert!(!text.contains("Unsubscribe:"), "{text}");
    }
    // The friends did not become contacts; the unsubscribed one stays as it was.
    assert_eq!(app.get_json("/v3/contacts/counts").await, contacts_before);
    let kept = app.get_json(&format!("/v3/contacts/{gone}")).await;
    assert_eq!(kept["email_address"]["permission_to_send"], "unsubscribed");
}

async fn the_forward_form_names_every_problem(app: TestApp) {
    let sent = sent_campaign(&app, 1).await;
    let path = forward_path(&app, &sent, 0);
    let six = "a@x.example,b@x.example,c@x.example,d@x.example,e@x.example,f@x.example";
    let long_note = "n".repeat(1_001);
    for (addresses, note, expected) in [
        (
            six,
            "",
            vec!["Enter at most 5 email addresses; you entered 6."],
        ),
        (
            "ann@x.example, not-an-address",
            "",
            vec!["\u{201c}not-an-address\u{201d} is not an email address."],
        ),
        (
            "ann@x.example",
            long_note.as_str(),
            vec!["The note can have at most 1,000 characters; it has 1,001."],
        ),
        ("", "", vec!["Enter at least one email address."]),
        (
            "bad@, ann@x.example",
            long_note.as_str(),
            vec![
                "\u{201c}bad@\u{201d} is not an email address.",
                "The note can have at most 1,000 characters; it has 1,001.",
            ],
        ),
    ] {
        let answer = post_form(&app, &path, &[("addresses", addresses), ("note", note)]).await;
        assert_eq!(answer.status, 400, "{addresses:?}");
        let page = html(&answer);
        for problem in &expected {
            assert!(page.contains(problem), "{problem} in {page}");
        }
        assert!(page.contains("aria-invalid=\"true\""), "{page}");
        // The form again, with what was entered.
        let (action, _) = roster_tests::form_fields(&page).unwrap();
        assert_eq!(action, path);
        if !addresses.is_empty() {
            let first = addresses.split(',').next().unwrap();
            assert!(page.contains(first), "{first} kept in {page}");
        }
    }
    // Exactly 5 addresses and 1,000 characters pass.
    let five = "a@x.example,b@x.example,c@x.example,d@x.example,e@x.example";
    let answer = post_form(
        &app,
        &path,
        &[("addresses", five), ("note", &"n".repeat(1_000))],
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(forwards_queued(&app).await, 5);
}

async fn a_recipient_forwards_at_most_ten_addresses_a_day(app: TestApp) {
    let sent = sent_campaign(&app, 2).await;
    let path = forward_path(&app, &sent, 0);
    let five = |domain: &str| {
        (0..5)
            .map(|i| format!("f{i}@{domain}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for domain in ["a.example", "b.example"] {
        let answer = post_form(&app, &path, &[("addresses", &five(domain))]).await;
        assert_eq!(answer.status, 200);
    }
    let over = post_form(&app, &path, &[("addresses", "one@c.example")]).await;
    assert_eq!(over.status, 429);
    assert!(html(&over).contains("forwarded as many times as we allow today"));
    let retry: i64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry), "{retry}");
    assert_eq!(forwards_queued(&app).await, 10);
    // Another send's token of the same contact shares the limit; another reader has their own.
    let other_send = RecipientToken {
        purpose: TokenPurpose::Forward,
        account: app.owner.account,
        activity: sent.activity,
        contact: sent.readers[0].0.parse().unwrap(),
        send: 2,
    }
    .issue(&test_secret().recipient_key());
    let answer = post_form(
        &app,
        &format!("/forward/{other_send}"),
        &[("addresses", "one@c.example")],
    )
    .await;
    assert_eq!(answer.status, 429);
    let reader1 = forward_path(&app, &sent, 1);
    let answer = post_form(&app, &reader1, &[("addresses", "one@c.example")]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(forwards_queued(&app).await, 11);
    // Each use of the page is a forward event; `em_forwards` counts the contacts who forwarded.
    let counts = app
        .store()
        .tracking_counts(app.owner.account, sent.activity)
        .await
        .unwrap();
    assert_eq!(
        (counts.forwards, counts.unique_forwards),
        (3, 2),
        "{counts:?}"
    );
}

fn small_account_limit(config: &mut ServerConfig) {
    config.forward_limits = ForwardLimits {
        per_recipient_per_day: 10,
        per_account_per_day: 6,
    };
}

async fn an_account_forwards_at_most_its_daily_limit(app: TestApp) {
    let sent = sent_campaign(&app, 2).await;
    let five = "a@x.example,b@x.example,c@x.example,d@x.example,e@x.example";
    let first = post_form(&app, &forward_path(&app, &sent, 0), &[("addresses", five)]).await;
    assert_eq!(first.status, 200);
    let reader1 = forward_path(&app, &sent, 1);
    let over = post_form(&app, &reader1, &[("addresses", "f@x.example,g@x.example")]).await;
    assert_eq!(over.status, 429);
    html(&over);
    // The refused claim counted nothing: one more address still fits.
    let last = post_form(&app, &reader1, &[("addresses", "f@x.example")]).await;
    assert_eq!(last.status, 200);
    assert_eq!(forwards_queued(&app).await, 6);
    let full = post_form(&app, &reader1, &[("addresses", "g@x.example")]).await;
    assert_eq!(full.status, 429);
}

async fn forged_links_and_unknown_paths_answer_404_pages(app: TestApp) {
    let sent = sent_campaign(&app, 1).await;
    let forward = token(&app, TokenPurpose::Forward, &sent, 0);
    let unsubscribe = token(&app, TokenPurpose::Unsubscribe, &sent, 0);
    let permalink = PermalinkId {
        account: app.owner.account,
        activity: sent.activity,
    }
    .issue(&test_secret().recipient_key());
    assert_eq!(
        open(&app, &format!("/permalink/{permalink}")).await.status,
        200
    );
    assert_eq!(open(&app, &format!("/forward/{forward}")).await.status, 200);
    let altered = |text: &str| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let unknown_activity = PermalinkId {
        account: app.owner.account,
        activity: CampaignActivityId::generate(),
    }
    .issue(&test_secret().recipient_key());
    let deleted_contact = RecipientToken {
        purpose: TokenPurpose::Forward,
        account: app.owner.account,
        activity: sent.activity,
        contact: ContactId::generate(),
        send: 1,
    }
    .issue(&test_secret().recipient_key());
    for path in [
        format!("/permalink/{}", altered(&permalink)),
        format!("/permalink/{forward}"),
        format!("/permalink/{unknown_activity}"),
        "/permalink/x".to_string(),
        "/permalink".to_string(),
        format!("/permalink/{permalink}/more"),
        format!("/forward/{}", altered(&forward)),
        format!("/forward/{unsubscribe}"),
        format!("/forward/{permalink}"),
        format!("/forward/{deleted_contact}"),
        "/forward".to_string(),
        format!("/forward/{forward}/x/y"),
    ] {
        let answer = open(&app, &path).await;
        assert_eq!(answer.status, 404, "{path}");
        html(&answer);
        // A POST to a forged forward link mails nobody.
        if path.starts_with("/forward") {
            let posted = post_form(&app, &path, &[("addresses", "ann@x.example")]).await;
            assert_eq!(posted.status, 404, "POST {path}");
        }
    }
    assert_eq!(forwards_queued(&app).await, 0);
    // A deleted reader's link is dead.
    app.delete(&format!("/v3/contacts/{}", sent.readers[0].0))
        .send()
        .await
        .expect(204);
    assert_eq!(open(&app, &format!("/forward/{forward}")).await.status, 404);
}
