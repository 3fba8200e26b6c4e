//! Scheduling and sending email campaigns (docs/CAMPAIGNS.md, "Sending"): the schedule's state
//! machine and its refusals, sends that reach each eligible recipient once over real SMTP with
//! their personalisation, re-sends that reach only new members, the send history, and the
//! reputation guard.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use roster_domain::contact::{Contact, EmailChannel, Permission, Source};
use roster_domain::{AccountId, CampaignActivityId, EmailAddress, ListId, Role, Timestamp};
use roster_tests::serve::ServeProcess;
use roster_tests::smtp_sink::{SinkScript, SmtpSink};
use roster_tests::{on_both_engines, on_both_engines_with_mail, Engine, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

on_both_engines!(
    schedules_follow_the_state_machine,
    scheduling_refuses_what_cannot_be_sent,
    scheduling_needs_the_send_privilege,
    a_send_killed_midway_reaches_everyone_with_bounded_duplicates,
    without_a_relay_recipients_wait_in_the_outbox
);
on_both_engines_with_mail!(
    a_send_reaches_each_eligible_recipient_once,
    the_reputation_guard_stops_a_send,
    system_mail_overtakes_a_running_send,
    each_message_carries_a_working_one_click_unsubscribe
);

const HTML: &str = "<html><body>[[trackingImage]]<p>Hello [[FirstName OR \"there\"]]</p>\
                    </body></html>";

fn footer_address() -> Value {
    json!({
        "organization_name": "Test Org",
        "address_line1": "1 Main St",
        "city": "Boston",
        "state_code": "MA",
        "postal_code": "02101",
        "country_code": "US"
    })
}

/// A campaign whose primary activity is ready to send to `lists` (with a footer address);
/// returns (campaign id, primary activity id).
async fn sendable_campaign(app: &TestApp, name: &str, lists: &[&str]) -> (String, String) {
    let email = &app.owner.email;
    // POST /emails answers 200: the official document declares no 201.
    let created = app
        .post(
            "/v3/emails",
            json!({"name": name, "email_campaign_activities": [{
                "format_type": 5, "from_name": "Test Org", "from_email": email,
                "reply_to_email": email, "subject": "News for [[FirstName OR \"you\"]]",
                "html_content": HTML
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
    if !lists.is_empty() {
        app.put_json(
            &format!("/v3/emails/activities/{activity}"),
            json!({
                "from_name": "Test Org", "from_email": email, "reply_to_email": email,
                "subject": "News for [[FirstName OR \"you\"]]", "contact_list_ids": lists,
                "physical_address_in_footer": footer_address()
            }),
        )
        .await;
    }
    (campaign, activity)
}

fn schedules(activity: &str) -> String {
    format!("/v3/emails/activities/{activity}/schedules")
}

async fn status_of(app: &TestApp, campaign: &str, activity: &str) -> (String, String) {
    let campaign = app.get_json(&format!("/v3/emails/{campaign}")).await;
    let activity = app
        .get_json(&format!("/v3/emails/activities/{activity}"))
        .await;
    (
        campaign["current_status"].as_str().unwrap().to_string(),
        activity["current_status"].as_str().unwrap().to_string(),
    )
}

async fn schedules_follow_the_state_machine(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (campaign, activity) = sendable_campaign(&app, "Later", &[&list]).await;
    app.get(&schedules(&activity))
        .send()
        .await
        .expect(200)
        .assert_answer(200, &json!([]), "no schedule yet");

    let scheduled = app
        .post(
            &schedules(&activity),
            json!({"scheduled_date": "2099-05-17T16:37:59+02:00"}),
        )
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(
        scheduled,
        json!([{"scheduled_date": "2099-05-17T14:37:59.000Z"}])
    );
    assert_eq!(app.get_json(&schedules(&activity)).await, scheduled);
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Scheduled".into(), "SCHEDULED".into())
    );
    // Scheduled: not editable, not deletable, not schedulable again.
    let email = &app.owner.email;
    app.put(
        &format!("/v3/emails/activities/{activity}"),
        json!({"from_name": "x", "from_email": email, "reply_to_email": email, "subject": "s"}),
    )
    .send()
    .await
    .expect(400);
    app.delete(&format!("/v3/emails/{campaign}"))
        .send()
        .await
        .expect(400);
    app.post(
        &schedules(&activity),
        json!({"scheduled_date": "2099-06-01"}),
    )
    .send()
    .await
    .expect(400);
    // A schedule that is not due yet is not started by a pass of the scheduler.
    app.mailer().drain().await.unwrap();
    assert_eq!(status_of(&app, &campaign, &activity).await.1, "SCHEDULED");

    app.delete(&schedules(&activity)).send().await.expect(204);
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Draft".into(), "DRAFT".into())
    );
    assert_eq!(app.get_json(&schedules(&activity)).await, json!([]));
    let again = app.delete(&schedules(&activity)).send().await.expect(400);
    assert!(
        again.error_messages()[0].contains("DRAFT"),
        "{:?}",
        again.error_messages()
    );

    // A date alone is midnight UTC; a zone-less date-time is UTC.
    for (sent, read) in [
        ("2099-05-17", "2099-05-17T00:00:00.000Z"),
        ("2099-05-17T10:00:00", "2099-05-17T10:00:00.000Z"),
    ] {
        let answer = app
            .post(&schedules(&activity), json!({"scheduled_date": sent}))
            .send()
            .await
            .expect(201)
            .json();
        assert_eq!(answer, json!([{"scheduled_date": read}]), "{sent}");
        app.delete(&schedules(&activity)).send().await.expect(204);
    }
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    assert_eq!(history, json!([]));
}

async fn scheduling_refuses_what_cannot_be_sent(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (_, activity) = sendable_campaign(&app, "Ready", &[&list]).await;
    for bad in [
        json!({}),
        json!({"scheduled_date": "soon"}),
        json!({"scheduled_date": 5}),
    ] {
        let messages = app
            .post(&schedules(&activity), bad.clone())
            .send()
            .await
            .expect(400)
            .error_messages();
        assert!(
            messages.iter().any(|m| m.contains("scheduled_date")),
            "{bad}: {messages:?}"
        );
    }
    // A link over 1,005 characters (Constant Contact's reason code 8) is refused up front.
    let long = format!("https://example.com/{}", "a".repeat(1000));
    app.execute_sql(&format!(
        "UPDATE email_campaign_activities SET html_content = \
         '<html><body><a href=\"{long}\">x</a></body></html>' WHERE role = 'primary_email'"
    ))
    .await;
    let messages = app
        .post(&schedules(&activity), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(400)
        .error_messages();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("html_content") && m.contains("1005")),
        "{messages:?}"
    );
    // No recipients and no address anywhere: both named.
    let (campaign, bare) = sendable_campaign(&app, "Bare", &[]).await;
    let messages = app
        .post(&schedules(&bare), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(400)
        .error_messages();
    for property in ["contact_list_ids", "physical_address_in_footer"] {
        assert!(
            messages.iter().any(|m| m.contains(property)),
            "{messages:?}"
        );
    }
    // The permalink activity is not scheduled, sent or given a history.
    let permalink = app.get_json(&format!("/v3/emails/{campaign}")).await["campaign_activities"][1]
        ["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&schedules(&permalink), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(404);
    app.get(&format!("/v3/emails/activities/{permalink}/send_history"))
        .send()
        .await
        .expect(404);
    // Another account's activity, an unknown one, a malformed id.
    let other = app.create_account("other@example.com").await;
    for (id, status) in [
        (activity.clone(), 404),
        (Uuid::new_v4().to_string(), 404),
        ("nope".to_string(), 400),
    ] {
        for path in [
            schedules(&id),
            format!("/v3/emails/activities/{id}/send_history"),
        ] {
            app.get(&path)
                .token(&other.token)
                .send()
                .await
                .expect(status);
        }
        app.post(&schedules(&id), json!({"scheduled_date": "0"}))
            .token(&other.token)
            .send()
            .await
            .expect(status);
        app.delete(&schedules(&id))
            .token(&other.token)
            .send()
            .await
            .expect(status);
    }
    // A Removed campaign's activity is not found.
    app.delete(&format!("/v3/emails/{campaign}"))
        .send()
        .await
        .expect(204);
    app.post(&schedules(&bare), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(404);
}

async fn scheduling_needs_the_send_privilege(app: TestApp) {
    let list = app.create_list("Readers").await;
    let (_, activity) = sendable_campaign(&app, "Guarded", &[&list]).await;
    let author = app
        .create_user(&app.owner, "author@example.com", Role::Author)
        .await;
    let token = app.token_as(&app.owner, author, Role::Author, "campaign_data");
    app.post(
        &schedules(&activity),
        json!({"scheduled_date": "2099-01-01"}),
    )
    .token(&token)
    .send()
    .await
    .expect(403);
    app.delete(&schedules(&activity))
        .token(&token)
        .send()
        .await
        .expect(403);
    app.get(&schedules(&activity))
        .token(&token)
        .send()
        .await
        .expect(200);
    app.get(&format!("/v3/emails/activities/{activity}/send_history"))
        .token(&token)
        .send()
        .await
        .expect(200);
}

/// Stores `count` contacts in `list` straight through the store (a bulk load), named
/// `Reader{i}` at `reader{i}@{domain}`, with `permission`.
async fn load_contacts(
    app: &TestApp,
    account: AccountId,
    list: &str,
    domain: &str,
    count: usize,
    permission: Permission,
) -> Vec<String> {
    let now = Timestamp::now();
    let list = ListId(list.parse().unwrap());
    let contacts: Vec<Contact> = (0..count)
        .map(|i| {
            let mut contact = Contact::blank(Source::Account, now);
            let address = EmailAddress::parse(&format!("reader{i}@{domain}")).unwrap();
            contact.email = Some(EmailChannel::arriving(
                address,
                permission,
                Source::Account,
                None,
                now,
            ));
            contact.first_name = Some(format!("Reader{i}"));
            contact.list_ids = vec![list];
            contact
        })
        .collect();
    app.store()
        .insert_contacts_bulk(account, &contacts)
        .await
        .unwrap();
    contacts
        .iter()
        .map(|c| c.email.as_ref().unwrap().address.as_str().to_string())
        .collect()
}

async fn send_now(app: &TestApp, activity: &str) {
    let answer = app
        .post(&schedules(activity), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(answer, json!([]));
    app.mailer().drain().await.unwrap();
}

fn recipients(received: &[roster_tests::smtp_sink::Received]) -> Vec<String> {
    received.iter().flat_map(|r| r.rcpt_to.clone()).collect()
}

async fn a_send_reaches_each_eligible_recipient_once(app: TestApp) {
    let account = app.owner.account;
    let list = app.create_list("Readers").await;
    let elsewhere = app.create_list("Elsewhere").await;
    let mut eligible = load_contacts(
        &app,
        account,
        &list,
        "a.example",
        2000,
        Permission::Implicit,
    )
    .await;
    // Not mailed: unsubscribed, deleted, suspended, without an address, and not in the list.
    load_contacts(
        &app,
        account,
        &list,
        "unsub.example",
        1,
        Permission::Unsubscribed,
    )
    .await;
    let gone = app
        .create_contact(
            json!({"email_address": {"address": "gone@b.example"}, "list_memberships": [list]}),
        )
        .await;
    app.delete(&format!(
        "/v3/contacts/{}",
        gone["contact_id"].as_str().unwrap()
    ))
    .send()
    .await
    .expect(204);
    load_contacts(
        &app,
        account,
        &list,
        "suspended.example",
        1,
        Permission::Explicit,
    )
    .await;
    app.execute_sql(&format!(
        "UPDATE contacts SET email_suspended_at = {} WHERE email = 'reader0@suspended.example'",
        Timestamp::now().millis()
    ))
    .await;
    app.create_contact(json!({"first_name": "Nomail", "phone_numbers": [{"phone_number": "555-0100"}], "list_memberships": [list]}))
        .await;
    load_contacts(
        &app,
        account,
        &elsewhere,
        "elsewhere.example",
        3,
        Permission::Explicit,
    )
    .await;

    let (campaign, activity) = sendable_campaign(&app, "Big send", &[&list]).await;
    send_now(&app, &activity).await;
    let received = app.sink().received();
    let mailed = recipients(&received);
    assert_eq!(mailed.len(), 2000, "each recipient once");
    let unique: HashSet<&String> = mailed.iter().collect();
    assert_eq!(unique.len(), 2000);
    let expected: HashSet<&String> = eligible.iter().collect();
    assert_eq!(unique, expected);

    let one = received
        .iter()
        .find(|r| r.rcpt_to == ["reader7@a.example"])
        .expect("reader7 was mailed");
    assert_eq!(one.header("Subject").as_deref(), Some("News for Reader7"));
    assert!(one.header("From").unwrap().contains(&app.owner.email));
    assert!(one.header("Reply-To").unwrap().contains(&app.owner.email));
    let parsed = one.parsed();
    let html = parsed.body_html(0).unwrap();
    assert!(html.contains("Hello Reader7"), "{html}");
    assert!(
        html.contains("1 Main St") && html.contains("Unsubscribe"),
        "{html}"
    );
    let text = parsed.body_text(0).unwrap();
    assert!(
        text.contains("Hello Reader7") && text.contains("1 Main St"),
        "{text}"
    );
    let ids: HashSet<String> = received.iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 2000, "Message-IDs are unique");

    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Done".into(), "DONE".into())
    );
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["send_id"], 1);
    assert_eq!(history[0]["count"], 2000);
    assert_eq!(history[0]["send_status"], "COMPLETED");
    assert_eq!(history[0]["reason_code"], 0);
    assert_eq!(history[0]["contact_list_ids"], json!([list]));

    // New members join; a re-send reaches only them.
    let newcomers =
        load_contacts(&app, account, &list, "new.example", 3, Permission::Explicit).await;
    eligible.extend(newcomers.iter().cloned());
    send_now(&app, &activity).await;
    let again = app.sink().received();
    let second: Vec<String> = recipients(&again[received.len()..]);
    let second: HashSet<String> = second.into_iter().collect();
    assert_eq!(second, newcomers.into_iter().collect::<HashSet<_>>());
    // Nobody left: COMPLETED, count 0, reason 12.
    send_now(&app, &activity).await;
    assert_eq!(app.sink().received().len(), again.len());
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    let summary: Vec<(i64, i64, String, i64)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["send_id"].as_i64().unwrap(),
                h["count"].as_i64().unwrap(),
                h["send_status"].as_str().unwrap().to_string(),
                h["reason_code"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, 2000, "COMPLETED".into(), 0),
            (2, 3, "COMPLETED".into(), 0),
            (3, 0, "COMPLETED".into(), 12)
        ]
    );
}

async fn the_reputation_guard_stops_a_send(app: TestApp) {
    let list = app.create_list("Readers").await;
    let all = load_contacts(
        &app,
        app.owner.account,
        &list,
        "c.example",
        200,
        Permission::Explicit,
    )
    .await;
    let (campaign, activity) = sendable_campaign(&app, "Refused", &[&list]).await;
    app.sink().set_script(SinkScript::RejectRecipients);
    send_now(&app, &activity).await;
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Error".into(), "ERROR".into())
    );
    let history = app
        .get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await;
    assert_eq!(history[0]["send_status"], "ERRORED");
    assert_eq!(history[0]["reason_code"], 6);
    assert_eq!(history[0]["count"], 0);
    // Stopped early: far fewer than all 200 were tried (over 5% of 200 is the 11th refusal;
    // the workers in flight finish theirs).
    let tried = app.sink().transactions();
    assert!(tried < 20, "{tried} transactions");
    // The CLI shows what the API cannot: how many failed, and what was left unsent.
    let email = app.owner.email.clone();
    let status: Value = serde_json::from_str(&roster_output(
        &app,
        &[
            "campaigns",
            "send-status",
            &campaign,
            "--account-email",
            &email,
        ],
    ))
    .unwrap();
    assert_eq!(status["state"], "errored");
    assert_eq!(status["recipients"], 200);
    assert_eq!(status["sent"], 0);
    let failed = status["failed"].as_u64().unwrap();
    assert!(failed > 10 && failed < 20, "{status}");
    assert_eq!(status["left"], 200 - failed);
    // Each refusal (550 5.1.1, no such user) is the recipient's bounce, coded B.
    let activity_id: CampaignActivityId = activity.parse().unwrap();
    let counts = app
        .store()
        .tracking_counts(app.owner.account, activity_id)
        .await
        .unwrap();
    assert_eq!(counts.bounces, failed, "{counts:?}");
    assert_eq!(counts.bounces_by_code.non_existent, failed, "{counts:?}");
    // `campaigns show` says whether the From domain is the one the server signs for.
    let owner_domain = app.owner.email.rsplit('@').next().unwrap().to_string();
    for (dkim_domain, said) in [
        (
            "elsewhere.example",
            "From domain not aligned: receivers with DMARC p=reject will refuse it",
        ),
        (owner_domain.as_str(), "aligned: signed for "),
    ] {
        let shown: Value = serde_json::from_str(&roster_output(
            &app,
            &[
                "campaigns",
                "show",
                &campaign,
                "--account-email",
                &email,
                "--dkim-domain",
                dkim_domain,
            ],
        ))
        .unwrap();
        assert!(shown["dkim"].as_str().unwrap().starts_with(said), "{shown}");
        assert_eq!(shown["sends"][0]["state"], "errored");
    }

    // The relay recovers; a new schedule mails everyone not yet mailed.
    app.sink().set_script(SinkScript::Accept);
    send_now(&app, &activity).await;
    let mailed: HashSet<String> = recipients(&app.sink().received()).into_iter().collect();
    assert_eq!(mailed, all.into_iter().collect::<HashSet<_>>());
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Done".into(), "DONE".into())
    );
}

