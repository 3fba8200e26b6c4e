//! Account Services: the profile on the account row, the physical address, and the sender
//! addresses with their confirmation tokens.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::account_services::{
    roles_to_text, AccountEmail, AccountEmailFilter, AccountProfile, PhysicalAddress,
    ADDED_EMAIL_PENDING_ROLES, CONFIRMED_BY_SITE_OWNER,
};
use roster_domain::outbox::OutboxEntry;
use roster_domain::{
    AccountId, AccountServicesStore, EmailAddress, StoreError, StoreResult, Timestamp,
};
use roster_store_sql::columns::ACCOUNT_EMAIL_COLUMNS;
use roster_store_sql::{conflict_on_unique, rows, unavailable};

use super::fetch::{ExecuteWrite, FetchDomain};
use super::outbox_writes::write_outbox_entry;
use super::physical_address::write_physical_address;
use super::SqlStore;
use crate::Db;

#[async_trait]
impl AccountServicesStore for SqlStore {
    async fn account_profile(&self, account: AccountId) -> StoreResult<Option<AccountProfile>> {
        sqlx::query_as::<_, rows::AccountProfileRow>(
            "SELECT encoded_id, first_name, last_name, organization_name, organization_phone, \
             contact_email, contact_phone, country_code, state_code, time_zone_id, website, \
             logo_external_url \
             FROM accounts WHERE id = $1",
        )
        .bind(account.0)
        .optional(&self.pool)
        .await
    }

