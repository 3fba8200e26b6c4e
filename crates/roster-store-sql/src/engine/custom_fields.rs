//! Custom field definitions, with the per-account quota claimed on the account's counter.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::custom_field::CustomField;
use roster_domain::{
    AccountId, CustomFieldId, CustomFieldStore, Page, PageRequest, StoreError, StoreResult,
};
use roster_store_sql::columns::CUSTOM_FIELD_COLUMNS;
use roster_store_sql::{conflict_on_unique, rows, unavailable};

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
        // The counter is claimed first: a write as the first statement keeps SQLite from
        // upgrading a read lock, and the guard makes the quota hold under concurrency.
        let claimed = sqlx::query(
            "UPDATE accounts SET custom_field_count = custom_field_count + 1 \
             WHERE id = $1 AND custom_field_count < $2",
        )
        .bind(account.0)
        .bind(i64::from(max_per_account))
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        if claimed.rows_affected() == 0 {
            return Err(StoreError::LimitReached(format!(
                "the account already has the maximum of {max_per_account} custom fields"
            )));
        }
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
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, &rows::duplicate_label_message(&row.label)))?;
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
        let row: Option<rows::CustomFieldRow> = sqlx::query_as(&SELECT)
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?;
        row.map(TryInto::try_into).transpose()
    }

    async fn custom_fields(
        &self,
        account: AccountId,
        page: PageRequest<CustomFieldId>,
    ) -> StoreResult<Page<CustomField, CustomFieldId>> {
        let fetch = i64::from(page.limit) + 1;
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
        let rows: Vec<rows::CustomFieldRow> = match page.after {
            None => {
                sqlx::query_as(&FIRST)
                    .bind(account.0)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await
            }
            Some(after) => {
                sqlx::query_as(&NEXT)
                    .bind(account.0)
                    .bind(after.0)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(unavailable)?;
        let fields = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<CustomField>, _>>()?;
        Ok(Page::from_overfetch(fields, page.limit, |f| f.id))
    }

    async fn all_custom_fields(&self, account: AccountId) -> StoreResult<Vec<CustomField>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CUSTOM_FIELD_COLUMNS} FROM custom_fields \
                 WHERE account_id = $1 ORDER BY id"
            )
        });
        let rows: Vec<rows::CustomFieldRow> = sqlx::query_as(&SELECT)
            .bind(account.0)
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(TryInto::try_into).collect()
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
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_on_unique(e, &rows::duplicate_label_message(&row.label)))?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_custom_field(
        &self,
        account: AccountId,
        id: CustomFieldId,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let deleted = sqlx::query("DELETE FROM custom_fields WHERE account_id = $1 AND id = $2")
            .bind(account.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        // Contacts lose their values for the field with it.
        sqlx::query(
            "DELETE FROM contact_custom_values WHERE account_id = $1 AND custom_field_id = $2",
        )
        .bind(account.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        sqlx::query(
            "UPDATE accounts SET custom_field_count = custom_field_count - 1 WHERE id = $1",
        )
        .bind(account.0)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }
}
