//! The SQL that SQLite and PostgreSQL share. Both engines store ids as UUIDs (BLOB in SQLite,
//! `uuid` in PostgreSQL), instants as BIGINT milliseconds since the epoch, and JSON documents as
//! text, so one query text serves both. The queries are written once, in [`impl_store!`], which
//! each engine crate expands for its own store type: sqlx's executor traits are easiest to use on
//! concrete database types, and a macro gives that without writing any query twice.

pub mod contact_sql;
mod contact_store;
pub mod rows;

// Re-exported so the macro's expansion resolves them from the engine crates.
pub use async_trait;
pub use roster_domain;
pub use sqlx;
pub use uuid;

use roster_domain::StoreError;

/// Maps a unique-constraint violation to `Conflict(what)`, and anything else to `Unavailable`.
pub fn conflict_on_unique(error: sqlx::Error, what: &str) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(what.to_string()),
        _ => StoreError::unavailable(error),
    }
}

/// Any database failure that is not the caller's fault.
pub fn unavailable(error: sqlx::Error) -> StoreError {
    StoreError::unavailable(error)
}

/// The WHERE conditions of a list collection query.
pub fn list_conditions(
    sql: &mut contact_sql::Sql,
    status: roster_domain::contact_list::ListStatusFilter,
    name: Option<&str>,
) {
    use roster_domain::contact_list::ListStatusFilter;
    match status {
        ListStatusFilter::Active => sql.text.push_str(" AND deleted_at IS NULL"),
        ListStatusFilter::Deleted => sql.text.push_str(" AND deleted_at IS NOT NULL"),
        ListStatusFilter::All => {}
    }
    if let Some(name) = name {
        let name = sql.bind(contact_sql::Bind::Text(name.to_lowercase()));
        sql.text.push_str(&format!(" AND name_key = {name}"));
    }
}

