//! Email Reporting (docs/REPORTS.md) over HTTP on both engines. A campaign is sent through
//! the SMTP sink with VERP senders; its recipients then open (pixel, several User-Agents),
//! click, forward, unsubscribe, bounce (a JSON event and an auto-reply) and complain through
//! the public endpoints; every report must equal the figures worked out by hand below. Then
//! pagination, the refusals (every bad input), the activity-role rule, empty reports before a
//! send, the stats calls' `errors[]`, scope and privilege, and isolation between accounts.

use reqwest::Method;
use roster_bounces::IntakeSettings;
use roster_domain::bounce::SuspensionPolicy;
use roster_domain::Role;
use roster_http::bounces::WebhookSecret;
use roster_http::{BounceSettings, ServerConfig};
use roster_mailer::BounceAddress;
use roster_tests::smtp_sink::Received;
use roster_tests::{on_both_engines, on_both_engines_with_mail_and, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::tracking_store::campaign;

on_both_engines_with_mail_and!(
    intake;
    reports_equal_the_hand_computed_figures,
    tracking_pages_walk_their_cursor_to_the_end,
);
on_both_engines!(
    before_the_first_send_reports_are_empty,
    every_bad_input_is_refused,
    only_primary_and_resend_activities_have_reports,
    stats_calls_put_what_they_cannot_report_in_errors,
    reports_need_the_scope_and_the_metrics_privilege,
    another_accounts_ids_are_not_found,
);

const SECRET: &str = "a bounce webhook secret for the report tests";
const BOUNCE_ADDRESS: &str = "bounces@bounce.example.com";
const PUBLIC: &str = "http://roster.test";
/// The VERP address and Message-ID the auto-reply fixture carries (as in bounces.rs).
const FIXTURE_VERP: &str = "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@bounce.example.com";
const FIXTURE_MESSAGE_ID: &str =
    "0192f1c47b1e7000a000000000000001.0192f1c47b1e7c399a513f0c8e2d4b10@news.example.com";

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) \
                      AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, \
                       like Gecko) Chrome/120.0.0.0 Safari/537.36";
/// Apple Mail Privacy Protection's proxy: a machine open.
const APPLE_PROXY: &str = "Mozilla/5.0";

const SHOP: &str = "https://shop.example/spring";
const NEWS: &str = "https://news.example/";
const NEVER: &str = "https://never.example/";

const CONTENT: &str = "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]]</p>\
     <p><a href=\"https://shop.example/spring\">Shop</a> \
     <a href=\"https://news.example/\">News</a> \
     <a href=\"https://never.example/\">Never</a></p></body></html>";

fn bounce_address() -> BounceAddress {
    BounceAddress::parse(BOUNCE_ADDRESS).unwrap()
}

pub fn intake(config: &mut ServerConfig) {
    config.bounces = BounceSettings {
        webhook_secret: Some(WebhookSecret::new(SECRET).unwrap()),
        intake: IntakeSettings {
            bounce_address: Some(bounce_address()),
            suspension: SuspensionPolicy::default(),
        },
    };
}

/// A sent campaign: its ids and each reader's (contact id, message).
pub struct Sent {
    pub campaign: String,
    pub activity: String,
    readers: Vec<(String, String, Received)>,
}

impl Sent {
    fn reader(&self, address: &str) -> (&str, &Received) {
        let (id, _, message) = self
            .readers
            .iter()
            .find(|(_, a, _)| a == address)
            .unwrap_or_else(|| panic!("{address} was not mailed"));
        (id, message)
    }
}

/// Creates readers on a list (`Name Last` for each address `name@…`), a campaign with
/// CONTENT to it, and sends it through the sink with VERP senders.
async fn send_to(app: &TestApp, name: &str, addresses: &[&str]) -> Sent {
    let list = app.create_list(&format!("{name} readers")).await;
    let mut contacts = Vec::new();
    for address in addresses {
        let first = address.split('@').next().unwrap();
        let contact = app
            .create_contact(json!({
                "email_address": {"address": address, "permission_to_send": "explicit"},
                "first_name": first, "last_name": "Reader", "list_memberships": [list]
            }))
            .await;
        contacts.push((contact["contact_id"].as_str().unwrap().to_string(), address));
    }
    let (campaign, activity, received) =
        crate::bounces::send_campaign_with(app, name, &list, "Spring", CONTENT).await;
    let readers = contacts
        .into_iter()
        .map(|(id, address)| {
            let message = received
                .iter()
                .find(|r| r.rcpt_to == [address.to_string()])
                .unwrap_or_else(|| panic!("{address} was not mailed"))
                .clone();
            (id, address.to_string(), message)
        })
        .collect();
    Sent {
        campaign,
        activity,
        readers,
    }
}

