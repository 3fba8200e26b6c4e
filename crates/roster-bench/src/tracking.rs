//! The tracking scenario (issue 17): the open pixel and the click redirect, each at 32
//! connections against GET /healthz in the same run (target ≥ 0.5×), and the p99 of the
//! one-click unsubscribe POST, which commits before it answers.
//!
//! An account of its own (the loaded one holds the campaigns scenario's maximum of live
//! campaigns) with as many contacts as the http scenario samples (100 to 10,000), and a
//! campaign of it (created through POST /v3/emails) with one tracked link; the harness signs
//! each contact's open, click and unsubscribe tokens in-process with the server's secret, as
//! the sender does, and wrk rotates over them with a phone's User-Agent. After the loads it
//! checks that every answered pixel and click was recorded: the
//! activity's counters must reach at least wrk's request counts within 10 seconds (the writer
//! commits every 100 ms), so a writer that fell behind or dropped events fails the row.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use roster_domain::contact::Contact;
use roster_domain::recipient_token::{ClickToken, RecipientToken, TokenPurpose};
use roster_domain::tracking::TrackingCounts;
use roster_domain::{CampaignActivityId, Store, Timestamp};
use roster_http::oauth::keys::ServerSecret;
use serde_json::json;

use crate::report::{Outcome, Row, Target};
use crate::{dataset, send, server, wrk};
use crate::{failed, mint_token, say, Bench, LATENCY_CONNECTIONS, THROUGHPUT_CONNECTIONS};

const PIXEL_FIGURE: &str = "GET /t/o/{token} (open pixel)";
const CLICK_FIGURE: &str = "GET /t/c/{token} (click redirect)";
const UNSUBSCRIBE_FIGURE: &str = "p99 of POST /unsubscribe/{token} (one-click)";
/// What the loads say they are: a phone's mail client.
const USER_AGENT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) \
                          AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const LINK: &str = "https://example.com/landing?from=newsletter";

/// The scenario's account: its owner's address, a token for it, and its contacts.
struct Audience {
    account: roster_domain::AccountId,
    owner: String,
    token: String,
    contacts: Vec<roster_domain::ContactId>,
}

/// The signed tokens of the audience.
struct Tokens {
    opens: Vec<String>,
    clicks: Vec<String>,
    unsubscribes: Vec<String>,
}

