//! The delivery workers: each claims one due message at a time, takes a token from the node's
//! send rate (`limiter`), hands the message to the relay and records the outcome under its lease.
//! `concurrency` workers run at once, so at most that many messages are in flight.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use roster_domain::bounce::SmtpReply;
use roster_domain::outbox::{DeliveryOutcome, Lease, OutboxEntry};
use roster_domain::send::{reason, ClaimedRecipient, SendDelivery};
use roster_domain::{MailerStore, Timestamp};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore, SemaphorePermit};

use crate::campaign::{ComposeError, Composer};
use crate::campaign_queue::{CampaignQueue, Prepared};
use crate::limiter::TokenBucket;
use crate::templates::Templates;
use crate::{sends, DrainReport, MailerConfig, MailerError};

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn MailerStore>,
    pub(crate) config: MailerConfig,
    pub(crate) templates: Templates,
    pub(crate) wake: Notify,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// The node's send rate, shared by all its workers.
    node_rate: TokenBucket,
    /// The campaign share of it (`--campaign-rate`), taken by campaign mail besides the node's.
    campaign_rate: TokenBucket,
    composer: Composer,
    /// Campaign mail may hold at most this many of the workers at once
    /// (`--campaign-concurrency`), so system mail (claimed first anyway) finds one free.
    campaign_slots: Semaphore,
    /// Campaign messages handed to the relay whose outcome is not committed yet, at most
    /// [`UNRECORDED_PER_SLOT`] per campaign slot: what one node's crash can mail twice. A
    /// worker goes on to its next message while the outcome of the last waits for its group
    /// commit, so a commit's latency does not hold a connection idle.
    unrecorded: Arc<Semaphore>,
    /// Campaign recipients claimed in batches, and their outcomes committed in groups.
    campaigns: CampaignQueue,
    /// Wakes the scheduler: a schedule fell due on this node, or a send may be finished.
    pub(crate) scheduler_wake: Notify,
    /// When a claim last found no system mail due (0: look at the next claim).
    outbox_empty_at: AtomicI64,
}

/// How long a claim that found no system mail due spares the next ones the query. Mail
/// enqueued on this node is looked for at once (`outbox_queued`); mail enqueued on another
/// node, and retries falling due, wait at most this long.
const OUTBOX_RECHECK_MILLIS: i64 = 100;

/// How many campaign messages per campaign slot may wait for their outcome's commit.
pub const UNRECORDED_PER_SLOT: usize = 4;

impl Inner {
    /// System mail was queued on this node: the next claim looks for it.
    pub(crate) fn outbox_queued(&self) {
        self.outbox_empty_at.store(0, Ordering::Relaxed);
        self.wake.notify_waiters();
    }

    fn outbox_may_be_due(&self) -> bool {
        let empty_at = self.outbox_empty_at.load(Ordering::Relaxed);
        empty_at == 0 || Timestamp::now().millis() - empty_at >= OUTBOX_RECHECK_MILLIS
    }

