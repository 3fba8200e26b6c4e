//! The SQL that SQLite and PostgreSQL share. Both engines store ids as UUIDs (BLOB in SQLite,
//! `uuid` in PostgreSQL), instants as BIGINT milliseconds since the epoch, and JSON documents as
//! text, so one query text serves both. The queries are written once, in [`impl_store!`], which
//! each engine crate expands for its own store type: sqlx's executor traits are easiest to use on
//! concrete database types, and a macro gives that without writing any query twice.

mod account_store;
mod activity_store;
pub mod contact_sql;
mod contact_store;
mod documents;
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
/// field `pool: sqlx::Pool<$db>`, an associated `const ENGINE: &'static str`, and the one query
/// whose text differs by engine, the outbox claim: an inherent
/// `async fn claim_outbox_batch(&self, now: i64, lease: Uuid, lease_until: i64, limit: i64)
/// -> Result<Vec<rows::OutboxRow>, sqlx::Error>`.
#[macro_export]
macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        impl $store {
            $crate::contact_helpers!($db);

            /// Writes one outbox row; shared by the outbox API and the writes that queue a
            /// message in their own transaction (sender-address confirmations).
            async fn write_outbox_entry(
                conn: &mut <$db as $crate::sqlx::Database>::Connection,
                entry: &$crate::roster_domain::outbox::OutboxEntry,
            ) -> Result<(), $crate::sqlx::Error> {
                let row = $crate::rows::OutboxRow::from_domain(entry);
                $crate::sqlx::query(concat!(
                    "INSERT INTO outbox (",
                    $crate::outbox_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
                ))
                .bind(row.id)
                .bind(row.account_id)
                .bind(&row.kind)
                .bind(&row.message_id)
                .bind(&row.from_mailbox)
                .bind(&row.reply_to)
                .bind(&row.recipients)
                .bind(&row.subject)
                .bind(&row.headers)
                .bind(&row.text_body)
                .bind(&row.html_body)
                .bind(&row.state)
                .bind(row.attempts)
                .bind(&row.last_reply)
                .bind(row.due_at)
                .bind(row.lease_token)
                .bind(row.created_at)
                .bind(row.updated_at)
                .bind(row.finished_at)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            $crate::account_helpers!($db);
            $crate::activity_helpers!($db);
        }

        // The account-services, activity and contact methods are spliced in by further macros:
        // async_trait must see every method of the impl as written, not as a macro call.
        $crate::account_store_methods! { $store, $db, {

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
                let (account, user, address) = $crate::rows::new_account_records(new);
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                // The owner's sign-in address is the account's first sender address (email_id 1),
                // confirmed from the start, and the profile's contact email.
                $crate::sqlx::query(
                    "INSERT INTO accounts (id, encoded_id, organization_name, custom_field_count, created_at, \
                     first_name, last_name, contact_email, account_email_seq) \
                     VALUES ($1, $2, $3, 0, $4, $5, $6, $7, 1)",
                )
                .bind(account.id.0)
                .bind(&account.encoded_id)
                .bind(&account.organization_name)
                .bind(account.created_at.millis())
                .bind(&user.first_name)
                .bind(&user.last_name)
                .bind(user.email.as_str())
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
                    "INSERT INTO account_emails (account_id, email, confirm_status, confirmed_at, created_at, \
                     email_id, confirm_source_type, roles, pending_roles) \
                     VALUES ($1, $2, 'CONFIRMED', $3, $3, 1, $4, $5, '')",
                )
                .bind(account.id.0)
                .bind(user.email.as_str())
                .bind(account.created_at.millis())
                .bind($crate::roster_domain::account_services::CONFIRMED_BY_SITE_OWNER)
                .bind($crate::roster_domain::account_services::roles_to_text(
                    &$crate::roster_domain::account_services::OWNER_EMAIL_ROLES,
                ))
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                if let Some(address) = &address {
                    Self::write_physical_address(&mut tx, account.id, address, account.created_at, true)
                        .await
                        .map_err($crate::unavailable)?;
                }
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
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                let done = $crate::sqlx::query("DELETE FROM oauth_clients WHERE client_id = $1")
                    .bind(client_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                for table in ["oauth_codes", "oauth_refresh_tokens", "oauth_device_authorizations", "oauth_consents"] {
                    $crate::sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                        .bind(client_id)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::unavailable)?;
                }
                // Permanent: a deleted client's access tokens must never verify again.
                $crate::sqlx::query(
                    "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (subject) DO NOTHING",
                )
                .bind(format!("client:{client_id}"))
                .bind(i64::MAX)
                .bind($crate::roster_domain::Timestamp::now().millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(true)
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

            async fn create_user(
                &self,
                user: &$crate::roster_domain::account::User,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO users (id, account_id, email, password_hash, first_name, last_name, role, created_at) \
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
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a user with this email address already exists"))?;
                Ok(())
            }

            async fn user(
                &self,
                account: $crate::roster_domain::AccountId,
                id: $crate::roster_domain::UserId,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account::User>> {
                let row: Option<$crate::rows::UserRow> = $crate::sqlx::query_as(
                    "SELECT id, account_id, email, password_hash, first_name, last_name, role, created_at \
                     FROM users WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn insert_authorization_code(
                &self,
                code: &$crate::roster_domain::oauth::AuthorizationCode,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_codes (code_sha256, grant_id, client_id, account_id, user_id, redirect_uri, scopes, \
                     code_challenge, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&code.code_sha256)
                .bind(code.grant.0)
                .bind(&code.client_id)
                .bind(code.account.0)
                .bind(code.user.0)
                .bind(&code.redirect_uri)
                .bind($crate::rows::scopes_to_text(&code.scopes))
                .bind(&code.code_challenge)
                .bind(code.created_at.millis())
                .bind(code.expires_at.millis())
                .bind(code.used_at.map(|t| t.millis()))
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "an authorization code with this value already exists"))?;
                Ok(())
            }

            async fn authorization_code(
                &self,
                code_sha256: &str,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::oauth::AuthorizationCode>> {
                let row: Option<$crate::rows::AuthorizationCodeRow> = $crate::sqlx::query_as(
                    "SELECT code_sha256, grant_id, client_id, account_id, user_id, redirect_uri, scopes, code_challenge, \
                     created_at, expires_at, used_at FROM oauth_codes WHERE code_sha256 = $1",
                )
                .bind(code_sha256)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(row.map(Into::into))
            }

            async fn claim_authorization_code(
                &self,
                code_sha256: &str,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let done = $crate::sqlx::query(
                    "UPDATE oauth_codes SET used_at = $2 WHERE code_sha256 = $1 AND used_at IS NULL",
                )
                .bind(code_sha256)
                .bind(now.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_refresh_token(
                &self,
                token: &$crate::roster_domain::oauth::RefreshToken,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, client_id, account_id, user_id, scopes, \
                     created_at, expires_at, used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&token.token_sha256)
                .bind(token.grant.0)
                .bind(&token.client_id)
                .bind(token.account.0)
                .bind(token.user.0)
                .bind($crate::rows::scopes_to_text(&token.scopes))
                .bind(token.created_at.millis())
                .bind(token.expires_at.millis())
                .bind(token.used_at.map(|t| t.millis()))
                .bind(token.revoked_at.map(|t| t.millis()))
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a refresh token with this value already exists"))?;
                Ok(())
            }

            async fn refresh_token(
                &self,
                token_sha256: &str,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::oauth::RefreshToken>> {
                let row: Option<$crate::rows::RefreshTokenRow> = $crate::sqlx::query_as(
                    "SELECT token_sha256, grant_id, client_id, account_id, user_id, scopes, created_at, expires_at, \
                     used_at, revoked_at FROM oauth_refresh_tokens WHERE token_sha256 = $1",
                )
                .bind(token_sha256)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(row.map(Into::into))
            }

            async fn rotate_refresh_token(
                &self,
                old_sha256: &str,
                successor: &$crate::roster_domain::oauth::RefreshToken,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                let claimed = $crate::sqlx::query(
                    "UPDATE oauth_refresh_tokens SET used_at = $2 \
                     WHERE token_sha256 = $1 AND used_at IS NULL AND revoked_at IS NULL",
                )
                .bind(old_sha256)
                .bind(now.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                if claimed.rows_affected() != 1 {
                    return Ok(false);
                }
                $crate::sqlx::query(
                    "INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, client_id, account_id, user_id, scopes, \
                     created_at, expires_at, used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
                )
                .bind(&successor.token_sha256)
                .bind(successor.grant.0)
                .bind(&successor.client_id)
                .bind(successor.account.0)
                .bind(successor.user.0)
                .bind($crate::rows::scopes_to_text(&successor.scopes))
                .bind(successor.created_at.millis())
                .bind(successor.expires_at.millis())
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a refresh token with this value already exists"))?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(true)
            }

            async fn revoke_grant(
                &self,
                grant: $crate::roster_domain::oauth::GrantId,
                now: $crate::roster_domain::Timestamp,
                revocation_expires_at: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                $crate::sqlx::query(
                    "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
                )
                .bind(grant.0)
                .bind(now.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                $crate::sqlx::query(
                    "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (subject) DO UPDATE SET expires_at = excluded.expires_at",
                )
                .bind(format!("grant:{grant}"))
                .bind(revocation_expires_at.millis())
                .bind(now.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(())
            }

            async fn insert_revocation(
                &self,
                subject: &str,
                expires_at: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (subject) DO NOTHING",
                )
                .bind(subject)
                .bind(expires_at.millis())
                .bind($crate::roster_domain::Timestamp::now().millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(())
            }

            async fn revocations(
                &self,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<Vec<String>> {
                let rows: Vec<(String,)> = $crate::sqlx::query_as(
                    "SELECT subject FROM oauth_revocations WHERE expires_at > $1",
                )
                .bind(now.millis())
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(rows.into_iter().map(|(subject,)| subject).collect())
            }

            async fn prune_oauth(
                &self,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                for statement in [
                    "DELETE FROM oauth_codes WHERE expires_at < $1",
                    "DELETE FROM oauth_device_authorizations WHERE expires_at < $1",
                    "DELETE FROM oauth_revocations WHERE expires_at < $1",
                    "DELETE FROM oauth_refresh_tokens WHERE expires_at < $1",
                ] {
                    $crate::sqlx::query(statement)
                        .bind(now.millis())
                        .execute(&self.pool)
                        .await
                        .map_err($crate::unavailable)?;
                }
                Ok(())
            }

            async fn consent(
                &self,
                account: $crate::roster_domain::AccountId,
                user: $crate::roster_domain::UserId,
                client_id: &str,
            ) -> $crate::roster_domain::store::StoreResult<Option<Vec<String>>> {
                let row: Option<(String,)> = $crate::sqlx::query_as(
                    "SELECT scopes FROM oauth_consents WHERE account_id = $1 AND user_id = $2 AND client_id = $3",
                )
                .bind(account.0)
                .bind(user.0)
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(row.map(|(scopes,)| $crate::rows::scopes_from_text(&scopes)))
            }

            async fn save_consent(
                &self,
                account: $crate::roster_domain::AccountId,
                user: $crate::roster_domain::UserId,
                client_id: &str,
                scopes: &[String],
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_consents (account_id, user_id, client_id, scopes, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (account_id, user_id, client_id) DO UPDATE SET scopes = excluded.scopes, updated_at = excluded.updated_at",
                )
                .bind(account.0)
                .bind(user.0)
                .bind(client_id)
                .bind($crate::rows::scopes_to_text(scopes))
                .bind($crate::roster_domain::Timestamp::now().millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(())
            }

            async fn insert_device_authorization(
                &self,
                device: &$crate::roster_domain::oauth::DeviceAuthorization,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_device_authorizations (device_code_sha256, user_code, client_id, scopes, status, \
                     account_id, user_id, interval_seconds, last_polled_at, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, NULL, $7, $8)",
                )
                .bind(&device.device_code_sha256)
                .bind(&device.user_code)
                .bind(&device.client_id)
                .bind($crate::rows::scopes_to_text(&device.scopes))
                .bind(device.status.as_str())
                .bind(device.interval_seconds)
                .bind(device.created_at.millis())
                .bind(device.expires_at.millis())
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a device authorization with this user code already exists"))?;
                Ok(())
            }

            async fn device_authorization_by_user_code(
                &self,
                user_code: &str,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::oauth::DeviceAuthorization>> {
                let row: Option<$crate::rows::DeviceAuthorizationRow> = $crate::sqlx::query_as(concat!(
                    "SELECT ", $crate::device_columns!(), " FROM oauth_device_authorizations WHERE user_code = $1"
                ))
                .bind(user_code)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn decide_device_authorization(
                &self,
                user_code: &str,
                decision: Option<($crate::roster_domain::AccountId, $crate::roster_domain::UserId)>,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let (status, account, user) = match decision {
                    Some((account, user)) => ("approved", Some(account.0), Some(user.0)),
                    None => ("denied", None, None),
                };
                let done = $crate::sqlx::query(
                    "UPDATE oauth_device_authorizations SET status = $2, account_id = $3, user_id = $4 \
                     WHERE user_code = $1 AND status = 'pending' AND expires_at > $5",
                )
                .bind(user_code)
                .bind(status)
                .bind(account)
                .bind(user)
                .bind(now.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn poll_device_authorization(
                &self,
                device_code_sha256: &str,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<$crate::roster_domain::oauth::DevicePoll> {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                // A poll within the interval since the last one is too fast: the interval grows
                // by 5 seconds (RFC 8628 §3.5). The write comes first so concurrent polls serialise.
                let slowed = $crate::sqlx::query(
                    "UPDATE oauth_device_authorizations SET interval_seconds = interval_seconds + 5, last_polled_at = $2 \
                     WHERE device_code_sha256 = $1 AND status = 'pending' AND last_polled_at IS NOT NULL \
                     AND last_polled_at + interval_seconds * 1000 > $2",
                )
                .bind(device_code_sha256)
                .bind(now.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                if slowed.rows_affected() == 1 {
                    tx.commit().await.map_err($crate::unavailable)?;
                    return Ok($crate::roster_domain::oauth::DevicePoll::SlowDown);
                }
                $crate::sqlx::query(
                    "UPDATE oauth_device_authorizations SET last_polled_at = $2 WHERE device_code_sha256 = $1",
                )
                .bind(device_code_sha256)
                .bind(now.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                let row: Option<$crate::rows::DeviceAuthorizationRow> = $crate::sqlx::query_as(concat!(
                    "SELECT ", $crate::device_columns!(), " FROM oauth_device_authorizations WHERE device_code_sha256 = $1"
                ))
                .bind(device_code_sha256)
                .fetch_optional(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                tx.commit().await.map_err($crate::unavailable)?;
                match row {
                    None => Ok($crate::roster_domain::oauth::DevicePoll::Unknown),
                    Some(row) => Ok($crate::roster_domain::oauth::DevicePoll::Current(row.try_into()?)),
                }
            }

            async fn claim_device_authorization(
                &self,
                device_code_sha256: &str,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let done = $crate::sqlx::query(
                    "UPDATE oauth_device_authorizations SET status = 'used' \
                     WHERE device_code_sha256 = $1 AND status = 'approved'",
                )
                .bind(device_code_sha256)
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn signin_failures(
                &self,
                key: &str,
                since: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<i64> {
                let row: Option<(i64,)> = $crate::sqlx::query_as(
                    "SELECT failures FROM oauth_signin_failures WHERE throttle_key = $1 AND window_start >= $2",
                )
                .bind(key)
                .bind(since.millis())
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(row.map(|(failures,)| failures).unwrap_or(0))
            }

            async fn record_signin_failure(
                &self,
                key: &str,
                now: $crate::roster_domain::Timestamp,
                window_start: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO oauth_signin_failures (throttle_key, window_start, failures) VALUES ($1, $2, 1) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                     failures = CASE WHEN oauth_signin_failures.window_start < $3 THEN 1 ELSE oauth_signin_failures.failures + 1 END, \
                     window_start = CASE WHEN oauth_signin_failures.window_start < $3 THEN $2 ELSE oauth_signin_failures.window_start END",
                )
                .bind(key)
                .bind(now.millis())
                .bind(window_start.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(())
            }

            async fn clear_signin_failures(&self, key: &str) -> $crate::roster_domain::store::StoreResult<()> {
                $crate::sqlx::query("DELETE FROM oauth_signin_failures WHERE throttle_key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::unavailable)?;
                Ok(())
            }

            async fn add_api_usage(
                &self,
                day: i64,
                deltas: &[(String, i64)],
            ) -> $crate::roster_domain::store::StoreResult<Vec<(String, i64)>> {
                let mut totals = Vec::with_capacity(deltas.len());
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                for (client_id, delta) in deltas {
                    let total: Option<(i64,)> = if *delta == 0 {
                        $crate::sqlx::query_as("SELECT requests FROM api_daily_usage WHERE client_id = $1 AND day = $2")
                            .bind(client_id)
                            .bind(day)
                            .fetch_optional(&mut *tx)
                            .await
                    } else {
                        $crate::sqlx::query_as(
                            "INSERT INTO api_daily_usage (client_id, day, requests) VALUES ($1, $2, $3) \
                             ON CONFLICT (client_id, day) DO UPDATE SET requests = api_daily_usage.requests + excluded.requests \
                             RETURNING requests",
                        )
                        .bind(client_id)
                        .bind(day)
                        .bind(*delta)
                        .fetch_optional(&mut *tx)
                        .await
                    }
                    .map_err($crate::unavailable)?;
                    totals.push((client_id.clone(), total.map(|(n,)| n).unwrap_or(0)));
                }
                tx.commit().await.map_err($crate::unavailable)?;
                Ok(totals)
            }

            async fn insert_outbox_message(
                &self,
                entry: &$crate::roster_domain::outbox::OutboxEntry,
            ) -> $crate::roster_domain::store::StoreResult<()> {
                let mut conn = self.pool.acquire().await.map_err($crate::unavailable)?;
                Self::write_outbox_entry(&mut *conn, entry)
                    .await
                    .map_err(|e| $crate::conflict_on_unique(e, "an outbox message with this id already exists"))?;
                Ok(())
            }

            async fn claim_outbox_messages(
                &self,
                now: $crate::roster_domain::Timestamp,
                lease: $crate::roster_domain::outbox::Lease,
                lease_until: $crate::roster_domain::Timestamp,
                limit: u32,
            ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::outbox::OutboxEntry>> {
                let rows = self
                    .claim_outbox_batch(now.millis(), lease.0, lease_until.millis(), i64::from(limit))
                    .await
                    .map_err($crate::unavailable)?;
                let mut entries = rows
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<Result<Vec<$crate::roster_domain::outbox::OutboxEntry>, _>>()?;
                // RETURNING gives no order; oldest due first keeps delivery close to FIFO.
                entries.sort_by_key(|e| (e.created_at, e.id));
                Ok(entries)
            }

            async fn record_delivery(
                &self,
                id: $crate::roster_domain::OutboxId,
                lease: $crate::roster_domain::outbox::Lease,
                outcome: &$crate::roster_domain::outbox::DeliveryOutcome,
                now: $crate::roster_domain::Timestamp,
            ) -> $crate::roster_domain::store::StoreResult<bool> {
                let (state, reply, due_at, finished_at) = $crate::rows::delivery_columns(outcome, now);
                let done = $crate::sqlx::query(
                    "UPDATE outbox SET state = $3, last_reply = $4, due_at = $5, finished_at = $6, \
                     lease_token = NULL, updated_at = $7 \
                     WHERE id = $1 AND lease_token = $2 AND state = 'sending'",
                )
                .bind(id.0)
                .bind(lease.0)
                .bind(state)
                .bind(reply)
                .bind(due_at)
                .bind(finished_at)
                .bind(now.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                Ok(done.rows_affected() > 0)
            }

            async fn outbox_message(
                &self,
                id: $crate::roster_domain::OutboxId,
            ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::outbox::OutboxEntry>> {
                let row: Option<$crate::rows::OutboxRow> = $crate::sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::outbox_columns!(),
                    " FROM outbox WHERE id = $1"
                ))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn outbox_messages(
                &self,
                state: Option<$crate::roster_domain::outbox::OutboxState>,
                page: $crate::roster_domain::PageRequest<$crate::roster_domain::OutboxId>,
            ) -> $crate::roster_domain::store::StoreResult<
                $crate::roster_domain::Page<
                    $crate::roster_domain::outbox::OutboxEntry,
                    $crate::roster_domain::OutboxId,
                >,
            > {
                let rows: Vec<$crate::rows::OutboxRow> = $crate::sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::outbox_columns!(),
                    " FROM outbox WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3"
                ))
                .bind(state.map(|s| s.as_str()))
                .bind(page.after.map(|id| id.0))
                .bind(i64::from(page.limit) + 1)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
                let entries = rows
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<Result<Vec<$crate::roster_domain::outbox::OutboxEntry>, _>>()?;
                Ok($crate::roster_domain::Page::from_overfetch(entries, page.limit, |e| e.id))
            }
        } }
    };
}

/// The columns `rows::DeviceAuthorizationRow` reads, in one place.
#[macro_export]
#[doc(hidden)]
macro_rules! device_columns {
    () => {
        "device_code_sha256, user_code, client_id, scopes, status, account_id, user_id, interval_seconds, \
         last_polled_at, created_at, expires_at"
    };
}

/// The columns `rows::OutboxRow` reads, in one place (the engines' claim queries use it too).
#[macro_export]
#[doc(hidden)]
macro_rules! outbox_columns {
    () => {
        "id, account_id, kind, message_id, from_mailbox, reply_to, recipients, subject, headers, \
         text_body, html_body, state, attempts, last_reply, due_at, lease_token, created_at, \
         updated_at, finished_at"
    };
}

/// The condition that makes an outbox message claimable at `$1` (now): queued and due, or
/// sending with an expired lease (its worker died mid-delivery: the at-least-once path).
#[macro_export]
#[doc(hidden)]
macro_rules! outbox_claimable {
    () => {
        "state IN ('queued', 'sending') AND due_at <= $1"
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
