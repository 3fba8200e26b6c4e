//! Accounts and users, and the engine's health.

use async_trait::async_trait;
use roster_domain::account::{Account, NewAccount, User};
use roster_domain::account_services::{roles_to_text, CONFIRMED_BY_SITE_OWNER, OWNER_EMAIL_ROLES};
use roster_domain::{
    AccountId, AccountStore, EmailAddress, Page, PageRequest, StoreResult, UserId,
};
use roster_store_sql::{rows, unavailable};

use super::fetch::{account_row, ExecuteWrite, FetchDomain};
use super::physical_address::write_physical_address;
use super::SqlStore;
use crate::Db;

#[async_trait]
impl AccountStore for SqlStore {
    fn engine(&self) -> &'static str {
        self.dialect.name()
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").run(&self.pool).await
    }

    async fn create_account(&self, new: NewAccount) -> StoreResult<(Account, User)> {
        let (account, user, address) = rows::new_account_records(new);
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The owner's sign-in address is the account's first sender address (email_id 1),
        // confirmed from the start, and the profile's contact email.
        sqlx::query(
            "INSERT INTO accounts (id, encoded_id, organization_name, custom_field_count, \
             created_at, first_name, last_name, contact_email, account_email_seq) \
             VALUES ($1, $2, $3, 0, $4, $5, $6, $7, 1)",
        )
        .bind(account.id.0)
        .bind(&account.encoded_id)
        .bind(&account.organization_name)
        .bind(account.created_at.millis())
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(user.email.as_str())
        .run_unless_conflict(&mut *tx, "an account with this id already exists")
        .await?;
        insert_user(&mut *tx, &user).await?;
        sqlx::query(
            "INSERT INTO account_emails (account_id, email, confirm_status, confirmed_at, \
             created_at, email_id, confirm_source_type, roles, pending_roles) \
             VALUES ($1, $2, 'CONFIRMED', $3, $3, 1, $4, $5, '')",
        )
        .bind(account.id.0)
        .bind(user.email.as_str())
        .bind(account.created_at.millis())
        .bind(CONFIRMED_BY_SITE_OWNER)
        .bind(roles_to_text(&OWNER_EMAIL_ROLES))
        .run(&mut *tx)
        .await?;
        if let Some(address) = &address {
            write_physical_address(&mut tx, account.id, address, account.created_at, true)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok((account, user))
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        sqlx::query_as::<_, rows::AccountRow>(
            "SELECT id, encoded_id, organization_name, created_at, confirmed_opt_in FROM accounts \
             WHERE id = $1",
        )
        .bind(id.0)
        .optional(&self.pool)
        .await
    }

    async fn user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>> {
        sqlx::query_as::<_, rows::UserRow>(
            "SELECT id, account_id, email, password_hash, first_name, last_name, role, created_at \
             FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .optional(&self.pool)
        .await
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        insert_user(&self.pool, user).await
    }

    async fn set_confirmed_opt_in(&self, account: AccountId, on: bool) -> StoreResult<bool> {
        let changed = sqlx::query("UPDATE accounts SET confirmed_opt_in = $2 WHERE id = $1")
            .bind(account.0)
            .bind(on)
            .affected(&self.pool)
            .await?;
        Ok(changed > 0)
    }

    async fn user(&self, account: AccountId, id: UserId) -> StoreResult<Option<User>> {
        let select = "SELECT id, account_id, email, password_hash, first_name, last_name, role, \
                      created_at FROM users WHERE account_id = $1 AND id = $2";
        account_row::<rows::UserRow, _>(&self.pool, select, account, id.0).await
    }

    async fn accounts(
        &self,
        page: PageRequest<AccountId>,
    ) -> StoreResult<Page<Account, AccountId>> {
        // Ids are UUID v7: their order is creation order, and the keyset of the next page.
        let rows: Vec<Account> = sqlx::query_as::<_, rows::AccountRow>(
            "SELECT id, encoded_id, organization_name, created_at, confirmed_opt_in FROM accounts \
             WHERE $1 IS NULL OR id > $1 ORDER BY id LIMIT $2",
        )
        .bind(page.after.map(|id| id.0))
        .bind(i64::from(page.limit) + 1)
        .all(&self.pool)
        .await?;
        Ok(Page::from_overfetch(rows, page.limit, |account| account.id))
    }

    async fn users(&self, account: AccountId) -> StoreResult<Vec<User>> {
        sqlx::query_as::<_, rows::UserRow>(
            "SELECT id, account_id, email, password_hash, first_name, last_name, role, created_at \
             FROM users WHERE account_id = $1 ORDER BY created_at, id",
        )
        .bind(account.0)
        .all(&self.pool)
        .await
    }

    async fn delete_user(&self, account: AccountId, id: UserId) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM users WHERE account_id = $1 AND id = $2")
            .bind(account.0)
            .bind(id.0)
            .affected(&self.pool)
            .await?;
        Ok(deleted > 0)
    }

    async fn set_user_role(&self, account: AccountId, id: UserId, role: &str) -> StoreResult<bool> {
        let changed = sqlx::query("UPDATE users SET role = $3 WHERE account_id = $1 AND id = $2")
            .bind(account.0)
            .bind(id.0)
            .bind(role)
            .affected(&self.pool)
            .await?;
        Ok(changed > 0)
    }

    async fn set_user_password(
        &self,
        account: AccountId,
        id: UserId,
        password_hash: &str,
    ) -> StoreResult<bool> {
        let changed =
            sqlx::query("UPDATE users SET password_hash = $3 WHERE account_id = $1 AND id = $2")
                .bind(account.0)
                .bind(id.0)
                .bind(password_hash)
                .affected(&self.pool)
                .await?;
        Ok(changed > 0)
    }
}

/// Inserts a user: an account's owner with the account, or one added later.
async fn insert_user<'c>(
    executor: impl sqlx::Executor<'c, Database = Db>,
    user: &User,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, account_id, email, password_hash, first_name, last_name, \
         role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(user.id.0)
    .bind(user.account_id.0)
    .bind(user.email.as_str())
    .bind(&user.password_hash)
    .bind(&user.first_name)
    .bind(&user.last_name)
    .bind(&user.role)
    .bind(user.created_at.millis())
    .run_unless_conflict(executor, "a user with this email address already exists")
    .await
}