impl Bench<'_> {
    pub(crate) async fn tracking_scenario(&self) -> Vec<Row> {
        say("tracking: the open pixel and the click redirect vs GET /healthz; one-click p99");
        self.tracking_rows().await.unwrap_or_else(|e| {
            let error = format!("{e:#}");
            vec![
                failed(
                    "tracking",
                    &throughput(PIXEL_FIGURE),
                    "req/s",
                    ratio(),
                    anyhow(&error),
                ),
                failed(
                    "tracking",
                    &throughput(CLICK_FIGURE),
                    "req/s",
                    ratio(),
                    anyhow(&error),
                ),
                failed(
                    "tracking",
                    UNSUBSCRIBE_FIGURE,
                    "ms",
                    Target::Info,
                    anyhow(&error),
                ),
            ]
        })
    }

    async fn tracking_rows(&self) -> anyhow::Result<Vec<Row>> {
        let store = roster::open_store(self.database_url).await?;
        let audience = self.audience(store.clone()).await?;
        let activity = self.tracked_activity(&audience).await?;
        let account = audience.account;
        let url_ids = store
            .activity_link_ids(account, activity, &[LINK.to_string()])
            .await?;
        let tokens = tokens(&audience, activity, url_ids[0])?;
        self.check_endpoints(&tokens).await?;
        let before = store.tracking_counts(account, activity).await?;

        let healthz = wrk::run(&wrk::Load {
            url: &format!("{}/healthz", self.base_url),
            token: None,
            connections: THROUGHPUT_CONNECTIONS,
            duration: self.options.throughput_time,
            script: None,
        })?;
        let pixel = self.rotate("opens.lua", "/t/o/", &tokens.opens)?;
        let click = self.rotate("clicks.lua", "/t/c/", &tokens.clicks)?;
        let requests = (pixel.requests, click.requests);
        recorded(store.as_ref(), &audience, activity, &before, requests).await?;
        let unsubscribe = wrk::run(&wrk::Load {
            url: self.base_url,
            token: None,
            connections: LATENCY_CONNECTIONS,
            duration: self.options.latency_time,
            script: Some(&self.unsubscribe_script(&tokens.unsubscribes)?),
        })?;
        let baseline = Some((healthz.requests_per_second, "GET /healthz".to_string()));
        let measured = |figure: &str, outcome: &wrk::Outcome| Row {
            scenario: "tracking",
            figure: throughput(figure),
            unit: "req/s",
            outcome: Outcome::Measured {
                value: outcome.requests_per_second,
                baseline: baseline.clone(),
            },
            target: ratio(),
            load: None,
        };
        Ok(vec![
            measured(PIXEL_FIGURE, &pixel),
            measured(CLICK_FIGURE, &click),
            Row {
                scenario: "tracking",
                figure: format!(
                    "{UNSUBSCRIBE_FIGURE} at {LATENCY_CONNECTIONS} connections over {} \
                     contacts (commits before it answers)",
                    tokens.unsubscribes.len()
                ),
                unit: "ms",
                outcome: Outcome::Measured {
                    value: unsubscribe.p99_ms,
                    baseline: None,
                },
                target: Target::Info,
                load: None,
            },
        ])
    }

    /// A fresh account with its contacts, and a token for it.
    async fn audience(&self, store: std::sync::Arc<dyn Store>) -> anyhow::Result<Audience> {
        let owner = format!("tracking-{}@example.com", uuid::Uuid::new_v4().simple());
        let setup = dataset::setup_account(store.as_ref(), &owner).await?;
        let size = self.loaded.sample_ids.len().clamp(100, 10_000);
        let now = Timestamp::now();
        let contacts: Vec<Contact> = (0..size)
            .map(|n| send::recipient(n, setup.lists[0], now))
            .collect::<anyhow::Result<_>>()?;
        for batch in contacts.chunks(dataset::BATCH) {
            store.insert_contacts_bulk(setup.account, batch).await?;
        }
        let token = mint_token(
            store,
            self.base_url,
            (setup.user, setup.account, &setup.client_id),
        )
        .await?;
        Ok(Audience {
            account: setup.account,
            owner,
            token,
            contacts: contacts.iter().map(|c| c.id).collect(),
        })
    }

    /// A campaign of the audience's account, created through the API; its primary activity.
    async fn tracked_activity(&self, audience: &Audience) -> anyhow::Result<CampaignActivityId> {
        let response = self
            .http
            .post(format!("{}/v3/emails", self.base_url))
            .bearer_auth(&audience.token)
            .json(&json!({"name": "Tracked", "email_campaign_activities": [{
                "format_type": 5, "from_name": "Bench", "from_email": audience.owner,
                "reply_to_email": audience.owner, "subject": "Tracked",
                "html_content": format!(
                    "<html><body>[[trackingImage]]<a href=\"{LINK}\">Go</a></body></html>"
                ),
            }]}))
            .send()
            .await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        if !status.is_success() {
            bail!("POST /v3/emails answered {status}: {body}");
        }
        body["campaign_activities"][0]["campaign_activity_id"]
            .as_str()
            .context("POST /v3/emails answered no campaign_activity_id")?
            .parse()
            .map_err(|_| anyhow::anyhow!("an invalid campaign_activity_id"))
    }

    /// Each endpoint answers as it should before it is put under load.
    async fn check_endpoints(&self, tokens: &Tokens) -> anyhow::Result<()> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let get = |path: String| client.get(format!("{}{path}", self.base_url)).send();
        let pixel = get(format!("/t/o/{}", tokens.opens[0])).await?;
        if pixel.status() != 200 || pixel.bytes().await?.get(..6) != Some(b"GIF89a") {
            bail!("the pixel did not answer its image");
        }
        let click = get(format!("/t/c/{}", tokens.clicks[0])).await?;
        let location = click.headers().get("location").cloned();
        if click.status() != 302 || location.as_ref().and_then(|l| l.to_str().ok()) != Some(LINK) {
            bail!("the click answered {} to {location:?}", click.status());
        }
        Ok(())
    }

    /// wrk at 32 connections over GET `prefix` + each token in turn, with USER_AGENT.
    fn rotate(&self, file: &str, prefix: &str, tokens: &[String]) -> anyhow::Result<wrk::Outcome> {
        let path = self.scratch.join(file);
        let mut script = wrk::rotating_script(prefix, tokens, "");
        script.push_str(&format!("wrk.headers[\"User-Agent\"] = \"{USER_AGENT}\"\n"));
        std::fs::write(&path, script)?;
        wrk::run(&wrk::Load {
            url: &format!("{}{prefix}{}", self.base_url, tokens[0]),
            token: None,
            connections: THROUGHPUT_CONNECTIONS,
            duration: self.options.throughput_time,
            script: Some(&path),
        })
    }

    /// A wrk script POSTing one-click unsubscribes, rotating over the tokens.
    fn unsubscribe_script(&self, tokens: &[String]) -> anyhow::Result<PathBuf> {
        let path = self.scratch.join("unsubscribes.lua");
        let mut script = wrk::rotating_script("/unsubscribe/", tokens, "");
        script = script.replace("wrk.format(\"GET\", ", "wrk.format(\"POST\", ");
        script.push_str(
            "wrk.body = \"List-Unsubscribe=One-Click\"\n\
             wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n",
        );
        if !script.contains("wrk.format(\"POST\", ") {
            bail!("the rotating script no longer has the shape this scenario edits");
        }
        std::fs::write(&path, script)?;
        Ok(path)
    }
}

