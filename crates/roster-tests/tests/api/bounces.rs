//! Bounces and complaints coming back (docs/TRACKING.md, "Bounces"): a campaign is sent with
//! VERP envelope senders into the sink, then its messages come back as DSNs, ARF complaints,
//! auto-replies and JSON events, through the signed bounce endpoint and through the inbound
//! SMTP listener; each is checked through the V3 API (the contact's opt-out), the store's
//! counters, and later sends (a suspended address is skipped). Reports that cannot be read
//! or name nothing Roster sent are kept, never refused.

use std::sync::Arc;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::Method;
use roster_bounces::smtp::config::ListenerConfig;
use roster_bounces::smtp::SmtpListener;
use roster_bounces::IntakeSettings;
use roster_domain::bounce::{SmtpReply, SuspensionPolicy};
use roster_domain::tracking::TrackingCounts;
use roster_domain::CampaignActivityId;
use roster_http::bounces::WebhookSecret;
use roster_http::{BounceSettings, ServerConfig};
use roster_mailer::BounceAddress;
use roster_tests::smtp_sink::{Received, SinkScript};
use roster_tests::{on_both_engines, on_both_engines_with_mail_and, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::engagement_support::schedule_campaign;

on_both_engines_with_mail_and!(
    intake;
    dsns_of_every_shape_record_their_bounce_codes,
    a_complaint_records_abuse_and_unsubscribes_the_contact,
    json_events_record_bounces_and_complaints,
    a_second_nonexistent_bounce_suspends_the_address_and_later_sends_skip_it,
    unknown_and_unreadable_reports_are_kept,
    the_endpoint_refuses_bad_signatures_and_bad_input,
    a_bounce_through_the_smtp_listener_is_recorded,
    the_smtp_listener_refuses_relaying_and_oversized_messages,
    a_refusal_at_send_time_is_coded_and_recorded,
);
on_both_engines_with_mail_and!(
    intake_suspending_at_once;
    with_suspension_at_the_first_bounce_one_suspends,
);
on_both_engines!(without_a_secret_the_endpoint_is_not_there);

pub const SECRET: &str = "a bounce webhook secret for the tests";
pub const BOUNCE_ADDRESS: &str = "bounces@bounce.example.com";
/// The VERP address and Message-ID the vendor-shaped fixtures carry; a test replaces them with
/// those of a message it sent.
const FIXTURE_VERP: &str = "bounces+0192f1c47b1e7c399a513f0c8e2d4b10@bounce.example.com";
const FIXTURE_MESSAGE_ID: &str =
    "0192f1c47b1e7000a000000000000001.0192f1c47b1e7c399a513f0c8e2d4b10@news.example.com";

pub fn bounce_address() -> BounceAddress {
    BounceAddress::parse(BOUNCE_ADDRESS).unwrap()
}

fn settings(suspension: SuspensionPolicy) -> BounceSettings {
    BounceSettings {
        webhook_secret: Some(WebhookSecret::new(SECRET).unwrap()),
        intake: IntakeSettings {
            bounce_address: Some(bounce_address()),
            suspension,
        },
    }
}

pub fn intake(config: &mut ServerConfig) {
    config.bounces = settings(SuspensionPolicy::default());
}

fn intake_suspending_at_once(config: &mut ServerConfig) {
    config.bounces = settings(SuspensionPolicy {
        after_nonexistent_bounces: 1,
    });
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../roster-bounces/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture made to come back for `message`: its VERP address and Message-ID.
fn returned(name: &str, message: &Received) -> String {
    let id = message.message_id();
    fixture(name)
        .replace(FIXTURE_VERP, &message.mail_from)
        .replace(FIXTURE_MESSAGE_ID, id.trim_matches(['<', '>']))
}

/// A contact on `list`; its id.
async fn contact_on(app: &TestApp, list: &str, address: &str) -> String {
    let contact = app
        .create_contact(json!({"email_address": {"address": address}, "list_memberships": [list]}))
        .await;
    contact["contact_id"].as_str().unwrap().to_string()
}

/// Sends a new campaign to `list` with VERP envelope senders; its activity and the messages
/// the sink received for it.
async fn send_campaign(app: &TestApp, name: &str, list: &str) -> (String, Vec<Received>) {
    let html = "<html><body><p>Hello</p></body></html>";
    let (_, activity, received) = send_campaign_with(app, name, list, "News", html).await;
    (activity, received)
}

/// Sends a new campaign with `subject` and `html` to `list` with VERP envelope senders; its
/// campaign, its activity and the messages the sink received for it.
pub(crate) async fn send_campaign_with(
    app: &TestApp,
    name: &str,
    list: &str,
    subject: &str,
    html: &str,
) -> (String, String, Vec<Received>) {
    let before = app.sink().received().len();
    let (campaign, activity) = schedule_campaign(app, name, subject, html, list).await;
    app.mailer_with(|config| config.bounce_address = Some(bounce_address()))
        .drain()
        .await
        .unwrap();
    let received = app.sink().received()[before..].to_vec();
    (campaign, activity, received)
}

fn to<'r>(received: &'r [Received], address: &str) -> &'r Received {
    received
        .iter()
        .find(|r| r.rcpt_to == [address])
        .unwrap_or_else(|| panic!("{address} was not mailed"))
}

