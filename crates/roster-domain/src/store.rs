//! The storage contract: one trait, its methods grouped by use case, implemented identically by
//! the SQLite and PostgreSQL engines. Every method that touches an account's data takes the
//! account's id, so isolation between accounts is part of the contract, not of each caller.

use async_trait::async_trait;

use std::collections::BTreeMap;

use crate::account::{Account, ClientApp, NewAccount, SigningKey, User};
use crate::account_services::{AccountEmail, AccountEmailFilter, AccountProfile, PhysicalAddress};
use crate::activity::{
    Activity, ActivityJob, ActivityState, ClaimedActivity, ContactChange, ImportItem, ImportOutcome,
};
use crate::contact::{Bucket, Contact, ContactFilter, Includes};
use crate::contact_list::{ContactList, ListStatusFilter};
use crate::custom_field::CustomField;
use crate::oauth::{AuthorizationCode, DeviceAuthorization, DevicePoll, GrantId, RefreshToken};
use crate::outbox::{DeliveryOutcome, Lease, OutboxEntry, OutboxState};
use crate::resubscription::Resubscription;
use crate::segment::{Segment, SegmentKey, SegmentSort};
use crate::tag::Tag;
use crate::{
    AccountId, ActivityId, ContactId, CustomFieldId, EmailAddress, ListId, OutboxId, Page,
    PageRequest, SegmentId, TagId, Timestamp, UserId,
};

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
    /// Deletes a client with its codes, refresh tokens and device authorizations, and records a
    /// permanent revocation of `client:<id>` so its access tokens stop working on every node.
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

    // --- OAuth: codes, refresh tokens, revocations, users, rate limits ---
    /// Adds a user to an existing account (`Conflict` when the email signs in already).
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    /// A user of the account, or None (another account's user is None too).
    async fn user(&self, account: AccountId, id: UserId) -> StoreResult<Option<User>>;

    async fn insert_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()>;
    async fn authorization_code(&self, code_sha256: &str)
        -> StoreResult<Option<AuthorizationCode>>;
    /// Marks an unused code used; false when it was used already (by a concurrent exchange too).
    async fn claim_authorization_code(
        &self,
        code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    async fn refresh_token(&self, token_sha256: &str) -> StoreResult<Option<RefreshToken>>;
    /// Marks `old` used and stores its successor, atomically; false (and nothing stored) when
    /// `old` was used or revoked already.
    async fn rotate_refresh_token(
        &self,
        old_sha256: &str,
        successor: &RefreshToken,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Revokes a whole grant: its refresh tokens, and (through the revocation `grant:<id>`,
    /// kept until `revocation_expires_at`) the access tokens issued from it.
    async fn revoke_grant(
        &self,
        grant: GrantId,
        now: Timestamp,
        revocation_expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// Records a revocation subject (`jti:…`, `grant:…`, `client:…`) until `expires_at`.
    async fn insert_revocation(&self, subject: &str, expires_at: Timestamp) -> StoreResult<()>;
    /// Every revocation still in force.
    async fn revocations(&self, now: Timestamp) -> StoreResult<Vec<String>>;
    /// Deletes expired codes, device authorizations, revocations and refresh tokens.
    async fn prune_oauth(&self, now: Timestamp) -> StoreResult<()>;

    /// The scopes a user has consented to for a client.
    async fn consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
    ) -> StoreResult<Option<Vec<String>>>;
    /// Replaces the consented scopes.
    async fn save_consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
        scopes: &[String],
    ) -> StoreResult<()>;

    async fn insert_device_authorization(&self, device: &DeviceAuthorization) -> StoreResult<()>;
    async fn device_authorization_by_user_code(
        &self,
        user_code: &str,
    ) -> StoreResult<Option<DeviceAuthorization>>;
    /// Approves (or denies) a pending, unexpired authorization; false otherwise.
    async fn decide_device_authorization(
        &self,
        user_code: &str,
        decision: Option<(AccountId, UserId)>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Records a token-endpoint poll: `SlowDown` (and a 5 s longer interval) when it comes
    /// sooner than the interval allows.
    async fn poll_device_authorization(
        &self,
        device_code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<DevicePoll>;
    /// Marks an approved authorization used; false when it was not approved or used already.
    async fn claim_device_authorization(&self, device_code_sha256: &str) -> StoreResult<bool>;

    /// Failed sign-ins recorded under `key` (`account:…`, `address:…`) since `since`.
    async fn signin_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64>;
    /// Counts one failed sign-in; a window older than `window_start` starts over.
    async fn record_signin_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<()>;
    async fn clear_signin_failures(&self, key: &str) -> StoreResult<()>;

    /// Adds each client's requests to its count for `day` (days since the epoch, UTC) and
    /// returns every listed client's total; a delta of 0 only reads.
    async fn add_api_usage(
        &self,
        day: i64,
        deltas: &[(String, i64)],
    ) -> StoreResult<Vec<(String, i64)>>;
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

    /// Every definition of the account (at most 100), for checking contacts' values.
    async fn all_custom_fields(&self, account: AccountId) -> StoreResult<Vec<CustomField>>;

    // --- Contact lists ---
    /// Stores a new list unless the account has `max_per_account` lists (`LimitReached`) or
    /// one with the same name (`Conflict`).
    async fn create_list(
        &self,
        account: AccountId,
        list: &ContactList,
        max_per_account: u32,
    ) -> StoreResult<()>;
    async fn list(&self, account: AccountId, id: ListId) -> StoreResult<Option<ContactList>>;
    async fn lists(
        &self,
        account: AccountId,
        status: ListStatusFilter,
        name: Option<&str>,
        page: PageRequest<ListId>,
    ) -> StoreResult<Page<ContactList, ListId>>;
    async fn count_lists(
        &self,
        account: AccountId,
        status: ListStatusFilter,
        name: Option<&str>,
    ) -> StoreResult<i64>;
    /// Overwrites name, description and favorite; false when the list does not exist.
    async fn update_list(&self, account: AccountId, list: &ContactList) -> StoreResult<bool>;
    /// Which of `ids` name lists of the account that are not deleted.
    async fn existing_lists(&self, account: AccountId, ids: &[ListId]) -> StoreResult<Vec<ListId>>;

    // --- Contact tags ---
    async fn create_tag(&self, account: AccountId, tag: &Tag) -> StoreResult<()>;
    async fn tag(&self, account: AccountId, id: TagId) -> StoreResult<Option<Tag>>;
    async fn tags(
        &self,
        account: AccountId,
        page: PageRequest<TagId>,
    ) -> StoreResult<Page<Tag, TagId>>;
    /// Renames a tag; false when it does not exist.
    async fn update_tag(&self, account: AccountId, tag: &Tag) -> StoreResult<bool>;
    /// Which of `ids` name tags of the account.
    async fn existing_tags(&self, account: AccountId, ids: &[TagId]) -> StoreResult<Vec<TagId>>;

    // --- Contacts ---
    /// Stores a new contact with its sub-resources and moves the maintained counts;
    /// `Conflict` when the account already has a contact (deleted or not) with its address.
    async fn insert_contact(&self, account: AccountId, contact: &Contact) -> StoreResult<()>;
    /// Stores many new contacts (with lists, tags and custom values) in one transaction, with
    /// multi-row inserts, and moves the maintained counts once by their summed deltas. For bulk
    /// loads: the caller has checked every contact as `insert_contact`'s callers do. `Conflict`
    /// (and nothing stored) when any address is taken, or given twice.
    async fn insert_contacts_bulk(
        &self,
        account: AccountId,
        contacts: &[Contact],
    ) -> StoreResult<()>;
    /// A contact with every sub-resource.
    async fn contact(&self, account: AccountId, id: ContactId) -> StoreResult<Option<Contact>>;
    /// A contact whose memberships, taggings and custom values are read only when `includes`
    /// asks for them (left empty otherwise); phones, addresses and notes are always read.
    /// For answers that show only what was asked for: GET /contacts/{id} without `include`
    /// is one statement.
    async fn contact_with(
        &self,
        account: AccountId,
        id: ContactId,
        includes: crate::contact::Includes,
    ) -> StoreResult<Option<Contact>>;
    async fn contact_by_email(
        &self,
        account: AccountId,
        email: &EmailAddress,
    ) -> StoreResult<Option<Contact>>;
    /// Writes a changed contact (row, sub-resources, memberships, taggings) and moves the
    /// counts by the difference from what is stored now; false when the contact is gone.
    /// `Conflict` when its new address belongs to another contact.
    async fn save_contact(&self, account: AccountId, contact: &Contact) -> StoreResult<bool>;
    /// One page of the contacts matching `filter`, in id order, with the sub-resources named
    /// by `includes` loaded.
    async fn contacts(
        &self,
        account: AccountId,
        filter: &ContactFilter,
        includes: Includes,
        page: PageRequest<ContactId>,
    ) -> StoreResult<Page<Contact, ContactId>>;
    /// How many contacts match `filter`: from the maintained counts when the filter allows,
    /// counted otherwise.
    async fn count_contacts(&self, account: AccountId, filter: &ContactFilter) -> StoreResult<i64>;
    /// The maintained per-bucket counts.
    async fn contact_bucket_counts(&self, account: AccountId)
        -> StoreResult<BTreeMap<Bucket, i64>>;
    /// Contacts that opted in (explicit or implicit) since `since` and are still subscribed.
    async fn count_new_subscribers(&self, account: AccountId, since: Timestamp)
        -> StoreResult<i64>;

    // --- Segments ---
    /// Stores a new segment and returns it with its id; `Conflict` on a duplicate name.
    async fn create_segment(
        &self,
        account: AccountId,
        name: &str,
        criteria: &str,
        now: Timestamp,
    ) -> StoreResult<Segment>;
    async fn segment(&self, account: AccountId, id: SegmentId) -> StoreResult<Option<Segment>>;
    async fn segments(
        &self,
        account: AccountId,
        sort: SegmentSort,
        after: Option<SegmentKey>,
        limit: u32,
    ) -> StoreResult<Page<Segment, SegmentKey>>;
    /// Overwrites name, criteria and edited_at; false when the segment does not exist.
    async fn update_segment(&self, account: AccountId, segment: &Segment) -> StoreResult<bool>;
    async fn delete_segment(&self, account: AccountId, id: SegmentId) -> StoreResult<bool>;

    // --- Bulk activities ---
    /// Queues an activity with its job unless the account already has `max_queued` activities
    /// that are not finished (`LimitReached`).
    async fn create_activity(
        &self,
        activity: &Activity,
        job: &ActivityJob,
        max_queued: u32,
    ) -> StoreResult<()>;
    async fn activity(&self, account: AccountId, id: ActivityId) -> StoreResult<Option<Activity>>;
    /// The account's activities created since `since`, newest first, optionally in one state.
    async fn activities(
        &self,
        account: AccountId,
        state: Option<ActivityState>,
        since: Timestamp,
        page: PageRequest<ActivityId>,
    ) -> StoreResult<Page<Activity, ActivityId>>;
    /// Atomically takes the oldest activity that is queued, or processing under an expired
    /// lease, for `node` until `lease_until`, and marks it processing.
    async fn claim_activity(
        &self,
        node: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ClaimedActivity>>;
    /// Gives a claimed activity back to the queue (graceful shutdown), so any node resumes it.
    async fn release_activity(&self, id: ActivityId, node: &str) -> StoreResult<()>;
    /// Ends an activity held by `node` in `state`, appending `errors`.
    async fn finish_activity(
        &self,
        id: ActivityId,
        node: &str,
        state: ActivityState,
        errors: &[String],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// How many activities (of any account) are not finished.
    async fn unfinished_activities(&self) -> StoreResult<i64>;
    /// One import batch, in one transaction: upserts `items` by normalised email (new
    /// contacts implicit from the Account; existing ones get only the row's properties, never
    /// a permission change), adds them to `lists`, moves the maintained counts, appends the
    /// rejected items' errors, and advances the activity (held by `node`, whose
    /// `items_completed` must still be `done`) past the batch. `Conflict` when the lease was lost.
    #[allow(clippy::too_many_arguments)]
    async fn import_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        items: &[ImportItem],
        lists: &[ListId],
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<ImportOutcome>;
    /// One batch of a contact-walking job, in one transaction: applies `change` to `contacts`
    /// (sorted by id), moves the counts and advances the activity's cursor to `last` (the last
    /// contact visited, which may have been skipped) and its progress by `visited`.
    #[allow(clippy::too_many_arguments)]
    async fn change_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        change: &ContactChange,
        contacts: &[ContactId],
        visited: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()>;
    /// One chunk of an export file, stored with the activity's progress in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn append_export_chunk(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        chunk: &[u8],
        rows: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()>;
    /// The chunk of an export file that follows chunk `after` (None: the first).
    async fn export_chunk(
        &self,
        account: AccountId,
        activity: ActivityId,
        after: Option<i64>,
    ) -> StoreResult<Option<(i64, Vec<u8>)>>;
    /// Marks lists deleted and removes their memberships (never contacts); returns how many
    /// lists were deleted.
    async fn delete_lists(&self, account: AccountId, lists: &[ListId]) -> StoreResult<i64>;
    /// Deletes tags and their taggings (never contacts); returns how many were deleted.
    async fn delete_tags(&self, account: AccountId, tags: &[TagId]) -> StoreResult<i64>;
    /// Drops activities (with their errors and files) created before `before`.
    async fn purge_activities(&self, before: Timestamp) -> StoreResult<u64>;

    // --- Resubscription ---
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

    // --- Account services ---
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
