//! Contact tags, with the contact count each keeps; deleting a tag removes its taggings,
//! never contacts.

use async_trait::async_trait;
use roster_domain::tag::Tag;
use roster_domain::{AccountId, Page, PageRequest, StoreResult, TagId, TagStore};
use roster_store_sql::{conflict_on_unique, rows, unavailable};

use super::binds::existing_ids;
use super::SqlStore;

#[async_trait]
impl TagStore for SqlStore {
    async fn create_tag(&self, account: AccountId, tag: &Tag) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_tags (account_id, id, name, name_key, tag_source, \
             contacts_count, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
        )
        .bind(account.0)
        .bind(tag.id.0)
        .bind(&tag.name)
        .bind(tag.name.to_lowercase())
        .bind(&tag.tag_source)
        .bind(tag.created_at.millis())
        .bind(tag.updated_at.millis())
        .execute(&self.pool)
        .await
        .map_err(|e| {
            conflict_on_unique(e, &format!("a tag named \"{}\" already exists", tag.name))
        })?;
        Ok(())
    }

    async fn tag(&self, account: AccountId, id: TagId) -> StoreResult<Option<Tag>> {
        let row: Option<rows::TagRow> = sqlx::query_as(
            "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
             FROM contact_tags \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(row.map(Into::into))
    }

    async fn tags(
        &self,
        account: AccountId,
        page: PageRequest<TagId>,
    ) -> StoreResult<Page<Tag, TagId>> {
        let fetch = i64::from(page.limit) + 1;
        let rows: Vec<rows::TagRow> = match page.after {
            None => {
                sqlx::query_as(
                    "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
                     FROM contact_tags \
                     WHERE account_id = $1 ORDER BY id LIMIT $2",
                )
                .bind(account.0)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await
            }
            Some(after) => {
                sqlx::query_as(
                    "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
                     FROM contact_tags \
                     WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(account.0)
                .bind(after.0)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await
            }
        }
        .map_err(unavailable)?;
        let tags = rows.into_iter().map(Into::into).collect();
        Ok(Page::from_overfetch(tags, page.limit, |t: &Tag| t.id))
    }

    async fn update_tag(&self, account: AccountId, tag: &Tag) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE contact_tags SET name = $3, name_key = $4, updated_at = $5 \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(tag.id.0)
        .bind(&tag.name)
        .bind(tag.name.to_lowercase())
        .bind(tag.updated_at.millis())
        .execute(&self.pool)
        .await
        .map_err(|e| {
            conflict_on_unique(e, &format!("a tag named \"{}\" already exists", tag.name))
        })?;
        Ok(done.rows_affected() > 0)
    }

    async fn existing_tags(&self, account: AccountId, ids: &[TagId]) -> StoreResult<Vec<TagId>> {
        let found = existing_ids(
            &self.pool,
            "contact_tags WHERE",
            account,
            ids.iter().map(|id| id.0),
        )
        .await?;
        Ok(found.into_iter().map(TagId).collect())
    }

    async fn delete_tags(&self, account: AccountId, tags: &[TagId]) -> StoreResult<i64> {
        let mut deleted = 0;
        for tag in tags {
            let mut tx = self.pool.begin().await.map_err(unavailable)?;
            let done = sqlx::query("DELETE FROM contact_tags WHERE account_id = $1 AND id = $2")
                .bind(account.0)
                .bind(tag.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
            sqlx::query("DELETE FROM contact_taggings WHERE account_id = $1 AND tag_id = $2")
                .bind(account.0)
                .bind(tag.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
            deleted += done.rows_affected() as i64;
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(deleted)
    }
}