pub async fn post_signed(app: &TestApp, content_type: &str, body: &[u8]) -> TestResponse {
    let signature = WebhookSecret::new(SECRET).unwrap().sign(body);
    app.request(Method::POST, "/bounces/inbound")
        .anonymous()
        .header("X-Roster-Signature", &signature)
        .raw_body(content_type, body.to_vec())
        .send_unchecked()
        .await
}

async fn counts(app: &TestApp, activity: &str) -> TrackingCounts {
    let activity: CampaignActivityId = activity.parse().unwrap();
    app.store()
        .tracking_counts(app.owner.account, activity)
        .await
        .unwrap()
}

async fn email_address(app: &TestApp, contact: &str) -> Value {
    app.get_json(&format!("/v3/contacts/{contact}"))
        .await
        .get("email_address")
        .cloned()
        .unwrap()
}

async fn dsns_of_every_shape_record_their_bounce_codes(app: TestApp) {
    let list = app.create_list("Readers").await;
    let cases = [
        ("postfix-user-unknown.eml", "B"),
        ("exim-mailbox-full.eml", "F"),
        ("gmail-no-such-user.eml", "B"),
        ("gmail-unsolicited.eml", "Z"),
        ("m365-recipient-not-found.eml", "B"),
        ("postfix-expired.eml", "D"),
        ("auto-reply.eml", "V"),
    ];
    let mut contacts = Vec::new();
    for index in 0..cases.len() {
        let address = format!("reader{index}@example.org");
        contacts.push((contact_on(&app, &list, &address).await, address));
    }
    let (activity, received) = send_campaign(&app, "Spring", &list).await;
    assert_eq!(received.len(), cases.len());
    for ((fixture, code), (contact, address)) in cases.iter().zip(&contacts) {
        let message = to(&received, address);
        assert!(bounce_address().id_in(&message.mail_from).is_some());
        let body = returned(fixture, message);
        let answer = post_signed(&app, "message/rfc822", body.as_bytes())
            .await
            .expect(200)
            .json();
        assert_eq!(
            answer,
            json!({"outcome": "bounce", "contact_id": contact, "campaign_activity_id": activity,
                   "bounce_code": code, "suspended": false}),
            "{fixture}"
        );
    }
    let counts = counts(&app, &activity).await;
    assert_eq!(counts.bounces, 7);
    let by_code = counts.bounces_by_code;
    assert_eq!(
        (
            by_code.non_existent,
            by_code.mailbox_full,
            by_code.blocked,
            by_code.undeliverable,
            by_code.vacation
        ),
        (3, 1, 1, 1, 1)
    );
    // The same report again is one more event, not one more bounced contact.
    let again = returned("postfix-user-unknown.eml", to(&received, &contacts[0].1));
    post_signed(&app, "multipart/report", again.as_bytes())
        .await
        .expect(200);
    assert_eq!(self::counts(&app, &activity).await.bounces, 7);
    // A bounce does not unsubscribe.
    let email = email_address(&app, &contacts[0].0).await;
    assert_eq!(email["permission_to_send"], "implicit");
}

