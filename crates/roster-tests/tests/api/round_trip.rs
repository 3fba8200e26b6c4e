//! Issue 17's full round trip over real SMTP, on both engines: a campaign goes to a list of
//! nine through the SMTP sink with VERP envelope senders; the messages are parsed as a mail
//! client reads them (the HTML and text parts, `List-Unsubscribe` and `List-Unsubscribe-Post`,
//! the pixel, the tracked links, the forward and unsubscribe links); then each recipient does
//! one thing (opens on two devices and clicks, clicks only, unsubscribes in one click, only
//! looks at the unsubscribe page, forwards to a friend) and each of the others comes back one
//! way (a DSN and an ARF complaint to the bounce endpoint, a JSON event, a DSN through the
//! bounce SMTP listener). The reports are built from the messages the sink received, so the
//! references they carry are the ones Roster wrote. Every effect is then checked through the
//! V3 API (each contact's permission and opt-out fields, who is unsubscribed) and the store
//! (the activity's exact counters, equal to a recount of its rows, and each event's contact).
//! Forged pixel and click tokens record nothing on the way.

use std::collections::BTreeMap;

use reqwest::Method;
use roster_domain::bounce::COMPLAINT_OPT_OUT_REASON;
use roster_domain::recipient_token::{ClickToken, RecipientToken, TokenPurpose};
use roster_domain::tracking::{BounceCounts, DeviceCounts, TrackingCounts};
use roster_domain::CampaignActivityId;
use roster_tests::smtp_sink::Received;
use roster_tests::{on_both_engines_with_mail_and, test_secret, TestApp};
use serde_json::{json, Value};

use crate::bounces::{
    bounce_address, envelope, intake, post_signed, send_campaign_with, smtp_client, smtp_listener,
    BOUNCE_ADDRESS,
};
use crate::tracking::{
    assert_not_found_page, assert_pixel, attribute_values, fetch, flushed_counts, header, DESKTOP,
    IPHONE, PUBLIC,
};

on_both_engines_with_mail_and!(
    intake;
    a_campaign_makes_the_full_round_trip_over_real_smtp,
);

/// The recipients, by what each does with the message (first names; addresses at example.org).
const OPENS_AND_CLICKS: &str = "ann";
const CLICKS_ONLY: &str = "bob";
const ONE_CLICK: &str = "cat";
const LOOKS_AT_UNSUBSCRIBE: &str = "dan";
const FORWARDS: &str = "eve";
const BOUNCES_BY_DSN: &str = "fay";
const COMPLAINS: &str = "gus";
const BOUNCES_BY_JSON: &str = "hal";
const BOUNCES_OVER_SMTP: &str = "ivy";
const READERS: [&str; 9] = [
    OPENS_AND_CLICKS,
    CLICKS_ONLY,
    ONE_CLICK,
    LOOKS_AT_UNSUBSCRIBE,
    FORWARDS,
    BOUNCES_BY_DSN,
    COMPLAINS,
    BOUNCES_BY_JSON,
    BOUNCES_OVER_SMTP,
];

const SHOP: &str = "https://shop.example/spring";
const NEWS: &str = "https://news.example/today?ref=mail&x=1";
const CONTENT: &str = "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]]</p>\
     <p><a href=\"https://shop.example/spring\">Shop the spring range</a></p>\
     <p><a href=\"https://news.example/today?ref=mail&amp;x=1\">Today's news</a> \
     <a href=\"mailto:hello@example.com\">Write to us</a></p></body></html>";

/// One received message, read as a mail client reads it.
struct Mail {
    received: Received,
    pixel: String,
    /// The tracked links, in document order, with the `url_id` each token names.
    tracked: Vec<(String, u32)>,
    unsubscribe: String,
    forward: String,
}

fn address_of(name: &str) -> String {
    format!("{name}@example.org")
}

/// The one link in `hrefs` under `{PUBLIC}{prefix}`.
fn own_link(hrefs: &[String], prefix: &str) -> String {
    let found: Vec<&String> = hrefs
        .iter()
        .filter(|h| h.starts_with(&format!("{PUBLIC}{prefix}")))
        .collect();
    assert_eq!(found.len(), 1, "one {prefix} link in {hrefs:?}");
    found[0].clone()
}

