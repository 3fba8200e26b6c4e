//! Contact custom fields: the account's definitions (at most 100).

use async_trait::async_trait;

use crate::custom_field::CustomField;
use crate::store::error::StoreResult;
use crate::{AccountId, CustomFieldId, Page, PageRequest};

#[async_trait]
pub trait CustomFieldStore: Send + Sync {
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
    /// Every definition of the account (at most 100), for checking contacts' values.
    async fn all_custom_fields(&self, account: AccountId) -> StoreResult<Vec<CustomField>>;
    /// Overwrites label, name and choices; returns false when the field does not exist.
    async fn update_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
    ) -> StoreResult<bool>;
    /// Returns false when the field does not exist.
    async fn delete_custom_field(&self, account: AccountId, id: CustomFieldId)
        -> StoreResult<bool>;
}