async fn a_complaint_records_abuse_and_unsubscribes_the_contact(app: TestApp) {
    let list = app.create_list("Readers").await;
    let contact = contact_on(&app, &list, "reader@yahoo.com").await;
    let (activity, received) = send_campaign(&app, "Spring", &list).await;
    let report = returned("yahoo-complaint.eml", &received[0]);
    let answer = post_signed(&app, "message/rfc822", report.as_bytes())
        .await
        .expect(200)
        .json();
    assert_eq!(
        answer,
        json!({"outcome": "complaint", "contact_id": contact, "campaign_activity_id": activity,
               "unsubscribed": true})
    );
    let email = email_address(&app, &contact).await;
    assert_eq!(email["permission_to_send"], "unsubscribed");
    assert_eq!(email["opt_out_source"], "Contact");
    assert_eq!(
        email["opt_out_reason"],
        roster_domain::bounce::COMPLAINT_OPT_OUT_REASON
    );
    assert!(email["opt_out_date"].is_string());
    let counts = counts(&app, &activity).await;
    assert_eq!((counts.abuse, counts.bounces, counts.optouts), (1, 0, 0));

    // The same report again: the contact stays unsubscribed, and complained once.
    let answer = post_signed(&app, "message/rfc822", report.as_bytes())
        .await
        .expect(200)
        .json();
    assert_eq!(answer["unsubscribed"], false);
    assert_eq!(self::counts(&app, &activity).await.abuse, 1);
    // Later sends skip the unsubscribed contact.
    let (_, later) = send_campaign(&app, "Summer", &list).await;
    assert!(later.is_empty());
}

async fn json_events_record_bounces_and_complaints(app: TestApp) {
    let list = app.create_list("Readers").await;
    let hard = contact_on(&app, &list, "hard@example.org").await;
    let soft = contact_on(&app, &list, "soft@example.org").await;
    let complainer = contact_on(&app, &list, "complainer@example.org").await;
    let (activity, received) = send_campaign(&app, "Spring", &list).await;
    let event = |address: &str, reference: Value, rest: Value| {
        let mut body = json!({"recipient": address});
        for extra in [reference, rest] {
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
        }
        serde_json::to_vec(&body).unwrap()
    };
    let message_id = |address: &str| json!({"message_id": to(&received, address).message_id()});
    let token = |address: &str| {
        let contact = bounce_address()
            .id_in(&to(&received, address).mail_from)
            .unwrap();
        json!({"token": contact.simple().to_string()})
    };

    let body = event(
        "hard@example.org",
        message_id("hard@example.org"),
        json!({"type": "hard", "smtp_status": "5.1.1",
               "diagnostic": "550 5.1.1 <hard@example.org>: user unknown"}),
    );
    let answer = post_signed(&app, "application/json", &body)
        .await
        .expect(200)
        .json();
    assert_eq!(answer["outcome"], "bounce");
    assert_eq!(answer["contact_id"], hard.as_str());
    assert_eq!(answer["bounce_code"], "B");

    let body = event(
        "Soft@Example.org",
        token("soft@example.org"),
        json!({"type": "soft", "smtp_status": "4.4.7", "diagnostic": "delivery time expired"}),
    );
    let answer = post_signed(&app, "application/json; charset=utf-8", &body)
        .await
        .expect(200)
        .json();
    assert_eq!(answer["contact_id"], soft.as_str());
    assert_eq!(answer["bounce_code"], "D");

    let whole_address = json!({"token": to(&received, "complainer@example.org").mail_from});
    let body = event(
        "complainer@example.org",
        whole_address,
        json!({"type": "complaint"}),
    );
    let answer = post_signed(&app, "application/json", &body)
        .await
        .expect(200)
        .json();
    assert_eq!(answer["outcome"], "complaint");
    assert_eq!(answer["contact_id"], complainer.as_str());
    let email = email_address(&app, &complainer).await;
    assert_eq!(email["permission_to_send"], "unsubscribed");

    // The recipient must be the address the message went to.
    let body = event(
        "someone.else@example.org",
        message_id("hard@example.org"),
        json!({"type": "hard"}),
    );
    let answer = post_signed(&app, "application/json", &body)
        .await
        .expect(202)
        .json();
    assert_eq!(answer["outcome"], "kept");
    assert!(answer["reason"]
        .as_str()
        .unwrap()
        .contains("someone.else@example.org"));

    let counts = counts(&app, &activity).await;
    assert_eq!((counts.bounces, counts.abuse), (2, 1));
}

