//! Contact tags, with the contact count each keeps; deleting a tag removes its taggings,
//! never contacts.

use async_trait::async_trait;
use roster_domain::tag::Tag;
use roster_domain::{AccountId, Page, PageRequest, StoreResult, TagId, TagStore};
use roster_store_sql::{rows, unavailable};

use super::binds::existing_ids;
use super::fetch::{account_row, account_write, ExecuteWrite, IdPages};
use super::named::{name_taken, named_write};
use super::SqlStore;

#[async_trait]
impl TagStore for SqlStore {
    async fn create_tag(&self, account: AccountId, tag: &Tag) -> StoreResult<()> {
        let insert = "INSERT INTO contact_tags (account_id, id, name, name_key, tag_source, \
                      contacts_count, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, 0, $6, $7)";
        named_write(insert, account, tag.id.0, &tag.name)
            .bind(&tag.tag_source)
            .bind(tag.created_at.millis())
            .bind(tag.updated_at.millis())
            .run_unless_conflict(&self.pool, &name_taken("tag", &tag.name))
            .await
    }

    async fn tag(&self, account: AccountId, id: TagId) -> StoreResult<Option<Tag>> {
        let select = "SELECT id, name, tag_source, contacts_count, created_at, updated_at \
                      FROM contact_tags \
                      WHERE account_id = $1 AND id = $2";
        account_row::<rows::TagRow, _>(&self.pool, select, account, id.0).await
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
        let update = "UPDATE contact_tags SET name = $3, name_key = $4, updated_at = $5 \
                      WHERE account_id = $1 AND id = $2";
        let done = named_write(update, account, tag.id.0, &tag.name)
            .bind(tag.updated_at.millis())
            .affected_unless_conflict(&self.pool, &name_taken("tag", &tag.name))
            .await?;
        Ok(done > 0)
    }

    async fn existing_tags(&self, account: AccountId, ids: &[TagId]) -> StoreResult<Vec<TagId>> {
        existing_ids(&self.pool, "contact_tags WHERE", account, ids).await
    }

    async fn delete_tags(&self, account: AccountId, tags: &[TagId]) -> StoreResult<i64> {
        let mut deleted = 0;
        for tag in tags {
            let mut tx = self.pool.begin().await.map_err(unavailable)?;
            let done = account_write(
                "DELETE FROM contact_tags WHERE account_id = $1 AND id = $2",
                account,
                tag.0,
            )
            .affected(&mut *tx)
            .await?;
            account_write(
                "DELETE FROM contact_taggings WHERE account_id = $1 AND tag_id = $2",
                account,
                tag.0,
            )
            .run(&mut *tx)
            .await?;
            deleted += done as i64;
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(deleted)
    }
}