    pub(crate) fn new(
        store: Arc<dyn MailerStore>,
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
            campaign_rate: TokenBucket::new(config.campaign_rate()),
            composer: Composer::new(config.campaign_links.clone()),
            campaign_slots: Semaphore::new(config.campaign_concurrency()),
            unrecorded: Arc::new(Semaphore::new(
                config.campaign_concurrency() * UNRECORDED_PER_SLOT,
            )),
            campaigns: CampaignQueue::default(),
            scheduler_wake: Notify::new(),
            outbox_empty_at: AtomicI64::new(0),
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

/// What a worker claimed: a system message from the outbox, or a campaign recipient, which
/// holds one of the campaign slots until it is handed to the relay, and one of the unrecorded
/// places until its outcome is committed.
enum Claimed<'a> {
    System(Box<OutboxEntry>, Lease),
    Campaign(Box<Prepared>, SemaphorePermit<'a>, OwnedSemaphorePermit),
}

/// What a worker does when [`claim_one`] finds nothing it may take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WhenNothing {
    /// `roster serve`'s worker waits to be woken, or for the poll interval, and looks again.
    Waits,
    /// A drain's worker stops: its last look at the outbox must be now.
    Stops,
}

/// Claims one due message, system mail (confirmations, test sends) always before campaign mail;
/// None when nothing is due, or only campaign mail and every campaign slot is taken.
async fn claim_one(inner: &Inner, then: WhenNothing) -> Result<Option<Claimed<'_>>, MailerError> {
    let looked = inner.outbox_may_be_due();
    if looked {
        if let Some(claimed) = claim_system(inner).await? {
            return Ok(Some(claimed));
        }
    }
    let permits = (
        inner.campaign_slots.try_acquire(),
        inner.unrecorded.clone().try_acquire_owned(),
    );
    if let (Ok(slot), Ok(unrecorded)) = permits {
        let prepared = inner
            .campaigns
            .next(inner.store.as_ref(), &inner.config)
            .await?;
        if let Some(prepared) = prepared {
            let prepared = Box::new(prepared);
            return Ok(Some(Claimed::Campaign(prepared, slot, unrecorded)));
        }
    } else if then == WhenNothing::Waits {
        // Every campaign slot or unrecorded place is taken, and this worker will be woken
        // when one is free: it looks at the outbox only as often as `outbox_may_be_due` says.
        // Each look is a write (a claim), and one per such wake-up cost a send a third of its
        // throughput (measured: 2,142 empty claims for 10,000 campaign messages, each waiting
        // for the group commit's write lock).
        return Ok(None);
    }
    // No campaign mail to take: before going idle, look at the outbox whatever the last look
    // found (a retry may have fallen due since).
    if looked {
        return Ok(None);
    }
    claim_system(inner).await
}

/// Claims one due system message; None (and the time noted) when none is due.
async fn claim_system(inner: &Inner) -> Result<Option<Claimed<'_>>, MailerError> {
    let lease = Lease::generate();
    let until = since_now(inner.config.lease);
    let claimed = inner
        .store
        .claim_outbox_messages(Timestamp::now(), lease, until, 1)
        .await?;
    if let Some(entry) = claimed.into_iter().next() {
        return Ok(Some(Claimed::System(Box::new(entry), lease)));
    }
    inner
        .outbox_empty_at
        .store(Timestamp::now().millis(), Ordering::Relaxed);
    Ok(None)
}

/// A failed delivery's SMTP reply, for the bounce it may record: the reply, and whether the
/// delivery will not be tried again.
struct Refusal {
    reply: SmtpReply,
    retries_exhausted: bool,
}

/// Hands one message to the relay: what happened, as the outbox records it, and the relay's
/// refusal when it refused.
async fn attempt(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    entry: &OutboxEntry,
    verp_id: uuid::Uuid,
) -> (DeliveryOutcome, Option<Refusal>) {
    let outgoing = match crate::render::to_message(entry) {
        Ok(message) => crate::outgoing::seal(&inner.config, &message, verp_id).await,
        Err(error) => Err(error.into()),
    };
    let outgoing = match outgoing {
        Err(error) => {
            let reply = error.to_string();
            return (DeliveryOutcome::Failed { reply }, None);
        }
        Ok(outgoing) => outgoing,
    };
    inner.node_rate.acquire().await;
    let error = match transport
        .send_raw(&outgoing.envelope, &outgoing.bytes)
        .await
    {
        Ok(response) => {
            let reply = success_reply(&response);
            return (DeliveryOutcome::Sent { reply }, None);
        }
        Err(error) => error,
    };
    let refusal = |retries_exhausted| {
        crate::refusals::reply_of(&error).map(|reply| Refusal {
            reply,
            retries_exhausted,
        })
    };
    // A 5xx, or a message the client itself cannot send: trying again cannot help.
    if error.is_permanent() || error.is_client() {
        let outcome = DeliveryOutcome::Failed {
            reply: failure_reply(&error),
        };
        return (outcome, refusal(false));
    }
    // A 4xx, or the relay out of reach: try again later, within the limit.
    if entry.attempts >= inner.config.max_attempts {
        let outcome = DeliveryOutcome::Failed {
            reply: format!(
                "gave up after {} attempts; last: {}",
                entry.attempts,
                failure_reply(&error)
            ),
        };
        return (outcome, refusal(true));
    }
    let outcome = DeliveryOutcome::Retry {
        reply: failure_reply(&error),
        at: since_now(inner.config.retry_after(entry.attempts)),
    };
    (outcome, None)
}