const ROSTER: &str = env!("CARGO_BIN_EXE_roster-under-test");
/// The crash test's nodes: three workers each, of which campaign mail may hold two.
const NODE_CONCURRENCY: usize = 3;
const NODE_CAMPAIGN_CONCURRENCY: usize = NODE_CONCURRENCY - 1;
/// What one node's crash may mail twice (docs/MAIL.md): the campaign messages handed to the
/// relay whose outcome was not committed yet.
const NODE_UNRECORDED: usize = NODE_CAMPAIGN_CONCURRENCY * roster_mailer::UNRECORDED_PER_SLOT;

async fn sending_node(app: &TestApp, sink: &SmtpSink) -> ServeProcess {
    let concurrency = NODE_CONCURRENCY.to_string();
    ServeProcess::start(
        ROSTER,
        &app.database_url,
        &[
            "--smtp-url",
            &sink.url(),
            "--smtp-concurrency",
            &concurrency,
            "--smtp-rate",
            "0",
            "--smtp-timeout",
            "2",
            "--smtp-lease",
            "3",
        ],
    )
    .await
}

async fn send_history(app: &TestApp, activity: &str) -> Value {
    app.get_json(&format!("/v3/emails/activities/{activity}/send_history"))
        .await
}

/// SIGKILL a sending `roster serve` midway through 5,000 recipients, then let the send go on
/// (on SQLite a restarted node; on PostgreSQL the second of two nodes, which takes over the
/// dead one's recipients when their leases expire). Everyone receives the message, duplicates
/// stay within what the dead node had handed over unrecorded, and the history's count is exact.
async fn a_send_killed_midway_reaches_everyone_with_bounded_duplicates(app: TestApp) {
    const RECIPIENTS: usize = 5000;
    let list = app.create_list("Everyone").await;
    let all = load_contacts(
        &app,
        app.owner.account,
        &list,
        "k.example",
        RECIPIENTS,
        Permission::Explicit,
    )
    .await;
    let (campaign, activity) = sendable_campaign(&app, "Crash", &[&list]).await;
    let sink = SmtpSink::start(SinkScript::Accept).await;
    let first = sending_node(&app, &sink).await;
    let second = match app.engine {
        Engine::Postgres => Some(sending_node(&app, &sink).await),
        Engine::Sqlite => None,
    };
    app.post(&schedules(&activity), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(201);
    sink.wait_for(RECIPIENTS / 4, Duration::from_secs(120))
        .await;
    first.kill();
    let at_kill = sink.received().len();
    assert!(at_kill < RECIPIENTS, "the send finished before the kill");
    let survivor = match second {
        Some(node) => node,
        None => sending_node(&app, &sink).await,
    };
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let history = send_history(&app, &activity).await;
        if history[0]["send_status"] == "COMPLETED" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the send did not finish: {history}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    survivor.kill();

    let received = sink.received();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for mail in &received {
        *copies.entry(mail.rcpt_to.join(",")).or_default() += 1;
    }
    let expected: HashSet<String> = all.into_iter().collect();
    assert_eq!(
        copies.keys().cloned().collect::<HashSet<_>>(),
        expected,
        "everyone, and only the list's members, received it"
    );
    let duplicates = received.len() - copies.len();
    assert!(
        duplicates <= NODE_UNRECORDED,
        "{duplicates} duplicates exceed the dead node's {NODE_UNRECORDED} unrecorded"
    );
    let history = send_history(&app, &activity).await;
    assert_eq!(history[0]["count"], RECIPIENTS, "{history}");
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Done".into(), "DONE".into())
    );
}

