//! The storage contract: one trait, its methods grouped by use case, implemented identically by
//! the SQLite and PostgreSQL engines. Every method that touches an account's data takes the
//! account's id, so isolation between accounts is part of the contract, not of each caller.

use async_trait::async_trait;

use std::collections::BTreeMap;

use crate::account::{Account, ClientApp, NewAccount, SigningKey, User};
use crate::contact::{Bucket, Contact, ContactFilter, Includes};
use crate::contact_list::{ContactList, ListStatusFilter};
use crate::custom_field::CustomField;
use crate::tag::Tag;
use crate::{
    AccountId, ContactId, CustomFieldId, EmailAddress, ListId, Page, PageRequest, TagId, Timestamp,
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
}
