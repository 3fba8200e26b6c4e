//! The storage contract: one trait, its methods grouped by use case, implemented identically by
//! the SQLite and PostgreSQL engines. Every method that touches an account's data takes the
//! account's id, so isolation between accounts is part of the contract, not of each caller.

use async_trait::async_trait;

use crate::account::{Account, ClientApp, NewAccount, SigningKey, User};
use crate::custom_field::CustomField;
use crate::outbox::{DeliveryOutcome, Lease, OutboxEntry, OutboxState};
use crate::{AccountId, CustomFieldId, EmailAddress, OutboxId, Page, PageRequest, Timestamp};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names what collided.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A per-account quota (such as 100 custom fields) is used up.
    #[error("limit reached: {0}")]
    LimitReached(String),
    /// The database could not be reached or failed; never the caller's fault.
    #[error("database unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl StoreError {
    pub fn unavailable(error: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(error.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The engine's name, for logs and /readyz.
    fn engine(&self) -> &'static str;

    // --- Health ---
    /// One round trip to the database.
    async fn ping(&self) -> StoreResult<()>;

    // --- Accounts and users (CLI, sign-in, token checks) ---
    /// Creates an account, its owner and the owner's confirmed sender address, atomically.
    async fn create_account(&self, new: NewAccount) -> StoreResult<(Account, User)>;
    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>>;
    async fn user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>>;

    // --- OAuth clients ---
    async fn create_client(&self, app: &ClientApp) -> StoreResult<()>;
    async fn client(&self, client_id: &str) -> StoreResult<Option<ClientApp>>;
    /// Returns whether a client was deleted.
    async fn delete_client(&self, client_id: &str) -> StoreResult<bool>;

    // --- Token signing keys ---
    async fn insert_signing_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// Every key, newest first.
    async fn signing_keys(&self) -> StoreResult<Vec<SigningKey>>;

    // --- Contact custom fields ---
    /// Stores a new definition unless the account already has `max_per_account` of them
    /// (`LimitReached`) or one with the same name (`Conflict`).
    async fn create_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
        max_per_account: u32,
    ) -> StoreResult<()>;
    async fn custom_field(
        &self,
        account: AccountId,
        id: CustomFieldId,
    ) -> StoreResult<Option<CustomField>>;
    async fn custom_fields(
        &self,
        account: AccountId,
        page: PageRequest<CustomFieldId>,
    ) -> StoreResult<Page<CustomField, CustomFieldId>>;
    /// Overwrites label, name and choices; returns false when the field does not exist.
    async fn update_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
    ) -> StoreResult<bool>;
    /// Returns false when the field does not exist.
    async fn delete_custom_field(&self, account: AccountId, id: CustomFieldId)
        -> StoreResult<bool>;

    // --- Outbox ---
    // Server-wide rather than per account: delivery workers serve every account, and the
    // account a message was sent for is recorded on the message.
    /// Records a queued message before any delivery is attempted.
    async fn insert_outbox_message(&self, entry: &OutboxEntry) -> StoreResult<()>;
    /// Atomically claims up to `limit` messages that are due at `now` (queued ones whose
    /// `due_at` has passed, and `sending` ones whose lease has expired because their worker
    /// died): each becomes `sending` under `lease` until `lease_until`, with one more attempt
    /// counted. Concurrent callers (threads or nodes) never claim the same message.
    async fn claim_outbox_messages(
        &self,
        now: Timestamp,
        lease: Lease,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// Records a delivery attempt's outcome; false (and nothing changed) when `lease` is no
    /// longer the message's lease.
    async fn record_delivery(
        &self,
        id: OutboxId,
        lease: Lease,
        outcome: &DeliveryOutcome,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxEntry>>;
    /// Newest first, optionally in one state; `page.after` continues with older messages.
    async fn outbox_messages(
        &self,
        state: Option<OutboxState>,
        page: PageRequest<OutboxId>,
    ) -> StoreResult<Page<OutboxEntry, OutboxId>>;
}