    async fn save_account_profile(
        &self,
        account: AccountId,
        profile: &AccountProfile,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET first_name = $2, last_name = $3, organization_name = $4, \
             organization_phone = $5, contact_email = $6, contact_phone = $7, country_code = $8, \
             state_code = $9, time_zone_id = $10, website = $11, logo_external_url = $12 \
             WHERE id = $1",
        )
        .bind(account.0)
        .bind(&profile.first_name)
        .bind(&profile.last_name)
        .bind(&profile.organization_name)
        .bind(&profile.organization_phone)
        .bind(profile.contact_email.as_ref().map(|e| e.as_str()))
        .bind(&profile.contact_phone)
        .bind(&profile.country_code)
        .bind(&profile.state_code)
        .bind(&profile.time_zone_id)
        .bind(&profile.website)
        .bind(&profile.logo_external_url)
        .affected(&self.pool)
        .await?;
        Ok(done > 0)
    }

    async fn physical_address(&self, account: AccountId) -> StoreResult<Option<PhysicalAddress>> {
        sqlx::query_as::<_, rows::PhysicalAddressRow>(
            "SELECT address_line1, address_line2, address_line3, city, state_code, state_name, \
             postal_code, country_code FROM account_physical_addresses WHERE account_id = $1",
        )
        .bind(account.0)
        .optional(&self.pool)
        .await
    }

    async fn insert_physical_address(
        &self,
        account: AccountId,
        address: &PhysicalAddress,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        write_physical_address(&mut tx, account, address, now, true)
            .await
            .map_err(|e| {
                conflict_on_unique(
                    e,
                    "the account has a physical address already; change it with PUT",
                )
            })?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn replace_physical_address(
        &self,
        account: AccountId,
        address: &PhysicalAddress,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let changed = write_physical_address(&mut tx, account, address, now, false)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(changed > 0)
    }

    async fn account_emails(
        &self,
        account: AccountId,
        filter: &AccountEmailFilter,
    ) -> StoreResult<Vec<AccountEmail>> {
        // One text per filter; the value is always the second parameter.
        let (condition, value) = match filter {
            AccountEmailFilter::All => ("$2 IS NULL", None),
            AccountEmailFilter::Status(status) => {
                ("confirm_status = $2", Some(status.as_str().to_string()))
            }
            AccountEmailFilter::Role(role) => {
                ("roles LIKE $2", Some(format!("%,{},%", role.as_str())))
            }
            AccountEmailFilter::Address(address) => {
                ("email = $2", Some(address.as_str().to_string()))
            }
        };
        let sql = format!(
            "SELECT {ACCOUNT_EMAIL_COLUMNS} FROM account_emails \
             WHERE account_id = $1 AND {condition} ORDER BY email_id"
        );
        sqlx::query_as::<_, rows::AccountEmailRow>(&sql)
            .bind(account.0)
            .bind(value)
            .all(&self.pool)
            .await
    }

    async fn add_account_email(
        &self,
        account: AccountId,
        address: &EmailAddress,
        token_sha256: &str,
        confirmation: &OutboxEntry,
        now: Timestamp,
    ) -> StoreResult<AccountEmail> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Drawing the id first is a write: SQLite takes its write lock before anything is
        // read, and concurrent additions on PostgreSQL queue on the account row.
        let email_id: Option<i64> = sqlx::query_scalar(
            "UPDATE accounts SET account_email_seq = account_email_seq + 1 WHERE id = $1 \
             RETURNING account_email_seq",
        )
        .bind(account.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let Some(email_id) = email_id else {
            return Err(StoreError::unavailable(anyhow::anyhow!(
                "account {account} does not exist"
            )));
        };
        sqlx::query(
            "INSERT INTO account_emails (account_id, email, confirm_status, confirmed_at, \
             created_at, email_id, confirm_source_type, roles, pending_roles) \
             VALUES ($1, $2, 'UNCONFIRMED', NULL, $3, $4, NULL, '', $5)",
        )
        .bind(account.0)
        .bind(address.as_str())
        .bind(now.millis())
        .bind(email_id)
        .bind(roles_to_text(&ADDED_EMAIL_PENDING_ROLES))
        .run_unless_conflict(
            &mut *tx,
            &format!("the account already has the email address {address}"),
        )
        .await?;
        sqlx::query(
            "INSERT INTO account_email_confirmations (account_id, token_sha256, email, \
             created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account.0)
        .bind(token_sha256)
        .bind(address.as_str())
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        write_outbox_entry(&mut tx, confirmation)
            .await
            .map_err(unavailable)?;
        let added = read_account_email(&mut tx, account, address.as_str())
            .await?
            .ok_or_else(|| {
                StoreError::unavailable(anyhow::anyhow!(
                    "the added account email cannot be read back"
                ))
            })?;
        tx.commit().await.map_err(unavailable)?;
        Ok(added)
    }

    async fn account_email_by_token(
        &self,
        account: AccountId,
        token_sha256: &str,
    ) -> StoreResult<Option<AccountEmail>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {ACCOUNT_EMAIL_COLUMNS} FROM account_emails \
                 WHERE account_id = $1 AND email = (SELECT email FROM account_email_confirmations \
                 WHERE account_id = $1 AND token_sha256 = $2)"
            )
        });
        sqlx::query_as::<_, rows::AccountEmailRow>(&SELECT)
            .bind(account.0)
            .bind(token_sha256)
            .optional(&self.pool)
            .await
    }

    async fn confirm_account_email(
        &self,
        account: AccountId,
        token_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<Option<AccountEmail>> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Deleting the token first makes a token usable once, even by concurrent requests.
        let email: Option<String> = sqlx::query_scalar(
            "DELETE FROM account_email_confirmations WHERE account_id = $1 AND token_sha256 = $2 \
             RETURNING email",
        )
        .bind(account.0)
        .bind(token_sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let Some(email) = email else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE account_emails SET confirm_status = 'CONFIRMED', confirmed_at = $3, \
             confirm_source_type = $4, roles = pending_roles, pending_roles = '' \
             WHERE account_id = $1 AND email = $2 AND confirm_status = 'UNCONFIRMED'",
        )
        .bind(account.0)
        .bind(&email)
        .bind(now.millis())
        .bind(CONFIRMED_BY_SITE_OWNER)
        .run(&mut *tx)
        .await?;
        let confirmed = read_account_email(&mut tx, account, &email).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(confirmed)
    }
}

/// The account's sender address `email`, read on `conn` (inside a write's transaction).
async fn read_account_email(
    conn: &mut <Db as sqlx::Database>::Connection,
    account: AccountId,
    email: &str,
) -> StoreResult<Option<AccountEmail>> {
    static SELECT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {ACCOUNT_EMAIL_COLUMNS} FROM account_emails \
             WHERE account_id = $1 AND email = $2"
        )
    });
    sqlx::query_as::<_, rows::AccountEmailRow>(&SELECT)
        .bind(account.0)
        .bind(email)
        .optional(&mut *conn)
        .await
}