fn log_outcome(what: &str, message_id: &str, attempt: u32, outcome: &DeliveryOutcome) {
    match outcome {
        DeliveryOutcome::Sent { reply } => {
            tracing::info!(message = what, message_id, attempt, reply, "mail sent")
        }
        DeliveryOutcome::Retry { reply, at } => {
            tracing::warn!(message = what, attempt, reply, retry_at = %at, "mail deferred")
        }
        DeliveryOutcome::Failed { reply } => {
            tracing::warn!(message = what, attempt, reply, "mail failed")
        }
    }
}

/// Sends one claimed system message and records what happened.
async fn deliver(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    entry: OutboxEntry,
    lease: Lease,
) -> Result<DeliveryOutcome, MailerError> {
    let (outcome, _) = attempt(inner, transport, &entry, entry.id.0).await;
    let recorded = inner
        .store
        .record_delivery(entry.id, lease, &outcome, Timestamp::now())
        .await?;
    if recorded {
        let what = format!("outbox {}", entry.id);
        log_outcome(&what, &entry.message_id, entry.attempts, &outcome);
    } else {
        // The lease expired mid-send and another worker took the message over; its outcome
        // is the one that counts.
        tracing::warn!(outbox_id = %entry.id, "lease lost while sending; outcome not recorded");
    }
    Ok(outcome)
}

/// A campaign recipient's message handed to the relay (or not, and why), its outcome not yet
/// recorded.
struct HandedOver {
    recipient: ClaimedRecipient,
    outcome: DeliveryOutcome,
    refusal: Option<Refusal>,
}

/// Renders and sends one campaign recipient's message and records what happened; a permanent
/// refusal may trip the reputation guard, which stops the send.
async fn deliver_campaign(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    prepared: Prepared,
) -> Result<DeliveryOutcome, MailerError> {
    let handed = hand_over_campaign(inner, transport, prepared).await?;
    record_campaign(inner, handed).await
}

/// Renders one campaign recipient's message and hands it to the relay.
async fn hand_over_campaign(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    prepared: Prepared,
) -> Result<HandedOver, MailerError> {
    let Prepared {
        recipient, contact, ..
    } = prepared;
    let composed = compose_campaign_message(inner, &recipient, contact.as_ref()).await;
    let (outcome, refusal) = match composed {
        Ok(entry) => {
            // The campaign share first, then the node's own rate inside `attempt`.
            inner.campaign_rate.acquire().await;
            // The bounce address's token names the contact: a bounce suspends its address, and
            // the returned message's Message-ID names the send.
            attempt(inner, transport, &entry, recipient.contact.0).await
        }
        Err(ComposeError::Permanent(reason)) => {
            let reply = format!("not sent: {reason}");
            (DeliveryOutcome::Failed { reply }, None)
        }
        Err(ComposeError::Store(error)) => return Err(error.into()),
    };
    Ok(HandedOver {
        recipient,
        outcome,
        refusal,
    })
}

/// Records what happened to a campaign recipient's message (in the next group commit); a
/// permanent refusal may trip the reputation guard, which stops the send.
async fn record_campaign(
    inner: &Inner,
    handed: HandedOver,
) -> Result<DeliveryOutcome, MailerError> {
    let HandedOver {
        recipient,
        outcome,
        refusal,
    } = handed;
    let delivery = SendDelivery {
        send: recipient.send,
        contact: recipient.contact,
        lease: recipient.lease,
        outcome: outcome.clone(),
    };
    let recorded = inner
        .campaigns
        .record(inner.store.as_ref(), delivery)
        .await?;
    if inner.campaigns.drained() {
        // The last recipients are being recorded: the send may be finished now rather than
        // at the scheduler's next poll.
        inner.scheduler_wake.notify_one();
    }
    if !recorded {
        tracing::warn!(send = %recipient.send, contact = %recipient.contact,
            "lease lost while sending; outcome not recorded");
        return Ok(outcome);
    }
    if let DeliveryOutcome::Sent { reply } = &outcome {
        // The send's recipient rows keep every outcome (`roster campaigns send-status`): a
        // line per message of a 100,000-recipient send would only bury the log's news.
        tracing::debug!(send = %recipient.send, contact = %recipient.contact,
            attempt = recipient.attempts, reply, "mail sent");
    } else {
        let what = format!("send {} contact {}", recipient.send, recipient.contact);
        log_outcome(&what, "", recipient.attempts, &outcome);
    }
    if matches!(outcome, DeliveryOutcome::Failed { .. }) {
        // Only the relay's refusal is the recipient's bounce: an unreachable relay or a
        // message that could not be built says nothing about the address.
        if let Some(refusal) = refusal {
            crate::refusals::record_send_refusal(
                inner.store.as_ref(),
                &inner.config,
                &recipient,
                &refusal.reply,
                refusal.retries_exhausted,
            )
            .await?;
        }
        guard_reputation(inner, &recipient).await?;
    }
    Ok(outcome)
}

