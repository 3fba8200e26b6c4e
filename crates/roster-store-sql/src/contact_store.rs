//! The contact, list and tag queries of the storage contract, expanded into each engine's
//! store by `impl_store!`: `contact_helpers!` into an inherent impl (transaction helpers),
//! `contact_store_methods!` into the `Store` impl.

/// Binds each value of a `Vec<Bind>` to a query, in order.
#[macro_export]
#[doc(hidden)]
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for value in $binds {
            query = match value {
                $crate::contact_sql::Bind::Uuid(id) => query.bind(id),
                $crate::contact_sql::Bind::I64(n) => query.bind(n),
                $crate::contact_sql::Bind::F64(n) => query.bind(n),
                $crate::contact_sql::Bind::Text(text) => query.bind(text),
            };
        }
        query
    }};
}

#[macro_export]
#[doc(hidden)]
macro_rules! contact_helpers {
    ($db:ty) => {
        /// Which of `ids` exist in the account's rows of `table_where` (a table name followed by
        /// `WHERE` and any further conditions ending in `AND`).
        async fn existing_ids(
            &self,
            table_where: &str,
            account: $crate::roster_domain::AccountId,
            ids: impl Iterator<Item = $crate::uuid::Uuid>,
        ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::uuid::Uuid>> {
            let mut sql = $crate::contact_sql::Sql::default();
            let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
            let placeholders: Vec<String> = ids.map(|id| sql.bind($crate::contact_sql::Bind::Uuid(id))).collect();
            if placeholders.is_empty() {
                return Ok(Vec::new());
            }
            sql.text = format!(
                "SELECT id FROM {table_where} account_id = {account_bind} AND id IN ({})",
                placeholders.join(", ")
            );
            let $crate::contact_sql::Sql { text, binds } = sql;
            let rows: Vec<($crate::uuid::Uuid,)> =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_all(&self.pool).await.map_err($crate::unavailable)?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        }

        /// Inserts new contacts (rows, memberships, taggings, custom values) with multi-row
        /// statements sized under SQLite's bind limit: an import batch of 500 new contacts costs a
        /// handful of round trips. Memberships and taggings are stamped with the contact's update
        /// time, as `write_contact_links` does for a single contact.
        async fn insert_new_contacts(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            contacts: &[&$crate::roster_domain::contact::Contact],
        ) -> Result<(), $crate::sqlx::Error> {
            use $crate::contact_sql::bulk_chunk_rows;
            for chunk in contacts.chunks(bulk_chunk_rows(30)) {
                let mut insert = $crate::sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contacts (account_id, id, email, permission, opt_in_source, opt_in_date, opt_out_source, \
                     opt_out_date, opt_out_reason, confirm_status, email_created_at, email_updated_at, first_name, last_name, \
                     job_title, company_name, birthday_month, birthday_day, anniversary, create_source, update_source, \
                     created_at, updated_at, deleted_at, phone_numbers, street_addresses, notes, sms_channel, status, sms_status) ",
                );
                insert.push_values(chunk, |mut values, contact| {
                    let row = $crate::rows::ContactRow::from_domain(contact);
                    values
                        .push_bind(account.0)
                        .push_bind(row.id)
                        .push_bind(row.email)
                        .push_bind(row.permission)
                        .push_bind(row.opt_in_source)
                        .push_bind(row.opt_in_date)
                        .push_bind(row.opt_out_source)
                        .push_bind(row.opt_out_date)
                        .push_bind(row.opt_out_reason)
                        .push_bind(row.confirm_status)
                        .push_bind(row.email_created_at)
                        .push_bind(row.email_updated_at)
                        .push_bind(row.first_name)
                        .push_bind(row.last_name)
                        .push_bind(row.job_title)
                        .push_bind(row.company_name)
                        .push_bind(row.birthday_month)
                        .push_bind(row.birthday_day)
                        .push_bind(row.anniversary)
                        .push_bind(row.create_source)
                        .push_bind(row.update_source)
                        .push_bind(row.created_at)
                        .push_bind(row.updated_at)
                        .push_bind(row.deleted_at)
                        .push_bind(row.phone_numbers)
                        .push_bind(row.street_addresses)
                        .push_bind(row.notes)
                        .push_bind(row.sms_channel)
                        .push_bind(contact.bucket().as_str())
                        .push_bind(contact.sms_channel.as_ref().map(|sms| sms.status().as_str()));
                });
                insert.build().persistent(false).execute(&mut **tx).await?;
            }
            let memberships: Vec<($crate::uuid::Uuid, $crate::uuid::Uuid, i64)> = contacts
                .iter()
                .flat_map(|c| c.list_ids.iter().map(move |l| (l.0, c.id.0, c.updated_at.millis())))
                .collect();
            for chunk in memberships.chunks(bulk_chunk_rows(4)) {
                let mut insert = $crate::sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contact_list_members (account_id, list_id, contact_id, created_at) ",
                );
                insert.push_values(chunk, |mut values, (list, contact, at)| {
                    values.push_bind(account.0).push_bind(*list).push_bind(*contact).push_bind(*at);
                });
                insert.build().persistent(false).execute(&mut **tx).await?;
            }
            let taggings: Vec<($crate::uuid::Uuid, $crate::uuid::Uuid, i64)> = contacts
                .iter()
                .flat_map(|c| c.tag_ids.iter().map(move |t| (t.0, c.id.0, c.updated_at.millis())))
                .collect();
            for chunk in taggings.chunks(bulk_chunk_rows(4)) {
                let mut insert = $crate::sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contact_taggings (account_id, tag_id, contact_id, created_at) ",
                );
                insert.push_values(chunk, |mut values, (tag, contact, at)| {
                    values.push_bind(account.0).push_bind(*tag).push_bind(*contact).push_bind(*at);
                });
                insert.build().persistent(false).execute(&mut **tx).await?;
            }
            let custom_values: Vec<(
                $crate::roster_domain::ContactId,
                &$crate::roster_domain::contact::CustomValue,
            )> = contacts
                .iter()
                .flat_map(|c| c.custom_fields.iter().map(move |v| (c.id, v)))
                .collect();
            for chunk in custom_values.chunks(bulk_chunk_rows(5)) {
                let mut insert = $crate::sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contact_custom_values (account_id, contact_id, custom_field_id, value, choice_ids) ",
                );
                insert.push_values(chunk, |mut values, (contact, value)| {
                    values
                        .push_bind(account.0)
                        .push_bind(contact.0)
                        .push_bind(value.custom_field_id.0)
                        .push_bind(value.value.clone())
                        .push_bind($crate::rows::choice_ids_text(value));
                });
                insert.build().persistent(false).execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Moves the maintained counts. Rows are touched in a fixed order (buckets, lists,
        /// tags, each sorted) so concurrent writers cannot deadlock on them.
        async fn apply_count_deltas(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            deltas: &$crate::roster_domain::counts::CountDeltas,
        ) -> Result<(), $crate::sqlx::Error> {
            for (bucket, n) in &deltas.buckets {
                $crate::sqlx::query(
                    "INSERT INTO contact_counts (account_id, bucket, n) VALUES ($1, $2, $3) \
                     ON CONFLICT (account_id, bucket) DO UPDATE SET n = contact_counts.n + excluded.n",
                )
                .bind(account.0)
                .bind(bucket.as_str())
                .bind(*n)
                .execute(&mut **tx)
                .await?;
            }
            for (list, (all, active)) in &deltas.lists {
                $crate::sqlx::query(
                    "UPDATE contact_lists SET member_count = member_count + $3, \
                     active_member_count = active_member_count + $4 WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(list.0)
                .bind(*all)
                .bind(*active)
                .execute(&mut **tx)
                .await?;
            }
            for (tag, n) in &deltas.tags {
                $crate::sqlx::query(
                    "UPDATE contact_tags SET contacts_count = contacts_count + $3 WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(tag.0)
                .bind(*n)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        /// The stored footprint of a contact (bucket, lists, tags), read inside `tx`.
        async fn stored_footprint(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ContactId,
        ) -> Result<$crate::roster_domain::counts::Footprint, $crate::roster_domain::StoreError> {
            let status: Option<(String,)> = $crate::sqlx::query_as("SELECT status FROM contacts WHERE account_id = $1 AND id = $2")
                .bind(account.0)
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await
                .map_err($crate::unavailable)?;
            let Some((status,)) = status else {
                return Ok(Default::default());
            };
            let lists: Vec<($crate::uuid::Uuid,)> =
                $crate::sqlx::query_as("SELECT list_id FROM contact_list_members WHERE account_id = $1 AND contact_id = $2")
                    .bind(account.0)
                    .bind(id.0)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err($crate::unavailable)?;
            let tags: Vec<($crate::uuid::Uuid,)> =
                $crate::sqlx::query_as("SELECT tag_id FROM contact_taggings WHERE account_id = $1 AND contact_id = $2")
                    .bind(account.0)
                    .bind(id.0)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err($crate::unavailable)?;
            Ok($crate::roster_domain::counts::Footprint {
                bucket: Some(
                    $crate::roster_domain::contact::Bucket::parse(&status)
                        .ok_or_else(|| $crate::roster_domain::StoreError::unavailable($crate::rows::corrupt_error("contact status")))?,
                ),
                lists: lists.into_iter().map(|(id,)| $crate::roster_domain::ListId(id)).collect(),
                tags: tags.into_iter().map(|(id,)| $crate::roster_domain::TagId(id)).collect(),
            })
        }

        /// Makes the stored memberships, taggings and custom values those of `contact`.
        async fn write_contact_links(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
            before: &$crate::roster_domain::counts::Footprint,
        ) -> Result<(), $crate::sqlx::Error> {
            let now = contact.updated_at.millis();
            for list in before.lists.iter().filter(|l| !contact.list_ids.contains(l)) {
                $crate::sqlx::query("DELETE FROM contact_list_members WHERE account_id = $1 AND list_id = $2 AND contact_id = $3")
                    .bind(account.0)
                    .bind(list.0)
                    .bind(contact.id.0)
                    .execute(&mut **tx)
                    .await?;
            }
            for list in contact.list_ids.iter().filter(|l| !before.lists.contains(l)) {
                $crate::sqlx::query(
                    "INSERT INTO contact_list_members (account_id, list_id, contact_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(account.0)
                .bind(list.0)
                .bind(contact.id.0)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            for tag in before.tags.iter().filter(|t| !contact.tag_ids.contains(t)) {
                $crate::sqlx::query("DELETE FROM contact_taggings WHERE account_id = $1 AND tag_id = $2 AND contact_id = $3")
                    .bind(account.0)
                    .bind(tag.0)
                    .bind(contact.id.0)
                    .execute(&mut **tx)
                    .await?;
            }
            for tag in contact.tag_ids.iter().filter(|t| !before.tags.contains(t)) {
                $crate::sqlx::query(
                    "INSERT INTO contact_taggings (account_id, tag_id, contact_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(account.0)
                .bind(tag.0)
                .bind(contact.id.0)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            $crate::sqlx::query("DELETE FROM contact_custom_values WHERE account_id = $1 AND contact_id = $2")
                .bind(account.0)
                .bind(contact.id.0)
                .execute(&mut **tx)
                .await?;
            for value in &contact.custom_fields {
                $crate::sqlx::query(
                    "INSERT INTO contact_custom_values (account_id, contact_id, custom_field_id, value, choice_ids) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(account.0)
                .bind(contact.id.0)
                .bind(value.custom_field_id.0)
                .bind(&value.value)
                .bind($crate::rows::choice_ids_text(value))
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        /// Loads lists, tags and custom values of `contacts` as `includes` asks.
        async fn load_contact_links(
            &self,
            account: $crate::roster_domain::AccountId,
            contacts: &mut [$crate::roster_domain::contact::Contact],
            includes: $crate::roster_domain::contact::Includes,
        ) -> Result<(), $crate::roster_domain::StoreError> {
            if contacts.is_empty() {
                return Ok(());
            }
            let ids: Vec<$crate::roster_domain::ContactId> = contacts.iter().map(|c| c.id).collect();
            let Some($crate::contact_sql::Sql { text, binds }) = $crate::contact_sql::links_query(account, &ids, includes) else {
                return Ok(());
            };
            let links = $crate::bind_all!($crate::sqlx::query_as::<_, $crate::rows::LinkRow>(&text), binds)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            $crate::rows::attach(contacts, links);
            Ok(())
        }

        /// One contact found by a condition on `c` (`$1` the account, `$2` the key), with the
        /// links `includes` asks for.
        async fn contact_where<K>(
            &self,
            account: $crate::roster_domain::AccountId,
            condition: &str,
            key: K,
            includes: $crate::roster_domain::contact::Includes,
        ) -> Result<Option<$crate::roster_domain::contact::Contact>, $crate::roster_domain::StoreError>
        where
            K: for<'q> $crate::sqlx::Encode<'q, $db> + $crate::sqlx::Type<$db> + Send,
        {
            let text = format!(
                "SELECT {} FROM contacts c WHERE c.account_id = $1 AND {condition}",
                $crate::contact_sql::CONTACT_COLUMNS
            );
            let row: Option<$crate::rows::ContactRow> = $crate::sqlx::query_as(&text)
                .bind(account.0)
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let mut contacts = [row.into_domain()?];
            self.load_contact_links(account, &mut contacts, includes).await?;
            let [contact] = contacts;
            Ok(Some(contact))
        }

        /// Locks a contact's row (and SQLite's database) with a write, so the footprint read
        /// next is what is really stored. With `read_at`, only while the row still has that
        /// `updated_at` (nobody wrote it since it was read). Returns whether it was locked.
        async fn lock_contact(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ContactId,
            read_at: Option<$crate::roster_domain::Timestamp>,
        ) -> Result<bool, $crate::sqlx::Error> {
            let done = match read_at {
                None => $crate::sqlx::query("UPDATE contacts SET updated_at = updated_at WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await?,
                Some(read_at) => $crate::sqlx::query(
                    "UPDATE contacts SET updated_at = updated_at WHERE account_id = $1 AND id = $2 AND updated_at = $3",
                )
                .bind(account.0)
                .bind(id.0)
                .bind(read_at.millis())
                .execute(&mut **tx)
                .await?,
            };
            Ok(done.rows_affected() > 0)
        }

        /// The contact write path after `lock_contact`: row, sub-resources, memberships and
        /// taggings, and the counts moved by the difference from what was stored.
        async fn write_locked_contact(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
        ) -> Result<(), $crate::roster_domain::StoreError> {
            let before = Self::stored_footprint(tx, account, contact.id).await?;
            Self::write_contact_row(tx, account, contact, false)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "another contact already has this email address"))?;
            Self::write_contact_links(tx, account, contact, &before).await.map_err($crate::unavailable)?;
            let deltas = $crate::roster_domain::counts::CountDeltas::between(
                &before,
                &$crate::roster_domain::counts::Footprint::of(contact),
            );
            Self::apply_count_deltas(tx, account, &deltas).await.map_err($crate::unavailable)?;
            Ok(())
        }

        /// Writes every column of a contact row (insert or full update).
        async fn write_contact_row(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
            insert: bool,
        ) -> Result<u64, $crate::sqlx::Error> {
            let row = $crate::rows::ContactRow::from_domain(contact);
            let sql = if insert {
                "INSERT INTO contacts (account_id, id, email, permission, opt_in_source, opt_in_date, opt_out_source, \
                 opt_out_date, opt_out_reason, confirm_status, email_created_at, email_updated_at, first_name, last_name, \
                 job_title, company_name, birthday_month, birthday_day, anniversary, create_source, update_source, \
                 created_at, updated_at, deleted_at, phone_numbers, street_addresses, notes, sms_channel, status, sms_status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
                 $22, $23, $24, $25, $26, $27, $28, $29, $30)"
            } else {
                "UPDATE contacts SET email = $3, permission = $4, opt_in_source = $5, opt_in_date = $6, \
                 opt_out_source = $7, opt_out_date = $8, opt_out_reason = $9, confirm_status = $10, \
                 email_created_at = $11, email_updated_at = $12, first_name = $13, last_name = $14, job_title = $15, \
                 company_name = $16, birthday_month = $17, birthday_day = $18, anniversary = $19, create_source = $20, \
                 update_source = $21, created_at = $22, updated_at = $23, deleted_at = $24, phone_numbers = $25, \
                 street_addresses = $26, notes = $27, sms_channel = $28, status = $29, sms_status = $30 \
                 WHERE account_id = $1 AND id = $2"
            };
            let done = $crate::sqlx::query(sql)
                .bind(account.0)
                .bind(row.id)
                .bind(row.email)
                .bind(row.permission)
                .bind(row.opt_in_source)
                .bind(row.opt_in_date)
                .bind(row.opt_out_source)
                .bind(row.opt_out_date)
                .bind(row.opt_out_reason)
                .bind(row.confirm_status)
                .bind(row.email_created_at)
                .bind(row.email_updated_at)
                .bind(row.first_name)
                .bind(row.last_name)
                .bind(row.job_title)
                .bind(row.company_name)
                .bind(row.birthday_month)
                .bind(row.birthday_day)
                .bind(row.anniversary)
                .bind(row.create_source)
                .bind(row.update_source)
                .bind(row.created_at)
                .bind(row.updated_at)
                .bind(row.deleted_at)
                .bind(row.phone_numbers)
                .bind(row.street_addresses)
                .bind(row.notes)
                .bind(row.sms_channel)
                .bind(contact.bucket().as_str())
                .bind(contact.sms_channel.as_ref().map(|sms| sms.status().as_str()))
                .execute(&mut **tx)
                .await?;
            Ok(done.rows_affected())
        }
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! contact_store_methods {
    ($store:ty, $db:ty, { $($base:tt)* }) => {
        #[$crate::async_trait::async_trait]
        impl $crate::roster_domain::Store for $store {
        $($base)*
        async fn all_custom_fields(
            &self,
            account: $crate::roster_domain::AccountId,
        ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::custom_field::CustomField>> {
            let rows: Vec<$crate::rows::CustomFieldRow> = $crate::sqlx::query_as(concat!(
                "SELECT ",
                $crate::custom_field_columns!(),
                " FROM custom_fields WHERE account_id = $1 ORDER BY id"
            ))
            .bind(account.0)
            .fetch_all(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            rows.into_iter().map(TryInto::try_into).collect()
        }

        async fn create_list(
            &self,
            account: $crate::roster_domain::AccountId,
            list: &$crate::roster_domain::contact_list::ContactList,
            max_per_account: u32,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            let claimed = $crate::sqlx::query("UPDATE accounts SET list_count = list_count + 1 WHERE id = $1 AND list_count < $2")
                .bind(account.0)
                .bind(i64::from(max_per_account))
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
            if claimed.rows_affected() == 0 {
                return Err($crate::roster_domain::StoreError::LimitReached(format!(
                    "the account already has the maximum of {max_per_account} contact lists"
                )));
            }
            $crate::sqlx::query(
                "INSERT INTO contact_lists (account_id, id, name, name_key, description, favorite, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(account.0)
            .bind(list.id.0)
            .bind(&list.name)
            .bind(list.name.to_lowercase())
            .bind(&list.description)
            .bind(list.favorite)
            .bind(list.created_at.millis())
            .bind(list.updated_at.millis())
            .execute(&mut *tx)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a contact list named \"{}\" already exists", list.name)))?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn list(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ListId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::contact_list::ContactList>> {
            let row: Option<$crate::rows::ListRow> = $crate::sqlx::query_as(concat!(
                "SELECT ",
                $crate::list_columns!(),
                " FROM contact_lists WHERE account_id = $1 AND id = $2"
            ))
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(row.map(Into::into))
        }

        async fn lists(
            &self,
            account: $crate::roster_domain::AccountId,
            status: $crate::roster_domain::contact_list::ListStatusFilter,
            name: Option<&str>,
            page: $crate::roster_domain::PageRequest<$crate::roster_domain::ListId>,
        ) -> $crate::roster_domain::store::StoreResult<
            $crate::roster_domain::Page<$crate::roster_domain::contact_list::ContactList, $crate::roster_domain::ListId>,
        > {
            let mut sql = $crate::contact_sql::Sql::default();
            let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
            sql.text = format!("SELECT {} FROM contact_lists WHERE account_id = {account_bind}", $crate::list_columns!());
            $crate::list_conditions(&mut sql, status, name);
            if let Some(after) = page.after {
                let after = sql.bind($crate::contact_sql::Bind::Uuid(after.0));
                sql.text.push_str(&format!(" AND id > {after}"));
            }
            let limit = sql.bind($crate::contact_sql::Bind::I64(i64::from(page.limit) + 1));
            sql.text.push_str(&format!(" ORDER BY id LIMIT {limit}"));
            let $crate::contact_sql::Sql { text, binds } = sql;
            let rows: Vec<$crate::rows::ListRow> =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_all(&self.pool).await.map_err($crate::unavailable)?;
            let lists = rows.into_iter().map(Into::into).collect();
            Ok($crate::roster_domain::Page::from_overfetch(lists, page.limit, |l: &$crate::roster_domain::contact_list::ContactList| l.id))
        }

        async fn count_lists(
            &self,
            account: $crate::roster_domain::AccountId,
            status: $crate::roster_domain::contact_list::ListStatusFilter,
            name: Option<&str>,
        ) -> $crate::roster_domain::store::StoreResult<i64> {
            let mut sql = $crate::contact_sql::Sql::default();
            let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
            sql.text = format!("SELECT COUNT(*) FROM contact_lists WHERE account_id = {account_bind}");
            $crate::list_conditions(&mut sql, status, name);
            let $crate::contact_sql::Sql { text, binds } = sql;
            let (count,): (i64,) =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_one(&self.pool).await.map_err($crate::unavailable)?;
            Ok(count)
        }

        async fn update_list(
            &self,
            account: $crate::roster_domain::AccountId,
            list: &$crate::roster_domain::contact_list::ContactList,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query(
                "UPDATE contact_lists SET name = $3, name_key = $4, description = $5, favorite = $6, updated_at = $7 \
                 WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(list.id.0)
            .bind(&list.name)
            .bind(list.name.to_lowercase())
            .bind(&list.description)
            .bind(list.favorite)
            .bind(list.updated_at.millis())
            .execute(&self.pool)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a contact list named \"{}\" already exists", list.name)))?;
            Ok(done.rows_affected() > 0)
        }

        async fn existing_lists(
            &self,
            account: $crate::roster_domain::AccountId,
            ids: &[$crate::roster_domain::ListId],
        ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::ListId>> {
            let found = self
                .existing_ids("contact_lists WHERE deleted_at IS NULL AND", account, ids.iter().map(|id| id.0))
                .await?;
            Ok(found.into_iter().map($crate::roster_domain::ListId).collect())
        }

        async fn create_tag(
            &self,
            account: $crate::roster_domain::AccountId,
            tag: &$crate::roster_domain::tag::Tag,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            $crate::sqlx::query(
                "INSERT INTO contact_tags (account_id, id, name, name_key, tag_source, contacts_count, created_at, updated_at) \
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
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a tag named \"{}\" already exists", tag.name)))?;
            Ok(())
        }

        async fn tag(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::TagId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::tag::Tag>> {
            let row: Option<$crate::rows::TagRow> = $crate::sqlx::query_as(
                "SELECT id, name, tag_source, contacts_count, created_at, updated_at FROM contact_tags \
                 WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(row.map(Into::into))
        }

        async fn tags(
            &self,
            account: $crate::roster_domain::AccountId,
            page: $crate::roster_domain::PageRequest<$crate::roster_domain::TagId>,
        ) -> $crate::roster_domain::store::StoreResult<
            $crate::roster_domain::Page<$crate::roster_domain::tag::Tag, $crate::roster_domain::TagId>,
        > {
            let fetch = i64::from(page.limit) + 1;
            let rows: Vec<$crate::rows::TagRow> = match page.after {
                None => $crate::sqlx::query_as(
                    "SELECT id, name, tag_source, contacts_count, created_at, updated_at FROM contact_tags \
                     WHERE account_id = $1 ORDER BY id LIMIT $2",
                )
                .bind(account.0)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await,
                Some(after) => $crate::sqlx::query_as(
                    "SELECT id, name, tag_source, contacts_count, created_at, updated_at FROM contact_tags \
                     WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(account.0)
                .bind(after.0)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await,
            }
            .map_err($crate::unavailable)?;
            let tags = rows.into_iter().map(Into::into).collect();
            Ok($crate::roster_domain::Page::from_overfetch(tags, page.limit, |t: &$crate::roster_domain::tag::Tag| t.id))
        }

        async fn update_tag(
            &self,
            account: $crate::roster_domain::AccountId,
            tag: &$crate::roster_domain::tag::Tag,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query(
                "UPDATE contact_tags SET name = $3, name_key = $4, updated_at = $5 WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(tag.id.0)
            .bind(&tag.name)
            .bind(tag.name.to_lowercase())
            .bind(tag.updated_at.millis())
            .execute(&self.pool)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a tag named \"{}\" already exists", tag.name)))?;
            Ok(done.rows_affected() > 0)
        }

        async fn existing_tags(
            &self,
            account: $crate::roster_domain::AccountId,
            ids: &[$crate::roster_domain::TagId],
        ) -> $crate::roster_domain::store::StoreResult<Vec<$crate::roster_domain::TagId>> {
            let found = self.existing_ids("contact_tags WHERE", account, ids.iter().map(|id| id.0)).await?;
            Ok(found.into_iter().map($crate::roster_domain::TagId).collect())
        }

        async fn insert_contact(
            &self,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let conflict = |e| $crate::conflict_on_unique(e, "a contact with this email address already exists");
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            Self::write_contact_row(&mut tx, account, contact, true).await.map_err(conflict)?;
            let before = $crate::roster_domain::counts::Footprint::default();
            Self::write_contact_links(&mut tx, account, contact, &before).await.map_err($crate::unavailable)?;
            let deltas = $crate::roster_domain::counts::CountDeltas::between(
                &before,
                &$crate::roster_domain::counts::Footprint::of(contact),
            );
            Self::apply_count_deltas(&mut tx, account, &deltas).await.map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn insert_contacts_bulk(
            &self,
            account: $crate::roster_domain::AccountId,
            contacts: &[$crate::roster_domain::contact::Contact],
        ) -> $crate::roster_domain::store::StoreResult<()> {
            use $crate::roster_domain::counts::{CountDeltas, Footprint};
            if contacts.is_empty() {
                return Ok(());
            }
            let conflict = |e| $crate::conflict_on_unique(e, "a contact with one of these email addresses already exists");
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            let new_contacts: Vec<&$crate::roster_domain::contact::Contact> = contacts.iter().collect();
            Self::insert_new_contacts(&mut tx, account, &new_contacts).await.map_err(conflict)?;
            let mut deltas = CountDeltas::default();
            for contact in contacts {
                deltas.merge(CountDeltas::between(&Footprint::default(), &Footprint::of(contact)));
            }
            Self::apply_count_deltas(&mut tx, account, &deltas).await.map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn contact(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ContactId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::contact::Contact>> {
            self.contact_with(account, id, $crate::roster_domain::contact::Includes::all()).await
        }

        async fn contact_with(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ContactId,
            includes: $crate::roster_domain::contact::Includes,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::contact::Contact>> {
            self.contact_where(account, "c.id = $2", id.0, includes).await
        }

        async fn contact_by_email(
            &self,
            account: $crate::roster_domain::AccountId,
            email: &$crate::roster_domain::EmailAddress,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::contact::Contact>> {
            self.contact_where(account, "c.email = $2", email.as_str().to_string(), $crate::roster_domain::contact::Includes::all()).await
        }

        async fn save_contact(
            &self,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if !Self::lock_contact(&mut tx, account, contact.id, None).await.map_err($crate::unavailable)? {
                return Ok(false);
            }
            Self::write_locked_contact(&mut tx, account, contact).await?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(true)
        }

        async fn contacts(
            &self,
            account: $crate::roster_domain::AccountId,
            filter: &$crate::roster_domain::contact::ContactFilter,
            includes: $crate::roster_domain::contact::Includes,
            page: $crate::roster_domain::PageRequest<$crate::roster_domain::ContactId>,
        ) -> $crate::roster_domain::store::StoreResult<
            $crate::roster_domain::Page<$crate::roster_domain::contact::Contact, $crate::roster_domain::ContactId>,
        > {
            let $crate::contact_sql::Sql { text, binds } = $crate::contact_sql::page_query(Self::DIALECT, account, filter, page.after, page.limit);
            let rows: Vec<$crate::rows::ContactRow> =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_all(&self.pool).await.map_err($crate::unavailable)?;
            let contacts = rows.into_iter().map($crate::rows::ContactRow::into_domain).collect::<Result<Vec<_>, _>>()?;
            let mut page = $crate::roster_domain::Page::from_overfetch(
                contacts,
                page.limit,
                |c: &$crate::roster_domain::contact::Contact| c.id,
            );
            self.load_contact_links(account, &mut page.items, includes).await?;
            Ok(page)
        }

        async fn count_contacts(
            &self,
            account: $crate::roster_domain::AccountId,
            filter: &$crate::roster_domain::contact::ContactFilter,
        ) -> $crate::roster_domain::store::StoreResult<i64> {
            use $crate::roster_domain::contact::Bucket;
            if filter.only_buckets() {
                let counts = self.contact_bucket_counts(account).await?;
                return Ok(filter.buckets.iter().map(|b| counts.get(b).copied().unwrap_or(0)).sum());
            }
            let not_deleted = filter.buckets.len() == Bucket::NOT_DELETED.len() && !filter.buckets.contains(&Bucket::Deleted);
            let active = filter.buckets.len() == 2 && filter.buckets.iter().all(|b| b.is_active());
            let lists_only = $crate::roster_domain::contact::ContactFilter {
                buckets: filter.buckets.clone(),
                lists: Vec::new(),
                ..filter.clone()
            }
            .only_buckets();
            if let ([list], true, true) = (filter.lists.as_slice(), lists_only, not_deleted || active) {
                let column = if active { "active_member_count" } else { "member_count" };
                let text = format!("SELECT {column} FROM contact_lists WHERE account_id = $1 AND id = $2");
                let count: Option<(i64,)> = $crate::sqlx::query_as(&text)
                    .bind(account.0)
                    .bind(list.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::unavailable)?;
                return Ok(count.map(|(n,)| n).unwrap_or(0));
            }
            let tags_only =
                $crate::roster_domain::contact::ContactFilter { buckets: filter.buckets.clone(), tags: Vec::new(), ..filter.clone() }
                    .only_buckets();
            if let ([tag], true, true) = (filter.tags.as_slice(), tags_only, not_deleted) {
                let count: Option<(i64,)> =
                    $crate::sqlx::query_as("SELECT contacts_count FROM contact_tags WHERE account_id = $1 AND id = $2")
                        .bind(account.0)
                        .bind(tag.0)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::unavailable)?;
                return Ok(count.map(|(n,)| n).unwrap_or(0));
            }
            let $crate::contact_sql::Sql { text, binds } = $crate::contact_sql::count_query(Self::DIALECT, account, filter);
            let (count,): (i64,) =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_one(&self.pool).await.map_err($crate::unavailable)?;
            Ok(count)
        }

        async fn contact_bucket_counts(
            &self,
            account: $crate::roster_domain::AccountId,
        ) -> $crate::roster_domain::store::StoreResult<
            std::collections::BTreeMap<$crate::roster_domain::contact::Bucket, i64>,
        > {
            let rows: Vec<(String, i64)> = $crate::sqlx::query_as("SELECT bucket, n FROM contact_counts WHERE account_id = $1")
                .bind(account.0)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            Ok(rows
                .into_iter()
                .filter_map(|(bucket, n)| $crate::roster_domain::contact::Bucket::parse(&bucket).map(|b| (b, n)))
                .collect())
        }

        async fn count_new_subscribers(
            &self,
            account: $crate::roster_domain::AccountId,
            since: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<i64> {
            let (count,): (i64,) = $crate::sqlx::query_as(
                "SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND opt_in_date >= $2 \
                 AND status IN ('explicit', 'implicit')",
            )
            .bind(account.0)
            .bind(since.millis())
            .fetch_one(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(count)
        }

        async fn create_segment(
            &self,
            account: $crate::roster_domain::AccountId,
            name: &str,
            criteria: &str,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<$crate::roster_domain::segment::Segment> {
            let (id,): (i64,) = $crate::sqlx::query_as(
                "INSERT INTO segments (account_id, name, name_key, criteria, created_at, edited_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(account.0)
            .bind(name)
            .bind(name.to_lowercase())
            .bind(criteria)
            .bind(now.millis())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a segment named \"{name}\" already exists")))?;
            Ok($crate::roster_domain::segment::Segment {
                id: $crate::roster_domain::SegmentId(id),
                name: name.to_string(),
                criteria: criteria.to_string(),
                created_at: now,
                edited_at: now,
            })
        }

        async fn segment(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::SegmentId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::segment::Segment>> {
            let row: Option<$crate::rows::SegmentRow> = $crate::sqlx::query_as(
                "SELECT id, name, criteria, created_at, edited_at FROM segments WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(row.map(Into::into))
        }

        async fn segments(
            &self,
            account: $crate::roster_domain::AccountId,
            sort: $crate::roster_domain::segment::SegmentSort,
            after: Option<$crate::roster_domain::segment::SegmentKey>,
            limit: u32,
        ) -> $crate::roster_domain::store::StoreResult<
            $crate::roster_domain::Page<$crate::roster_domain::segment::Segment, $crate::roster_domain::segment::SegmentKey>,
        > {
            use $crate::roster_domain::segment::{SegmentKey, SegmentSort};
            let mut sql = $crate::contact_sql::Sql::default();
            let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
            sql.text = format!("SELECT id, name, criteria, created_at, edited_at FROM segments WHERE account_id = {account_bind}");
            match &after {
                Some(SegmentKey::Date { edited_at, id }) => {
                    let at = sql.bind($crate::contact_sql::Bind::I64(*edited_at));
                    let at_again = sql.bind($crate::contact_sql::Bind::I64(*edited_at));
                    let id = sql.bind($crate::contact_sql::Bind::I64(id.0));
                    sql.text.push_str(&format!(" AND (edited_at < {at} OR (edited_at = {at_again} AND id < {id}))"));
                }
                Some(SegmentKey::Name { name_key, id }) => {
                    let key = sql.bind($crate::contact_sql::Bind::Text(name_key.clone()));
                    let key_again = sql.bind($crate::contact_sql::Bind::Text(name_key.clone()));
                    let id = sql.bind($crate::contact_sql::Bind::I64(id.0));
                    sql.text.push_str(&format!(" AND (name_key > {key} OR (name_key = {key_again} AND id > {id}))"));
                }
                None => {}
            }
            let order = match sort {
                SegmentSort::Date => "edited_at DESC, id DESC",
                SegmentSort::Name => "name_key, id",
            };
            let fetch = sql.bind($crate::contact_sql::Bind::I64(i64::from(limit) + 1));
            sql.text.push_str(&format!(" ORDER BY {order} LIMIT {fetch}"));
            let $crate::contact_sql::Sql { text, binds } = sql;
            let rows: Vec<$crate::rows::SegmentRow> =
                $crate::bind_all!($crate::sqlx::query_as(&text), binds).fetch_all(&self.pool).await.map_err($crate::unavailable)?;
            let segments = rows.into_iter().map(Into::into).collect();
            Ok($crate::roster_domain::Page::from_overfetch(segments, limit, |s| SegmentKey::of(s, sort)))
        }

        async fn update_segment(
            &self,
            account: $crate::roster_domain::AccountId,
            segment: &$crate::roster_domain::segment::Segment,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query(
                "UPDATE segments SET name = $3, name_key = $4, criteria = $5, edited_at = $6 WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(segment.id.0)
            .bind(&segment.name)
            .bind(segment.name.to_lowercase())
            .bind(&segment.criteria)
            .bind(segment.edited_at.millis())
            .execute(&self.pool)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, &format!("a segment named \"{}\" already exists", segment.name)))?;
            Ok(done.rows_affected() > 0)
        }

        async fn delete_segment(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::SegmentId,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query("DELETE FROM segments WHERE account_id = $1 AND id = $2")
                .bind(account.0)
                .bind(id.0)
                .execute(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            Ok(done.rows_affected() > 0)
        }

        async fn request_resubscription(
            &self,
            request: &$crate::roster_domain::resubscription::Resubscription,
            contact: &$crate::roster_domain::contact::Contact,
            read_at: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let account = request.account;
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if !Self::lock_contact(&mut tx, account, contact.id, Some(read_at)).await.map_err($crate::unavailable)? {
                let exists: Option<(i64,)> = $crate::sqlx::query_as("SELECT updated_at FROM contacts WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(contact.id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                return match exists {
                    None => Ok(false),
                    Some(_) => Err($crate::roster_domain::StoreError::Conflict(
                        "the contact changed while it was being resubscribed; try again".into(),
                    )),
                };
            }
            $crate::sqlx::query(
                "INSERT INTO contact_resubscriptions (account_id, contact_id, token_sha256, list_ids, requested_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account.0)
            .bind(request.contact.0)
            .bind(&request.token_sha256)
            .bind($crate::rows::resubscription_list_ids(request))
            .bind(request.requested_at.millis())
            .execute(&mut *tx)
            .await
            .map_err(|e| $crate::conflict_on_unique(e, "a resubscription email was already sent to this contact"))?;
            Self::write_locked_contact(&mut tx, account, contact).await?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(true)
        }

        async fn withdraw_resubscription(
            &self,
            account: $crate::roster_domain::AccountId,
            contact: $crate::roster_domain::ContactId,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            $crate::sqlx::query(
                "DELETE FROM contact_resubscriptions WHERE account_id = $1 AND contact_id = $2 \
                 AND confirmed_at IS NULL AND declined_at IS NULL",
            )
            .bind(account.0)
            .bind(contact.0)
            .execute(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(())
        }

        async fn resubscription_by_token(
            &self,
            token_sha256: &str,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::resubscription::Resubscription>> {
            let row: Option<$crate::rows::ResubscriptionRow> = $crate::sqlx::query_as(
                "SELECT account_id, contact_id, token_sha256, list_ids, requested_at, confirmed_at, declined_at \
                 FROM contact_resubscriptions WHERE token_sha256 = $1",
            )
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            row.map(TryInto::try_into).transpose()
        }

        async fn confirm_resubscription(
            &self,
            token_sha256: &str,
            contact: &$crate::roster_domain::contact::Contact,
            read_at: $crate::roster_domain::Timestamp,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            // Claiming the request first makes a concurrent second confirmation find nothing.
            let claimed: Option<($crate::uuid::Uuid,)> = $crate::sqlx::query_as(
                "UPDATE contact_resubscriptions SET confirmed_at = $2 \
                 WHERE token_sha256 = $1 AND contact_id = $3 AND confirmed_at IS NULL AND declined_at IS NULL \
                 RETURNING account_id",
            )
            .bind(token_sha256)
            .bind(now.millis())
            .bind(contact.id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            let Some((account,)) = claimed else {
                return Ok(false);
            };
            let account = $crate::roster_domain::AccountId(account);
            if !Self::lock_contact(&mut tx, account, contact.id, Some(read_at)).await.map_err($crate::unavailable)? {
                return Err($crate::roster_domain::StoreError::Conflict(
                    "the contact changed while it was being resubscribed".into(),
                ));
            }
            Self::write_locked_contact(&mut tx, account, contact).await?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(true)
        }

        async fn decline_resubscription(
            &self,
            token_sha256: &str,
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<bool> {
            let done = $crate::sqlx::query(
                "UPDATE contact_resubscriptions SET declined_at = $2 \
                 WHERE token_sha256 = $1 AND confirmed_at IS NULL AND declined_at IS NULL",
            )
            .bind(token_sha256)
            .bind(now.millis())
            .execute(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(done.rows_affected() > 0)
        }
        }
    };
}

/// The columns `rows::ListRow` reads.
#[macro_export]
#[doc(hidden)]
macro_rules! list_columns {
    () => {
        "id, name, description, favorite, created_at, updated_at, deleted_at, member_count, active_member_count"
    };
}
