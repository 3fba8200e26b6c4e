//! Bulk activities: the queue (create, claim under a lease, release, finish) and the batch
//! writers, which commit a batch's changes together with the activity's progress (so a crash
//! resumes from the last committed batch), and the export files.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::activity::{
    Activity, ActivityJob, ActivityState, ClaimedActivity, ContactChange, ImportItem, ImportOutcome,
};
use roster_domain::contact::{Bucket, Contact, MAX_LIST_MEMBERSHIPS, MAX_TAGGINGS};
use roster_domain::counts::{CountDeltas, Footprint};
use roster_domain::{
    AccountId, ActivityId, ActivityStore, ContactId, ListId, Page, PageRequest, StoreError,
    StoreResult, Timestamp,
};
use roster_store_sql::columns::{ACTIVITY_COLUMNS, CONTACT_COLUMNS};
use roster_store_sql::contact_sql::{Bind, Sql};
use roster_store_sql::{conflict_on_unique, rows, unavailable};

use super::activity_progress::{append_activity_errors, begin_batch, held_elsewhere, with_errors};
use super::binds::bound;
use super::contact_reads::contacts_in_tx;
use super::contact_writes::{
    apply_count_deltas, insert_new_contacts, write_contact_links, write_contact_row,
    write_link_diff,
};
use super::fetch::{ExecuteWrite, FetchDomain};
use super::SqlStore;

