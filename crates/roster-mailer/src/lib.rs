//! Roster's outbound mail, the one mechanism every feature that sends mail shares. It owns the
//! outbox API (`Mailer::enqueue` records a message in the database before anything is
//! attempted), the system templates, and the delivery workers that `roster serve` runs: they
//! claim due messages from the outbox, send them to the relay over SMTP (lettre), and record
//! the outcome (sent; retried with backoff after a 4xx; failed after a 5xx, with the reply).
//! On the way out every message gets the envelope sender rule (`envelope`: `--bounce-address`
//! per message, VERP) and, when its From is on the DKIM domain, a DKIM signature (`dkim`,
//! `outgoing`); sends take tokens from the node's token bucket (`limiter`).
//!
//! Delivery is at-least-once: a worker that dies after the relay accepted a message but before
//! the outcome was committed leaves the message `sending` under a lease; when the lease expires
//! another worker sends it again, with the same Message-ID. Each worker holds one message at a
//! time, so at most `concurrency` messages per node can be sent twice by one crash.
//!
//! Without a relay, nothing is delivered: messages stay queued in the outbox, where
//! `roster outbox list|show` shows them.

pub mod campaign;
mod campaign_queue;
pub mod dkim;
pub mod envelope;
pub mod forward;
pub mod limiter;
pub mod outgoing;
pub mod refusals;
pub mod relay;
pub mod render;
mod sends;
pub mod templates;
mod tracking;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use roster_domain::clock::SharedClock;
use roster_domain::outbox::{InvalidMessage, Mailbox, OutboxEntry, OutboxMessage};
use roster_domain::send::ReputationGuard;
use roster_domain::{EmailAddress, MailerStore, OutboxId, StoreError, Timestamp};

pub use dkim::DkimConfig;
pub use envelope::BounceAddress;
pub use forward::{ForwardedCopy, FORWARD_KIND};
pub use limiter::TokenBucket;
pub use relay::{RelaySecurity, RelayUrl};
pub use templates::SystemMail;
pub use worker::{WorkerPool, UNRECORDED_PER_SLOT};

/// How the mailer delivers.
#[derive(Debug, Clone)]
pub struct MailerConfig {
    /// The relay; `None` keeps every message queued (the sandbox mode).
    pub relay: Option<RelayUrl>,
    /// The sender of system mail (confirmations).
    pub system_from: Mailbox,
    /// Messages per second this node sends at most; 0 means no limit.
    pub rate_per_second: f64,
    /// Messages in flight at once on this node (one per worker).
    pub concurrency: usize,
    /// Campaign messages per second this node sends at most, within `rate_per_second`: a
    /// second token bucket that campaign mail takes from as well as the node's. None or 0:
    /// no share of its own (the node's rate alone applies).
    pub campaign_rate_per_second: Option<f64>,
    /// Campaign messages in flight at once on this node, within `concurrency`; None: one
    /// worker fewer than `concurrency` (at least 1), so a worker is free for system mail.
    pub campaign_concurrency: Option<usize>,
    /// DKIM signing of mail whose From domain is the DKIM domain or under it.
    pub dkim: Option<DkimConfig>,
    /// The envelope sender of every message, made per message (VERP); None: the system
    /// sender's address.
    pub bounce_address: Option<BounceAddress>,
    /// The `mailto:` half of campaign mail's `List-Unsubscribe`, when set.
    pub unsubscribe_mailto: Option<EmailAddress>,
    /// Where campaign mail's signed links point (`--public-url`) and the key they are signed
    /// with. Without them campaign mail cannot carry an unsubscribe link, so it is not sent.
    pub campaign_links: Option<CampaignLinks>,
    /// Attempts before a message that keeps failing transiently is marked failed.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles per attempt up to `retry_max_delay`.
    pub retry_delay: Duration,
    pub retry_max_delay: Duration,
    /// How long a claim holds a message; a message still `sending` after that (its worker
    /// died) is sent again. Must exceed one SMTP transaction.
    pub lease: Duration,
    /// The SMTP command timeout.
    pub timeout: Duration,
    /// How often idle workers look for due messages (an enqueue on this node wakes them
    /// at once; enqueues on other nodes and due retries are found by polling).
    pub poll_interval: Duration,
    /// When a campaign send stops because the relay refuses its first recipients.
    pub reputation_guard: ReputationGuard,
    /// When a bounce at send time suspends a non-existent address (`refusals`).
    pub bounce_suspension: roster_domain::bounce::SuspensionPolicy,
    /// The time the campaign scheduler and the campaign queue read: when a schedule, a
    /// resend's delay or an A/B test's winner wait falls due. The wall clock but in tests,
    /// which move it forward instead of waiting (there is no setting that shortens a wait).
    pub clock: SharedClock,
}