async fn a_second_nonexistent_bounce_suspends_the_address_and_later_sends_skip_it(app: TestApp) {
    let list = app.create_list("Readers").await;
    let gone = contact_on(&app, &list, "gone@example.org").await;
    contact_on(&app, &list, "stays@example.org").await;

    let (_, first) = send_campaign(&app, "Spring", &list).await;
    let report = returned("postfix-user-unknown.eml", to(&first, "gone@example.org"));
    let answer = post_signed(&app, "message/rfc822", report.as_bytes())
        .await
        .expect(200)
        .json();
    assert_eq!(
        (&answer["bounce_code"], &answer["suspended"]),
        (&json!("B"), &json!(false))
    );

    let (second_activity, second) = send_campaign(&app, "Summer", &list).await;
    assert_eq!(second.len(), 2, "one B bounce does not suspend");
    let report = returned("gmail-no-such-user.eml", to(&second, "gone@example.org"));
    let answer = post_signed(&app, "message/rfc822", report.as_bytes())
        .await
        .expect(200)
        .json();
    assert_eq!(answer["contact_id"], gone.as_str());
    assert_eq!(
        (&answer["bounce_code"], &answer["suspended"]),
        (&json!("S"), &json!(true))
    );
    let counts = counts(&app, &second_activity).await;
    assert_eq!(counts.bounces_by_code.suspended, 1);

    let (_, third) = send_campaign(&app, "Autumn", &list).await;
    let mailed: Vec<&str> = third.iter().map(|r| r.rcpt_to[0].as_str()).collect();
    assert_eq!(
        mailed,
        ["stays@example.org"],
        "the suspended address is skipped"
    );
    // Suspension is about delivery, not consent: the contact is not unsubscribed.
    let email = email_address(&app, &gone).await;
    assert_eq!(email["permission_to_send"], "implicit");
}

async fn with_suspension_at_the_first_bounce_one_suspends(app: TestApp) {
    let list = app.create_list("Readers").await;
    contact_on(&app, &list, "gone@example.org").await;
    let (_, sent) = send_campaign(&app, "Spring", &list).await;
    let report = returned("m365-recipient-not-found.eml", &sent[0]);
    let answer = post_signed(&app, "message/rfc822", report.as_bytes())
        .await
        .expect(200)
        .json();
    assert_eq!(
        (&answer["bounce_code"], &answer["suspended"]),
        (&json!("S"), &json!(true))
    );
    let (_, later) = send_campaign(&app, "Summer", &list).await;
    assert!(later.is_empty());
}

async fn unknown_and_unreadable_reports_are_kept(app: TestApp) {
    let garbage = b"\x00\x01 this is not mail".to_vec();
    let not_ours = fixture("rfc3464-multi-recipient.eml").into_bytes();
    // A Roster-shaped DSN naming a message this server never sent.
    let stranger = fixture("postfix-user-unknown.eml").into_bytes();
    let mut kept = Vec::new();
    for (body, reason) in [
        (&garbage, "neither a delivery status notification"),
        (&not_ours, "names no message Roster sent"),
        (&stranger, "names no message Roster sent"),
    ] {
        let answer = post_signed(&app, "message/rfc822", body)
            .await
            .expect(202)
            .json();
        assert_eq!(answer["outcome"], "kept");
        assert!(
            answer["reason"].as_str().unwrap().contains(reason),
            "{answer}"
        );
        kept.push((answer["id"].as_str().unwrap().to_string(), body.clone()));
    }
    let stored = app.store().unprocessed_messages(10).await.unwrap();
    assert_eq!(stored.len(), 3);
    for (id, body) in kept {
        let message = stored.iter().find(|m| m.id.to_string() == id).unwrap();
        assert_eq!(&message.raw, &body, "kept byte for byte");
        assert_eq!(message.channel.as_str(), "http");
    }
}

