//! The delivery workers: each claims one due message at a time, takes a token from the node's
//! send rate (`limiter`), hands the message to the relay and records the outcome under its lease.
//! `concurrency` workers run at once, so at most that many messages are in flight.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use roster_domain::outbox::{DeliveryOutcome, Lease, OutboxEntry};
use roster_domain::{OutboxStore, Timestamp};
use tokio::sync::{watch, Notify};

use crate::limiter::TokenBucket;
use crate::templates::Templates;
use crate::{DrainReport, MailerConfig, MailerError};

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn OutboxStore>,
    pub(crate) config: MailerConfig,
    pub(crate) templates: Templates,
    pub(crate) wake: Notify,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// The node's send rate, shared by all its workers.
    node_rate: TokenBucket,
}

impl Inner {
    pub(crate) fn new(
        store: Arc<dyn OutboxStore>,
        config: MailerConfig,
    ) -> Result<Self, MailerError> {
        let transport = config
            .relay
            .as_ref()
            .map(|relay| relay.transport(config.timeout, config.concurrency))
            .transpose()
            .map_err(MailerError::Transport)?;
        Ok(Self {
            store,
            templates: Templates::load()?,
            wake: Notify::new(),
            transport,
            node_rate: TokenBucket::new(config.rate_per_second),
            config,
        })
    }
}

#[derive(Default)]
struct Counters {
    sent: AtomicU32,
    failed: AtomicU32,
    retried: AtomicU32,
}

impl Counters {
    fn count(&self, outcome: &DeliveryOutcome) {
        let counter = match outcome {
            DeliveryOutcome::Sent { .. } => &self.sent,
            DeliveryOutcome::Failed { .. } => &self.failed,
            DeliveryOutcome::Retry { .. } => &self.retried,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

fn since_now(duration: Duration) -> Timestamp {
    Timestamp::from_millis(
        Timestamp::now()
            .millis()
            .saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)),
    )
}

/// The relay's reply as one line: `250 2.0.0 Ok: queued as …`.
fn success_reply(response: &lettre::transport::smtp::response::Response) -> String {
    let text: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), text.join(" "))
}

/// The failure as the relay put it (`451 4.3.0 try again later`), or the connection problem.
fn failure_reply(error: &lettre::transport::smtp::Error) -> String {
    match (error.status(), std::error::Error::source(error)) {
        (Some(code), Some(text)) => format!("{code} {text}"),
        _ => error.to_string(),
    }
}

/// Claims one due message; None when nothing is due.
async fn claim_one(inner: &Inner) -> Result<Option<(OutboxEntry, Lease)>, MailerError> {
    let lease = Lease::generate();
    let claimed = inner
        .store
        .claim_outbox_messages(Timestamp::now(), lease, since_now(inner.config.lease), 1)
        .await?;
    Ok(claimed.into_iter().next().map(|entry| (entry, lease)))
}

