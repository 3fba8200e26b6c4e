//! The send scenario (issue 16): a campaign to 100,000 recipients (10,000 with `--quick`) into
//! a local SMTP sink at an unlimited rate, in messages per second from POST …/schedules to the
//! send history's COMPLETED, against a baseline in the same run: as many copies of one message
//! the send rendered, sent through the same lettre transport (roster-mailer's own, same pool
//! and concurrency) to the same sink, with no database. Then the same send with RSA-2048 DKIM,
//! and the peak memory of `roster serve` during the sends. Last, a send at a configured
//! `--smtp-rate`: the rate the sink sees, which the token bucket must hold within ±5%.
//!
//! It runs on a database of its own (the recipients are one list of a fresh account) and its
//! own `roster serve`, started with the sink as relay: the run's server has no relay, and its
//! flags are fixed at start.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use lettre::address::Envelope;
use lettre::{Address, AsyncTransport};
use roster_domain::contact::{Contact, EmailChannel, Permission, Source};
use roster_domain::{EmailAddress, Timestamp};
use roster_mailer::RelayUrl;
use serde_json::{json, Value};

use crate::report::{Outcome, Row, Target};
use crate::server::{self, Engine, FreshDatabase, Server};
use crate::smtp_sink::SmtpSink;
use crate::{dataset, failed, mint_token, say, Bench};

pub const FULL_RECIPIENTS: usize = 100_000;
pub const QUICK_RECIPIENTS: usize = 10_000;
/// `--smtp-concurrency` of the sending server: the transport's pool size. Campaign mail holds
/// one fewer workers (the default `--campaign-concurrency`), and the baseline sends that many
/// messages at once through a pool of this size.
const SMTP_CONCURRENCY: usize = 8;
const CAMPAIGN_CONCURRENCY: usize = SMTP_CONCURRENCY - 1;
const MEMORY_TARGET_MB: f64 = 300.0;
const THROUGHPUT_TARGET: f64 = 0.5;
/// The From (and owner) domain, which the DKIM run signs for (aligned).
const FROM_DOMAIN: &str = "bench.example";
const DKIM_SELECTOR: &str = "bench";
const LISTMONK_SEND_RATE: &str = "listmonk publishes ~50,000/minute, 833/s";
/// How often the send history is read while a send runs.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// The rate send's `--smtp-rate` (lower for a smaller list, so its window stays ~10 s) and
/// the bounds its measured rate must keep.
const RATE_PER_SECOND: usize = 200;
const RATE_TARGET: Target = Target::RatioWithin(0.95, 1.05);

/// The rate send's setting for a list of `recipients`: at most `RATE_PER_SECOND`, and low
/// enough that the list lasts about 12 s (10 of them measured).
fn rate_setting(recipients: usize) -> usize {
    (recipients / 12).clamp(5, RATE_PER_SECOND)
}

/// One send through one `roster serve`: its rate and the server's peak memory.
struct Sent {
    messages_per_second: f64,
    elapsed: Duration,
    peak_rss: u64,
}