#[async_trait]
impl ActivityStore for SqlStore {
    async fn create_activity(
        &self,
        activity: &Activity,
        job: &ActivityJob,
        max_queued: u32,
    ) -> StoreResult<()> {
        let job = rows::to_json(job);
        // The quota check and the insert are one statement, and the account's row lock
        // (PostgreSQL; SQLite writes one transaction at a time) keeps two racing requests
        // from both passing the check at the edge.
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if let Some(lock) = self.dialect.lock_account() {
            sqlx::query(lock)
                .bind(activity.account.0)
                .run(&mut *tx)
                .await?;
        }
        let done = sqlx::query(
            "INSERT INTO activities (id, account_id, kind, state, created_at, updated_at, \
             items_total, list_count, source_file_name, job) \
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
        .affected(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        if done == 0 {
            return Err(StoreError::LimitReached(format!(
                "the account already has {max_queued} queued activities"
            )));
        }
        Ok(())
    }

    async fn activity(&self, account: AccountId, id: ActivityId) -> StoreResult<Option<Activity>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1 AND account_id = $2")
        });
        let activity = sqlx::query_as::<_, rows::ActivityRow>(&SELECT)
            .bind(id.0)
            .bind(account.0)
            .optional(&self.pool)
            .await?;
        match activity {
            Some(activity) => Ok(Some(with_errors(&self.pool, activity).await?)),
            None => Ok(None),
        }
    }

    async fn activities(
        &self,
        account: AccountId,
        state: Option<ActivityState>,
        since: Timestamp,
        page: PageRequest<ActivityId>,
    ) -> StoreResult<Page<Activity, ActivityId>> {
        let mut sql = Sql::default();
        let account_bind = sql.bind(Bind::Uuid(account.0));
        let since_bind = sql.bind(Bind::I64(since.millis()));
        sql.text = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities \
             WHERE account_id = {account_bind} AND created_at >= {since_bind}"
        );
        if let Some(state) = state {
            let state = sql.bind(Bind::Text(state.as_str().to_string()));
            sql.text.push_str(&format!(" AND state = {state}"));
        }
        if let Some(after) = page.after {
            let after = sql.bind(Bind::Uuid(after.0));
            sql.text.push_str(&format!(" AND id < {after}"));
        }
        let limit = sql.bind(Bind::I64(i64::from(page.limit) + 1));
        sql.text
            .push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
        let read: Vec<Activity> = bound::<rows::ActivityRow>(&sql).all(&self.pool).await?;
        let mut activities = Vec::with_capacity(read.len());
        for activity in read {
            activities.push(with_errors(&self.pool, activity).await?);
        }
        Ok(Page::from_overfetch(
            activities,
            page.limit,
            |a: &Activity| a.id,
        ))
    }

    async fn claim_activity(
        &self,
        node: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<ClaimedActivity>> {
        // `$1` node, `$2` now, `$3` lease end. One text for both engines; `claim_lock` says why
        // they end the subquery differently.
        let text = format!(
            "UPDATE activities SET state = 'processing', lease_owner = $1, lease_until = $3, \
             started_at = COALESCE(started_at, $2), updated_at = $2 \
             WHERE id = (SELECT id FROM activities \
             WHERE state = 'initialized' \
             OR (state = 'processing' AND (lease_until IS NULL OR lease_until < $2)) \
             ORDER BY created_at, id LIMIT 1{}) RETURNING {ACTIVITY_COLUMNS}, job",
            self.dialect.claim_lock(),
        );
        sqlx::query_as::<_, rows::ClaimedRow>(&text)
            .bind(node)
            .bind(now.millis())
            .bind(lease_until.millis())
            .optional(&self.pool)
            .await
    }

    async fn release_activity(&self, id: ActivityId, node: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE activities SET lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'processing'",
        )
        .bind(id.0)
        .bind(node)
        .run(&self.pool)
        .await
    }

    async fn finish_activity(
        &self,
        id: ActivityId,
        node: &str,
        state: ActivityState,
        errors: &[String],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let done = sqlx::query(
            "UPDATE activities SET state = $3, completed_at = $4, updated_at = $4, \
             lease_owner = NULL, lease_until = NULL, items_completed = CASE \
             WHEN $3 = 'completed' THEN items_total ELSE items_completed END, job = '{}' \
             WHERE id = $1 AND lease_owner = $2 AND state = 'processing'",
        )
        .bind(id.0)
        .bind(node)
        .bind(state.as_str())
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if done == 0 {
            return Err(held_elsewhere());
        }
        append_activity_errors(&mut tx, id, errors).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn unfinished_activities(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM activities WHERE state IN ('initialized', 'processing')",
        )
        .one(&self.pool)
        .await?;
        Ok(count)
    }

    async fn import_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        items: &[ImportItem],
        lists: &[ListId],
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<ImportOutcome> {
        let mut tx = begin_batch(&self.pool, activity, node, done, now, lease_until).await?;
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
        let mut known: HashMap<String, (Contact, Option<Footprint>)> = HashMap::new();
        if !emails.is_empty() {
            let mut sql = Sql::default();
            let account_bind = sql.bind(Bind::Uuid(account.0));
            let placeholders: Vec<String> = emails
                .iter()
                .map(|e| sql.bind(Bind::Text(e.clone())))
                .collect();
            sql.text = format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts c \
                 WHERE c.account_id = {account_bind} AND c.email IN ({})",
                placeholders.join(", ")
            );
            for contact in contacts_in_tx(&mut tx, account, sql).await? {
                let footprint = Footprint::of(&contact);
                if let Some(email) = contact
                    .email
                    .as_ref()
                    .map(|e| e.address.as_str().to_string())
                {
                    known.insert(email, (contact, Some(footprint)));
                }
            }
        }
        let mut outcome = ImportOutcome::default();
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
                deltas.merge(CountDeltas::between(
                    &Footprint::default(),
                    &Footprint::of(contact),
                ));
                continue;
            };
            write_contact_row(&mut tx, account, contact, false)
                .await
                .map_err(|e| {
                    conflict_on_unique(e, "a contact with this email address already exists")
                })?;
            write_contact_links(&mut tx, account, contact, before).await?;
            deltas.merge(CountDeltas::between(before, &Footprint::of(contact)));
        }
        // A concurrent writer may have created one of these addresses since the batch read
        // them: the unique index refuses it, the batch rolls back and is retried later.
        insert_new_contacts(&mut tx, account, &new_contacts)
            .await
            .map_err(|e| {
                conflict_on_unique(e, "a contact with this email address already exists")
            })?;
        apply_count_deltas(&mut tx, account, &deltas).await?;
        append_activity_errors(&mut tx, activity, &errors).await?;
        sqlx::query(
            "UPDATE activities SET items_completed = items_completed + $2, \
             created_count = created_count + $3, updated_count = updated_count + $4, \
             cannot_add_to_list_count = cannot_add_to_list_count + $5 WHERE id = $1",
        )
        .bind(activity.0)
        .bind(items.len() as i64)
        .bind(outcome.created)
        .bind(outcome.updated)
        .bind(refused_lists)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(outcome)
    }

    async fn change_contacts_batch(
        &self,
        account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        change: &ContactChange,
        contacts: &[ContactId],
        visited: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = begin_batch(&self.pool, activity, node, done, now, lease_until).await?;
        let mut errors = Vec::new();
        let mut deltas = CountDeltas::default();
        let mut refused = 0i64;
        if !contacts.is_empty() {
            let mut sql = Sql::default();
            let account_bind = sql.bind(Bind::Uuid(account.0));
            let placeholders: Vec<String> = contacts
                .iter()
                .map(|id| sql.bind(Bind::Uuid(id.0)))
                .collect();
            sql.text = format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts c \
                 WHERE c.account_id = {account_bind} AND c.id IN ({}) ORDER BY c.id",
                placeholders.join(", ")
            );
            let found = contacts_in_tx(&mut tx, account, sql).await?;
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
                            if after.list_ids.len() >= MAX_LIST_MEMBERSHIPS {
                                refused += 1;
                                errors.push(format!(
                                    "contact {} is already a member of 50 lists",
                                    after.id
                                ));
                                break;
                            }
                            after.list_ids.push(*list);
                        }
                    }
                    ContactChange::RemoveLists(lists) => {
                        after.list_ids.retain(|l| !lists.contains(l))
                    }
                    ContactChange::AddTags(tags) => {
                        for tag in tags {
                            if after.tag_ids.contains(tag) {
                                continue;
                            }
                            if after.tag_ids.len() >= MAX_TAGGINGS {
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
                    write_contact_row(&mut tx, account, &after, false)
                        .await
                        .map_err(unavailable)?;
                } else {
                    // Only memberships or taggings change: the rows that differ, nothing else.
                    write_link_diff(&mut tx, account, &after, &before, now).await?;
                }
                deltas.merge(CountDeltas::between(&before, &Footprint::of(&after)));
            }
        }
        apply_count_deltas(&mut tx, account, &deltas).await?;
        append_activity_errors(&mut tx, activity, &errors).await?;
        sqlx::query(
            "UPDATE activities SET items_completed = items_completed + $2, cursor = COALESCE($3, \
             cursor), cannot_add_to_list_count = cannot_add_to_list_count + $4 WHERE id = $1",
        )
        .bind(activity.0)
        .bind(visited)
        .bind(last.map(|c| c.0))
        .bind(refused)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn append_export_chunk(
        &self,
        _account: AccountId,
        activity: ActivityId,
        node: &str,
        done: i64,
        chunk: &[u8],
        rows: i64,
        last: Option<ContactId>,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = begin_batch(&self.pool, activity, node, done, now, lease_until).await?;
        // The chunk's number is the progress before it, so a replayed batch cannot add a
        // second copy and chunks read back in order.
        sqlx::query("INSERT INTO activity_files (activity_id, seq, data) VALUES ($1, $2, $3)")
            .bind(activity.0)
            .bind(done)
            .bind(chunk)
            .run(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE activities SET items_completed = items_completed + $2, cursor = COALESCE($3, \
             cursor), items_total = CASE WHEN items_total < items_completed + $2 THEN \
             items_completed + $2 ELSE items_total END \
             WHERE id = $1",
        )
        .bind(activity.0)
        .bind(rows)
        .bind(last.map(|c| c.0))
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn export_chunk(
        &self,
        account: AccountId,
        activity: ActivityId,
        after: Option<i64>,
    ) -> StoreResult<Option<(i64, Vec<u8>)>> {
        sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT f.seq, f.data FROM activity_files f JOIN activities a ON a.id = f.activity_id \
             WHERE f.activity_id = $1 AND a.account_id = $2 AND f.seq > $3 ORDER BY f.seq LIMIT 1",
        )
        .bind(activity.0)
        .bind(account.0)
        .bind(after.unwrap_or(i64::MIN))
        .optional(&self.pool)
        .await
    }

    async fn purge_activities(&self, before: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM activities WHERE created_at < $1 \
             AND state NOT IN ('initialized', 'processing')",
        )
        .bind(before.millis())
        .affected(&self.pool)
        .await?;
        Ok(done)
    }
}