/// Implements `roster_domain::Store` for an engine's store type `$store`, which must have a
/// field `pool: sqlx::Pool<$db>` and an associated `const ENGINE: &'static str`.
#[macro_export]
macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        impl $store {
            $crate::contact_helpers!($db);
        }

        // The contact methods are spliced in by a second macro: async_trait must see every
        // method of the impl as written, not as a macro call.
        $crate::contact_store_methods! { $store, $db, {

            fn engine(&self) -> &'static str {
                Self::ENGINE
            }

            async fn ping(&self) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query("SELECT 1").execute(&self.pool).await.map_err($crate::unavailable)?;
                Ok(())
            }

            async fn create_account(
                &self,
                new: $crate::roster_domain::account::NewAccount,
            ) -> $crate::roster_domain::store::StoreResult<(
                $crate::roster_domain::account::Account,
                $crate::roster_domain::account::User,
            )> {
                let (account, user) = $crate::rows::new_account_records(new);
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                $crate::sqlx::query(
                    "INSERT INTO accounts (id, encoded_id, organization_name, custom_field_count, created_at) \
                     VALUES ($1, $2, $3, 0, $4)",
                )
                .bind(account.id.0)
                .bind(&account.encoded_id)
                .bind(&account.organization_name)
                .bind(account.created_at.millis())
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "an account with this id already exists"))?;
                $crate::sqlx::query(
                    "INSERT INTO users (id, account_id, email, password_hash, first_name, last_name, role, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(user.id.0)
                .bind(account.id.0)
                .bind(user.email.as_str())
                .bind(&user.password_hash)
                .bind(&user.first_name)
                .bind(&user.last_name)
                .bind(&user.role)
                .bind(user.created_at.millis())
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a user with this email address already exists"))?;
                $crate::sqlx::query(
                    "INSERT INTO account_emails (account_id, email, confirm_status, confirmed_at, created_at) \
                     VALUES ($1, $2, 'CONFIRMED', $3, $3)",
                )
                .bind(account.id.0)
                .bind(user.email.as_str())
                .bind(account.created_at.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok((account, user))
            }

            async fn account(
                &self,
                id: $crate::roster_domain::AccountId,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account::Account>> {
                let row: Option<$crate::rows::AccountRow> = $crate::sqlx::query_as(
                    "SELECT id, encoded_id, organization_name, created_at FROM accounts WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(row.map(Into::into))
            }

            async fn user_by_email(
                &self,
                email: &$crate::roster_domain::EmailAddress,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account::User>> {
                let row: Option<$crate::rows::UserRow> = $crate::sqlx::query_as(
                    "SELECT id, account_id, email, password_hash, first_name, last_name, role, created_at \
                     FROM users WHERE email = $1",
                )
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn create_client(
                &self,
                app: &$crate::roster_domain::account::ClientApp,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_clients (client_id, secret_sha256, name, redirect_uris, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&app.client_id)
                .bind(&app.secret_sha256)
                .bind(&app.name)
                .bind($crate::rows::to_json(&app.redirect_uris))
                .bind(app.created_at.millis())
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a client with this id already exists"))?;
                Ok(())
            }

            async fn client(
                &self,
                client_id: &str,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account::ClientApp>> {
                let row: Option<$crate::rows::ClientRow> = $crate::sqlx::query_as(
                    "SELECT client_id, secret_sha256, name, redirect_uris, created_at FROM oauth_clients WHERE client_id = $1",
                )
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn delete_client(&self, client_id: &str) -> $crate::roster_domain::store::StoreResult<bool> {
                let done = $crate::sqlx::query("DELETE FROM oauth_clients WHERE client_id = $1")
                    .bind(client_id)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::unavailable)?;
                Ok(done.rows_affected() > 0)
            }

            async fn insert_signing_key(
                &self,
                key: &$crate::roster_domain::account::SigningKey,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO signing_keys (kid, encrypted_private_key, public_key_der, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(&key.kid)
                .bind(&key.encrypted_private_key)
                .bind(&key.public_key_der)
                .bind(key.created_at.millis())
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a signing key with this kid already exists"))?;
                Ok(())
            }

            async fn signing_keys(
                &self,
            ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::account::SigningKey>> {
                let rows: Vec<$crate::rows::SigningKeyRow> = $crate::sqlx::query_as(
                    "SELECT kid, encrypted_private_key, public_key_der, created_at FROM signing_keys \
                     ORDER BY created_at DESC, kid DESC",
                )
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn create_custom_field(
                &self,
                account: $crate::roster_domain::AccountId,
                field: &$crate::roster_domain::custom_field::CustomField,
                max_per_account: u32,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                let row = $crate::rows::CustomFieldRow::from_domain(field);
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                // The counter is claimed first: a write as the first statement keeps SQLite from
                // upgrading a read lock, and the guard makes the quota hold under concurrency.
                let claimed = $crate::sqlx::query(
                    "UPDATE accounts SET custom_field_count = custom_field_count + 1 \
                     WHERE id = $1 AND custom_field_count < $2",
                )
                .bind(account.0)
                .bind(i64::from(max_per_account))
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                if claimed.rows_affected() == 0 {
                    return Err($crate::roster_domain::StoreError::LimitReached(format!(
                        "the account already has the maximum of {max_per_account} custom fields"
                    )));
                }
                $crate::sqlx::query(
                    "INSERT INTO custom_fields (account_id, id, label, name, name_key, field_type, metadata, version, \
                     choices, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
                .map_err(|e| $crate::conflict_on_unique(e, &$crate::rows::duplicate_label_message(&row.label)))?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(())
            }

            async fn custom_field(
                &self,
                account: $crate::roster_domain::AccountId,
                id: $crate::roster_domain::CustomFieldId,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::custom_field::CustomField>> {
                let row: Option<$crate::rows::CustomFieldRow> = $crate::sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::custom_field_columns!(),
                    " FROM custom_fields WHERE account_id = $1 AND id = $2"
                ))
                .bind(account.0)
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn custom_fields(
                &self,
                account: $crate::roster_domain::AccountId,
                page: $crate::roster_domain::PageRequest<$crate::roster_domain::CustomFieldId>,
            ) -> $crate::roster_domain::store::StoreResult<
                $crate::roster_domain::Page<
                    $crate::roster_domain::custom_field::CustomField,
                    $crate::roster_domain::CustomFieldId,
                >,
            > {
                let fetch = i64::from(page.limit) + 1;
                let rows: Vec<$crate::rows::CustomFieldRow> = match page.after {
                    None => $crate::sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::custom_field_columns!(),
                        " FROM custom_fields WHERE account_id = $1 ORDER BY id LIMIT $2"
                    ))
                    .bind(account.0)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await,
                    Some(after) => $crate::sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::custom_field_columns!(),
                        " FROM custom_fields WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3"
                    ))
                    .bind(account.0)
                    .bind(after.0)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await,
                }
                .map_err($crate::unavailable)?;
                let fields = rows
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<Result<Vec<$crate::roster_domain::custom_field::CustomField>, _>>()?;
                Ok($crate::roster_domain::Page::from_overfetch(fields, page.limit, |f| f.id))
            }

            async fn update_custom_field(
                &self,
                account: $crate::roster_domain::AccountId,
                field: &$crate::roster_domain::custom_field::CustomField,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let row = $crate::rows::CustomFieldRow::from_domain(field);
                let done = $crate::sqlx::query(
                    "UPDATE custom_fields SET label = $3, name = $4, name_key = $5, choices = $6, updated_at = $7 \
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
                .map_err(|e| $crate::conflict_on_unique(e, &$crate::rows::duplicate_label_message(&row.label)))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_custom_field(
                &self,
                account: $crate::roster_domain::AccountId,
                id: $crate::roster_domain::CustomFieldId,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                let deleted = $crate::sqlx::query("DELETE FROM custom_fields WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                if deleted.rows_affected() == 0 {
                    return Ok(false);
                }
                // Contacts lose their values for the field with it.
                $crate::sqlx::query("DELETE FROM contact_custom_values WHERE account_id = $1 AND custom_field_id = $2")
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                $crate::sqlx::query("UPDATE accounts SET custom_field_count = custom_field_count - 1 WHERE id = $1")
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(true)
            }
        } }
    };
}

/// The columns `rows::CustomFieldRow` reads, in one place.
#[macro_export]
#[doc(hidden)]
macro_rules! custom_field_columns {
    () => {
        "id, label, name, field_type, metadata, version, choices, created_at, updated_at"
    };
}