impl Bench<'_> {
    /// The scenario's rows: throughput without DKIM, with RSA-2048 DKIM, and peak memory.
    pub(crate) async fn send_scenario(&self) -> Vec<Row> {
        let recipients = self.options.send_recipients;
        say(format!(
            "send: a campaign to {recipients} recipients into a local SMTP sink, without and \
             with DKIM"
        ));
        let figure = |dkim: &str| {
            format!(
                "messages/s from POST …/schedules to send_history COMPLETED, {recipients} \
                 recipients, rate unlimited, --smtp-concurrency {SMTP_CONCURRENCY} \
                 ({CAMPAIGN_CONCURRENCY} for campaign mail), {dkim} ({LISTMONK_SEND_RATE})"
            )
        };
        let plain = figure("no DKIM");
        let signed = figure("RSA-2048 DKIM, From aligned");
        let memory = "peak RSS of roster serve during the send (VmHWM of the server started \
                      for it, the larger of the two sends)"
            .to_string();
        let rate = format!(
            "messages/s the sink received from a send at --smtp-rate {} (the token bucket), \
             counted over 10 s after the first second",
            rate_setting(recipients)
        );
        match self.send_rows(&plain, &signed, &memory, &rate).await {
            Ok(rows) => rows,
            Err(e) => {
                let target = Target::RatioAtLeast(THROUGHPUT_TARGET);
                let first = format!("{e:#}");
                let again = || anyhow::anyhow!("{first}");
                vec![
                    failed("send", &plain, "msg/s", target, e),
                    failed("send", &signed, "msg/s", target, again()),
                    failed(
                        "send",
                        &memory,
                        "MB",
                        Target::ValueAtMost(MEMORY_TARGET_MB),
                        again(),
                    ),
                    failed("send", &rate, "msg/s", RATE_TARGET, again()),
                ]
            }
        }
    }

    async fn send_rows(
        &self,
        plain: &str,
        signed: &str,
        memory: &str,
        rate: &str,
    ) -> anyhow::Result<Vec<Row>> {
        let recipients = self.options.send_recipients;
        let database =
            FreshDatabase::create_named(self.options.engine, &self.options.postgres_url, "_send")
                .await?;
        let outcome = self.sends_on(&database.url, recipients).await;
        if let Err(error) = database.drop_now().await {
            say(format!("could not drop the send database: {error:#}"));
        }
        let (without, with, baseline, message_bytes, held) = outcome?;
        let baseline_text = format!(
            "the same number of one message the send rendered ({:.1} KB) through roster-mailer's \
             lettre transport, pool {SMTP_CONCURRENCY}, {CAMPAIGN_CONCURRENCY} at once, to the \
             same sink, no database",
            message_bytes as f64 / 1000.0
        );
        let row = |figure: &str, sent: &Sent| Row {
            scenario: "send",
            figure: figure.to_string(),
            unit: "msg/s",
            outcome: Outcome::Measured {
                value: sent.messages_per_second,
                baseline: Some((baseline, baseline_text.clone())),
            },
            target: Target::RatioAtLeast(THROUGHPUT_TARGET),
            load: None,
        };
        Ok(vec![
            row(plain, &without),
            row(signed, &with),
            Row {
                scenario: "send",
                figure: memory.to_string(),
                unit: "MB",
                outcome: Outcome::Measured {
                    value: without.peak_rss.max(with.peak_rss) as f64 / 1_000_000.0,
                    baseline: None,
                },
                target: Target::ValueAtMost(MEMORY_TARGET_MB),
                load: None,
            },
            Row {
                scenario: "send",
                figure: rate.to_string(),
                unit: "msg/s",
                outcome: Outcome::Measured {
                    value: held,
                    baseline: Some((
                        rate_setting(recipients) as f64,
                        "the configured --smtp-rate".into(),
                    )),
                },
                target: RATE_TARGET,
                load: None,
            },
        ])
    }

    /// Seeds the database, sends without DKIM, runs the baseline, sends with DKIM, then sends
    /// at a set rate. Answers both sends, the baseline's messages/s, the size of the message it
    /// sent and the rate the sink saw from the rate-limited send.
    async fn sends_on(
        &self,
        database_url: &str,
        recipients: usize,
    ) -> anyhow::Result<(Sent, Sent, f64, usize, f64)> {
        let store = roster::open_store(database_url).await?;
        let setup = dataset::setup_account(store.as_ref(), &format!("news@{FROM_DOMAIN}")).await?;
        let list = setup.lists[0];
        let started = Instant::now();
        let now = Timestamp::now();
        let mut next = 0;
        while next < recipients {
            let batch: Vec<Contact> = (next..recipients.min(next + dataset::BATCH))
                .map(|n| recipient(n, list, now))
                .collect::<anyhow::Result<_>>()?;
            store.insert_contacts_bulk(setup.account, &batch).await?;
            next += batch.len();
        }
        say(format!(
            "  send: {recipients} recipients loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        if self.options.engine == Engine::Postgres {
            let mut connection =
                <sqlx::PgConnection as sqlx::Connection>::connect(database_url).await?;
            sqlx::query("ANALYZE").execute(&mut connection).await?;
        }
        let port = server::free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let token = mint_token(
            store.clone(),
            &base_url,
            (setup.user, setup.account, &setup.client_id),
        )
        .await?;
        drop(store);

        let sink = SmtpSink::start().await?;
        let mut args: Vec<String> = [
            "--smtp-url",
            &sink.url(),
            "--smtp-rate",
            "0",
            "--smtp-concurrency",
            &SMTP_CONCURRENCY.to_string(),
            "--mail-from",
            &format!("Bench <bounces@{FROM_DOMAIN}>"),
        ]
        .map(String::from)
        .to_vec();
        let client = SendClient {
            http: self.http.clone(),
            base_url: &base_url,
            token: &token,
            list: list.to_string(),
        };
        let binary = &self.options.roster_binary;
        let log = |name: &str| self.scratch.join(name);

        let plain_server =
            Server::start_with(binary, database_url, port, log("send-serve.log"), &args).await?;
        let without = client
            .send(&plain_server, "Without DKIM", recipients, &sink, 0)
            .await?;
        plain_server.stop()?;
        say(format!(
            "  send without DKIM: {:.0} messages/s ({:.1} s), peak RSS {:.1} MB",
            without.messages_per_second,
            without.elapsed.as_secs_f64(),
            without.peak_rss as f64 / 1e6
        ));

        let message = sink
            .first_message()
            .context("the sink kept no message of the send")?;
        let baseline = baseline(&sink, &message, recipients).await?;
        say(format!("  baseline: {baseline:.0} messages/s"));

        let key = self.scratch.join("dkim-rsa-2048.pem");
        std::fs::write(&key, rsa_2048_pem().await?)?;
        args.extend(
            [
                "--dkim-domain",
                FROM_DOMAIN,
                "--dkim-selector",
                DKIM_SELECTOR,
                "--dkim-key",
                &key.display().to_string(),
            ]
            .map(String::from),
        );
        let signed_server = Server::start_with(
            binary,
            database_url,
            port,
            log("send-dkim-serve.log"),
            &args,
        )
        .await?;
        let already = sink.messages();
        let with = client
            .send(&signed_server, "With DKIM", recipients, &sink, already)
            .await?;
        signed_server.stop()?;
        say(format!(
            "  send with DKIM: {:.0} messages/s ({:.1} s), peak RSS {:.1} MB",
            with.messages_per_second,
            with.elapsed.as_secs_f64(),
            with.peak_rss as f64 / 1e6
        ));
        // A pooled client opens few connections; thousands would mean one per message.
        say(format!(
            "  the sink accepted {} connections over the three phases",
            sink.connections()
        ));

        // The rate send: the node's ceiling (`--smtp-rate`), no DKIM. Only its steady state is
        // measured; the server stops before the list ends (the database is dropped after).
        let setting = rate_setting(recipients);
        let rate_at = args.iter().position(|arg| arg == "--smtp-rate");
        args[rate_at.context("no --smtp-rate")? + 1] = setting.to_string();
        let dkim_at = args.iter().position(|arg| arg == "--dkim-domain");
        args.truncate(dkim_at.unwrap_or(args.len()));
        let rate_server = Server::start_with(
            binary,
            database_url,
            port,
            log("send-rate-serve.log"),
            &args,
        )
        .await?;
        let held = client.rate("At a set rate", setting, &sink).await;
        rate_server.stop()?;
        let held = held?;
        say(format!(
            "  send at --smtp-rate {setting}: the sink received {held:.1} messages/s"
        ));
        Ok((without, with, baseline, message.len(), held))
    }
}