/// What the links in campaign mail are made of: the server's public URL and the key recipient
/// tokens are signed with (`roster_domain::recipient_token`).
#[derive(Debug, Clone)]
pub struct CampaignLinks {
    pub public_url: String,
    pub key: roster_domain::recipient_token::RecipientKey,
}

/// The sender of system mail unless configured.
pub const DEFAULT_SYSTEM_FROM: &str = "no-reply@roster.localhost";

impl Default for MailerConfig {
    fn default() -> Self {
        Self {
            relay: None,
            system_from: Mailbox {
                name: Some("Roster".into()),
                email: EmailAddress::parse(DEFAULT_SYSTEM_FROM)
                    .expect("the default sender is a valid address"),
            },
            rate_per_second: 10.0,
            concurrency: 4,
            campaign_rate_per_second: None,
            campaign_concurrency: None,
            dkim: None,
            bounce_address: None,
            unsubscribe_mailto: None,
            campaign_links: None,
            max_attempts: 8,
            retry_delay: Duration::from_secs(60),
            retry_max_delay: Duration::from_secs(3600),
            lease: Duration::from_secs(300),
            timeout: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            reputation_guard: ReputationGuard::default(),
            bounce_suspension: roster_domain::bounce::SuspensionPolicy::default(),
            clock: roster_domain::clock::system_clock(),
        }
    }
}

impl MailerConfig {
    /// Checks the settings hold together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.concurrency == 0 {
            return Err(ConfigError("the concurrency must be at least 1".into()));
        }
        if !self.rate_per_second.is_finite() || self.rate_per_second < 0.0 {
            return Err(ConfigError(
                "the send rate must be a number of messages per second, 0 for no limit".into(),
            ));
        }
        if let Some(rate) = self.campaign_rate_per_second {
            if !rate.is_finite() || rate < 0.0 {
                return Err(ConfigError(
                    "the campaign rate must be a number of messages per second, 0 for the \
                     node's rate"
                        .into(),
                ));
            }
            if self.rate_per_second > 0.0 && rate > self.rate_per_second {
                return Err(ConfigError(format!(
                    "the campaign rate ({rate}/s) exceeds the node's send rate ({}/s)",
                    self.rate_per_second
                )));
            }
        }
        if let Some(campaign) = self.campaign_concurrency {
            if campaign == 0 || campaign > self.concurrency {
                return Err(ConfigError(format!(
                    "the campaign concurrency ({campaign}) must be between 1 and the SMTP \
                     concurrency ({})",
                    self.concurrency
                )));
            }
        }
        if self.max_attempts == 0 {
            return Err(ConfigError("at least one attempt is needed".into()));
        }
        if self.retry_max_delay < self.retry_delay {
            return Err(ConfigError(
                "the longest retry delay is shorter than the first".into(),
            ));
        }
        // A lease shorter than a message's time in flight would let a second worker resend a
        // message that is still being sent.
        if self.lease <= self.in_flight_allowance() {
            return Err(ConfigError(format!(
                "the lease ({:?}) must exceed the SMTP timeout plus the rate wait ({:?})",
                self.lease,
                self.in_flight_allowance()
            )));
        }
        Ok(())
    }

    /// The longest a claimed message may take from being taken by a worker to its outcome: the
    /// worker waits for its rate slots (at most one slot per worker ahead of it, in the
    /// campaign share and in the node's rate), then for the relay.
    pub fn in_flight_allowance(&self) -> Duration {
        let wait = |workers: usize, rate: f64| {
            if rate > 0.0 {
                Duration::from_secs_f64(workers as f64 / rate)
            } else {
                Duration::ZERO
            }
        };
        self.timeout
            + wait(self.concurrency, self.rate_per_second)
            + wait(self.campaign_concurrency(), self.campaign_rate())
    }

    /// The campaign share of the rate, messages per second; 0 when campaign mail has no
    /// bucket of its own (it still takes from the node's).
    pub fn campaign_rate(&self) -> f64 {
        self.campaign_rate_per_second.unwrap_or(0.0)
    }

    /// How many of the node's workers may send campaign mail at once.
    pub fn campaign_concurrency(&self) -> usize {
        self.campaign_concurrency
            .unwrap_or(self.concurrency.saturating_sub(1))
            .clamp(1, self.concurrency.max(1))
    }

    /// The delay before the attempt after `attempts` failed ones: doubling from
    /// `retry_delay`, capped at `retry_max_delay`.
    pub fn retry_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.retry_delay
            .saturating_mul(1u32 << doublings)
            .min(self.retry_max_delay)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid mail settings: {0}")]