/// The message a delivery of `recipient` would send now (`roster outbox show`).
pub(crate) async fn render_campaign_message(
    inner: &Inner,
    recipient: &ClaimedRecipient,
) -> Result<OutboxEntry, ComposeError> {
    let contact = inner
        .store
        .contact(recipient.account, recipient.contact)
        .await?;
    compose_campaign_message(inner, recipient, contact.as_ref()).await
}

/// The message for `recipient`, rendered from `contact`.
async fn compose_campaign_message(
    inner: &Inner,
    recipient: &ClaimedRecipient,
    contact: Option<&roster_domain::contact::Contact>,
) -> Result<OutboxEntry, ComposeError> {
    let signed = campaign_links(&inner.config, recipient)?;
    let links = roster_render::RecipientLinks {
        open_url: "",
        unsubscribe_url: &signed.unsubscribe_url,
        forward_url: &signed.forward_url,
    };
    inner
        .composer
        .compose(
            inner.store.as_ref(),
            recipient,
            contact,
            links,
            &signed.headers,
        )
        .await
}

/// A recipient's signed links, and the headers that carry the unsubscribe one.
struct SignedLinks {
    unsubscribe_url: String,
    forward_url: String,
    headers: Vec<(String, String)>,
}

/// The recipient's signed unsubscribe and forward-to-a-friend links, and the headers that
/// carry the first: `List-Unsubscribe` (the https link, and a `mailto:` when configured) and
/// RFC 8058's `List-Unsubscribe-Post`.
fn campaign_links(
    config: &MailerConfig,
    recipient: &ClaimedRecipient,
) -> Result<SignedLinks, ComposeError> {
    let Some(links) = &config.campaign_links else {
        return Err(ComposeError::Permanent(
            "campaign mail needs the public URL and the server secret for its unsubscribe link"
                .into(),
        ));
    };
    let url = roster_domain::recipient_token::unsubscribe_url(
        &links.public_url,
        &links.key,
        recipient.account,
        recipient.activity,
        recipient.contact,
        recipient.send_number,
    );
    let mut list_unsubscribe = format!("<{url}>");
    if let Some(mailto) = &config.unsubscribe_mailto {
        list_unsubscribe.push_str(&format!(", <mailto:{mailto}?subject=unsubscribe>"));
    }
    let headers = vec![
        ("List-Unsubscribe".to_string(), list_unsubscribe),
        (
            "List-Unsubscribe-Post".to_string(),
            "List-Unsubscribe=One-Click".to_string(),
        ),
    ];
    let forward = roster_domain::recipient_token::forward_url(
        &links.public_url,
        &links.key,
        &roster_domain::recipient_token::RecipientToken {
            purpose: roster_domain::recipient_token::TokenPurpose::Forward,
            account: recipient.account,
            activity: recipient.activity,
            contact: recipient.contact,
            send: recipient.send_number,
        },
    );
    Ok(SignedLinks {
        unsubscribe_url: url,
        forward_url: forward,
        headers,
    })
}

/// Stops the send if too many of its first recipients were refused (ReputationGuard): one
/// query over the first `window` finished recipients, run only after a permanent failure.
async fn guard_reputation(inner: &Inner, recipient: &ClaimedRecipient) -> Result<(), MailerError> {
    let guard = inner.config.reputation_guard;
    let early = inner
        .store
        .early_outcomes(recipient.send, guard.window)
        .await?;
    if guard.trips(early) {
        let stopped = inner
            .store
            .stop_send(
                recipient.account,
                recipient.send,
                reason::STOPPED,
                inner.config.clock.now(),
            )
            .await?;
        inner.campaigns.stop(recipient.send);
        if stopped {
            tracing::error!(
                send = %recipient.send,
                refused = early.refused,
                finished = early.finished,
                "the relay refused too many of the send's first recipients: send stopped"
            );
        }
    }
    Ok(())
}