async fn without_a_secret_the_endpoint_is_not_there(app: TestApp) {
    let body = fixture("postfix-user-unknown.eml");
    let answer = app
        .request(Method::POST, "/bounces/inbound")
        .anonymous()
        .header(
            "X-Roster-Signature",
            &WebhookSecret::new(SECRET).unwrap().sign(body.as_bytes()),
        )
        .raw_body("message/rfc822", body)
        .send_unchecked()
        .await
        .expect(404);
    assert_eq!(answer.error_keys(), ["contacts.api.not_found"]);
}

async fn the_endpoint_refuses_bad_signatures_and_bad_input(app: TestApp) {
    let body = fixture("postfix-user-unknown.eml");
    let unsigned = app
        .request(Method::POST, "/bounces/inbound")
        .anonymous()
        .raw_body("message/rfc822", body.clone())
        .send_unchecked()
        .await
        .expect(403);
    assert!(unsigned.error_messages()[0].contains("X-Roster-Signature header is missing"));
    let other_body = WebhookSecret::new(SECRET).unwrap().sign(b"another body");
    let other_key = WebhookSecret::new("not the server's bounce secret")
        .unwrap()
        .sign(body.as_bytes());
    for signature in [other_body.as_str(), other_key.as_str(), "sha256=xyz"] {
        let refused = app
            .request(Method::POST, "/bounces/inbound")
            .anonymous()
            .header("X-Roster-Signature", signature)
            .raw_body("message/rfc822", body.clone())
            .send_unchecked()
            .await
            .expect(403);
        assert_eq!(refused.error_keys(), ["forbidden"]);
        assert!(refused.error_messages()[0].contains("is not the HMAC-SHA256 of this body"));
    }
    assert!(app
        .store()
        .unprocessed_messages(10)
        .await
        .unwrap()
        .is_empty());

    let problems = post_signed(&app, "application/json", br#"{"type": "bounced"}"#)
        .await
        .expect(400);
    assert_eq!(
        problems.error_messages(),
        [
            "recipient is required.",
            "message_id or token is required (the Message-ID of the message sent, or the \
             token of its bounce address).",
            "type must be one of hard, soft, complaint.",
        ]
    );
    post_signed(&app, "application/json", b"{not json")
        .await
        .expect(400);
    let unsupported = post_signed(&app, "image/png", b"\x89PNG").await.expect(415);
    assert_eq!(unsupported.error_keys(), ["unsupported.media_type"]);
    let large = vec![b'a'; roster_bounces::MAX_MESSAGE_BYTES + 1];
    let too_large = post_signed(&app, "message/rfc822", &large)
        .await
        .expect(413);
    assert_eq!(too_large.error_keys(), ["request.entity.too_large"]);
}

/// The listener as `roster serve --bounce-smtp-bind` runs it, on a free port.
pub async fn smtp_listener(app: &TestApp) -> SmtpListener {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ListenerConfig::new(bounce_address());
    let intake: Arc<roster_bounces::Intake> = app.state.bounce_intake.clone();
    SmtpListener::start(socket, config, intake).unwrap()
}

pub fn smtp_client(listener: &SmtpListener) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(listener.local_addr().port())
        .build()
}

