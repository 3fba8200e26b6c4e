//! The bulk-activity queries of the storage contract: the queue (create, claim under a lease,
//! release, finish), the batch writers that commit a batch's changes together with the
//! activity's progress (so a crash resumes from the last committed batch), export files and
//! the list and tag deletes. `activity_helpers!` goes into the engine's inherent impl,
//! `activity_store_methods!` into its `Store` impl.

/// The columns `rows::ActivityRow` reads.
#[macro_export]
#[doc(hidden)]
macro_rules! activity_columns {
    () => {
        "id, account_id, kind, state, created_at, updated_at, started_at, completed_at, items_total, \
         items_completed, created_count, updated_count, error_count, cannot_add_to_list_count, list_count, \
         source_file_name, cursor"
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! activity_helpers {
    ($db:ty) => {
        /// Takes the activity's row for this batch: a write first (it locks the row, and SQLite's
        /// database), and only while `node` holds it and its progress is still `done`. False
        /// when another node took it over (its lease expired) or it was already advanced.
        async fn hold_activity(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            activity: $crate::roster_domain::ActivityId,
            node: &str,
            done: i64,
            now: $crate::roster_domain::Timestamp,
            lease_until: $crate::roster_domain::Timestamp,
        ) -> Result<bool, $crate::sqlx::Error> {
            let held = $crate::sqlx::query(
                "UPDATE activities SET updated_at = $3, lease_until = $4 \
                 WHERE id = $1 AND lease_owner = $2 AND items_completed = $5 AND state = 'processing'",
            )
            .bind(activity.0)
            .bind(node)
            .bind(now.millis())
            .bind(lease_until.millis())
            .bind(done)
            .execute(&mut **tx)
            .await?;
            Ok(held.rows_affected() == 1)
        }

        /// Appends errors (the first `MAX_STORED_ERRORS` are kept) and counts them all.
        async fn append_activity_errors(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            activity: $crate::roster_domain::ActivityId,
            errors: &[String],
        ) -> Result<(), $crate::sqlx::Error> {
            if errors.is_empty() {
                return Ok(());
            }
            let (count,): (i64,) = $crate::sqlx::query_as("SELECT error_count FROM activities WHERE id = $1")
                .bind(activity.0)
                .fetch_one(&mut **tx)
                .await?;
            let room = ($crate::roster_domain::activity::MAX_STORED_ERRORS - count).max(0) as usize;
            for (offset, message) in errors.iter().take(room).enumerate() {
                $crate::sqlx::query("INSERT INTO activity_errors (activity_id, seq, message) VALUES ($1, $2, $3)")
                    .bind(activity.0)
                    .bind(count + offset as i64)
                    .bind(message)
                    .execute(&mut **tx)
                    .await?;
            }
            $crate::sqlx::query("UPDATE activities SET error_count = error_count + $2 WHERE id = $1")
                .bind(activity.0)
                .bind(errors.len() as i64)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Inserts and deletes the membership and tagging rows that differ from `before`.
        async fn write_link_diff(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            contact: &$crate::roster_domain::contact::Contact,
            before: &$crate::roster_domain::counts::Footprint,
            now: $crate::roster_domain::Timestamp,
        ) -> Result<(), $crate::sqlx::Error> {
            let now = now.millis();
            for (table, column, old, new) in [
                ("contact_list_members", "list_id", before.lists.iter().map(|l| l.0).collect::<Vec<_>>(), contact.list_ids.iter().map(|l| l.0).collect::<Vec<_>>()),
                ("contact_taggings", "tag_id", before.tags.iter().map(|t| t.0).collect(), contact.tag_ids.iter().map(|t| t.0).collect()),
            ] {
                for gone in old.iter().filter(|id| !new.contains(id)) {
                    $crate::sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1 AND {column} = $2 AND contact_id = $3"))
                        .bind(account.0)
                        .bind(*gone)
                        .bind(contact.id.0)
                        .execute(&mut **tx)
                        .await?;
                }
                for added in new.iter().filter(|id| !old.contains(id)) {
                    $crate::sqlx::query(&format!(
                        "INSERT INTO {table} (account_id, {column}, contact_id, created_at) VALUES ($1, $2, $3, $4)"
                    ))
                    .bind(account.0)
                    .bind(*added)
                    .bind(contact.id.0)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Ok(())
        }

        /// Contacts (with lists, tags and custom values) read inside `tx` by a query on `c`.
        async fn contacts_in_tx(
            tx: &mut $crate::sqlx::Transaction<'_, $db>,
            account: $crate::roster_domain::AccountId,
            sql: $crate::contact_sql::Sql,
        ) -> Result<Vec<$crate::roster_domain::contact::Contact>, $crate::roster_domain::StoreError> {
            let $crate::contact_sql::Sql { text, binds } = sql;
            let rows: Vec<$crate::rows::ContactRow> = $crate::bind_all!($crate::sqlx::query_as(&text), binds)
                .fetch_all(&mut **tx)
                .await
                .map_err($crate::unavailable)?;
            let mut contacts = rows
                .into_iter()
                .map($crate::rows::ContactRow::into_domain)
                .collect::<Result<Vec<_>, _>>()?;
            if contacts.is_empty() {
                return Ok(contacts);
            }
            let ids: Vec<$crate::roster_domain::ContactId> = contacts.iter().map(|c| c.id).collect();
            let all = $crate::roster_domain::contact::Includes::all();
            if let Some($crate::contact_sql::Sql { text, binds }) = $crate::contact_sql::links_query(account, &ids, all) {
                let links = $crate::bind_all!($crate::sqlx::query_as::<_, $crate::rows::LinkRow>(&text), binds)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err($crate::unavailable)?;
                $crate::rows::attach(&mut contacts, links);
            }
            Ok(contacts)
        }

        /// An activity with its stored errors.
        async fn activity_with_errors(
            &self,
            row: $crate::rows::ActivityRow,
        ) -> Result<$crate::roster_domain::activity::Activity, $crate::roster_domain::StoreError> {
            let mut activity = row.into_domain()?;
            if activity.error_count > 0 {
                let errors: Vec<(String,)> =
                    $crate::sqlx::query_as("SELECT message FROM activity_errors WHERE activity_id = $1 ORDER BY seq")
                        .bind(activity.id.0)
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::unavailable)?;
                activity.errors = errors.into_iter().map(|(m,)| m).collect();
            }
            Ok(activity)
        }
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! activity_store_methods {
    ($store:ty, $db:ty, { $($base:tt)* }) => {
        $crate::contact_store_methods! { $store, $db, {
        $($base)*

        async fn create_activity(
            &self,
            activity: &$crate::roster_domain::activity::Activity,
            job: &$crate::roster_domain::activity::ActivityJob,
            max_queued: u32,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let job = $crate::rows::to_json(job);
            // The quota check and the insert are one statement, and the account's row lock
            // (PostgreSQL; SQLite writes one transaction at a time) keeps two racing requests
            // from both passing the check at the edge.
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if let Some(lock) = Self::DIALECT.lock_account() {
                $crate::sqlx::query(lock)
                    .bind(activity.account.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
            }
            let done = $crate::sqlx::query(
                "INSERT INTO activities (id, account_id, kind, state, created_at, updated_at, items_total, \
                 list_count, source_file_name, job) \
                 SELECT $1, $2, $3, $4, $5, $5, $6, $7, $8, $9 \
                 WHERE (SELECT COUNT(*) FROM activities WHERE account_id = $2 \
                        AND state IN ('initialized', 'processing')) < $10",
            )
            .bind(activity.id.0)
            .bind(activity.account.0)
            .bind(activity.kind.as_str())
            .bind(activity.state.as_str())
            .bind(activity.created_at.millis())
            .bind(activity.items_total)
            .bind(activity.list_count)
            .bind(&activity.source_file_name)
            .bind(job)
            .bind(i64::from(max_queued))
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            if done.rows_affected() == 0 {
                return Err($crate::roster_domain::StoreError::LimitReached(format!(
                    "the account already has {max_queued} queued activities"
                )));
            }
            Ok(())
        }

        async fn activity(
            &self,
            account: $crate::roster_domain::AccountId,
            id: $crate::roster_domain::ActivityId,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::activity::Activity>> {
            let row: Option<$crate::rows::ActivityRow> = $crate::sqlx::query_as(concat!(
                "SELECT ", $crate::activity_columns!(), " FROM activities WHERE id = $1 AND account_id = $2"
            ))
            .bind(id.0)
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            match row {
                Some(row) => Ok(Some(self.activity_with_errors(row).await?)),
                None => Ok(None),
            }
        }

        async fn activities(
            &self,
            account: $crate::roster_domain::AccountId,
            state: Option<$crate::roster_domain::activity::ActivityState>,
            since: $crate::roster_domain::Timestamp,
            page: $crate::roster_domain::PageRequest<$crate::roster_domain::ActivityId>,
        ) -> $crate::roster_domain::store::StoreResult<
            $crate::roster_domain::Page<$crate::roster_domain::activity::Activity, $crate::roster_domain::ActivityId>,
        > {
            let mut sql = $crate::contact_sql::Sql::default();
            let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
            let since_bind = sql.bind($crate::contact_sql::Bind::I64(since.millis()));
            sql.text = format!(
                "SELECT {} FROM activities WHERE account_id = {account_bind} AND created_at >= {since_bind}",
                $crate::activity_columns!()
            );
            if let Some(state) = state {
                let state = sql.bind($crate::contact_sql::Bind::Text(state.as_str().to_string()));
                sql.text.push_str(&format!(" AND state = {state}"));
            }
            if let Some(after) = page.after {
                let after = sql.bind($crate::contact_sql::Bind::Uuid(after.0));
                sql.text.push_str(&format!(" AND id < {after}"));
            }
            let limit = sql.bind($crate::contact_sql::Bind::I64(i64::from(page.limit) + 1));
            sql.text.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
            let $crate::contact_sql::Sql { text, binds } = sql;
            let rows: Vec<$crate::rows::ActivityRow> = $crate::bind_all!($crate::sqlx::query_as(&text), binds)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            let mut activities = Vec::with_capacity(rows.len());
            for row in rows {
                activities.push(self.activity_with_errors(row).await?);
            }
            Ok($crate::roster_domain::Page::from_overfetch(
                activities,
                page.limit,
                |a: &$crate::roster_domain::activity::Activity| a.id,
            ))
        }

        async fn claim_activity(
            &self,
            node: &str,
            now: $crate::roster_domain::Timestamp,
            lease_until: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<Option<$crate::roster_domain::activity::ClaimedActivity>> {
            // The one claim text of both engines; `claim_lock` says why they differ.
            // `$1` node, `$2` now, `$3` lease end.
            let text = format!(
                "UPDATE activities SET state = 'processing', lease_owner = $1, lease_until = $3, \
                 started_at = COALESCE(started_at, $2), updated_at = $2 \
                 WHERE id = (SELECT id FROM activities \
                 WHERE state = 'initialized' OR (state = 'processing' AND (lease_until IS NULL OR lease_until < $2)) \
                 ORDER BY created_at, id LIMIT 1{}) RETURNING {}, job",
                Self::DIALECT.claim_lock(),
                $crate::activity_columns!()
            );
            let row: Option<$crate::rows::ClaimedRow> = $crate::sqlx::query_as(&text)
                .bind(node)
                .bind(now.millis())
                .bind(lease_until.millis())
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::unavailable)?;
            row.map($crate::rows::ClaimedRow::into_domain).transpose()
        }

        async fn release_activity(
            &self,
            id: $crate::roster_domain::ActivityId,
            node: &str,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            $crate::sqlx::query(
                "UPDATE activities SET lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2 AND state = 'processing'",
            )
            .bind(id.0)
            .bind(node)
            .execute(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(())
        }

        async fn finish_activity(
            &self,
            id: $crate::roster_domain::ActivityId,
            node: &str,
            state: $crate::roster_domain::activity::ActivityState,
            errors: &[String],
            now: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            let done = $crate::sqlx::query(
                "UPDATE activities SET state = $3, completed_at = $4, updated_at = $4, lease_owner = NULL, \
                 lease_until = NULL, items_completed = CASE WHEN $3 = 'completed' THEN items_total ELSE items_completed END, \
                 job = '{}' \
                 WHERE id = $1 AND lease_owner = $2 AND state = 'processing'",
            )
            .bind(id.0)
            .bind(node)
            .bind(state.as_str())
            .bind(now.millis())
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            if done.rows_affected() == 0 {
                return Err($crate::roster_domain::StoreError::Conflict("the activity is held by another node".into()));
            }
            Self::append_activity_errors(&mut tx, id, errors).await.map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn unfinished_activities(&self) -> $crate::roster_domain::store::StoreResult<i64> {
            let (count,): (i64,) =
                $crate::sqlx::query_as("SELECT COUNT(*) FROM activities WHERE state IN ('initialized', 'processing')")
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::unavailable)?;
            Ok(count)
        }

        async fn import_contacts_batch(
            &self,
            account: $crate::roster_domain::AccountId,
            activity: $crate::roster_domain::ActivityId,
            node: &str,
            done: i64,
            items: &[$crate::roster_domain::activity::ImportItem],
            lists: &[$crate::roster_domain::ListId],
            now: $crate::roster_domain::Timestamp,
            lease_until: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<$crate::roster_domain::activity::ImportOutcome> {
            use $crate::roster_domain::activity::ImportItem;
            use $crate::roster_domain::counts::{CountDeltas, Footprint};
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if !Self::hold_activity(&mut tx, activity, node, done, now, lease_until).await.map_err($crate::unavailable)? {
                return Err($crate::roster_domain::StoreError::Conflict("the activity is held by another node".into()));
            }
            let mut errors = Vec::new();
            let mut emails: Vec<String> = Vec::new();
            for item in items {
                if let ImportItem::Row(row) = item {
                    if !emails.contains(&row.email) {
                        emails.push(row.email.clone());
                    }
                }
            }
            // The batch's existing contacts, read once; later rows of the batch see earlier ones.
            let mut known: std::collections::HashMap<String, ($crate::roster_domain::contact::Contact, Option<Footprint>)> =
                std::collections::HashMap::new();
            if !emails.is_empty() {
                let mut sql = $crate::contact_sql::Sql::default();
                let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
                let placeholders: Vec<String> =
                    emails.iter().map(|e| sql.bind($crate::contact_sql::Bind::Text(e.clone()))).collect();
                sql.text = format!(
                    "SELECT {} FROM contacts c WHERE c.account_id = {account_bind} AND c.email IN ({})",
                    $crate::contact_sql::CONTACT_COLUMNS,
                    placeholders.join(", ")
                );
                for contact in Self::contacts_in_tx(&mut tx, account, sql).await? {
                    let footprint = Footprint::of(&contact);
                    if let Some(email) = contact.email.as_ref().map(|e| e.address.as_str().to_string()) {
                        known.insert(email, (contact, Some(footprint)));
                    }
                }
            }
            let mut outcome = $crate::roster_domain::activity::ImportOutcome::default();
            let mut refused_lists = 0i64;
            let mut order: Vec<String> = Vec::new();
            for (offset, item) in items.iter().enumerate() {
                let row = match item {
                    ImportItem::Rejected(reason) => {
                        errors.push(reason.clone());
                        continue;
                    }
                    ImportItem::Row(row) => row,
                };
                let existing = known.get(&row.email).map(|(c, _)| c);
                match row.apply(existing, lists, now) {
                    Ok((contact, refused)) => {
                        refused_lists += i64::from(refused);
                        match known.get_mut(&row.email) {
                            Some(slot) => {
                                if slot.1.is_some() && !order.contains(&row.email) {
                                    outcome.updated += 1;
                                }
                                slot.0 = contact;
                            }
                            None => {
                                outcome.created += 1;
                                known.insert(row.email.clone(), (contact, None));
                            }
                        }
                        if !order.contains(&row.email) {
                            order.push(row.email.clone());
                        }
                    }
                    Err(reason) => errors.push(format!("item {}: {reason}", done + offset as i64 + 1)),
                }
            }
            let mut deltas = CountDeltas::default();
            let mut new_contacts = Vec::new();
            for email in &order {
                let (contact, before) = &known[email];
                let Some(before) = before else {
                    new_contacts.push(contact);
                    deltas.merge(CountDeltas::between(&Footprint::default(), &Footprint::of(contact)));
                    continue;
                };
                Self::write_contact_row(&mut tx, account, contact, false)
                    .await
                    .map_err(|e| $crate::conflict_on_unique(e, "a contact with this email address already exists"))?;
                Self::write_contact_links(&mut tx, account, contact, before).await.map_err($crate::unavailable)?;
                deltas.merge(CountDeltas::between(before, &Footprint::of(contact)));
            }
            // A concurrent writer may have created one of these addresses since the batch read
            // them: the unique index refuses it, the batch rolls back and is retried later.
            Self::insert_new_contacts(&mut tx, account, &new_contacts)
                .await
                .map_err(|e| $crate::conflict_on_unique(e, "a contact with this email address already exists"))?;
            Self::apply_count_deltas(&mut tx, account, &deltas).await.map_err($crate::unavailable)?;
            Self::append_activity_errors(&mut tx, activity, &errors).await.map_err($crate::unavailable)?;
            $crate::sqlx::query(
                "UPDATE activities SET items_completed = items_completed + $2, created_count = created_count + $3, \
                 updated_count = updated_count + $4, cannot_add_to_list_count = cannot_add_to_list_count + $5 WHERE id = $1",
            )
            .bind(activity.0)
            .bind(items.len() as i64)
            .bind(outcome.created)
            .bind(outcome.updated)
            .bind(refused_lists)
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(outcome)
        }

        async fn change_contacts_batch(
            &self,
            account: $crate::roster_domain::AccountId,
            activity: $crate::roster_domain::ActivityId,
            node: &str,
            done: i64,
            change: &$crate::roster_domain::activity::ContactChange,
            contacts: &[$crate::roster_domain::ContactId],
            visited: i64,
            last: Option<$crate::roster_domain::ContactId>,
            now: $crate::roster_domain::Timestamp,
            lease_until: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            use $crate::roster_domain::activity::ContactChange;
            use $crate::roster_domain::contact::Bucket;
            use $crate::roster_domain::counts::{CountDeltas, Footprint};
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if !Self::hold_activity(&mut tx, activity, node, done, now, lease_until).await.map_err($crate::unavailable)? {
                return Err($crate::roster_domain::StoreError::Conflict("the activity is held by another node".into()));
            }
            let mut errors = Vec::new();
            let mut deltas = CountDeltas::default();
            let mut refused = 0i64;
            if !contacts.is_empty() {
                let mut sql = $crate::contact_sql::Sql::default();
                let account_bind = sql.bind($crate::contact_sql::Bind::Uuid(account.0));
                let placeholders: Vec<String> =
                    contacts.iter().map(|id| sql.bind($crate::contact_sql::Bind::Uuid(id.0))).collect();
                sql.text = format!(
                    "SELECT {} FROM contacts c WHERE c.account_id = {account_bind} AND c.id IN ({}) ORDER BY c.id",
                    $crate::contact_sql::CONTACT_COLUMNS,
                    placeholders.join(", ")
                );
                let found = Self::contacts_in_tx(&mut tx, account, sql).await?;
                for id in contacts {
                    if !found.iter().any(|c| c.id == *id) {
                        errors.push(format!("contact {id} was not found"));
                    }
                }
                for before_contact in found {
                    let before = Footprint::of(&before_contact);
                    let mut after = before_contact.clone();
                    match change {
                        ContactChange::AddLists(lists) => {
                            for list in lists {
                                if after.list_ids.contains(list) {
                                    continue;
                                }
                                if after.list_ids.len() >= $crate::roster_domain::contact::MAX_LIST_MEMBERSHIPS {
                                    refused += 1;
                                    errors.push(format!("contact {} is already a member of 50 lists", after.id));
                                    break;
                                }
                                after.list_ids.push(*list);
                            }
                        }
                        ContactChange::RemoveLists(lists) => after.list_ids.retain(|l| !lists.contains(l)),
                        ContactChange::AddTags(tags) => {
                            for tag in tags {
                                if after.tag_ids.contains(tag) {
                                    continue;
                                }
                                if after.tag_ids.len() >= $crate::roster_domain::contact::MAX_TAGGINGS {
                                    errors.push(format!("contact {} already has 50 tags", after.id));
                                    break;
                                }
                                after.tag_ids.push(*tag);
                            }
                        }
                        ContactChange::RemoveTags(tags) => after.tag_ids.retain(|t| !tags.contains(t)),
                        ContactChange::Delete => {
                            if after.bucket() != Bucket::Deleted {
                                after = after.deleted(now);
                            }
                        }
                    }
                    if after == before_contact {
                        continue;
                    }
                    if matches!(change, ContactChange::Delete) {
                        Self::write_contact_row(&mut tx, account, &after, false).await.map_err($crate::unavailable)?;
                    } else {
                        // Only memberships or taggings change: the rows that differ, nothing else.
                        Self::write_link_diff(&mut tx, account, &after, &before, now).await.map_err($crate::unavailable)?;
                    }
                    deltas.merge(CountDeltas::between(&before, &Footprint::of(&after)));
                }
            }
            Self::apply_count_deltas(&mut tx, account, &deltas).await.map_err($crate::unavailable)?;
            Self::append_activity_errors(&mut tx, activity, &errors).await.map_err($crate::unavailable)?;
            $crate::sqlx::query(
                "UPDATE activities SET items_completed = items_completed + $2, cursor = COALESCE($3, cursor), \
                 cannot_add_to_list_count = cannot_add_to_list_count + $4 WHERE id = $1",
            )
            .bind(activity.0)
            .bind(visited)
            .bind(last.map(|c| c.0))
            .bind(refused)
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn append_export_chunk(
            &self,
            _account: $crate::roster_domain::AccountId,
            activity: $crate::roster_domain::ActivityId,
            node: &str,
            done: i64,
            chunk: &[u8],
            rows: i64,
            last: Option<$crate::roster_domain::ContactId>,
            now: $crate::roster_domain::Timestamp,
            lease_until: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<()> {
            let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
            if !Self::hold_activity(&mut tx, activity, node, done, now, lease_until).await.map_err($crate::unavailable)? {
                return Err($crate::roster_domain::StoreError::Conflict("the activity is held by another node".into()));
            }
            // The chunk's number is the progress before it, so a replayed batch cannot add a
            // second copy and chunks read back in order.
            $crate::sqlx::query("INSERT INTO activity_files (activity_id, seq, data) VALUES ($1, $2, $3)")
                .bind(activity.0)
                .bind(done)
                .bind(chunk)
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
            $crate::sqlx::query(
                "UPDATE activities SET items_completed = items_completed + $2, cursor = COALESCE($3, cursor), \
                 items_total = CASE WHEN items_total < items_completed + $2 THEN items_completed + $2 ELSE items_total END \
                 WHERE id = $1",
            )
            .bind(activity.0)
            .bind(rows)
            .bind(last.map(|c| c.0))
            .execute(&mut *tx)
            .await
            .map_err($crate::unavailable)?;
            tx.commit().await.map_err($crate::unavailable)?;
            Ok(())
        }

        async fn export_chunk(
            &self,
            account: $crate::roster_domain::AccountId,
            activity: $crate::roster_domain::ActivityId,
            after: Option<i64>,
        ) -> $crate::roster_domain::store::StoreResult<Option<(i64, Vec<u8>)>> {
            let row: Option<(i64, Vec<u8>)> = $crate::sqlx::query_as(
                "SELECT f.seq, f.data FROM activity_files f JOIN activities a ON a.id = f.activity_id \
                 WHERE f.activity_id = $1 AND a.account_id = $2 AND f.seq > $3 ORDER BY f.seq LIMIT 1",
            )
            .bind(activity.0)
            .bind(account.0)
            .bind(after.unwrap_or(i64::MIN))
            .fetch_optional(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(row)
        }

        async fn delete_lists(
            &self,
            account: $crate::roster_domain::AccountId,
            lists: &[$crate::roster_domain::ListId],
        ) -> $crate::roster_domain::store::StoreResult<i64> {
            let now = $crate::roster_domain::Timestamp::now().millis();
            let mut deleted = 0;
            for list in lists {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                let done = $crate::sqlx::query(
                    "UPDATE contact_lists SET deleted_at = $3, updated_at = $3, member_count = 0, active_member_count = 0 \
                     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL",
                )
                .bind(account.0)
                .bind(list.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err($crate::unavailable)?;
                if done.rows_affected() == 1 {
                    $crate::sqlx::query("DELETE FROM contact_list_members WHERE account_id = $1 AND list_id = $2")
                        .bind(account.0)
                        .bind(list.0)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::unavailable)?;
                    $crate::sqlx::query("UPDATE accounts SET list_count = list_count - 1 WHERE id = $1")
                        .bind(account.0)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::unavailable)?;
                    deleted += 1;
                }
                tx.commit().await.map_err($crate::unavailable)?;
            }
            Ok(deleted)
        }

        async fn delete_tags(
            &self,
            account: $crate::roster_domain::AccountId,
            tags: &[$crate::roster_domain::TagId],
        ) -> $crate::roster_domain::store::StoreResult<i64> {
            let mut deleted = 0;
            for tag in tags {
                let mut tx = self.pool.begin().await.map_err($crate::unavailable)?;
                let done = $crate::sqlx::query("DELETE FROM contact_tags WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(tag.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                $crate::sqlx::query("DELETE FROM contact_taggings WHERE account_id = $1 AND tag_id = $2")
                    .bind(account.0)
                    .bind(tag.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::unavailable)?;
                deleted += done.rows_affected() as i64;
                tx.commit().await.map_err($crate::unavailable)?;
            }
            Ok(deleted)
        }

        async fn purge_activities(
            &self,
            before: $crate::roster_domain::Timestamp,
        ) -> $crate::roster_domain::store::StoreResult<u64> {
            let done = $crate::sqlx::query(
                "DELETE FROM activities WHERE created_at < $1 AND state NOT IN ('initialized', 'processing')",
            )
            .bind(before.millis())
            .execute(&self.pool)
            .await
            .map_err($crate::unavailable)?;
            Ok(done.rows_affected())
        }
        } }
    };
}
