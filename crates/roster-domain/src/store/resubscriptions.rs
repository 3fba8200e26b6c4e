//! Resubscription requests: one per contact, ever, confirmed or declined by the contact.

use async_trait::async_trait;

use crate::contact::Contact;
use crate::resubscription::Resubscription;
use crate::store::error::StoreResult;
use crate::{AccountId, ContactId, Timestamp};

#[async_trait]
pub trait ResubscriptionStore: Send + Sync {
    /// Records `request` and saves `contact` (the contact with the requested lists added) as
    /// `save_contact` does, atomically. `Conflict` when a request was recorded for this
    /// contact before (one per contact, ever) or when the contact changed since it was read
    /// (its `updated_at` is no longer `read_at`); false when the contact is gone.
    async fn request_resubscription(
        &self,
        request: &Resubscription,
        contact: &Contact,
        read_at: Timestamp,
    ) -> StoreResult<bool>;
    /// Withdraws a pending request whose confirmation mail could not be queued, so the
    /// account may ask again.
    async fn withdraw_resubscription(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> StoreResult<()>;
    async fn resubscription_by_token(
        &self,
        token_sha256: &str,
    ) -> StoreResult<Option<Resubscription>>;
    /// Marks a pending request confirmed and saves `contact` (made explicit by the Contact)
    /// as `save_contact` does, atomically; false (nothing changed) when the request was
    /// confirmed or declined already. `Conflict` when the contact changed since it was read
    /// (its `updated_at` is no longer `read_at`) or is gone.
    async fn confirm_resubscription(
        &self,
        token_sha256: &str,
        contact: &Contact,
        read_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Marks a pending request declined (the contact stays unsubscribed and the link stops
    /// working); false when it was confirmed or declined already.
    async fn decline_resubscription(&self, token_sha256: &str, now: Timestamp)
        -> StoreResult<bool>;
}