/// Recipient `n`: an explicit opt-in member of `list` with a first name to personalise.
pub(crate) fn recipient(
    n: usize,
    list: roster_domain::ListId,
    now: Timestamp,
) -> anyhow::Result<Contact> {
    let mut contact = Contact::blank(Source::Account, now);
    let address = EmailAddress::parse(&format!("reader{n}@recipients.example"))?;
    contact.email = Some(EmailChannel::arriving(
        address,
        Permission::Explicit,
        Source::Account,
        None,
        now,
    ));
    contact.first_name = Some(format!("Reader{n}"));
    contact.list_ids = vec![list];
    Ok(contact)
}

/// A fresh RSA-2048 key as PKCS#1 PEM (generated off the runtime's threads: about a second).
async fn rsa_2048_pem() -> anyhow::Result<String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    tokio::task::spawn_blocking(|| {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)?;
        Ok(key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?.to_string())
    })
    .await?
}

/// `recipients` copies of `message` through roster-mailer's transport for the sink (pool
/// `SMTP_CONCURRENCY`), `CAMPAIGN_CONCURRENCY` tasks sending at once as the campaign workers
/// do, each message to its own recipient: messages per second.
async fn baseline(sink: &SmtpSink, message: &[u8], recipients: usize) -> anyhow::Result<f64> {
    let transport = RelayUrl::parse(&sink.url())?
        .transport(Duration::from_secs(60), SMTP_CONCURRENCY)
        .context("the baseline's transport")?;
    let message: Arc<[u8]> = message.into();
    let from: Address = format!("bounces@{FROM_DOMAIN}").parse()?;
    let already = sink.messages();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..CAMPAIGN_CONCURRENCY {
        let (transport, message, from, next) = (
            transport.clone(),
            message.clone(),
            from.clone(),
            next.clone(),
        );
        senders.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= recipients {
                    return anyhow::Ok(());
                }
                let to: Address = format!("reader{n}@recipients.example").parse()?;
                let envelope = Envelope::new(Some(from.clone()), vec![to])?;
                transport.send_raw(&envelope, &message).await?;
            }
        });
    }
    while let Some(sender) = senders.join_next().await {
        sender??;
    }
    let elapsed = started.elapsed();
    let delivered = sink.messages() - already;
    if delivered != recipients {
        bail!("the baseline delivered {delivered} of {recipients} messages");
    }
    Ok(recipients as f64 / elapsed.as_secs_f64())
}

