//! Account Services: the account's profile, its physical address and its sender addresses
//! with their confirmation tokens.

use async_trait::async_trait;

use crate::account_services::{AccountEmail, AccountEmailFilter, AccountProfile, PhysicalAddress};
use crate::outbox::OutboxEntry;
use crate::store::error::StoreResult;
use crate::{AccountId, EmailAddress, Timestamp};

#[async_trait]
pub trait AccountServicesStore: Send + Sync {
    /// The account's profile (GET /account/summary); None for an unknown account.
    async fn account_profile(&self, account: AccountId) -> StoreResult<Option<AccountProfile>>;
    /// Overwrites every profile property but the encoded id; false for an unknown account.
    async fn save_account_profile(
        &self,
        account: AccountId,
        profile: &AccountProfile,
    ) -> StoreResult<bool>;
    async fn physical_address(&self, account: AccountId) -> StoreResult<Option<PhysicalAddress>>;
    /// Stores the account's first address; `Conflict` when it has one already.
    async fn insert_physical_address(
        &self,
        account: AccountId,
        address: &PhysicalAddress,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Replaces the whole address; false when the account has none yet.
    async fn replace_physical_address(
        &self,
        account: AccountId,
        address: &PhysicalAddress,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The account's sender addresses matching `filter`, by `email_id`.
    async fn account_emails(
        &self,
        account: AccountId,
        filter: &AccountEmailFilter,
    ) -> StoreResult<Vec<AccountEmail>>;
    /// Adds an UNCONFIRMED sender address under the next `email_id`, with the confirmation
    /// token (its SHA-256) and the confirmation mail to send, atomically; `Conflict` when the
    /// account has the address already.
    async fn add_account_email(
        &self,
        account: AccountId,
        address: &EmailAddress,
        token_sha256: &str,
        confirmation: &OutboxEntry,
        now: Timestamp,
    ) -> StoreResult<AccountEmail>;
    /// The unconfirmed address a confirmation token stands for, if the token is unused.
    async fn account_email_by_token(
        &self,
        account: AccountId,
        token_sha256: &str,
    ) -> StoreResult<Option<AccountEmail>>;
    /// Uses a confirmation token: its address becomes CONFIRMED (its pending roles its roles)
    /// and the token is gone. None when the token is unknown or used already.
    async fn confirm_account_email(
        &self,
        account: AccountId,
        token_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AccountEmail>>;
}