pub struct ConfigError(String);

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Message(#[from] InvalidMessage),
    #[error(transparent)]
    Template(#[from] templates::TemplateError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up the SMTP transport")]
    Transport(#[source] lettre::transport::smtp::Error),
}

/// What a drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub sent: u32,
    pub failed: u32,
    /// Transient failures, queued again for later.
    pub retried: u32,
}

/// The outbox and its delivery. Cheap to clone; clones share the workers' state.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<worker::Inner>,
}

impl Mailer {
    pub fn new(store: Arc<dyn MailerStore>, config: MailerConfig) -> Result<Self, MailerError> {
        config.validate()?;
        Ok(Self {
            inner: Arc::new(worker::Inner::new(store, config)?),
        })
    }

    /// A mailer with no relay: messages are recorded and stay queued.
    pub fn outbox_only(store: Arc<dyn MailerStore>) -> Result<Self, MailerError> {
        Self::new(store, MailerConfig::default())
    }

    pub fn config(&self) -> &MailerConfig {
        &self.inner.config
    }

    /// Records `message` in the outbox and wakes this node's workers. The message is durable
    /// when this returns; delivery happens later.
    pub async fn enqueue(&self, message: OutboxMessage) -> Result<OutboxId, MailerError> {
        let entry = OutboxEntry::queue(message, Timestamp::now());
        self.inner.store.insert_outbox_message(&entry).await?;
        tracing::info!(
            outbox_id = %entry.id,
            message_id = %entry.message_id,
            kind = entry.message.kind(),
            "mail queued"
        );
        self.inner.outbox_queued();
        Ok(entry.id)
    }

    /// Renders a system message from its templates, sent from the configured system sender.
    pub fn system_message(&self, mail: &SystemMail) -> Result<OutboxMessage, MailerError> {
        Ok(self
            .inner
            .templates
            .message(mail, &self.inner.config.system_from)?)
    }

    /// The copy of a forward to a friend for `to` (`forward.rs`), to be enqueued.
    pub fn forwarded_copy(
        &self,
        forward: &ForwardedCopy<'_>,
        to: &EmailAddress,
    ) -> Result<OutboxMessage, MailerError> {
        Ok(self.inner.templates.forwarded_copy(forward, to)?)
    }

    /// Wakes this node's workers for a message that a feature recorded in the outbox itself,
    /// in the transaction of the change that sends it (see
    /// `AccountServicesStore::add_account_email`).
    pub fn notify_queued(&self) {
        self.inner.outbox_queued();
    }