/// A confirmation enqueued while a send runs at 50 messages/s reaches the relay before the
/// send's next 100 messages do: system mail is always claimed first (an order check).
async fn system_mail_overtakes_a_running_send(app: TestApp) {
    let list = app.create_list("Many").await;
    load_contacts(
        &app,
        app.owner.account,
        &list,
        "m.example",
        2000,
        Permission::Explicit,
    )
    .await;
    let (_, activity) = sendable_campaign(&app, "Running", &[&list]).await;
    app.post(&schedules(&activity), json!({"scheduled_date": "0"}))
        .send()
        .await
        .expect(201);
    let mailer = app.mailer_with(|config| {
        config.rate_per_second = 50.0;
        config.concurrency = 4;
        config.poll_interval = Duration::from_millis(50);
    });
    let workers = mailer.start();
    app.sink().wait_for(100, Duration::from_secs(60)).await;
    let confirmation = roster_domain::outbox::OutboxMessage::new(
        "confirmation",
        roster_domain::outbox::Mailbox::address(
            EmailAddress::parse("no-reply@roster.test").unwrap(),
        ),
        vec![roster_domain::outbox::Mailbox::address(
            EmailAddress::parse("confirm-me@example.com").unwrap(),
        )],
        "Confirm your address",
        "Please confirm.",
    )
    .unwrap();
    mailer.enqueue(confirmation).await.unwrap();
    let enqueued_after = app.sink().received().len();
    app.sink()
        .wait_for(enqueued_after + 100, Duration::from_secs(60))
        .await;
    workers.stop().await;
    let received = app.sink().received();
    let position = received
        .iter()
        .position(|r| r.rcpt_to == ["confirm-me@example.com"])
        .expect("the confirmation arrived");
    assert!(
        position < enqueued_after + 100,
        "the confirmation came {} campaign messages after it was enqueued",
        position - enqueued_after
    );
}

