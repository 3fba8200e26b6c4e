//! Contact tags, with their maintained contact counts.

use async_trait::async_trait;

use crate::store::error::StoreResult;
use crate::tag::Tag;
use crate::{AccountId, Page, PageRequest, TagId};

#[async_trait]
pub trait TagStore: Send + Sync {
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
    /// Deletes tags and their taggings (never contacts); returns how many were deleted.
    async fn delete_tags(&self, account: AccountId, tags: &[TagId]) -> StoreResult<i64>;
}
