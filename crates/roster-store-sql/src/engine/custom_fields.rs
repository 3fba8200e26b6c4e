//! Custom field definitions, with the per-account quota claimed on the account's counter.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::custom_field::CustomField;
use roster_domain::{AccountId, CustomFieldId, CustomFieldStore, Page, PageRequest, StoreResult};
use roster_store_sql::columns::CUSTOM_FIELD_COLUMNS;
use roster_store_sql::{rows, unavailable};

use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain, IdPages};
use super::quota::{claim_quota, release_quota};
use super::SqlStore;

#[async_trait]
impl CustomFieldStore for SqlStore {
    async fn create_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
        max_per_account: u32,
    ) -> StoreResult<()> {
        let row = rows::CustomFieldRow::from_domain(field);
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let claim = "UPDATE accounts SET custom_field_count = custom_field_count + 1 \
                     WHERE id = $1 AND custom_field_count < $2";
        claim_quota(&mut tx, claim, account, max_per_account, "custom fields").await?;
        sqlx::query(
            "INSERT INTO custom_fields (account_id, id, label, name, name_key, field_type, \
             metadata, version, choices, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(account.0)
        .bind(row.id)
        .bind(&row.label)
        .bind(&row.name)
        .bind(row.name.to_lowercase())
        .bind(&row.field_type)
        .bind(&row.metadata)
        .bind(row.version)
        .bind(&row.choices)
        .bind(row.created_at)
        .bind(row.updated_at)
        .run_unless_conflict(&mut *tx, &rows::duplicate_label_message(&row.label))
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn custom_field(
        &self,
        account: AccountId,
        id: CustomFieldId,
    ) -> StoreResult<Option<CustomField>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields \
                 WHERE account_id = $1 AND id = $2"
            )
        });
        account_row::<rows::CustomFieldRow, _>(&self.pool, &SELECT, account, id.0).await
    }

    async fn custom_fields(
        &self,
        account: AccountId,
        page: PageRequest<CustomFieldId>,
    ) -> StoreResult<Page<CustomField, CustomFieldId>> {
        static FIRST: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields \
                 WHERE account_id = $1 ORDER BY id LIMIT $2"
            )
        });
        static NEXT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields \
                 WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3"
            )
        });
        let pages = IdPages {
            first: &FIRST,
            next: &NEXT,
        };
        let key = |f: &CustomField| f.id;
        pages
            .page::<rows::CustomFieldRow, _, _>(&self.pool, account, page, |id| id.0, key)
            .await
    }

    async fn all_custom_fields(&self, account: AccountId) -> StoreResult<Vec<CustomField>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields \
                 WHERE account_id = $1 ORDER BY id"
            )
        });
        sqlx::query_as::<_, rows::CustomFieldRow>(&SELECT)
            .bind(account.0)
            .all(&self.pool)
            .await
    }

    async fn update_custom_field(
        &self,
        account: AccountId,
        field: &CustomField,
    ) -> StoreResult<bool> {
        let row = rows::CustomFieldRow::from_domain(field);
        let done = sqlx::query(
            "UPDATE custom_fields SET label = $3, name = $4, name_key = $5, choices = $6, \
             updated_at = $7 \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(row.id)
        .bind(&row.label)
        .bind(&row.name)
        .bind(row.name.to_lowercase())
        .bind(&row.choices)
        .bind(row.updated_at)
        .affected_unless_conflict(&self.pool, &rows::duplicate_label_message(&row.label))
        .await?;
        Ok(done > 0)
    }

    async fn delete_custom_field(
        &self,
        account: AccountId,
        id: CustomFieldId,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let deleted = account_write(
            "DELETE FROM custom_fields WHERE account_id = $1 AND id = $2",
            account,
            id.0,
        )
        .affected(&mut *tx)
        .await?;
        if deleted == 0 {
            return Ok(false);
        }
        // Contacts lose their values for the field with it.
        account_write(
            "DELETE FROM contact_custom_values WHERE account_id = $1 AND custom_field_id = $2",
            account,
            id.0,
        )
        .run(&mut *tx)
        .await?;
        let release =
            "UPDATE accounts SET custom_field_count = custom_field_count - 1 WHERE id = $1";
        release_quota(&mut tx, release, account).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }
}