/// Reads `received` (a message to `contact` of `activity`), checking what every campaign
/// message must carry.
fn read(received: &Received, activity: CampaignActivityId, contact: &str, name: &str) -> Mail {
    let key = test_secret().recipient_key();
    let parsed = received.parsed();
    let html = parsed.body_html(0).expect("an HTML part").to_string();
    let text = parsed.body_text(0).expect("a text part").to_string();
    assert!(
        html.contains(&format!("Hello {}", capitalised(name))),
        "{html}"
    );

    let pixels: Vec<String> = attribute_values(&html, "src")
        .into_iter()
        .filter(|src| src.starts_with(&format!("{PUBLIC}/t/o/")))
        .collect();
    assert_eq!(pixels.len(), 1, "one pixel: {html}");
    let open = RecipientToken::verify(&key, &pixels[0][PUBLIC.len() + 5..]).expect("signed");
    assert_eq!(open.purpose, TokenPurpose::Open);
    assert_eq!(
        (open.activity, open.contact.to_string()),
        (activity, contact.into())
    );

    let hrefs = attribute_values(&html, "href");
    let tracked: Vec<(String, u32)> = hrefs
        .iter()
        .filter(|h| h.starts_with(&format!("{PUBLIC}/t/c/")))
        .map(|h| {
            let click = ClickToken::verify(&key, &h[PUBLIC.len() + 5..]).expect("signed");
            assert_eq!(click.recipient.contact.to_string(), contact);
            (h.clone(), click.url_id)
        })
        .collect();
    let ids: Vec<u32> = tracked.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids, [1, 2], "the two web links, one url_id each: {hrefs:?}");
    assert!(hrefs.iter().any(|h| h == "mailto:hello@example.com"));
    for (link, _) in &tracked {
        assert!(
            text.contains(link.as_str()),
            "the text part tracks too: {text}"
        );
    }

    // RFC 8058: the header's link is the footer's, and says one-click POST works.
    assert_eq!(
        received.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let listed = received
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    let unsubscribe = own_link(&hrefs, "/unsubscribe/");
    assert_eq!(listed, format!("<{unsubscribe}>"));
    let forward = own_link(&hrefs, "/forward/");
    for link in [&unsubscribe, &forward] {
        assert!(text.contains(link.as_str()), "{link} in {text}");
    }
    assert!(!html.contains("RosterClick") && !text.contains("RosterClick"));
    Mail {
        received: received.clone(),
        pixel: pixels[0].clone(),
        tracked,
        unsubscribe,
        forward,
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The message's header block, as `text/rfc822-headers` returns it.
fn head_of(message: &Received) -> String {
    let data = String::from_utf8_lossy(&message.data);
    let end = data.find("\r\n\r\n").expect("a header block");
    format!("{}\r\n", &data[..end])
}

/// A delivery status notification (RFC 3464) for `message`, as a relay returns it to the
/// envelope sender: one failed recipient with `status` and the remote server's `reply`, and
/// the returned message whole, or its header only.
fn dsn(message: &Received, status: &str, reply: &str, whole_message: bool) -> Vec<u8> {
    let recipient = &message.rcpt_to[0];
    let (returned_type, returned) = if whole_message {
        (
            "message/rfc822",
            String::from_utf8_lossy(&message.data).into_owned(),
        )
    } else {
        ("text/rfc822-headers", head_of(message))
    };
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\r\n\
         To: {verp}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Date: Tue, 12 Mar 2024 10:15:02 +0000\r\n\
         Message-ID: <dsn.{status}@relay.example.net>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\
         \tboundary=\"round-trip-report\"\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         Your message to <{recipient}> could not be delivered: {reply}\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; relay.example.net\r\n\
         \r\n\
         Final-Recipient: rfc822; {recipient}\r\n\
         Action: failed\r\n\
         Status: {status}\r\n\
         Remote-MTA: dns; mx.example.org\r\n\
         Diagnostic-Code: smtp; {reply}\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: {returned_type}\r\n\
         \r\n\
         {returned}\r\n\
         --round-trip-report--\r\n",
        verp = message.mail_from,
    )
    .into_bytes()
}

/// A feedback-loop complaint (ARF, RFC 5965) about `message`, as a mailbox provider sends it
/// to the bounce address registered with its feedback loop.
fn complaint(message: &Received) -> Vec<u8> {
    format!(
        "From: Feedback Loop <fbl@isp.example>\r\n\
         To: {BOUNCE_ADDRESS}\r\n\
         Subject: FW: Spring news\r\n\
         Date: Tue, 12 Mar 2024 14:02:10 +0000\r\n\
         Message-ID: <complaint.1@isp.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report;\r\n\
         \tboundary=\"round-trip-report\"\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is an email abuse report.\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: message/feedback-report\r\n\
         \r\n\
         Feedback-Type: abuse\r\n\
         User-Agent: RoundTrip-FBL/1.0\r\n\
         Version: 1\r\n\
         Original-Mail-From: <{verp}>\r\n\
         Original-Rcpt-To: <{recipient}>\r\n\
         Arrival-Date: Tue, 12 Mar 2024 10:15:01 +0000\r\n\
         \r\n\
         --round-trip-report\r\n\
         Content-Type: message/rfc822\r\n\
         Content-Disposition: inline\r\n\
         \r\n\
         {returned}\r\n\
         --round-trip-report--\r\n",
        verp = message.mail_from,
        recipient = message.rcpt_to[0],
        returned = String::from_utf8_lossy(&message.data),
    )
    .into_bytes()
}

/// `text` with the character at `at` changed: a token whose MAC no longer verifies.
fn altered(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

async fn anonymous(app: &TestApp, method: Method, url: &str, form: Option<&str>) -> (u16, String) {
    let path = url.strip_prefix(PUBLIC).unwrap_or(url);
    let mut request = app.request(method, path).anonymous();
    if let Some(form) = form {
        request = request.raw_body("application/x-www-form-urlencoded", form.to_string());
    }
    let answer = request.send_unchecked().await;
    (
        answer.status,
        String::from_utf8_lossy(&answer.body).into_owned(),
    )
}

async fn contact_resource(app: &TestApp, contact: &str) -> Value {
    app.get_json(&format!("/v3/contacts/{contact}?include=list_memberships"))
        .await
}

async fn a_campaign_makes_the_full_round_trip_over_real_smtp(app: TestApp) {
    // 1. A list of nine, a campaign to it, scheduled now, delivered through the sink.
    let list = app.create_list("Readers").await;
    let mut contacts = BTreeMap::new();
    for name in READERS {
        let contact = app
            .create_contact(json!({
                "email_address": {"address": address_of(name), "permission_to_send": "explicit"},
                "first_name": capitalised(name), "list_memberships": [list]
            }))
            .await;
        contacts.insert(name, roster_tests::id(&contact, "contact_id"));
    }
    let (_, activity_id, received) =
        send_campaign_with(&app, "Round trip", &list, "Spring news", CONTENT).await;
    let activity: CampaignActivityId = activity_id.parse().unwrap();
    let mailer = app.mailer_with(|config| config.bounce_address = Some(bounce_address()));

    // 2. The messages, as received.
    assert_eq!(received.len(), READERS.len());
    let mut mail = BTreeMap::new();
    for name in READERS {
        let message = received
            .iter()
            .find(|r| r.rcpt_to == [address_of(name)])
            .unwrap_or_else(|| panic!("{name} was not mailed"));
        let verp = bounce_address().id_in(&message.mail_from);
        assert_eq!(
            verp.map(|id| id.to_string()).as_ref(),
            Some(&contacts[name])
        );
        mail.insert(name, read(message, activity, &contacts[name], name));
    }
    // The permalink is one public copy for everyone: fallbacks, no pixel, no personal link.
    let permalink = app
        .get_json(&format!(
            "/v3/emails/activities/{activity_id}?include=permalink_url"
        ))
        .await["permalink_url"]
        .as_str()
        .expect("a permalink_url once sent")
        .to_string();
    let (status, page) = anonymous(&app, Method::GET, &permalink, None).await;
    assert_eq!(status, 200);
    assert!(page.contains("Hello there") && page.contains(&format!("href=\"{SHOP}\"")));
    for personal in ["/t/o/", "/t/c/", "/unsubscribe/", "/forward/", "Ann"] {
        assert!(!page.contains(personal), "{personal} in {page}");
    }

    // 3. What the recipients do. Ann opens on her computer and her phone, and follows both
    // links on her computer (the second with a redirect target of its own, which is ignored).
    let ann = &mail[OPENS_AND_CLICKS];
    assert_pixel(&fetch(&app, &ann.pixel, Some(DESKTOP)).await);
    assert_pixel(&fetch(&app, &ann.pixel, Some(IPHONE)).await);
    let shop = fetch(&app, &ann.tracked[0].0, Some(DESKTOP)).await;
    assert_eq!(
        (shop.status, header(&shop, "location").as_deref()),
        (302, Some(SHOP))
    );
    let news_link = format!("{}?url=https://evil.example/", ann.tracked[1].0);
    let news = fetch(&app, &news_link, Some(DESKTOP)).await;
    assert_eq!(
        (news.status, header(&news, "location").as_deref()),
        (302, Some(NEWS))
    );
    // Bob blocks images and follows a link on his phone: his open is implied by the click.
    let bob = fetch(&app, &mail[CLICKS_ONLY].tracked[0].0, Some(IPHONE)).await;
    assert_eq!(
        (bob.status, header(&bob, "location").as_deref()),
        (302, Some(SHOP))
    );
    // Cat's mailbox provider sends the RFC 8058 one-click POST to the header's link.
    let one_click = mail[ONE_CLICK].received.header("List-Unsubscribe").unwrap();
    let one_click = one_click.trim_matches(['<', '>']);
    let form = Some("List-Unsubscribe=One-Click");
    assert_eq!(anonymous(&app, Method::POST, one_click, form).await.0, 200);
    // Dan looks at the unsubscribe page (twice, as a link scanner would) and does nothing.
    for _ in 0..2 {
        let (status, page) = anonymous(
            &app,
            Method::GET,
            &mail[LOOKS_AT_UNSUBSCRIBE].unsubscribe,
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("<form method=\"post\""), "{page}");
    }
    // Eve forwards to a friend through the forward page.
    let forward = &mail[FORWARDS].forward;
    let (status, page) = anonymous(&app, Method::GET, forward, None).await;
    assert_eq!(status, 200);
    assert!(page.contains(&address_of(FORWARDS)), "{page}");
    let form = "addresses=pal%40friends.example&note=You+will+like+this";
    let (status, page) = anonymous(&app, Method::POST, forward, Some(form)).await;
    assert_eq!(status, 200, "{page}");
    mailer.drain().await.unwrap();
    let copies = app.sink().received()[received.len()..].to_vec();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].rcpt_to, ["pal@friends.example"]);
    let copy = copies[0].parsed().body_html(0).unwrap().to_string();
    assert!(
        copy.contains("You will like this") && copy.contains("Hello there"),
        "{copy}"
    );
    for untracked in ["/t/o/", "/t/c/", "/unsubscribe/", "/forward/"] {
        assert!(
            !copy.contains(untracked),
            "{untracked} in the friend's copy: {copy}"
        );
    }
    // Forged tokens on Dan's links: the pixel still answers the image, the click a 404 page.
    let dan = &mail[LOOKS_AT_UNSUBSCRIBE];
    let forged_pixel = altered(&dan.pixel, PUBLIC.len() + 30);
    assert_pixel(&fetch(&app, &forged_pixel, Some(DESKTOP)).await);
    let forged_click = altered(&dan.tracked[0].0, PUBLIC.len() + 30);
    assert_not_found_page(&fetch(&app, &forged_click, Some(DESKTOP)).await);

    // 4. What comes back: a DSN (5.1.1) and an ARF complaint to the endpoint, a JSON event,
    // and a DSN through the SMTP listener to the VERP address.
    let bounced = |name: &str, code: &str| {
        json!({"outcome": "bounce", "contact_id": contacts[name],
               "campaign_activity_id": activity_id, "bounce_code": code, "suspended": false})
    };
    let report = dsn(
        &mail[BOUNCES_BY_DSN].received,
        "5.1.1",
        "550 5.1.1 <fay@example.org>: Recipient address rejected: User unknown",
        true,
    );
    let answer = post_signed(&app, "message/rfc822", &report)
        .await
        .expect(200);
    assert_eq!(answer.json(), bounced(BOUNCES_BY_DSN, "B"));
    let report = complaint(&mail[COMPLAINS].received);
    let answer = post_signed(&app, "message/rfc822", &report)
        .await
        .expect(200);
    assert_eq!(
        answer.json(),
        json!({"outcome": "complaint", "contact_id": contacts[COMPLAINS],
               "campaign_activity_id": activity_id, "unsubscribed": true})
    );
    let event = json!({
        "recipient": address_of(BOUNCES_BY_JSON),
        "message_id": mail[BOUNCES_BY_JSON].received.message_id(),
        "type": "hard", "smtp_status": "5.7.1",
        "diagnostic": "550 5.7.1 Message rejected as spam by content filtering"
    });
    let body = serde_json::to_vec(&event).unwrap();
    let answer = post_signed(&app, "application/json", &body)
        .await
        .expect(200);
    assert_eq!(answer.json(), bounced(BOUNCES_BY_JSON, "Z"));
    let listener = smtp_listener(&app).await;
    let over_smtp = &mail[BOUNCES_OVER_SMTP].received;
    let report = dsn(over_smtp, "5.2.2", "552 5.2.2 Mailbox full", false);
    let reply = lettre::AsyncTransport::send_raw(
        &smtp_client(&listener),
        &envelope(&over_smtp.mail_from),
        &report,
    )
    .await
    .unwrap();
    assert_eq!(reply.code().to_string(), "250");
    listener.stop().await;
    assert!(
        app.store()
            .unprocessed_messages(10)
            .await
            .unwrap()
            .is_empty(),
        "all were read"
    );

    // Every effect, through the V3 API: who is unsubscribed, and how.
    for name in READERS {
        let resource = contact_resource(&app, &contacts[name]).await;
        let email = &resource["email_address"];
        let memberships = &resource["list_memberships"];
        match name {
            ONE_CLICK | COMPLAINS => {
                assert_eq!(
                    email["permission_to_send"], "unsubscribed",
                    "{name}: {email}"
                );
                assert_eq!(email["opt_out_source"], "Contact", "{name}");
                // After the send, so the one this round trip caused.
                let opted_out = email["opt_out_date"].as_str();
                assert!(opted_out > email["created_at"].as_str(), "{name}: {email}");
                let reason = (name == COMPLAINS).then_some(COMPLAINT_OPT_OUT_REASON);
                assert_eq!(email["opt_out_reason"].as_str(), reason, "{name}: {email}");
            }
            _ => {
                // A look at the unsubscribe page, a bounce or a forward changes no consent.
                assert_eq!(email["permission_to_send"], "explicit", "{name}: {email}");
                for field in ["opt_out_source", "opt_out_date", "opt_out_reason"] {
                    assert!(email.get(field).is_none(), "{name}: {email}");
                }
                assert_eq!(memberships, &json!([list]), "{name}");
            }
        }
    }
    let unsubscribed = crate::contact_support::contact_ids(&app, "status=unsubscribed").await;
    let mut expected = vec![contacts[ONE_CLICK].clone(), contacts[COMPLAINS].clone()];
    expected.sort();
    assert_eq!(unsubscribed, expected);
    // The friend did not become a contact.
    let friend = app
        .get_json("/v3/contacts?email=pal@friends.example&status=all")
        .await;
    assert_eq!(friend["contacts"], json!([]));

    // The activity's counters, exactly, equal to a recount of its rows.
    let counts = flushed_counts(&app, activity).await;
    let expected = TrackingCounts {
        // Ann by her pixel, Bob by his click.
        unique_opens: 2,
        opens: DeviceCounts {
            computer: 1,
            mobile: 2,
            ..DeviceCounts::default()
        },
        unique_clicks: 2,
        clicks: DeviceCounts {
            computer: 2,
            mobile: 1,
            ..DeviceCounts::default()
        },
        unique_forwards: 1,
        forwards: 1,
        optouts: 1,
        bounces: 3,
        bounces_by_code: BounceCounts {
            non_existent: 1,
            blocked: 1,
            mailbox_full: 1,
            ..BounceCounts::default()
        },
        abuse: 1,
    };
    assert_eq!(counts, expected);
    // And each event is the contact's who caused it.
    let names: BTreeMap<String, &str> = contacts
        .iter()
        .map(|(name, id)| (id.clone(), *name))
        .collect();
    let mut events: Vec<String> = app
        .store()
        .recent_events(app.owner.account, activity, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            let mut line = format!("{} {}", names[&e.contact.to_string()], e.kind.as_str());
            if let Some(url_id) = e.url_id {
                line.push_str(&format!(" {url_id}"));
            }
            if let Some(code) = e.bounce_code {
                line.push_str(&format!(" {}", code.as_str()));
            }
            if e.kind.as_str() == "open" || e.kind.as_str() == "click" {
                line.push_str(&format!(" {}", e.device.as_str()));
            }
            line
        })
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "ann click 1 computer",
            "ann click 2 computer",
            "ann open computer",
            "ann open mobile",
            "bob click 1 mobile",
            "bob open mobile",
            "cat optout",
            "eve forward",
            "fay bounce B",
            "gus abuse",
            "hal bounce Z",
            "ivy bounce F",
        ]
    );
}
