//! The open pixel and the click redirect (docs/TRACKING.md) over HTTP on both engines: a
//! campaign sent through real SMTP carries a pixel and rewritten links; fetching the pixel from
//! two User-Agents and following a link record the events and counters; forged, altered and
//! mismatched tokens record nothing; the redirect goes only to the stored URL; machine
//! User-Agents count only in the `_all` totals; Removed campaigns and deleted contacts get
//! their image or redirect with nothing recorded; and a SIGKILL under pixel load leaves
//! counters equal to the committed rows and loses only the uncommitted window.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roster_domain::recipient_token::{ClickToken, RecipientToken, TokenPurpose};
use roster_domain::tracking::{Device, EventKind, TrackingCounts};
use roster_domain::{CampaignActivityId, ContactId};
use roster_tests::serve::ServeProcess;
use roster_tests::{on_both_engines, on_both_engines_with_mail, test_secret, TestApp};
use serde_json::json;

use crate::contact_support::contact_with;
use crate::tracking_store::campaign;

on_both_engines_with_mail!(a_sent_campaign_tracks_opens_and_clicks);
on_both_engines!(
    forged_and_mismatched_tokens_record_nothing,
    the_redirect_goes_only_to_the_stored_url,
    machine_user_agents_count_only_in_the_all_totals,
    removed_campaigns_and_deleted_contacts_record_nothing,
    a_kill_under_pixel_load_loses_only_the_uncommitted_window,
);

pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) \
                      AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
pub const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, \
                       like Gecko) Chrome/120.0.0.0 Safari/537.36";
/// Apple Mail Privacy Protection's proxy.
const APPLE_PROXY: &str = "Mozilla/5.0";
const SCANNER: &str = "python-requests/2.31.0";

pub const PUBLIC: &str = "http://roster.test";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

