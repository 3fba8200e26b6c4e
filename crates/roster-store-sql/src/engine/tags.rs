//! Contact tags, with the contact count each keeps; deleting a tag removes its taggings,
//! never contacts.

use async_trait::async_trait;
use roster_domain::tag::Tag;
use roster_domain::{AccountId, Page, PageRequest, StoreResult, TagId, TagStore};
use roster_store_sql::{rows, unavailable};

use super::binds::existing_ids;
use super::fetch::{ExecuteWrite, FetchDomain, IdPages};
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
        .affected_unless_conflict(
            &self.pool,
            &format!("a tag named \"{}\" already exists", tag.name),
        )
        .await?;
        Ok(())
    }

    async fn tag(&self, account: AccountId, id: TagId) -> StoreResult<Option<Tag>> {
        sqlx::query_as::<_, rows::TagRow>(
            "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
             FROM contact_tags \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(id.0)
        .optional(&self.pool)
        .await
    }

    async fn tags(
        &self,
        account: AccountId,
        page: PageRequest<TagId>,
    ) -> StoreResult<Page<Tag, TagId>> {
        let pages = IdPages {
            first: "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
                    FROM contact_tags \
                    WHERE account_id = $1 ORDER BY id LIMIT $2",
            next: "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
                   FROM contact_tags \
                   WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        };
        let key = |t: &Tag| t.id;
        pages
            .page::<rows::TagRow, _, _>(&self.pool, account, page, |id| id.0, key)
            .await
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
        .affected_unless_conflict(
            &self.pool,
            &format!("a tag named \"{}\" already exists", tag.name),
        )
        .await?;
        Ok(done > 0)
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
                .affected(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM contact_taggings WHERE account_id = $1 AND tag_id = $2")
                .bind(account.0)
                .bind(tag.0)
                .affected(&mut *tx)
                .await?;
            deleted += done as i64;
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(deleted)
    }
}
