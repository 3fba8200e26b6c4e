//! The links contacts follow to change their own consent: sign-up confirmations under
//! Confirmed Opt-In, and campaign unsubscribes credited to the activity that mailed them.

use async_trait::async_trait;

use crate::consent::{CampaignOptOut, OptInConfirmation};
use crate::contact::Contact;
use crate::outbox::OutboxEntry;
use crate::store::error::StoreResult;
use crate::Timestamp;

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// Records `request` as the contact's confirmation link (replacing an older one) and
    /// queues `mail` (the message carrying the link), atomically, unless the contact was
    /// mailed an unconfirmed link at or after `resend_before`: then nothing is written and
    /// the answer is false.
    async fn request_opt_in(
        &self,
        request: &OptInConfirmation,
        mail: &OutboxEntry,
        resend_before: Timestamp,
    ) -> StoreResult<bool>;
    async fn opt_in_by_token(&self, token_sha256: &str) -> StoreResult<Option<OptInConfirmation>>;
    /// Marks the link confirmed and saves `contact` (made explicit by the Contact) as
    /// `save_contact` does, atomically; false (nothing changed) when the link was used or
    /// expired (at `now`) or belongs to another contact. `Conflict` when the contact changed
    /// since it was read (its `updated_at` is no longer `read_at`) or is gone.
    async fn confirm_opt_in(
        &self,
        token_sha256: &str,
        contact: &Contact,
        read_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Saves `contact` (unsubscribed by the Contact) as `save_contact` does and records
    /// `opt_out` for its activity, atomically; a second opt-out of the same contact from the
    /// same activity adds no row. False (nothing changed) when the activity is not the
    /// account's. `Conflict` when the contact changed since it was read (its `updated_at` is
    /// no longer `read_at`) or is gone.
    async fn record_campaign_opt_out(
        &self,
        opt_out: &CampaignOptOut,
        contact: &Contact,
        read_at: Timestamp,
    ) -> StoreResult<bool>;
    /// The opt-outs credited to an activity, oldest first (for reporting and tests).
    async fn campaign_opt_outs(
        &self,
        account: crate::AccountId,
        activity: crate::CampaignActivityId,
    ) -> StoreResult<Vec<CampaignOptOut>>;
}