    /// Wakes this node's scheduler for a schedule that is due now (POST …/schedules with a
    /// time not in the future), rather than leaving it to the next poll.
    pub fn notify_scheduled(&self) {
        self.inner.scheduler_wake.notify_one();
    }

    /// Renders and enqueues a system message.
    pub async fn enqueue_system(&self, mail: &SystemMail) -> Result<OutboxId, MailerError> {
        self.enqueue(self.system_message(mail)?).await
    }

    /// Delivers every message due now, `concurrency` at a time and at the configured rate,
    /// and returns once no due message is left (a retry due later stays queued). Without a
    /// relay it delivers nothing. For tests and tools: the same path the workers take.
    pub async fn drain(&self) -> Result<DrainReport, MailerError> {
        worker::drain(&self.inner).await
    }

    /// The message a campaign recipient gets, rendered now as a delivery would render it (for
    /// `roster outbox show`: nothing rendered is stored per recipient).
    pub async fn render_campaign_message(
        &self,
        recipient: &roster_domain::send::ClaimedRecipient,
    ) -> Result<OutboxEntry, campaign::ComposeError> {
        worker::render_campaign_message(&self.inner, recipient).await
    }

    /// Starts the delivery workers (none without a relay); stop them with
    /// [`WorkerPool::stop`].
    pub fn start(&self) -> WorkerPool {
        if self.inner.config.relay.is_some() {
            outgoing::log_settings(&self.inner.config);
        }
        worker::start(self.inner.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let config = MailerConfig {
            retry_delay: Duration::from_secs(10),
            retry_max_delay: Duration::from_secs(100),
            ..MailerConfig::default()
        };
        let delays: Vec<u64> = (1..=6).map(|n| config.retry_after(n).as_secs()).collect();
        assert_eq!(delays, [10, 20, 40, 80, 100, 100]);
        assert_eq!(config.retry_after(u32::MAX).as_secs(), 100);
    }

    #[test]
    fn the_lease_must_outlast_a_transaction() {
        let config = MailerConfig {
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            ..MailerConfig::default()
        };
        assert!(config.validate().is_err());
        assert!(MailerConfig::default().validate().is_ok());
        let no_workers = MailerConfig {
            concurrency: 0,
            ..MailerConfig::default()
        };
        assert!(no_workers.validate().is_err());
    }

    #[test]
    fn the_campaign_share_stays_within_the_node() {
        let node = MailerConfig {
            rate_per_second: 50.0,
            concurrency: 4,
            ..MailerConfig::default()
        };
        assert_eq!(
            (node.campaign_rate(), node.campaign_concurrency()),
            (0.0, 3)
        );
        let share = |rate: Option<f64>, concurrency: Option<usize>| MailerConfig {
            campaign_rate_per_second: rate,
            campaign_concurrency: concurrency,
            ..node.clone()
        };
        assert!(share(Some(50.0), Some(4)).validate().is_ok());
        assert!(share(Some(0.0), Some(1)).validate().is_ok());
        assert_eq!(share(Some(20.0), Some(2)).campaign_rate(), 20.0);
        assert_eq!(share(None, Some(4)).campaign_concurrency(), 4);
        for refused in [
            share(Some(50.5), None),
            share(Some(-1.0), None),
            share(Some(f64::NAN), None),
            share(None, Some(0)),
            share(None, Some(5)),
        ] {
            assert!(refused.validate().is_err(), "{refused:?}");
        }
        // A node without a rate limit takes any campaign rate; one worker is all the campaign
        // share a single-worker node can have.
        let unlimited = MailerConfig {
            rate_per_second: 0.0,
            concurrency: 1,
            campaign_rate_per_second: Some(1000.0),
            ..MailerConfig::default()
        };
        assert!(unlimited.validate().is_ok());
        assert_eq!(unlimited.campaign_concurrency(), 1);
    }
}