/// Waits until the activity's counters hold at least `opens` more opens and `clicks` more
/// clicks than `before`: every answered request was recorded.
async fn recorded(
    store: &dyn Store,
    audience: &Audience,
    activity: CampaignActivityId,
    before: &TrackingCounts,
    (opens, clicks): (u64, u64),
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = store.tracking_counts(audience.account, activity).await?;
        let opened = now.opens.total() - before.opens.total();
        let clicked = now.clicks.total() - before.clicks.total();
        if opened >= opens && clicked >= clicks {
            say(format!(
                "  tracking: {opened} opens and {clicked} clicks recorded (wrk counted {opens} \
                 and {clicks})"
            ));
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "only {opened} of {opens} opens and {clicked} of {clicks} clicks were recorded \
                 10 s after the load"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Each contact's open, click and unsubscribe tokens, signed as the sender signs them.
fn tokens(
    audience: &Audience,
    activity: CampaignActivityId,
    url_id: u32,
) -> anyhow::Result<Tokens> {
    let key = ServerSecret::new(server::SECRET)?.recipient_key();
    let recipient = |contact, purpose| RecipientToken {
        purpose,
        account: audience.account,
        activity,
        contact,
        send: 1,
    };
    let contacts = &audience.contacts;
    Ok(Tokens {
        opens: contacts
            .iter()
            .map(|c| recipient(*c, TokenPurpose::Open).issue(&key))
            .collect(),
        clicks: contacts
            .iter()
            .map(|c| {
                let click = ClickToken {
                    recipient: recipient(*c, TokenPurpose::Click),
                    url_id,
                };
                click.issue(&key)
            })
            .collect(),
        unsubscribes: contacts
            .iter()
            .map(|c| recipient(*c, TokenPurpose::Unsubscribe).issue(&key))
            .collect(),
    })
}

fn throughput(figure: &str) -> String {
    format!("{figure} at {THROUGHPUT_CONNECTIONS} connections")
}

fn ratio() -> Target {
    Target::RatioAtLeast(0.5)
}

fn anyhow(error: &str) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