/// Every campaign message carries `List-Unsubscribe` (the recipient's signed https link) and
/// `List-Unsubscribe-Post` (RFC 8058); a one-click POST to it unsubscribes the contact, who is
/// left out of the next send. With confirmed opt-in on, contacts pending confirmation are left
/// out; with it off, they are mailed.
async fn each_message_carries_a_working_one_click_unsubscribe(app: TestApp) {
    let account = app.owner.account;
    let list = app.create_list("Readers").await;
    let explicit = load_contacts(&app, account, &list, "x.example", 2, Permission::Explicit).await;
    let pending = load_contacts(
        &app,
        account,
        &list,
        "p.example",
        1,
        Permission::PendingConfirmation,
    )
    .await;
    app.store()
        .set_confirmed_opt_in(account, true)
        .await
        .unwrap();
    let (_, activity) = sendable_campaign(&app, "Links", &[&list]).await;
    send_now(&app, &activity).await;
    let received = app.sink().received();
    let mailed: HashSet<String> = recipients(&received).into_iter().collect();
    assert_eq!(mailed, explicit.iter().cloned().collect::<HashSet<_>>());

    let first = &received[0];
    assert_eq!(
        first.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let header = first.header("List-Unsubscribe").unwrap();
    let url = header
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("http://roster.test/unsubscribe/"),
        "{header}"
    );
    let html = first.parsed().body_html(0).unwrap().to_string();
    assert!(html.contains(&url), "the footer links to the same page");
    // The one-click POST, as a mailbox provider sends it: no cookie, no token, no redirect.
    let local = url.replace("http://roster.test", &app.base_url);
    let answer = app
        .http
        .post(&local)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let who = first.rcpt_to[0].clone();
    let contacts = app
        .get_json(&format!("/v3/contacts?email={who}&status=all"))
        .await;
    assert_eq!(
        contacts["contacts"][0]["email_address"]["permission_to_send"],
        "unsubscribed"
    );

    // Confirmed opt-in off: the pending contact is mailed now; the unsubscribed one is not.
    app.store()
        .set_confirmed_opt_in(account, false)
        .await
        .unwrap();
    send_now(&app, &activity).await;
    let second: HashSet<String> = recipients(&app.sink().received()[received.len()..])
        .into_iter()
        .collect();
    assert_eq!(second, pending.into_iter().collect::<HashSet<_>>());
}

