//! Contacts with their sub-resources (phones, addresses, notes, memberships, taggings,
//! custom values) and the maintained per-bucket counts.

use async_trait::async_trait;

use std::collections::BTreeMap;

use crate::contact::{Bucket, Contact, ContactFilter, Includes};
use crate::store::error::StoreResult;
use crate::{AccountId, ContactId, EmailAddress, Page, PageRequest, Timestamp};

#[async_trait]
pub trait ContactStore: Send + Sync {
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
        includes: Includes,
    ) -> StoreResult<Option<Contact>>;
    /// The contacts among `ids` that exist, in no particular order, with the links `includes`
    /// asks for: two statements however many (a batch of campaign recipients).
    async fn contacts_by_id(
        &self,
        account: AccountId,
        ids: &[ContactId],
        includes: Includes,
    ) -> StoreResult<Vec<Contact>>;
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
