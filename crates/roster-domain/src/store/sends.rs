//! Scheduling and sending email campaign activities (docs/CAMPAIGNS.md, "Sending"): the
//! schedule on the activity, the sends and their recipients, claimed by the delivery workers
//! under leases like the outbox's.

use async_trait::async_trait;

use crate::campaign::{CampaignStatus, Recipients};
use crate::contact::ContactFilter;
use crate::outbox::Lease;
use crate::send::{
    ClaimedRecipient, EarlyOutcomes, EmailSend, RecipientEntry, RecordedDeliveries, SendDelivery,
    StartedSend,
};
use crate::store::error::StoreResult;
use crate::{AccountId, CampaignActivityId, ContactId, SendId, Timestamp};

/// What POST or DELETE …/schedules found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleChange {
    Done,
    /// No such activity (or a Removed one).
    NotFound,
    /// The activity's status does not allow it; nothing changed.
    Refused(CampaignStatus),
}

#[async_trait]
pub trait SendStore: Send + Sync {
    /// Schedules a `primary_email` activity in DRAFT, DONE or ERROR for `due_at`: SCHEDULED (the
    /// campaign Scheduled), remembering the status to go back to.
    async fn schedule_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        due_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<ScheduleChange>;
    /// Puts a SCHEDULED activity back in the status it had before.
    async fn unschedule_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        now: Timestamp,
    ) -> StoreResult<ScheduleChange>;
    /// When a SCHEDULED activity falls due; None when it is not SCHEDULED.
    async fn activity_schedule(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<Timestamp>>;
    /// Up to `limit` SCHEDULED activities whose time has come at `now`, with what they are
    /// sent to, so the caller can build each one's recipient filter.
    async fn due_activities(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(AccountId, CampaignActivityId, Recipients)>>;
    /// Starts a due SCHEDULED activity in one transaction: EXECUTING (the campaign Executing),
    /// a new send numbered after the activity's last, and its recipients fixed and stored: the
    /// contacts `recipients` selects (its lists or segment, and the buckets that may be
    /// mailed), each once, with an address that is not suspended, less those an earlier send
    /// of the activity mailed. An activity with an A/B test that was not sent yet keeps two
    /// random arms of the recipients (`ab_test::arm_size` each, drawn with the test's seed and
    /// stored per recipient) and waits for its winner; one whose winner is decided mails the
    /// winning subject. A send with nobody to mail is finished at once, COMPLETED with
    /// reason 12, and the activity is DONE; without a filter (its segment could not be
    /// evaluated) it is ERRORED with reason 1 and the activity in ERROR. None when the activity
    /// was no longer due: only one caller starts each activity, however many nodes try.
    async fn start_send(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        recipients: Option<&ContactFilter>,
        now: Timestamp,
    ) -> StoreResult<Option<StartedSend>>;
    /// Up to `limit` A/B tests whose winner wait is over at `now`, with their activity's
    /// recipients, so the caller can build each winner send's filter.
    async fn due_winner_sends(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(AccountId, CampaignActivityId, Recipients)>>;
    /// Decides the winner of the A/B test of `activity` (the arm with more contacts who opened
    /// or clicked; ties to A) and starts its send in one transaction: a new send of the
    /// activity (still EXECUTING) to the contacts `recipients` selects that no send of it has
    /// mailed, each with the winning subject. Finished at once when it has nobody (COMPLETED,
    /// reason 12; the activity DONE). None when the test was no longer waiting.
    async fn start_winner_send(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        recipients: Option<&ContactFilter>,
        now: Timestamp,
    ) -> StoreResult<Option<StartedSend>>;
    /// Claims up to `limit` due recipients of executing sends under `lease` until
    /// `lease_until`, counting an attempt each: queued ones whose time has come, and sending
    /// ones whose lease expired (their worker died).
    async fn claim_send_recipients(
        &self,
        now: Timestamp,
        lease: Lease,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedRecipient>>;
    /// Records the deliveries in one transaction (a group commit: the workers' outcomes that
    /// arrived while the previous commit ran), each only if its lease still holds. A recipient
    /// of a send stopped since its claim is recorded too (it was mailed), and the send is
    /// named in `stopped`.
    async fn record_send_deliveries(
        &self,
        deliveries: &[SendDelivery],
        now: Timestamp,
    ) -> StoreResult<RecordedDeliveries>;
    /// How the first `window` recipients of a send fared, in the order they finished, and how
    /// many recipients it has.
    async fn early_outcomes(&self, send: SendId, window: u64) -> StoreResult<EarlyOutcomes>;
    /// Stops an executing send: its recipients not yet mailed are skipped (those claimed too:
    /// a worker that holds one learns of the stop when it records, and mails no more of the
    /// send), it is ERRORED with `reason_code`, and the activity is in ERROR. False when it was
    /// not executing.
    async fn stop_send(
        &self,
        account: AccountId,
        send: SendId,
        reason_code: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Finishes the executing sends none of whose recipients is still queued or sending:
    /// COMPLETED (reason 0) when at least one was mailed, else ERRORED (reason 1); the activity
    /// becomes DONE or ERROR, but stays EXECUTING after the arms of an A/B test, whose winner
    /// falls due `winner_wait_duration` hours later. Returns how many it finished.
    async fn finish_sends(&self, now: Timestamp) -> StoreResult<u64>;
    /// The activity's sends, first first, with their counts.
    async fn sends(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Vec<EmailSend>>;
    /// Campaign recipients for `roster outbox list`, most recently changed first, in `state`
    /// (`queued`, `sending`, `sent`, `failed`, `skipped`) when given.
    async fn recipient_entries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<RecipientEntry>>;
    /// One campaign recipient, for `roster outbox show`.
    async fn recipient_entry(
        &self,
        send: SendId,
        contact: ContactId,
    ) -> StoreResult<Option<RecipientEntry>>;
}