fn roster_output(app: &TestApp, args: &[&str]) -> String {
    let output = roster_tests::serve::roster_command(ROSTER, &app.database_url)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Without a relay a due send still fixes its recipients, which wait, queued, where `roster
/// outbox list` shows them; `roster outbox show` renders one on demand (nothing rendered is
/// stored).
async fn without_a_relay_recipients_wait_in_the_outbox(app: TestApp) {
    let list = app.create_list("Readers").await;
    load_contacts(
        &app,
        app.owner.account,
        &list,
        "w.example",
        3,
        Permission::Explicit,
    )
    .await;
    let (campaign, activity) = sendable_campaign(&app, "Waiting", &[&list]).await;
    send_now(&app, &activity).await;
    assert_eq!(
        status_of(&app, &campaign, &activity).await,
        ("Executing".into(), "EXECUTING".into())
    );
    let listed = roster_output(&app, &["outbox", "list", "--state", "queued"]);
    let entries: Vec<Value> = listed
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 3, "{listed}");
    assert!(entries
        .iter()
        .all(|e| e["kind"] == "campaign" && e["send_id"] == 1));
    let reader = entries
        .iter()
        .find(|e| e["to"][0] == "reader1@w.example")
        .unwrap();
    let id = reader["id"].as_str().unwrap();
    let shown: Value = serde_json::from_str(&roster_output(
        &app,
        &["outbox", "show", id, "--public-url", "https://mail.example"],
    ))
    .unwrap();
    assert_eq!(shown["subject"], "News for Reader1");
    assert_eq!(shown["state"], "queued");
    assert!(shown["html"].as_str().unwrap().contains("Hello Reader1"));
    let raw = roster_output(&app, &["outbox", "show", id, "--raw"]);
    assert!(
        raw.contains("List-Unsubscribe: <http://127.0.0.1:8080/unsubscribe/"),
        "{raw}"
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
}
