//! Bounces and complaints coming back (docs/TRACKING.md, "Bounces"): finding the message a
//! report is about, and keeping what cannot be processed.

use async_trait::async_trait;

use crate::bounce::{BounceTarget, UnprocessedMessage};
use crate::store::error::StoreResult;
use crate::{ContactId, SendId};

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