/// Delivers what was claimed.
async fn deliver_claimed(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    claimed: Claimed<'_>,
) -> Result<DeliveryOutcome, MailerError> {
    match claimed {
        Claimed::System(entry, lease) => deliver(inner, transport, *entry, lease).await,
        Claimed::Campaign(prepared, slot, unrecorded) => {
            let outcome = deliver_campaign(inner, transport, *prepared).await;
            drop((slot, unrecorded));
            outcome
        }
    }
}

/// Delivers due messages until none is left; the body of a drain.
async fn work_until_idle(
    inner: &Inner,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    counters: &Counters,
) -> Result<(), MailerError> {
    while let Some(claimed) = claim_one(inner, WhenNothing::Stops).await? {
        let outcome = deliver_claimed(inner, transport, claimed).await?;
        counters.count(&outcome);
    }
    Ok(())
}

/// Starts the sends due now, delivers everything due, and finishes the sends that are done.
pub(crate) async fn drain(inner: &Inner) -> Result<DrainReport, MailerError> {
    sends::start_due(inner.store.as_ref(), inner.config.clock.as_ref()).await?;
    let Some(transport) = &inner.transport else {
        return Ok(DrainReport::default());
    };
    let counters = Counters::default();
    let workers =
        (0..inner.config.concurrency).map(|_| work_until_idle(inner, transport, &counters));
    let results = futures_util::future::join_all(workers).await;
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    sends::finish(inner.store.as_ref(), inner.config.clock.as_ref()).await?;
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
    inner: Arc<Inner>,
}

impl WorkerPool {
    /// Stops claiming, lets each worker finish the message it holds, and waits for them and
    /// for the outcomes still to be recorded.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
        let places = self.inner.config.campaign_concurrency() * UNRECORDED_PER_SLOT;
        let places = u32::try_from(places).unwrap_or(u32::MAX);
        let _ = self.inner.unrecorded.acquire_many(places).await;
    }
}

pub(crate) fn start(inner: Arc<Inner>) -> WorkerPool {
    let (stop, stopped) = watch::channel(false);
    // The scheduler runs without a relay too: a due send fixes its recipients, which wait in
    // the queue (`roster outbox list`) until a relay is configured, never dropped.
    let scheduler = tokio::spawn(run_scheduler(inner.clone(), stopped.clone()));
    let mut workers: Vec<_> = match &inner.transport {
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
    workers.push(scheduler);
    WorkerPool {
        stop,
        workers,
        inner,
    }
}

/// Starts due sends and finishes completed ones, every poll interval until stopped.
async fn run_scheduler(inner: Arc<Inner>, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        match sends::start_due(inner.store.as_ref(), inner.config.clock.as_ref()).await {
            Ok(queued) if queued > 0 => inner.wake.notify_waiters(),
            Ok(_) => {}
            Err(error) => tracing::error!(error = %error, "cannot start the due campaign sends"),
        }
        if let Err(error) = sends::finish(inner.store.as_ref(), inner.config.clock.as_ref()).await {
            tracing::error!(error = %error, "cannot finish the campaign sends");
        }
        tokio::select! {
            () = tokio::time::sleep(inner.config.poll_interval) => {}
            () = inner.scheduler_wake.notified() => {}
            changed = stopped.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
}

fn log_unrecorded(error: &MailerError) {
    tracing::error!(
        error = %error,
        "cannot record a delivery; the lease will expire and the message be sent again"
    );
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
        let idle = match claim_one(&inner, WhenNothing::Waits).await {
            Ok(Some(Claimed::Campaign(prepared, slot, unrecorded))) => {
                let handed = hand_over_campaign(&inner, &transport, *prepared).await;
                drop(slot);
                match handed {
                    Ok(handed) => {
                        let inner = inner.clone();
                        tokio::spawn(async move {
                            if let Err(error) = record_campaign(&inner, handed).await {
                                log_unrecorded(&error);
                            }
                            drop(unrecorded);
                            // A worker may be idle for want of an unrecorded place.
                            inner.wake.notify_one();
                        });
                        false
                    }
                    Err(error) => {
                        log_unrecorded(&error);
                        true
                    }
                }
            }
            Ok(Some(claimed)) => {
                if let Err(error) = deliver_claimed(&inner, &transport, claimed).await {
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