pub async fn fetch(app: &TestApp, path: &str, agent: Option<&str>) -> Answer {
    let url = if path.starts_with("http") {
        path.replace(PUBLIC, &app.base_url)
    } else {
        app.url(path)
    };
    let mut request = client().get(url);
    if let Some(agent) = agent {
        request = request.header("user-agent", agent);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

pub fn header(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

pub fn assert_pixel(answer: &Answer) {
    assert_eq!(answer.status, 200);
    assert_eq!(header(answer, "content-type").as_deref(), Some("image/gif"));
    assert_eq!(header(answer, "cache-control").as_deref(), Some("no-store"));
    assert!(answer.body.starts_with(b"GIF89a"), "image bytes");
}

pub fn assert_not_found_page(answer: &Answer) {
    assert_eq!(answer.status, 404);
    assert!(header(answer, "location").is_none());
    assert_eq!(
        header(answer, "content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
}

pub async fn flushed_counts(app: &TestApp, activity: CampaignActivityId) -> TrackingCounts {
    app.state.events.flush().await.unwrap();
    let store = app.store();
    let counts = store
        .tracking_counts(app.owner.account, activity)
        .await
        .unwrap();
    let recount = store
        .recount_tracking(app.owner.account, activity)
        .await
        .unwrap();
    assert_eq!(counts, recount, "the counters equal the rows");
    counts
}

fn token(app: &TestApp, activity: CampaignActivityId, contact: ContactId) -> RecipientToken {
    RecipientToken {
        purpose: TokenPurpose::Open,
        account: app.owner.account,
        activity,
        contact,
        send: 1,
    }
}

fn pixel_path(token: &RecipientToken) -> String {
    format!("/t/o/{}", token.issue(&test_secret().recipient_key()))
}

fn click_path(token: &RecipientToken, url_id: u32) -> String {
    let click = ClickToken {
        recipient: *token,
        url_id,
    };
    format!("/t/c/{}", click.issue(&test_secret().recipient_key()))
}

/// The values of `attribute="…"` in `html`, in order.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.split(&needle)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

const CONTENT: &str = "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]]</p>\
     <p><a href=\"https://shop.example/spring?utm=mail&amp;id=7\">Shop</a> \
     <a href=\"https://news.example/\">News</a> \
     <a href=\"https://shop.example/spring?utm=mail&amp;id=7\">Shop again</a> \
     <a href=\"mailto:hello@example.com\">Write</a> <a href=\"tel:+15550100\">Call</a> \
     <a href=\"#top\">Top</a> \
     <a href=\"https://me.example/?n=[[FirstName]]\">You</a></p></body></html>";

/// A list of two and a campaign to it with CONTENT, sent; returns the activity and the
/// messages' (recipient address, html, text).
async fn send_campaign(app: &TestApp) -> (CampaignActivityId, Vec<(String, String, String)>) {
    let list = app.create_list("Readers").await;
    for (address, name) in [("ann@example.com", "Ann"), ("bob@example.com", "Bob")] {
        app.create_contact(json!({
            "email_address": {"address": address, "permission_to_send": "explicit"},
            "first_name": name, "list_memberships": [list]
        }))
        .await;
    }
    let email = &app.owner.email;
    let created = app
        .post(
            "/v3/emails",
            json!({"name": "Tracked", "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": "Spring", "html_content": CONTENT
            }]}),
        )
        .send()
        .await
        .expect(200)
        .json();
    let activity = created["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put_json(
        &format!("/v3/emails/activities/{activity}"),
        json!({
            "from_name": "Test Org", "from_email": email, "reply_to_email": email,
            "subject": "Spring", "html_content": CONTENT, "contact_list_ids": [list],
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
    app.mailer().drain().await.unwrap();
    let messages = app
        .sink()
        .received()
        .iter()
        .map(|mail| {
            let parsed = mail.parsed();
            (
                mail.rcpt_to[0].clone(),
                parsed.body_html(0).unwrap().to_string(),
                parsed.body_text(0).unwrap().to_string(),
            )
        })
        .collect();
    (activity.parse().unwrap(), messages)
}

async fn a_sent_campaign_tracks_opens_and_clicks(app: TestApp) {
    let (activity, messages) = send_campaign(&app).await;
    assert_eq!(messages.len(), 2);
    let key = test_secret().recipient_key();
    let mut by_address = std::collections::HashMap::new();
    for (address, html, text) in &messages {
        let pixels: Vec<String> = attribute_values(html, "src")
            .into_iter()
            .filter(|src| src.starts_with(&format!("{PUBLIC}/t/o/")))
            .collect();
        assert_eq!(pixels.len(), 1, "one pixel: {html}");
        let hrefs = attribute_values(html, "href");
        let tracked: Vec<&String> = hrefs
            .iter()
            .filter(|h| h.starts_with(&format!("{PUBLIC}/t/c/")))
            .collect();
        assert_eq!(tracked.len(), 3, "the three web links: {hrefs:?}");
        let ids: Vec<u32> = tracked
            .iter()
            .map(|h| {
                let click = ClickToken::verify(&key, &h[PUBLIC.len() + 5..]).unwrap();
                assert_eq!(click.recipient.activity, activity);
                click.url_id
            })
            .collect();
        assert_eq!(ids, vec![1, 2, 1], "one url_id per distinct URL");
        // Left as written: mailto, tel, the anchor, the personalised link, the unsubscribe.
        for kept in ["mailto:hello@example.com", "tel:+15550100", "#top"] {
            assert!(hrefs.iter().any(|h| h == kept), "{kept} in {hrefs:?}");
        }
        assert!(hrefs
            .iter()
            .any(|h| h.starts_with("https://me.example/?n=")));
        assert!(hrefs
            .iter()
            .any(|h| h.starts_with(&format!("{PUBLIC}/unsubscribe/"))));
        assert!(
            !html.contains("RosterClick"),
            "no placeholder is left: {html}"
        );
        assert!(text.contains(&format!("{PUBLIC}/t/c/")), "{text}");
        assert!(!text.contains("RosterClick"), "{text}");
        by_address.insert(address.clone(), (pixels[0].clone(), tracked[0].clone()));
    }
    let store = app.store();
    assert_eq!(
        store
            .activity_link(app.owner.account, activity, 1)
            .await
            .unwrap()
            .as_deref(),
        Some("https://shop.example/spring?utm=mail&id=7")
    );

    // Ann opens on her phone; Apple's proxy fetched her image too.
    let (ann_pixel, _) = &by_address["ann@example.com"];
    assert_pixel(&fetch(&app, ann_pixel, Some(IPHONE)).await);
    assert_pixel(&fetch(&app, ann_pixel, Some(APPLE_PROXY)).await);
    // Bob blocks images and clicks on his computer: a redirect, and an open implied.
    let (_, bob_link) = &by_address["bob@example.com"];
    let followed = fetch(&app, bob_link, Some(DESKTOP)).await;
    assert_eq!(followed.status, 302);
    assert_eq!(
        header(&followed, "location").as_deref(),
        Some("https://shop.example/spring?utm=mail&id=7")
    );
    assert_eq!(
        header(&followed, "cache-control").as_deref(),
        Some("no-store")
    );

    let counts = flushed_counts(&app, activity).await;
    assert_eq!(counts.unique_opens, 2, "Ann, and Bob by his click");
    assert_eq!(counts.opens.mobile, 1);
    assert_eq!(counts.opens.none, 1, "the proxy's fetch");
    assert_eq!(counts.opens.computer, 1, "Bob's implied open");
    assert_eq!(counts.opens.total(), 3);
    assert_eq!(counts.unique_clicks, 1);
    assert_eq!(counts.clicks.computer, 1);
    assert_eq!(counts.clicks.total(), 1);
    let events = store
        .recent_events(app.owner.account, activity, 10)
        .await
        .unwrap();
    let clicks: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::Click)
        .collect();
    assert_eq!(clicks.len(), 1);
    assert_eq!(
        (clicks[0].url_id, clicks[0].device),
        (Some(1), Device::Computer)
    );
    assert_eq!(clicks[0].send_number, 1);
}

async fn forged_and_mismatched_tokens_record_nothing(app: TestApp) {
    let (_, activity) = campaign(&app, "Spring").await;
    let ann: ContactId = contact_with(&app, "ann@example.com", "explicit")
        .await
        .parse()
        .unwrap();
    let links = app
        .store()
        .activity_link_ids(app.owner.account, activity, &["https://a.example/".into()])
        .await
        .unwrap();
    assert_eq!(links, vec![1]);
    let open = token(&app, activity, ann);
    let good_pixel = pixel_path(&open);
    let good_click = click_path(&open, 1);
    // Each altered character of a token, and tokens of the wrong purpose or key.
    let alter = |path: &str, at: usize| {
        let mut bytes = path.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let unsubscribe = RecipientToken {
        purpose: TokenPurpose::Unsubscribe,
        ..open
    };
    let other_key = roster_domain::recipient_token::RecipientKey::new([9; 32]);
    for bad in [
        alter(&good_pixel, 10),
        alter(&good_pixel, good_pixel.len() - 1),
        pixel_path(&unsubscribe),
        format!("/t/o/{}", open.issue(&other_key)),
        good_click.replace("/t/c/", "/t/o/"),
        "/t/o/not-a-token".into(),
        format!("/t/o/{}", "A".repeat(5000)),
    ] {
        assert_pixel(&fetch(&app, &bad, Some(IPHONE)).await);
    }
    for bad in [
        alter(&good_click, 12),
        alter(&good_click, good_click.len() - 2),
        good_pixel.replace("/t/o/", "/t/c/"),
        format!(
            "/t/c/{}",
            ClickToken {
                recipient: open,
                url_id: 1
            }
            .issue(&other_key)
        ),
        // A valid token naming a url_id the activity does not have.
        click_path(&open, 2),
        click_path(&open, 0),
        "/t/c/not-a-token".into(),
    ] {
        assert_not_found_page(&fetch(&app, &bad, Some(DESKTOP)).await);
    }
    // Nothing else is served under the tracking prefix.
    for unknown in ["/t/", "/t/o", "/t/x/abc", &format!("{good_click}/more")] {
        assert_eq!(fetch(&app, unknown, None).await.status, 404, "{unknown}");
    }
    assert_eq!(
        flushed_counts(&app, activity).await,
        TrackingCounts::default()
    );
    // The genuine ones work.
    assert_pixel(&fetch(&app, &good_pixel, Some(IPHONE)).await);
    assert_eq!(fetch(&app, &good_click, Some(IPHONE)).await.status, 302);
    let counts = flushed_counts(&app, activity).await;
    assert_eq!((counts.unique_opens, counts.unique_clicks), (1, 1));
}

async fn the_redirect_goes_only_to_the_stored_url(app: TestApp) {
    let (_, activity) = campaign(&app, "Spring").await;
    let ann: ContactId = contact_with(&app, "ann@example.com", "explicit")
        .await
        .parse()
        .unwrap();
    app.store()
        .activity_link_ids(
            app.owner.account,
            activity,
            &["https://a.example/ünï code?x=1&y=2".into()],
        )
        .await
        .unwrap();
    let path = click_path(&token(&app, activity, ann), 1);
    for attempt in [
        path.clone(),
        format!("{path}?url=https://evil.example/"),
        format!("{path}?redirect=https%3A%2F%2Fevil.example%2F&next=//evil.example"),
    ] {
        let answer = fetch(&app, &attempt, Some(DESKTOP)).await;
        assert_eq!(answer.status, 302, "{attempt}");
        assert_eq!(
            header(&answer, "location").as_deref(),
            Some("https://a.example/%C3%BCn%C3%AF%20code?x=1&y=2")
        );
    }
    for attempt in [
        format!("{path}/https://evil.example/"),
        format!("{path}%2F%2Fevil.example"),
    ] {
        let answer = fetch(&app, &attempt, Some(DESKTOP)).await;
        assert_eq!(answer.status, 404, "{attempt}");
        assert!(header(&answer, "location").is_none());
    }
}

async fn machine_user_agents_count_only_in_the_all_totals(app: TestApp) {
    let (_, activity) = campaign(&app, "Spring").await;
    let ann: ContactId = contact_with(&app, "ann@example.com", "explicit")
        .await
        .parse()
        .unwrap();
    app.store()
        .activity_link_ids(app.owner.account, activity, &["https://a.example/".into()])
        .await
        .unwrap();
    let recipient = token(&app, activity, ann);
    assert_pixel(&fetch(&app, &pixel_path(&recipient), Some(APPLE_PROXY)).await);
    assert_pixel(&fetch(&app, &pixel_path(&recipient), None).await);
    let scanned = fetch(&app, &click_path(&recipient, 1), Some(SCANNER)).await;
    assert_eq!(scanned.status, 302, "scanners are redirected like anyone");
    let counts = flushed_counts(&app, activity).await;
    assert_eq!(
        counts.unique_opens, 0,
        "no opener, and the scan implies no open"
    );
    assert_eq!(counts.unique_clicks, 0);
    assert_eq!((counts.opens.none, counts.opens.total()), (2, 2));
    assert_eq!((counts.clicks.none, counts.clicks.total()), (1, 1));
    let events = app
        .store()
        .recent_events(app.owner.account, activity, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.machine && e.device == Device::None));

    // Gmail's image proxy fetches when the reader opens: a human open, device other.
    let gmail = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com \
                 GoogleImageProxy)";
    assert_pixel(&fetch(&app, &pixel_path(&recipient), Some(gmail)).await);
    let counts = flushed_counts(&app, activity).await;
    assert_eq!((counts.unique_opens, counts.opens.other), (1, 1));
}

async fn removed_campaigns_and_deleted_contacts_record_nothing(app: TestApp) {
    let (campaign_id, removed) = campaign(&app, "Gone").await;
    let (_, kept) = campaign(&app, "Kept").await;
    let ann: ContactId = contact_with(&app, "ann@example.com", "explicit")
        .await
        .parse()
        .unwrap();
    let cy: ContactId = contact_with(&app, "cy@example.com", "explicit")
        .await
        .parse()
        .unwrap();
    for activity in [removed, kept] {
        app.store()
            .activity_link_ids(app.owner.account, activity, &["https://a.example/".into()])
            .await
            .unwrap();
    }
    app.delete(&format!("/v3/emails/{campaign_id}"))
        .send()
        .await
        .expect(204);
    app.delete(&format!("/v3/contacts/{cy}"))
        .send()
        .await
        .expect(204);
    for recipient in [token(&app, removed, ann), token(&app, kept, cy)] {
        assert_pixel(&fetch(&app, &pixel_path(&recipient), Some(IPHONE)).await);
        let followed = fetch(&app, &click_path(&recipient, 1), Some(IPHONE)).await;
        assert_eq!(followed.status, 302);
        assert_eq!(
            header(&followed, "location").as_deref(),
            Some("https://a.example/")
        );
    }
    assert_eq!(
        flushed_counts(&app, removed).await,
        TrackingCounts::default()
    );
    assert_eq!(flushed_counts(&app, kept).await, TrackingCounts::default());
}

const ROSTER: &str = env!("CARGO_BIN_EXE_roster-under-test");

/// Pixel requests from 16 concurrent clients against a separate `roster serve`, SIGKILLed
/// midway. Every open answered more than a second before the kill was committed (the writer
/// commits at least every 100 ms), the counters equal the committed rows, and a restarted node
/// records again.
async fn a_kill_under_pixel_load_loses_only_the_uncommitted_window(app: TestApp) {
    let (_, activity) = campaign(&app, "Load").await;
    let mut contacts = Vec::new();
    for i in 0..20 {
        let id: ContactId = contact_with(&app, &format!("r{i}@example.com"), "explicit")
            .await
            .parse()
            .unwrap();
        contacts.push(id);
    }
    let paths: Vec<String> = contacts
        .iter()
        .map(|c| pixel_path(&token(&app, activity, *c)))
        .collect();
    let server = ServeProcess::start(ROSTER, &app.database_url, &[]).await;
    let answered: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for worker in 0..16 {
        let (base, paths) = (server.base_url.clone(), paths.clone());
        let (answered, stop) = (answered.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            let mut i = worker;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let url = format!("{base}{}", paths[i % paths.len()]);
                i += 1;
                // Each client's first round over the contacts is human, so every contact has
                // a counted open long before the kill however slow the machine; every third
                // round after it comes from Apple's proxy (a machine open).
                let agent = if (i / paths.len()) % 3 == 2 {
                    APPLE_PROXY
                } else {
                    IPHONE
                };
                match http.get(url).header("user-agent", agent).send().await {
                    Ok(response) if response.status() == 200 => {
                        if response.bytes().await.is_ok() {
                            answered.lock().unwrap().push(Instant::now());
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let killed_at = Instant::now();
    server.kill();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    let settled = answered
        .iter()
        .filter(|at| killed_at.duration_since(**at) > Duration::from_secs(1))
        .count();
    assert!(
        settled > 100,
        "only {settled} opens answered before the last second"
    );

    let store = app.store();
    let counts = store
        .tracking_counts(app.owner.account, activity)
        .await
        .unwrap();
    let recount = store
        .recount_tracking(app.owner.account, activity)
        .await
        .unwrap();
    assert_eq!(counts, recount, "the counters equal the committed rows");
    let committed = counts.opens.total() as usize;
    assert!(
        committed >= settled,
        "{committed} committed, but {settled} were answered over a second before the kill"
    );
    // At most the 16 requests in flight at the kill were recorded but never answered.
    assert!(committed <= answered.len() + 16, "nothing recorded twice");
    assert_eq!(counts.unique_opens, 20);

    // A restarted node records again, and still agrees with its rows.
    let restarted = ServeProcess::start(ROSTER, &app.database_url, &[]).await;
    let answer = client()
        .get(format!("{}{}", restarted.base_url, paths[0]))
        .header("user-agent", DESKTOP)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = store
            .tracking_counts(app.owner.account, activity)
            .await
            .unwrap();
        if now.opens.computer == counts.opens.computer + 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted node did not record"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    restarted.kill();
    assert_eq!(
        store
            .tracking_counts(app.owner.account, activity)
            .await
            .unwrap(),
        store
            .recount_tracking(app.owner.account, activity)
            .await
            .unwrap()
    );
}