pub fn envelope(to: &str) -> Envelope {
    Envelope::new(None, vec![to.parse().unwrap()]).unwrap()
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

async fn a_bounce_through_the_smtp_listener_is_recorded(app: TestApp) {
    let list = app.create_list("Readers").await;
    let contact = contact_on(&app, &list, "nobody@example.org").await;
    let complainer = contact_on(&app, &list, "reader@yahoo.com").await;
    let (activity, received) = send_campaign(&app, "Spring", &list).await;
    let listener = smtp_listener(&app).await;
    let client = smtp_client(&listener);

    // The DSN to the VERP address, as a relay sends it (null sender).
    let bounced = to(&received, "nobody@example.org");
    let dsn = crlf(&returned("postfix-user-unknown.eml", bounced));
    let reply = client
        .send_raw(&envelope(&bounced.mail_from), &dsn)
        .await
        .unwrap();
    assert_eq!(reply.code().to_string(), "250");
    // A feedback-loop complaint to the bounce address itself.
    let complained = to(&received, "reader@yahoo.com");
    let report = crlf(&returned("yahoo-complaint.eml", complained));
    client
        .send_raw(&envelope(BOUNCE_ADDRESS), &report)
        .await
        .unwrap();
    // Mail the intake cannot read is taken (250) and kept.
    client
        .send_raw(
            &envelope("postmaster@bounce.example.com"),
            b"Subject: hi\r\n\r\nhello\r\n",
        )
        .await
        .unwrap();
    listener.stop().await;

    let counts = counts(&app, &activity).await;
    assert_eq!(
        (
            counts.bounces,
            counts.bounces_by_code.non_existent,
            counts.abuse
        ),
        (1, 1, 1)
    );
    let email = email_address(&app, &complainer).await;
    assert_eq!(email["permission_to_send"], "unsubscribed");
    assert_eq!(
        email_address(&app, &contact).await["permission_to_send"],
        "implicit"
    );
    let kept = app.store().unprocessed_messages(10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].channel.as_str(), "smtp");
    assert_eq!(kept[0].envelope_to, ["postmaster@bounce.example.com"]);
    assert_eq!(kept[0].client.as_deref(), Some("127.0.0.1"));
}

async fn the_smtp_listener_refuses_relaying_and_oversized_messages(app: TestApp) {
    let listener = smtp_listener(&app).await;
    let client = smtp_client(&listener);
    let relay = client
        .send_raw(
            &envelope("victim@example.org"),
            b"Subject: spam\r\n\r\nspam\r\n",
        )
        .await
        .unwrap_err();
    assert_eq!(
        relay.status().map(|c| c.to_string()).as_deref(),
        Some("550")
    );
    assert!(relay.to_string().contains("Relaying denied"), "{relay}");
    let unknown = client
        .send_raw(
            &envelope("someone@bounce.example.com"),
            b"Subject: x\r\n\r\nx\r\n",
        )
        .await
        .unwrap_err();
    assert_eq!(
        unknown.status().map(|c| c.to_string()).as_deref(),
        Some("550")
    );

    let mut large = b"Subject: large\r\n\r\n".to_vec();
    while large.len() <= roster_bounces::MAX_MESSAGE_BYTES {
        large.extend_from_slice(&[b'x'; 998]);
        large.extend_from_slice(b"\r\n");
    }
    let too_large = client
        .send_raw(&envelope(BOUNCE_ADDRESS), &large)
        .await
        .unwrap_err();
    assert_eq!(
        too_large.status().map(|c| c.to_string()).as_deref(),
        Some("552")
    );
    listener.stop().await;
    assert!(app
        .store()
        .unprocessed_messages(10)
        .await
        .unwrap()
        .is_empty());
}

async fn a_refusal_at_send_time_is_coded_and_recorded(app: TestApp) {
    let list = app.create_list("Readers").await;
    contact_on(&app, &list, "nobody@example.org").await;
    app.sink().set_script(SinkScript::RejectRecipients);
    let (activity, received) = send_campaign(&app, "Spring", &list).await;
    assert!(received.is_empty());
    // What the delivery worker does after recording a refused campaign recipient.
    let entries = app
        .store()
        .recipient_entries(Some("failed"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let reply = SmtpReply::parse(entries[0].last_reply.as_deref().unwrap()).unwrap();
    let config = roster_tests::test_mail_config(&app.sink().url());
    let recorded = roster_mailer::refusals::record_send_refusal(
        app.store(),
        &config,
        &entries[0].recipient,
        &reply,
        false,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(recorded.code.as_str(), "B");
    let counts = counts(&app, &activity).await;
    assert_eq!(
        (counts.bounces, counts.bounces_by_code.non_existent),
        (1, 1)
    );
    // The suspension policy is the server's: a first B does not suspend.
    assert!(!recorded.suspended);
}
