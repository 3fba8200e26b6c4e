//! The campaign scheduler: starts the sends whose schedule fell due (fixing each one's
//! recipients in the store's transaction), and the winner sends of A/B tests whose wait is
//! over, and finishes the sends whose last recipient was handed over. It reads the time from
//! the mailer's clock (`MailerConfig::clock`). Every node runs it; the store's guarded
//! transitions let exactly one node start or finish each send, and a send whose node died is
//! carried on by the others' workers, which claim its recipients when their leases expire.

use roster_domain::campaign::Recipients;
use roster_domain::clock::Clock;
use roster_domain::contact::{Bucket, ContactFilter};
use roster_domain::segment::{parse_stored_criteria, CriteriaContext};
use roster_domain::{AccountId, MailerStore, StoreError, Timestamp};

/// How many due activities one pass starts at most; the next pass takes the rest.
const STARTS_PER_PASS: u32 = 16;

/// The contacts a send selects: its lists' members or its segment's contacts, in the buckets
/// that may be mailed (not unsubscribed, not deleted; pending confirmation only when the
/// account does not require confirmed opt-in). None when its segment no longer exists or can
/// no longer be evaluated.
async fn recipient_filter(
    store: &dyn MailerStore,
    account: AccountId,
    recipients: &Recipients,
    confirmed_opt_in: bool,
    now: Timestamp,
) -> Result<Option<ContactFilter>, StoreError> {
    let buckets = Bucket::NOT_DELETED
        .iter()
        .copied()
        .filter(|b| *b != Bucket::Unsubscribed)
        .filter(|b| !(confirmed_opt_in && *b == Bucket::PendingConfirmation))
        .collect();
    let mut filter = ContactFilter {
        buckets,
        lists: recipients.contact_list_ids.clone(),
        ..ContactFilter::default()
    };
    if let Some(segment) = recipients.segment_ids.first() {
        let Some(segment) = store.segment(account, *segment).await? else {
            return Ok(None);
        };
        let custom_fields = store.all_custom_fields(account).await?;
        let context = CriteriaContext {
            custom_fields: &custom_fields,
        };
        match parse_stored_criteria(&segment.criteria, &context, now) {
            Ok((node, _)) => filter.segment = Some(node),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(filter))
}

/// What the scheduler starts: sends whose schedule fell due, and the winner sends of A/B
/// tests whose wait is over.
#[derive(Clone, Copy)]
enum Due {
    Scheduled,
    Winner,
}

/// Starts every send due now; returns how many recipients they queued.
pub(crate) async fn start_due(
    store: &dyn MailerStore,
    clock: &dyn Clock,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for kind in [Due::Scheduled, Due::Winner] {
        queued += start_due_of(store, clock, kind).await?;
    }
    Ok(queued)
}

async fn start_due_of(
    store: &dyn MailerStore,
    clock: &dyn Clock,
    kind: Due,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    loop {
        let now = clock.now();
        let due = match kind {
            Due::Scheduled => store.due_activities(now, STARTS_PER_PASS).await?,
            Due::Winner => store.due_winner_sends(now, STARTS_PER_PASS).await?,
        };
        let exhausted = due.len() < STARTS_PER_PASS as usize;
        for (account, activity, recipients) in due {
            let confirmed_opt_in = store
                .account(account)
                .await?
                .is_some_and(|a| a.confirmed_opt_in);
            let filter =
                recipient_filter(store, account, &recipients, confirmed_opt_in, now).await?;
            if filter.is_none() {
                tracing::warn!(
                    %account, %activity,
                    "the send's segment no longer exists or cannot be evaluated; send errored"
                );
            }
            let started = match kind {
                Due::Scheduled => store.start_send(account, activity, filter.as_ref(), now),
                Due::Winner => store.start_winner_send(account, activity, filter.as_ref(), now),
            };
            if let Some(started) = started.await? {
                tracing::info!(
                    %account, %activity, send = %started.send,
                    recipients = started.recipient_count,
                    winner_send = matches!(kind, Due::Winner),
                    "campaign send started"
                );
                queued += started.recipient_count;
            }
        }
        if exhausted {
            return Ok(queued);
        }
    }
}

/// Finishes the sends with nobody left to mail.
pub(crate) async fn finish(store: &dyn MailerStore, clock: &dyn Clock) -> Result<u64, StoreError> {
    let finished = store.finish_sends(clock.now()).await?;
    if finished > 0 {
        tracing::info!(finished, "campaign sends finished");
    }
    Ok(finished)
}
