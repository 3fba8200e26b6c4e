//! Contact lists, with their maintained member counts.

use async_trait::async_trait;

use crate::contact_list::{ContactList, ListStatusFilter};
use crate::store::error::StoreResult;
use crate::{AccountId, ListId, Page, PageRequest};

#[async_trait]
pub trait ListStore: Send + Sync {
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
    /// Marks lists deleted and removes their memberships (never contacts); returns how many
    /// lists were deleted.
    async fn delete_lists(&self, account: AccountId, lists: &[ListId]) -> StoreResult<i64>;
}
