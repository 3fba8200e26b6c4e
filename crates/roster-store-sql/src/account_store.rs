//! The Account Services queries: the profile on the account row, the physical address, and the
//! sender addresses with their confirmation tokens. `account_store_methods!` adds the trait
//! methods to the ones it is given and hands everything on to `activity_store_methods!`.

/// The columns `rows::AccountEmailRow` reads, in one place.
#[macro_export]
#[doc(hidden)]
macro_rules! account_email_columns {
    () => {
        "email_id, email, confirm_status, confirmed_at, confirm_source_type, roles, pending_roles, created_at"
    };
}

/// The columns `rows::PhysicalAddressRow` reads, in one place.
#[macro_export]
#[doc(hidden)]
macro_rules! physical_address_columns {
    () => {
        "address_line1, address_line2, address_line3, city, state_code, state_name, postal_code, country_code"
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! account_helpers {
    ($db:ty) => {
        /// Inserts (`insert`) or overwrites the account's address; an overwrite of a missing
        /// address changes no row.
        async fn write_physical_address(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            address: &$crate::roster_domain::account_services::PhysicalAddress,
            now: $crate::roster_domain::Timestamp,
            insert: bool,
        ) -> Result<u64, $crate::sqlx::Error> {
            let sql = if insert {
                "INSERT INTO account_physical_addresses (account_id, address_line1, address_line2, \
                 address_line3, city, state_code, state_name, postal_code, country_code, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
            } else {
                "UPDATE account_physical_addresses SET address_line1 = $2, address_line2 = $3, \
                 address_line3 = $4, city = $5, state_code = $6, state_name = $7, postal_code = $8, \
                 country_code = $9, updated_at = $10 WHERE account_id = $1"
            };
            let done = $crate::sqlx::query(sql)
                .bind(account.0)
                .bind(&address.address_line1)
                .bind(&address.address_line2)
                .bind(&address.address_line3)
                .bind(&address.city)
                .bind(&address.state_code)
                .bind(&address.state_name)
                .bind(&address.postal_code)
                .bind(&address.country_code)
                .bind(now.millis())
                .execute(&mut **tx)
                .await?;
            Ok(done.rows_affected())
        }

        async fn read_account_email(
            conn: &mut <$db as $crate::sqlx::Database>::Connection,
            account: $crate::roster_domain::AccountId,
            email: &str,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account_services::AccountEmail>> {
            let row: Option<$crate::rows::AccountEmailRow> = $crate::sqlx::query_as(concat!(
                "SELECT ",
                $crate::account_email_columns!(),
                " FROM account_emails WHERE account_id = $1 AND email = $2"
            ))
            .bind(account.0)
            .bind(email)
            .fetch_optional(&mut *conn)
            .await
            .map_err($crate::unavailable)?;
            row.map(TryInto::try_into).transpose()
        }
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! account_store_methods {
    ($store:ty, $db:ty, { $($base:tt)* }) => {
        $crate::activity_store_methods! { $store, $db, {
        $($base)*

        async fn account_profile(
            &self,
            account: $crate::roster_domain::AccountId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account_services::AccountProfile>> {
            let row: Option<$crate::rows::AccountProfileRow> = $crate::sqlx::query_as(
                "SELECT encoded_id, first_name, last_name, organization_name, organization_phone, contact_email, \
                 contact_phone, country_code, state_code, time_zone_id, website, logo_external_url \
                 FROM accounts WHERE id = $1",
            )
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            row.map(TryInto::try_into).transpose()
        }

        async fn save_account_profile(
            &self,
            account: $crate::roster_domain::AccountId,
            profile: &$crate::roster_domain::account_services::AccountProfile,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query(
                "UPDATE accounts SET first_name = $2, last_name = $3, organization_name = $4, \
                 organization_phone = $5, contact_email = $6, contact_phone = $7, country_code = $8, \
                 state_code = $9, time_zone_id = $10, website = $11, logo_external_url = $12 WHERE id = $1",
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
            .execute(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(done.rows_affected() > 0)
        }

        async fn physical_address(
            &self,
            account: $crate::roster_domain::AccountId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account_services::PhysicalAddress>> {
            let row: Option<$crate::rows::PhysicalAddressRow> = $crate::sqlx::query_as(concat!(
                "SELECT ",
                $crate::physical_address_columns!(),
                " FROM account_physical_addresses WHERE account_id = $1"
            ))
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(row.map(Into::into))
        }

        async fn insert_physical_address(
            &self,
            account: $crate::roster_domain::AccountId,
            address: &$crate::roster_domain::account_services::PhysicalAddress,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            Self::write_physical_address(&mut tx, account, address, now, true)
                .await
                .map_err(|e| $crate::conflict_on_unique(
                    e,
                    "the account has a physical address already; change it with PUT",
                ))?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn replace_physical_address(
            &self,
            account: $crate::roster_domain::AccountId,
            address: &$crate::roster_domain::account_services::PhysicalAddress,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            let changed = Self::write_physical_address(&mut tx, account, address, now, false)
                .await
                .map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(changed > 0)
        }

        async fn account_emails(
            &self,
            account: $crate::roster_domain::AccountId,
            filter: &$crate::roster_domain::account_services::AccountEmailFilter,
        ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::account_services::AccountEmail>> {
            use $crate::roster_domain::account_services::AccountEmailFilter;
            // One text per filter; the value is always the second parameter.
            let (condition, value) = match filter {
                AccountEmailFilter::All => ("$2 IS NULL", None),
                AccountEmailFilter::Status(status) => ("confirm_status = $2", Some(status.as_str().to_string())),
                AccountEmailFilter::Role(role) => ("roles LIKE $2", Some(format!("%,{},%", role.as_str()))),
                AccountEmailFilter::Address(address) => ("email = $2", Some(address.as_str().to_string())),
            };
            let sql = format!(
                "SELECT {} FROM account_emails WHERE account_id = $1 AND {condition} ORDER BY email_id",
                $crate::account_email_columns!()
            );
            let rows: Vec<$crate::rows::AccountEmailRow> = $crate::sqlx::query_as(&sql)
                .bind(account.0)
                .bind(value)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            rows.into_iter().map(TryInto::try_into).collect()
        }

        async fn add_account_email(
            &self,
            account: $crate::roster_domain::AccountId,
            address: &$crate::roster_domain::EmailAddress,
            token_sha256: &str,
            confirmation: &$crate::roster_domain::outbox::OutboxEntry,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<$crate::roster_domain::account_services::AccountEmail> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            // Drawing the id first is a write: SQLite takes its write lock before anything is
            // read, and concurrent additions on PostgreSQL queue on the account row.
            let email_id: Option<i64> = $crate::sqlx::query_scalar(
                "UPDATE accounts SET account_email_seq = account_email_seq + 1 WHERE id = $1 \
                 RETURNING account_email_seq",
            )
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            let Some(email_id) = email_id else {
                return Err($crate::roster_domain::StoreError::unavailable(anyhow::anyhow!(
                    "account {account} does not exist"
                )));
            };
            $crate::sqlx::query(
                "INSERT INTO account_emails (account_id, email, confirm_status, confirmed_at, created_at, \
                 email_id, confirm_source_type, roles, pending_roles) \
                 VALUES ($1, $2, 'UNCONFIRMED', NULL, $3, $4, NULL, '', $5)",
            )
            .bind(account.0)
            .bind(address.as_str())
            .bind(now.millis())
            .bind(email_id)
            .bind($crate::roster_domain::account_services::roles_to_text(
                &$crate::roster_domain::account_services::ADDED_EMAIL_PENDING_ROLES,
            ))
            .execute(&mut *tx)
            .await
            .map_err(|e| $crate::conflict_on_unique(
                e,
                &format!("the account already has the email address {address}"),
            ))?;
            $crate::sqlx::query(
                "INSERT INTO account_email_confirmations (account_id, token_sha256, email, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(account.0)
            .bind(token_sha256)
            .bind(address.as_str())
            .bind(now.millis())
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            Self::write_outbox_entry(&mut *tx, confirmation)
                .await
                .map_err($crate::unavailable)?;
            let added = Self::read_account_email(&mut *tx, account, address.as_str())
                .await?
                .ok_or_else(|| $crate::roster_domain::StoreError::unavailable(anyhow::anyhow!(
                    "the added account email cannot be read back"
                )))?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(added)
        }

        async fn account_email_by_token(
            &self,
            account: $crate::roster_domain::AccountId,
            token_sha256: &str,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account_services::AccountEmail>> {
            let row: Option<$crate::rows::AccountEmailRow> = $crate::sqlx::query_as(concat!(
                "SELECT ",
                $crate::account_email_columns!(),
                " FROM account_emails WHERE account_id = $1 AND email = \
                 (SELECT email FROM account_email_confirmations WHERE account_id = $1 AND token_sha256 = $2)"
            ))
            .bind(account.0)
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            row.map(TryInto::try_into).transpose()
        }

        async fn confirm_account_email(
            &self,
            account: $crate::roster_domain::AccountId,
            token_sha256: &str,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::account_services::AccountEmail>> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            // Deleting the token first makes a token usable once, even by concurrent requests.
            let email: Option<String> = $crate::sqlx::query_scalar(
                "DELETE FROM account_email_confirmations WHERE account_id = $1 AND token_sha256 = $2 \
                 RETURNING email",
            )
            .bind(account.0)
            .bind(token_sha256)
            .fetch_optional(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            let Some(email) = email else {
                return Ok(None);
            };
            $crate::sqlx::query(
                "UPDATE account_emails SET confirm_status = 'CONFIRMED', confirmed_at = $3, \
                 confirm_source_type = $4, roles = pending_roles, pending_roles = '' \
                 WHERE account_id = $1 AND email = $2 AND confirm_status = 'UNCONFIRMED'",
            )
            .bind(account.0)
            .bind(&email)
            .bind(now.millis())
            .bind($crate::roster_domain::account_services::CONFIRMED_BY_SITE_OWNER)
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            let confirmed = Self::read_account_email(&mut *tx, account, &email).await?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(confirmed)
        }
        } }
    };
}