/// The links of `message`'s HTML part starting with `prefix`, as local paths, in order.
fn links(message: &Received, prefix: &str) -> Vec<String> {
    let html = message.parsed().body_html(0).unwrap().to_string();
    html.split("=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .filter(|url| url.starts_with(&format!("{PUBLIC}{prefix}")))
        .map(|url| url[PUBLIC.len()..].to_string())
        .collect()
}

/// GETs a public page path with a User-Agent; its status.
async fn visit(app: &TestApp, path: &str, agent: &str) -> u16 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .get(app.url(path))
        .header("user-agent", agent)
        .send()
        .await
        .unwrap();
    answer.status().as_u16()
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

async fn post_bounce(app: &TestApp, content_type: &str, body: Vec<u8>) {
    let signature = WebhookSecret::new(SECRET).unwrap().sign(&body);
    let answer = app
        .request(Method::POST, "/bounces/inbound")
        .anonymous()
        .header("X-Roster-Signature", &signature)
        .raw_body(content_type, body)
        .send_unchecked()
        .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
}

fn auto_reply_for(message: &Received) -> Vec<u8> {
    let path = format!(
        "{}/../roster-bounces/fixtures/auto-reply.eml",
        env!("CARGO_MANIFEST_DIR")
    );
    let id = message.message_id();
    std::fs::read_to_string(&path)
        .unwrap()
        .replace(FIXTURE_VERP, &message.mail_from)
        .replace(FIXTURE_MESSAGE_ID, id.trim_matches(['<', '>']))
        .into_bytes()
}

async fn flush(app: &TestApp) {
    app.state.events.flush().await.unwrap();
}

fn report(activity: &str, page: &str) -> String {
    format!("/v3/reports/email_reports/{activity}/tracking/{page}")
}

/// The given property of each row of a tracking page.
fn column(page: &Value, property: &str) -> Vec<Value> {
    page["tracking_activities"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {page}"))
        .iter()
        .map(|row| row[property].clone())
        .collect()
}

fn addresses(page: &Value) -> Vec<String> {
    column(page, "email_address")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The readers of [`engaged_campaign`].
pub const READERS: [&str; 5] = [
    "ann@example.org",
    "bob@example.org",
    "cy@example.org",
    "dee@example.org",
    "eve@example.org",
];

/// A campaign sent to five readers, who then: Ann opens twice on her phone, clicks the shop
/// link on her computer and forwards; Bob's images are blocked, he clicks the news link (an
/// implied open) and unsubscribes with a reason; Cy is only opened by Apple's proxy (a
/// machine) and complains; Dee's address does not exist (B); Eve is away (an auto-reply, V).
/// Each through the public endpoints, in that order (the events committed one step at a
/// time, so the pages' order is known). The server needs the bounce intake (`intake`).
pub async fn engaged_campaign(app: &TestApp) -> Sent {
    let sent = send_to(app, "Spring", &READERS).await;
    let (_, ann_mail) = sent.reader("ann@example.org");
    let (_, bob_mail) = sent.reader("bob@example.org");
    let (_, cy_mail) = sent.reader("cy@example.org");
    let (_, dee_mail) = sent.reader("dee@example.org");
    let (_, eve_mail) = sent.reader("eve@example.org");

    let ann_pixel = &links(ann_mail, "/t/o/")[0];
    for _ in 0..2 {
        assert_eq!(visit(app, ann_pixel, IPHONE).await, 200);
    }
    flush(app).await;
    assert_eq!(
        visit(app, &links(cy_mail, "/t/o/")[0], APPLE_PROXY).await,
        200
    );
    flush(app).await;
    let ann_clicks = links(ann_mail, "/t/c/");
    assert_eq!(ann_clicks.len(), 3, "three tracked links");
    assert_eq!(visit(app, &ann_clicks[0], DESKTOP).await, 302);
    flush(app).await;
    assert_eq!(visit(app, &links(bob_mail, "/t/c/")[1], DESKTOP).await, 302);
    flush(app).await;
    let forwarded = post_form(
        app,
        &links(ann_mail, "/forward/")[0],
        &[("addresses", "friend@else.example"), ("note", "")],
    )
    .await;
    assert_eq!(forwarded.status, 200);
    let unsubscribed = post_form(
        app,
        &links(bob_mail, "/unsubscribe/")[0],
        &[("reason", "Too many emails")],
    )
    .await;
    assert_eq!(unsubscribed.status, 200);
    let hard = json!({"recipient": "dee@example.org", "message_id": dee_mail.message_id(),
        "type": "hard", "smtp_status": "5.1.1"});
    post_bounce(app, "application/json", serde_json::to_vec(&hard).unwrap()).await;
    post_bounce(app, "message/rfc822", auto_reply_for(eve_mail)).await;
    let complaint = json!({"recipient": "cy@example.org", "message_id": cy_mail.message_id(),
        "type": "complaint"});
    post_bounce(
        app,
        "application/json",
        serde_json::to_vec(&complaint).unwrap(),
    )
    .await;
    flush(app).await;
    sent
}

/// The reports of [`engaged_campaign`], each worked out by hand.
async fn reports_equal_the_hand_computed_figures(app: TestApp) {
    let names = READERS;
    let sent = engaged_campaign(&app).await;
    let activity = sent.activity.clone();
    let (ann, _) = sent.reader("ann@example.org");
    let (bob, _) = sent.reader("bob@example.org");
    let (cy, _) = sent.reader("cy@example.org");
    let (dee, _) = sent.reader("dee@example.org");

    // sends 5; openers Ann and Bob (implied); bounced Dee (B) and Eve (V, delivered);
    // delivered = 5 − 1 = 4; not opened = 5 − 2 − 2 = 1.
    let stats = app
        .get_json(&format!(
            "/v3/reports/stats/email_campaign_activities/{activity}"
        ))
        .await;
    assert_eq!(stats["errors"], json!([]));
    let result = &stats["results"][0];
    assert_eq!(result["campaign_id"], sent.campaign.as_str());
    assert_eq!(result["campaign_activity_id"], activity.as_str());
    assert!(result["last_refresh_time"].as_str().unwrap().ends_with('Z'));
    let expected = json!({
        "em_sends": 5, "em_opens": 2, "em_opens_all": 4, "em_opens_all_computer": 1,
        "em_opens_all_mobile": 2, "em_opens_all_tablet": 0, "em_opens_all_other": 0,
        "em_opens_all_none": 1, "em_clicks": 2, "em_clicks_all": 2,
        "em_clicks_all_computer": 2, "em_clicks_all_mobile": 0, "em_clicks_all_tablet": 0,
        "em_clicks_all_other": 0, "em_clicks_all_none": 0, "em_forwards": 1,
        "em_optouts": 1, "em_bounces": 2, "em_not_opened": 1, "em_abuse": 1,
        "em_bounces_blocked": 0, "em_bounces_mailbox_full": 0,
        "em_bounces_nonexistent_address": 1, "em_bounces_other": 0,
        "em_bounces_suspended": 0, "em_bounces_undeliverable": 0, "em_bounces_vacation": 1
    });
    assert_eq!(result["stats"], expected);

    let by_campaign = app
        .get_json(&format!(
            "/v3/reports/stats/email_campaigns/{}",
            sent.campaign
        ))
        .await;
    assert_eq!(by_campaign["errors"], json!([]));
    let campaign = &by_campaign["results"][0];
    let mut campaign_stats = expected.clone();
    for key in [
        "em_abuse",
        "em_bounces_blocked",
        "em_bounces_mailbox_full",
        "em_bounces_nonexistent_address",
        "em_bounces_other",
        "em_bounces_suspended",
        "em_bounces_undeliverable",
        "em_bounces_vacation",
    ] {
        campaign_stats.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(campaign["stats"], campaign_stats);
    // open 2/4, did not open 1/4, unsubscribe 1/4 (over delivered); bounce 2/5 (over sends);
    // click 2/2 (over openers); devices over every open (4) and click (2).
    assert_eq!(
        campaign["percents"],
        json!({"open": 50.0, "did_not_open": 25.0, "unsubscribe": 25.0, "bounce": 40.0,
            "click": 100.0, "desktop_open": 25.0, "mobile_open": 50.0,
            "desktop_click": 100.0, "mobile_click": 0.0})
    );

    let summaries = app
        .get_json("/v3/reports/summary_reports/email_campaign_summaries")
        .await;
    let summary = &summaries["bulk_email_campaign_summaries"][0];
    assert_eq!(summary["campaign_id"], sent.campaign.as_str());
    assert_eq!(summary["campaign_type"], "Newsletter");
    assert_eq!(
        summary["unique_counts"],
        json!({"sends": 5, "opens": 2, "clicks": 2, "forwards": 1, "optouts": 1, "abuse": 1,
            "bounces": 2, "not_opened": 1})
    );
    assert_eq!(
        summaries["aggregate_percents"],
        json!({"click": 100.0, "open": 50.0, "did_not_open": 25.0, "bounce": 40.0,
            "unsubscribe": 25.0})
    );
    assert!(summaries.get("_links").is_none());

    // The tracking pages, newest first.
    let sends = app.get_json(&report(&activity, "sends")).await;
    let mut mailed = addresses(&sends);
    mailed.sort();
    assert_eq!(mailed, names);
    assert!(column(&sends, "tracking_activity_type")
        .iter()
        .all(|t| t == "em_sends"));
    assert!(column(&sends, "last_name").iter().all(|n| n == "Reader"));

    let opens = app.get_json(&report(&activity, "opens")).await;
    assert_eq!(
        addresses(&opens),
        [
            "bob@example.org",
            "cy@example.org",
            "ann@example.org",
            "ann@example.org"
        ]
    );
    assert_eq!(
        column(&opens, "device_type"),
        ["computer", "none", "mobile", "mobile"]
    );
    let unique = app.get_json(&report(&activity, "unique_opens")).await;
    assert_eq!(addresses(&unique), ["bob@example.org", "ann@example.org"]);
    assert_eq!(column(&unique, "device_type"), ["computer", "mobile"]);
    assert_eq!(
        column(&unique, "tracking_activity_type"),
        ["em_opens", "em_opens"]
    );
    let not_opened = app.get_json(&report(&activity, "didnotopens")).await;
    assert_eq!(addresses(&not_opened), ["cy@example.org"]);
    assert_eq!(column(&not_opened, "contact_id"), [cy]);

    let clicks = app.get_json(&report(&activity, "clicks")).await;
    assert_eq!(addresses(&clicks), ["bob@example.org", "ann@example.org"]);
    assert_eq!(column(&clicks, "link_url"), [NEWS, SHOP]);
    assert_eq!(column(&clicks, "url_id"), ["2", "1"]);
    let shop_clicks = app
        .get_json(&format!("{}?url_id=1", report(&activity, "clicks")))
        .await;
    assert_eq!(column(&shop_clicks, "contact_id"), [ann]);
    let no_such_link = app
        .get_json(&format!("{}?url_id=99", report(&activity, "clicks")))
        .await;
    assert_eq!(no_such_link["tracking_activities"], json!([]));

    let forwards = app.get_json(&report(&activity, "forwards")).await;
    assert_eq!(column(&forwards, "contact_id"), [ann]);
    assert_eq!(column(&forwards, "tracking_activity_type"), ["em_forwards"]);
    let optouts = app.get_json(&report(&activity, "optouts")).await;
    assert_eq!(column(&optouts, "contact_id"), [bob]);
    assert_eq!(column(&optouts, "opt_out_reason"), ["Too many emails"]);
    assert_eq!(
        optouts["_links"],
        json!({}),
        "required, without a next page"
    );

    let bounces = app.get_json(&report(&activity, "bounces")).await;
    assert_eq!(addresses(&bounces), ["eve@example.org", "dee@example.org"]);
    assert_eq!(column(&bounces, "bounce_code"), ["V", "B"]);
    assert_eq!(
        column(&bounces, "current_email_address"),
        ["eve@example.org", "dee@example.org"]
    );
    let only_b = app
        .get_json(&format!("{}?bounce_code=B", report(&activity, "bounces")))
        .await;
    assert_eq!(column(&only_b, "contact_id"), [dee]);
    let both = app
        .get_json(&format!(
            "{}?bounce_code=B&bounce_code=V",
            report(&activity, "bounces")
        ))
        .await;
    assert_eq!(both["tracking_activities"].as_array().unwrap().len(), 2);
    let none = app
        .get_json(&format!("{}?bounce_code=Z", report(&activity, "bounces")))
        .await;
    assert_eq!(none["tracking_activities"], json!([]));

    let clicked = app
        .get_json(&format!("/v3/reports/email_reports/{activity}/links"))
        .await;
    assert_eq!(
        clicked,
        json!({"campaign_activity_id": activity, "link_click_counts": [
            {"link_url": SHOP, "url_id": "1", "unique_clicks": 1},
            {"link_url": NEWS, "url_id": "2", "unique_clicks": 1}]})
    );
    let every = app
        .get_json(&format!(
            "/v3/reports/email_reports/{activity}/links?no_clicks=true"
        ))
        .await;
    assert_eq!(every["link_click_counts"][2]["link_url"], NEVER);
    assert_eq!(every["link_click_counts"][2]["unique_clicks"], 0);

    // A deleted contact stays in the reports, with the date it was deleted.
    app.delete(&format!("/v3/contacts/{cy}"))
        .send()
        .await
        .expect(204);
    let not_opened = app.get_json(&report(&activity, "didnotopens")).await;
    let deleted = not_opened["tracking_activities"][0]["deleted_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(deleted.len(), 10, "a date: {deleted}");
}

/// Sends to 5; every page of 2 rows carries a `next` link until the last.
async fn tracking_pages_walk_their_cursor_to_the_end(app: TestApp) {
    let names: Vec<String> = (0..5).map(|i| format!("r{i}@example.org")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let sent = send_to(&app, "Paged", &refs).await;
    for (_, _, message) in &sent.readers {
        assert_eq!(visit(&app, &links(message, "/t/o/")[0], IPHONE).await, 200);
        flush(&app).await;
    }
    for page in ["sends", "opens", "unique_opens"] {
        let mut path = format!("{}?limit=2", report(&sent.activity, page));
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let body = app.get_json(&path).await;
            pages += 1;
            seen.extend(addresses(&body));
            match body["_links"]["next"]["href"].as_str() {
                Some(next) => path = next.to_string(),
                None => break,
            }
        }
        assert_eq!(pages, 3, "{page}: 2 + 2 + 1");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, names, "{page}: each once");
        if page != "sends" {
            let mut newest_first = names.clone();
            newest_first.reverse();
            assert_eq!(seen, newest_first, "{page}: newest first");
        }
    }
    // The summaries: the campaign sent last comes first, one a page.
    let later = send_to(&app, "Later", &["later@example.org"]).await;
    let first = app
        .get_json("/v3/reports/summary_reports/email_campaign_summaries?limit=1")
        .await;
    let ids = |page: &Value| -> Vec<Value> {
        page["bulk_email_campaign_summaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["campaign_id"].clone())
            .collect()
    };
    assert_eq!(ids(&first), [later.campaign.as_str()]);
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    let second = app.get_json(next).await;
    assert_eq!(ids(&second), [sent.campaign.as_str()]);
    assert!(second.get("_links").is_none(), "two sent campaigns");
    assert_eq!(
        second["bulk_email_campaign_summaries"][0]["unique_counts"]["opens"],
        5
    );
}

const PAGES: [&str; 8] = [
    "sends",
    "opens",
    "unique_opens",
    "didnotopens",
    "clicks",
    "forwards",
    "optouts",
    "bounces",
];

async fn before_the_first_send_reports_are_empty(app: TestApp) {
    let (campaign_id, activity) = campaign(&app, "Draft").await;
    for page in PAGES {
        let body = app.get_json(&report(&activity.to_string(), page)).await;
        assert_eq!(body["tracking_activities"], json!([]), "{page}");
    }
    let links = app
        .get_json(&format!(
            "/v3/reports/email_reports/{activity}/links?no_clicks=true"
        ))
        .await;
    assert_eq!(links["link_click_counts"], json!([]));
    let summaries = app
        .get_json("/v3/reports/summary_reports/email_campaign_summaries")
        .await;
    assert_eq!(
        summaries,
        json!({"bulk_email_campaign_summaries": [], "aggregate_percents": {
            "click": 0.0, "open": 0.0, "did_not_open": 0.0, "bounce": 0.0,
            "unsubscribe": 0.0}})
    );
    let stats = app
        .get_json(&format!("/v3/reports/stats/email_campaigns/{campaign_id}"))
        .await;
    assert_eq!(stats["results"], json!([]));
    assert_eq!(stats["errors"].as_array().unwrap().len(), 1);
}

async fn every_bad_input_is_refused(app: TestApp) {
    let (_, activity) = campaign(&app, "Draft").await;
    let activity = activity.to_string();
    for page in PAGES {
        let path = report(&activity, page);
        for limit in ["0", "501", "abc", "-1", "1.5", ""] {
            let answer = app.get(&format!("{path}?limit={limit}")).send().await;
            assert_eq!(answer.status, 400, "{page} limit={limit}");
            assert_eq!(
                answer.error_messages(),
                ["limit must be a whole number from 1 to 500."],
                "{page}"
            );
        }
        let answer = app.get(&format!("{path}?cursor=forged")).send().await;
        assert_eq!(answer.status, 400, "{page} cursor");
        let answer = app.get(&report("not-an-id", page)).send().await.expect(400);
        assert_eq!(
            answer.error_messages(),
            ["campaign_activity_id is in an invalid format."]
        );
        app.get(&report(&uuid::Uuid::new_v4().to_string(), page))
            .send()
            .await
            .expect(404);
    }
    let clicks = report(&activity, "clicks");
    for bad in ["url_id=abc", "url_id=1.5", "url_id="] {
        let answer = app.get(&format!("{clicks}?{bad}")).send().await.expect(400);
        assert_eq!(
            answer.error_messages(),
            ["url_id must be a whole number."],
            "{bad}"
        );
    }
    let bounces = report(&activity, "bounces");
    for bad in ["bounce_code=Q", "bounce_code=B&bounce_code=BB"] {
        app.get(&format!("{bounces}?{bad}"))
            .send()
            .await
            .expect(400);
    }
    let links = format!("/v3/reports/email_reports/{activity}/links");
    let answer = app
        .get(&format!("{links}?no_clicks=maybe"))
        .send()
        .await
        .expect(400);
    assert_eq!(
        answer.error_messages(),
        ["no_clicks must be true or false."]
    );
    app.get("/v3/reports/email_reports/nope/links")
        .send()
        .await
        .expect(400);
    let summaries = "/v3/reports/summary_reports/email_campaign_summaries";
    for bad in ["limit=0", "limit=501", "limit=x", "cursor=nope"] {
        app.get(&format!("{summaries}?{bad}"))
            .send()
            .await
            .expect(400);
    }
    // The stats calls: too many ids 400, a malformed one 404 for the whole call.
    let eleven: Vec<String> = (0..11).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let path = format!(
        "/v3/reports/stats/email_campaign_activities/{}",
        eleven.join(",")
    );
    let answer = app.get(&path).send().await.expect(400);
    assert_eq!(
        answer.error_messages(),
        ["campaign_activity_ids may name at most 10 ids."]
    );
    let many: Vec<String> = (0..151).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let path = format!("/v3/reports/stats/email_campaigns/{}", many.join(","));
    app.get(&path).send().await.expect(400);
    for bad in [
        format!("{activity},nope"),
        format!("{activity},,{activity}"),
        "%20".to_string(),
    ] {
        app.get(&format!(
            "/v3/reports/stats/email_campaign_activities/{bad}"
        ))
        .send()
        .await
        .expect(404);
        app.get(&format!("/v3/reports/stats/email_campaigns/{bad}"))
            .send()
            .await
            .expect(404);
    }
}

async fn only_primary_and_resend_activities_have_reports(app: TestApp) {
    let created = app
        .get_json(&format!("/v3/emails/{}", campaign(&app, "Roles").await.0))
        .await;
    let permalink = created["campaign_activities"][1]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created["campaign_activities"][1]["role"], "permalink");
    for page in PAGES {
        let answer = app.get(&report(&permalink, page)).send().await.expect(400);
        assert_eq!(
            answer.error_messages(),
            [
                "campaign_activity_id names a permalink activity; reports exist for \
              primary_email and resend activities only."
            ]
        );
    }
    app.get(&format!("/v3/reports/email_reports/{permalink}/links"))
        .send()
        .await
        .expect(400);
    let stats = app
        .get_json(&format!(
            "/v3/reports/stats/email_campaign_activities/{permalink}"
        ))
        .await;
    assert_eq!(stats["results"], json!([]));
    assert_eq!(
        stats["errors"][0]["error_key"],
        "reportingsvc.not_found.campaign_activity_ids"
    );
}

async fn stats_calls_put_what_they_cannot_report_in_errors(app: TestApp) {
    let (draft_campaign, draft) = campaign(&app, "Draft").await;
    let (removed_campaign, removed) = campaign(&app, "Removed").await;
    app.delete(&format!("/v3/emails/{removed_campaign}"))
        .send()
        .await
        .expect(204);
    let unknown = uuid::Uuid::new_v4();
    // The same id twice is reported once; the order of the request is kept.
    let path =
        format!("/v3/reports/stats/email_campaign_activities/{draft},{removed},{unknown},{draft}");
    let stats = app.get_json(&path).await;
    assert_eq!(stats["results"], json!([]));
    let messages: Vec<&str> = stats["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["error_message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            format!("The campaign activity {draft} has not been sent, so it has no stats."),
            format!("The campaign activity {removed} was deleted."),
            format!("The campaign activity {unknown} was not found."),
        ]
    );
    let path =
        format!("/v3/reports/stats/email_campaigns/{draft_campaign},{removed_campaign},{unknown}");
    let stats = app.get_json(&path).await;
    assert_eq!(stats["results"], json!([]));
    let keys: Vec<&str> = stats["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["error_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["reportingsvc.not_found.campaign_ids"; 3]);
    // A Removed campaign's activity is gone for the per-activity reports too.
    app.get(&report(&removed.to_string(), "sends"))
        .send()
        .await
        .expect(404);
}

async fn reports_need_the_scope_and_the_metrics_privilege(app: TestApp) {
    let (_, activity) = campaign(&app, "Scoped").await;
    let path = report(&activity.to_string(), "sends");
    let contact_only = app.token_for(&app.owner, "contact_data");
    app.get(&path).token(&contact_only).send().await.expect(403);
    let owner = app.owner.clone();
    let author = app
        .create_user(&owner, "author@example.com", Role::Author)
        .await;
    let token = app.token_as(&owner, author, Role::Author, "campaign_data");
    let answer = app.get(&path).token(&token).send().await.expect(403);
    assert!(answer.error_messages()[0].contains("ui:campaign:metrics"));
    let reporter = app
        .create_user(&owner, "reporter@example.com", Role::Reporter)
        .await;
    let token = app.token_as(&owner, reporter, Role::Reporter, "campaign_data");
    app.get(&path).token(&token).send().await.expect(200);
    app.get("/v3/reports/summary_reports/email_campaign_summaries")
        .token(&token)
        .send()
        .await
        .expect(200);
}

async fn another_accounts_ids_are_not_found(app: TestApp) {
    let (campaign_id, activity) = campaign(&app, "Mine").await;
    let other = app.create_account("other@example.com").await;
    for page in PAGES {
        app.get(&report(&activity.to_string(), page))
            .token(&other.token)
            .send()
            .await
            .expect(404);
    }
    app.get(&format!("/v3/reports/email_reports/{activity}/links"))
        .token(&other.token)
        .send()
        .await
        .expect(404);
    let stats = app
        .get(&format!(
            "/v3/reports/stats/email_campaign_activities/{activity}"
        ))
        .token(&other.token)
        .expect_json(200)
        .await;
    assert_eq!(
        stats["errors"][0]["error_message"],
        format!("The campaign activity {activity} was not found.")
    );
    let stats = app
        .get(&format!("/v3/reports/stats/email_campaigns/{campaign_id}"))
        .token(&other.token)
        .expect_json(200)
        .await;
    assert_eq!(
        stats["errors"][0]["error_message"],
        format!("The campaign {campaign_id} was not found.")
    );
}
