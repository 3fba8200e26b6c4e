//! Bounces and complaints coming back (docs/TRACKING.md, "Bounces"): finding the message a
//! report is about, and keeping what cannot be processed.

use async_trait::async_trait;

use crate::bounce::{BounceTarget, RecordedBounce, SuspensionPolicy, UnprocessedMessage};
use crate::contact::Contact;
use crate::store::error::StoreResult;
use crate::tracking::BounceCode;
use crate::{ContactId, SendId, Timestamp};

/// How many of the most recent sends (server-wide) a bounce naming only its contact is
/// matched against.
pub const RECENT_SENDS_MATCHED: u32 = 1000;

#[async_trait]
pub trait BounceStore: Send + Sync {
    /// The recipient `send` mailed to `contact` (a campaign message's Message-ID names both),
    /// if the send exists and the recipient was mailed.
    async fn bounce_target_of_message(
        &self,
        send: SendId,
        contact: ContactId,
    ) -> StoreResult<Option<BounceTarget>>;

    /// The last message mailed to `contact` (a VERP bounce address names only the contact),
    /// among the [`RECENT_SENDS_MATCHED`] most recent sends.
    async fn bounce_target_of_contact(
        &self,
        contact: ContactId,
    ) -> StoreResult<Option<BounceTarget>>;

    /// Records a bounce of `target` with `code` (a `Bounce` tracking event, with the counters
    /// it moves), and what it causes, in one transaction: when a non-existent address (B) has
    /// now bounced B from `policy.after_nonexistent_bounces` activities (this one included),
    /// the contact's address is suspended (later sends skip it) and this bounce is recorded
    /// as S. Bounces are recorded as they come, not buffered: the caller answers the sender
    /// only after the commit. None (nothing recorded) when the contact is gone or deleted, or
    /// the activity gone or Removed.
    async fn record_bounce(
        &self,
        target: &BounceTarget,
        code: BounceCode,
        policy: SuspensionPolicy,
        at: Timestamp,
    ) -> StoreResult<Option<RecordedBounce>>;

    /// Records a spam complaint about `target` (an `Abuse` tracking event) and saves
    /// `unsubscribed` (the contact, unsubscribed by the Contact; None when it is unsubscribed
    /// already) as `save_contact` does, in one transaction. False (nothing recorded) when the
    /// contact is gone or deleted, or the activity gone or Removed. `Conflict` when the
    /// contact changed since it was read (its `updated_at` is no longer `read_at`).
    async fn record_complaint(
        &self,
        target: &BounceTarget,
        unsubscribed: Option<&Contact>,
        read_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<bool>;

    /// Keeps a message that could not be processed.
    async fn keep_unprocessed(&self, message: &UnprocessedMessage) -> StoreResult<()>;

    /// The kept messages, newest first, at most `limit`.
    async fn unprocessed_messages(&self, limit: u32) -> StoreResult<Vec<UnprocessedMessage>>;

    /// One kept message.
    async fn unprocessed_message(
        &self,
        id: crate::InboundMessageId,
    ) -> StoreResult<Option<UnprocessedMessage>>;
}