/// The send's HTTP calls, as the account's owner.
struct SendClient<'a> {
    http: reqwest::Client,
    base_url: &'a str,
    token: &'a str,
    list: String,
}

impl SendClient<'_> {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            bail!(
                "{method} {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Creates a campaign to the list, schedules it now, and polls the send history until the
    /// send is COMPLETED; checks that the sink received one message per recipient beyond the
    /// `already` it held.
    async fn send(
        &self,
        server: &Server,
        name: &str,
        recipients: usize,
        sink: &SmtpSink,
        already: usize,
    ) -> anyhow::Result<Sent> {
        let (history, started) = self.schedule_campaign(name).await?;
        // At least 20 messages a second, or the send is stuck.
        let deadline = started + Duration::from_secs(60 + recipients as u64 / 20);
        let count = loop {
            let sends = self.call(reqwest::Method::GET, &history, None).await?;
            let last = sends.as_array().and_then(|sends| sends.last());
            match last.and_then(|send| send["send_status"].as_str()) {
                Some("COMPLETED") => break last.and_then(|send| send["count"].as_u64()),
                Some(other) => bail!("the send ended {other}: {last:?}"),
                None if Instant::now() > deadline => bail!(
                    "the send was not COMPLETED after {:.0} s; the sink has {} messages",
                    started.elapsed().as_secs_f64(),
                    sink.messages() - already
                ),
                None => tokio::time::sleep(POLL_EVERY).await,
            }
        };
        let elapsed = started.elapsed();
        let delivered = sink.messages() - already;
        if count != Some(recipients as u64) || delivered != recipients {
            bail!(
                "the send history counts {count:?} and the sink received {delivered} \
                 messages, not {recipients}"
            );
        }
        Ok(Sent {
            messages_per_second: recipients as f64 / elapsed.as_secs_f64(),
            elapsed,
            peak_rss: server.peak_rss()?,
        })
    }

    /// The rate at which the sink receives a send to the list from a server started with
    /// `--smtp-rate setting`: the messages of 10 s, counted from one second in (the bucket
    /// starts empty, so the first tokens come at the set pace too, but the send's start-up is
    /// not the limiter's doing).
    async fn rate(&self, name: &str, setting: usize, sink: &SmtpSink) -> anyhow::Result<f64> {
        let already = sink.messages();
        let (_, started) = self.schedule_campaign(name).await?;
        let give_up = started + Duration::from_secs(60);
        let wait_for = |count: usize| async move {
            // Fine-grained, so the count's time is known to a few milliseconds.
            while sink.messages() < count {
                if Instant::now() > give_up {
                    bail!("the sink received {} messages", sink.messages() - already);
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            anyhow::Ok(Instant::now())
        };
        let first = already + setting;
        let from = wait_for(first).await?;
        let to = wait_for(first + setting * 10).await?;
        Ok((setting * 10) as f64 / (to - from).as_secs_f64())
    }

    /// Creates a campaign to the list and schedules it now; answers its send history's path
    /// and when it was scheduled.
    async fn schedule_campaign(&self, name: &str) -> anyhow::Result<(String, Instant)> {
        let from = format!("news@{FROM_DOMAIN}");
        let activity_body = json!({
            "format_type": 5, "from_name": "Bench News", "from_email": from,
            "reply_to_email": from, "subject": "This week at the bench, [[FirstName OR \"you\"]]",
            "html_content": newsletter_html(),
        });
        let created = self
            .call(
                reqwest::Method::POST,
                "/v3/emails",
                Some(json!({"name": name, "email_campaign_activities": [activity_body]})),
            )
            .await?;
        let activity = created["campaign_activities"][0]["campaign_activity_id"]
            .as_str()
            .context("POST /v3/emails answered no campaign_activity_id")?
            .to_string();
        let mut update = activity_body.clone();
        update["contact_list_ids"] = json!([self.list]);
        update["physical_address_in_footer"] = json!({
            "organization_name": "Roster benchmark", "address_line1": "1 Main St",
            "city": "Boston", "state_code": "MA", "postal_code": "02101", "country_code": "US"
        });
        self.call(
            reqwest::Method::PUT,
            &format!("/v3/emails/activities/{activity}"),
            Some(update),
        )
        .await?;
        let history = format!("/v3/emails/activities/{activity}/send_history");
        let started = Instant::now();
        self.call(
            reqwest::Method::POST,
            &format!("/v3/emails/activities/{activity}/schedules"),
            Some(json!({"scheduled_date": "0"})),
        )
        .await?;
        Ok((history, started))
    }
}

/// A newsletter of about 3.4 KB of HTML (13 KB as sent, with its text part and footer): a
/// header, six stories with a link each, and a personalised greeting.
fn newsletter_html() -> String {
    let mut html = String::from(
        "<html><head><style>body{font-family:Georgia,serif;color:#222}h2{color:#0a4b78}\
         .story{padding:12px 0;border-bottom:1px solid #ddd}a{color:#0a4b78}</style></head>\
         <body>[[trackingImage]]<table width=\"600\" align=\"center\" cellpadding=\"0\" \
         cellspacing=\"0\"><tr><td><h1>The Bench Weekly</h1>\
         <p>Hello [[FirstName OR \"there\"]], here is what happened this week.</p>",
    );
    for story in 1..=6 {
        html.push_str(&format!(
            "<div class=\"story\"><h2>Story {story}: measuring what matters</h2><p>Every \
             figure is printed beside its baseline from the same run on the same machine, with \
             the target it must meet. Ratios measured within one run are what count; absolute \
             figures move with the machine. This story explains how the numbers came about, \
             what moved them and what did not, and which of them a decision can rest on.</p>\
             <p><a href=\"https://news.bench.example/stories/{story}?utm_source=newsletter\">\
             Read the whole story</a></p></div>"
        ));
    }
    html.push_str("<p>Until next week,<br>The Bench team</p></td></tr></table></body></html>");
    html
}