/// Sends one claimed message and records what happened.
async fn deliver(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    entry: OutboxEntry,
    lease: Lease,
) -> Result<DeliveryOutcome, MailerError> {
    let outcome = match crate::outgoing::from_outbox(&inner.config, &entry).await {
        Err(error) => DeliveryOutcome::Failed {
            reply: error.to_string(),
        },
        Ok(outgoing) => {
            inner.node_rate.acquire().await;
            match transport
                .send_raw(&outgoing.envelope, &outgoing.bytes)
                .await
            {
                Ok(response) => DeliveryOutcome::Sent {
                    reply: success_reply(&response),
                },
                // A 5xx, or a message the client itself cannot send: trying again cannot help.
                Err(error) if error.is_permanent() || error.is_client() => {
                    DeliveryOutcome::Failed {
                        reply: failure_reply(&error),
                    }
                }
                // A 4xx, or the relay out of reach: try again later, within the limit.
                Err(error) if entry.attempts >= inner.config.max_attempts => {
                    DeliveryOutcome::Failed {
                        reply: format!(
                            "gave up after {} attempts; last: {}",
                            entry.attempts,
                            failure_reply(&error)
                        ),
                    }
                }
                Err(error) => DeliveryOutcome::Retry {
                    reply: failure_reply(&error),
                    at: since_now(inner.config.retry_after(entry.attempts)),
                },
            }
        }
    };
    let recorded = inner
        .store
        .record_delivery(entry.id, lease, &outcome, Timestamp::now())
        .await?;
    if recorded {
        match &outcome {
            DeliveryOutcome::Sent { reply } => {
                tracing::info!(
                    outbox_id = %entry.id,
                    message_id = %entry.message_id,
                    attempt = entry.attempts,
                    reply,
                    "mail sent"
                )
            }
            DeliveryOutcome::Retry { reply, at } => {
                tracing::warn!(
                    outbox_id = %entry.id,
                    attempt = entry.attempts,
                    reply,
                    retry_at = %at,
                    "mail deferred"
                )
            }
            DeliveryOutcome::Failed { reply } => {
                tracing::warn!(
                    outbox_id = %entry.id,
                    attempt = entry.attempts,
                    reply,
                    "mail failed"
                )
            }
        }
    } else {
        // The lease expired mid-send and another worker took the message over; its outcome
        // is the one that counts.
        tracing::warn!(outbox_id = %entry.id, "lease lost while sending; outcome not recorded");
    }
    Ok(outcome)
}

/// Delivers due messages until none is left; the body of a drain.
async fn work_until_idle(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    counters: &Counters,
) -> Result<(), MailerError> {
    while let Some((entry, lease)) = claim_one(inner).await? {
        let outcome = deliver(inner, transport, entry, lease).await?;
        counters.count(&outcome);
    }
    Ok(())
}

pub(crate) async fn drain(inner: &Inner) -> Result<DrainReport, MailerError> {
    let Some(transport) = &inner.transport else {
        return Ok(DrainReport::default());
    };
    let counters = Counters::default();
    let workers =
        (0..inner.config.concurrency).map(|_| work_until_idle(inner, transport, &counters));
    let results = futures_util::future::join_all(workers).await;
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok(DrainReport {
        sent: counters.sent.into_inner(),
        failed: counters.failed.into_inner(),
        retried: counters.retried.into_inner(),
    })
}

/// The running workers of `roster serve`.
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl WorkerPool {
    /// Stops claiming, lets each worker finish the message it holds, and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}

pub(crate) fn start(inner: Arc<Inner>) -> WorkerPool {
    let (stop, stopped) = watch::channel(false);
    let workers = match &inner.transport {
        None => {
            tracing::warn!("no SMTP relay configured (--smtp-url): mail stays in the outbox");
            Vec::new()
        }
        Some(_) => {
            if let Some(relay) = &inner.config.relay {
                tracing::info!(
                    %relay,
                    concurrency = inner.config.concurrency,
                    rate = inner.config.rate_per_second,
                    "mail delivery started"
                );
            }
            (0..inner.config.concurrency)
                .map(|_| tokio::spawn(run_worker(inner.clone(), stopped.clone())))
                .collect()
        }
    };
    WorkerPool { stop, workers }
}

async fn run_worker(inner: Arc<Inner>, mut stopped: watch::Receiver<bool>) {
    let Some(transport) = inner.transport.clone() else {
        return;
    };
    while !*stopped.borrow() {
        // Registered before the claim, so an enqueue between an empty claim and the wait
        // still wakes this worker.
        let woken = inner.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let idle = match claim_one(&inner).await {
            Ok(Some((entry, lease))) => {
                if let Err(error) = deliver(&inner, &transport, entry, lease).await {
                    tracing::error!(
                        error = %error,
                        "cannot record a delivery; the lease will expire and the message be \
                         sent again"
                    );
                    true
                } else {
                    false
                }
            }
            Ok(None) => true,
            Err(error) => {
                tracing::error!(error = %error, "cannot claim mail from the outbox");
                true
            }
        };
        if idle {
            tokio::select! {
                () = &mut woken => {}
                () = tokio::time::sleep(inner.config.poll_interval) => {}
                changed = stopped.changed() => {
                    // The pool was dropped without stop(): nobody can stop this worker later.
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
    }
}
