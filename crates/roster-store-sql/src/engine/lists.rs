//! Contact lists: the per-account quota claimed with the insert, pages and counts by status
//! and name, and the bulk delete, which keeps contacts and drops only memberships.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::contact_list::{ContactList, ListStatusFilter};
use roster_domain::{AccountId, ListId, ListStore, Page, PageRequest, StoreResult, Timestamp};
use roster_store_sql::columns::LIST_COLUMNS;
use roster_store_sql::contact_sql::{Bind, Sql};
use roster_store_sql::{list_conditions, rows, unavailable};

use super::binds::{bound, existing_ids};
use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use super::named::{name_taken, named_write};
use super::quota::{claim_quota, release_quota};
use super::SqlStore;

#[async_trait]
impl ListStore for SqlStore {
    async fn create_list(
        &self,
        account: AccountId,
        list: &ContactList,
        max_per_account: u32,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let claim =
            "UPDATE accounts SET list_count = list_count + 1 WHERE id = $1 AND list_count < $2";
        claim_quota(&mut tx, claim, account, max_per_account, "contact lists").await?;
        let insert = "INSERT INTO contact_lists (account_id, id, name, name_key, description, \
                      favorite, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        named_write(insert, account, list.id.0, &list.name)
            .bind(&list.description)
            .bind(list.favorite)
            .bind(list.created_at.millis())
            .bind(list.updated_at.millis())
            .run_unless_conflict(&mut *tx, &name_taken("contact list", &list.name))
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn list(&self, account: AccountId, id: ListId) -> StoreResult<Option<ContactList>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {LIST_COLUMNS} FROM contact_lists WHERE account_id = $1 AND id = $2")
        });
        account_row::<rows::ListRow, _>(&self.pool, &SELECT, account, id.0).await
    }

    async fn lists(
        &self,
        account: AccountId,
        status: ListStatusFilter,
        name: Option<&str>,
        page: PageRequest<ListId>,
    ) -> StoreResult<Page<ContactList, ListId>> {
        let mut sql = Sql::default();
        let account_bind = sql.bind(Bind::Uuid(account.0));
        sql.text =
            format!("SELECT {LIST_COLUMNS} FROM contact_lists WHERE account_id = {account_bind}");
        list_conditions(&mut sql, status, name);
        if let Some(after) = page.after {
            let after = sql.bind(Bind::Uuid(after.0));
            sql.text.push_str(&format!(" AND id > {after}"));
        }
        let limit = sql.bind(Bind::I64(i64::from(page.limit) + 1));
        sql.text.push_str(&format!(" ORDER BY id LIMIT {limit}"));
        let lists = bound::<rows::ListRow>(&sql).all(&self.pool).await?;
        Ok(Page::from_overfetch(
            lists,
            page.limit,
            |l: &ContactList| l.id,
        ))
    }

    async fn count_lists(
        &self,
        account: AccountId,
        status: ListStatusFilter,
        name: Option<&str>,
    ) -> StoreResult<i64> {
        let mut sql = Sql::default();
        let account_bind = sql.bind(Bind::Uuid(account.0));
        sql.text = format!("SELECT COUNT(*) FROM contact_lists WHERE account_id = {account_bind}");
        list_conditions(&mut sql, status, name);
        let (count,): (i64,) = bound::<(i64,)>(&sql).one(&self.pool).await?;
        Ok(count)
    }

    async fn update_list(&self, account: AccountId, list: &ContactList) -> StoreResult<bool> {
        let update = "UPDATE contact_lists SET name = $3, name_key = $4, description = $5, \
                      favorite = $6, updated_at = $7 \
                      WHERE account_id = $1 AND id = $2";
        let done = named_write(update, account, list.id.0, &list.name)
            .bind(&list.description)
            .bind(list.favorite)
            .bind(list.updated_at.millis())
            .affected_unless_conflict(&self.pool, &name_taken("contact list", &list.name))
            .await?;
        Ok(done > 0)
    }

    async fn existing_lists(&self, account: AccountId, ids: &[ListId]) -> StoreResult<Vec<ListId>> {
        existing_ids(
            &self.pool,
            "contact_lists WHERE deleted_at IS NULL AND",
            account,
            ids,
        )
        .await
    }

    async fn delete_lists(&self, account: AccountId, lists: &[ListId]) -> StoreResult<i64> {
        let now = Timestamp::now().millis();
        let mut deleted = 0;
        for list in lists {
            let mut tx = self.pool.begin().await.map_err(unavailable)?;
            let done = account_write(
                "UPDATE contact_lists SET deleted_at = $3, updated_at = $3, member_count = 0, \
                 active_member_count = 0 \
                 WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL",
                account,
                list.0,
            )
            .bind(now)
            .affected(&mut *tx)
            .await?;
            if done == 1 {
                account_write(
                    "DELETE FROM contact_list_members WHERE account_id = $1 AND list_id = $2",
                    account,
                    list.0,
                )
                .run(&mut *tx)
                .await?;
                let release = "UPDATE accounts SET list_count = list_count - 1 WHERE id = $1";
                release_quota(&mut tx, release, account).await?;
                deleted += 1;
            }
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(deleted)
    }
}
