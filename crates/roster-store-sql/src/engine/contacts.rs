//! Contacts: single writes and reads, the bulk load, pages of a filter, and the counts,
//! read from the maintained counters whenever the filter allows.

use std::collections::BTreeMap;

use async_trait::async_trait;
use roster_domain::contact::{Bucket, Contact, ContactFilter, Includes};
use roster_domain::counts::{CountDeltas, Footprint};
use roster_domain::{
    AccountId, ContactId, ContactStore, EmailAddress, Page, PageRequest, StoreResult, Timestamp,
};
use roster_store_sql::contact_sql::{by_id_query, count_query, page_query};
use roster_store_sql::rows::ContactRow;
use roster_store_sql::{conflict_on_unique, unavailable};

use super::binds::bound;
use super::contact_reads::{contact_where, load_contact_links};
use super::contact_writes::{
    apply_count_deltas, insert_new_contacts, lock_contact, write_contact_links, write_contact_row,
    write_locked_contact,
};
use super::fetch::{account_row, FetchDomain};
use super::SqlStore;

#[async_trait]
impl ContactStore for SqlStore {
    async fn insert_contact(&self, account: AccountId, contact: &Contact) -> StoreResult<()> {
        let conflict =
            |e| conflict_on_unique(e, "a contact with this email address already exists");
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        write_contact_row(&mut tx, account, contact, true)
            .await
            .map_err(conflict)?;
        let before = Footprint::default();
        write_contact_links(&mut tx, account, contact, &before).await?;
        let deltas = CountDeltas::between(&before, &Footprint::of(contact));
        apply_count_deltas(&mut tx, account, &deltas).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn insert_contacts_bulk(
        &self,
        account: AccountId,
        contacts: &[Contact],
    ) -> StoreResult<()> {
        if contacts.is_empty() {
            return Ok(());
        }
        let conflict = |e| {
            conflict_on_unique(
                e,
                "a contact with one of these email addresses already exists",
            )
        };
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let new_contacts: Vec<&Contact> = contacts.iter().collect();
        insert_new_contacts(&mut tx, account, &new_contacts)
            .await
            .map_err(conflict)?;
        let mut deltas = CountDeltas::default();
        for contact in contacts {
            deltas.merge(CountDeltas::between(
                &Footprint::default(),
                &Footprint::of(contact),
            ));
        }
        apply_count_deltas(&mut tx, account, &deltas).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn contact(&self, account: AccountId, id: ContactId) -> StoreResult<Option<Contact>> {
        self.contact_with(account, id, Includes::all()).await
    }

    async fn contact_with(
        &self,
        account: AccountId,
        id: ContactId,
        includes: Includes,
    ) -> StoreResult<Option<Contact>> {
        contact_where(&self.pool, account, "c.id = $2", id.0, includes).await
    }

    async fn contacts_by_id(
        &self,
        account: AccountId,
        ids: &[ContactId],
        includes: Includes,
    ) -> StoreResult<Vec<Contact>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = by_id_query(account, ids);
        let mut contacts: Vec<Contact> = bound::<ContactRow>(&sql).all(&self.pool).await?;
        load_contact_links(&self.pool, account, &mut contacts, includes).await?;
        Ok(contacts)
    }

    async fn contact_by_email(
        &self,
        account: AccountId,
        email: &EmailAddress,
    ) -> StoreResult<Option<Contact>> {
        contact_where(
            &self.pool,
            account,
            "c.email = $2",
            email.as_str().to_string(),
            Includes::all(),
        )
        .await
    }

    async fn save_contact(&self, account: AccountId, contact: &Contact) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if !lock_contact(&mut tx, account, contact.id, None).await? {
            return Ok(false);
        }
        write_locked_contact(&mut tx, account, contact).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn contacts(
        &self,
        account: AccountId,
        filter: &ContactFilter,
        includes: Includes,
        page: PageRequest<ContactId>,
    ) -> StoreResult<Page<Contact, ContactId>> {
        let sql = page_query(self.dialect, account, filter, page.after, page.limit);
        let contacts = bound::<ContactRow>(&sql).all(&self.pool).await?;
        let mut page = Page::from_overfetch(contacts, page.limit, |c: &Contact| c.id);
        load_contact_links(&self.pool, account, &mut page.items, includes).await?;
        Ok(page)
    }

    async fn count_contacts(&self, account: AccountId, filter: &ContactFilter) -> StoreResult<i64> {
        if filter.only_buckets() {
            let counts = self.contact_bucket_counts(account).await?;
            return Ok(filter
                .buckets
                .iter()
                .map(|b| counts.get(b).copied().unwrap_or(0))
                .sum());
        }
        let not_deleted = filter.buckets.len() == Bucket::NOT_DELETED.len()
            && !filter.buckets.contains(&Bucket::Deleted);
        let active = filter.buckets.len() == 2 && filter.buckets.iter().all(|b| b.is_active());
        let lists_only = ContactFilter {
            buckets: filter.buckets.clone(),
            lists: Vec::new(),
            ..filter.clone()
        }
        .only_buckets();
        if let ([list], true, true) = (filter.lists.as_slice(), lists_only, not_deleted || active) {
            let column = if active {
                "active_member_count"
            } else {
                "member_count"
            };
            let text =
                format!("SELECT {column} FROM contact_lists WHERE account_id = $1 AND id = $2");
            let count = account_row::<(i64,), _>(&self.pool, &text, account, list.0).await?;
            return Ok(count.map(|(n,)| n).unwrap_or(0));
        }
        let tags_only = ContactFilter {
            buckets: filter.buckets.clone(),
            tags: Vec::new(),
            ..filter.clone()
        }
        .only_buckets();
        if let ([tag], true, true) = (filter.tags.as_slice(), tags_only, not_deleted) {
            let select =
                "SELECT contacts_count FROM contact_tags WHERE account_id = $1 AND id = $2";
            let count = account_row::<(i64,), _>(&self.pool, select, account, tag.0).await?;
            return Ok(count.map(|(n,)| n).unwrap_or(0));
        }
        let sql = count_query(self.dialect, account, filter);
        let (count,): (i64,) = bound::<(i64,)>(&sql).one(&self.pool).await?;
        Ok(count)
    }

    async fn contact_bucket_counts(
        &self,
        account: AccountId,
    ) -> StoreResult<BTreeMap<Bucket, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as::<_, (String, i64)>(
            "SELECT bucket, n FROM contact_counts WHERE account_id = $1",
        )
        .bind(account.0)
        .all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(bucket, n)| Bucket::parse(&bucket).map(|b| (b, n)))
            .collect())
    }

    async fn count_new_subscribers(
        &self,
        account: AccountId,
        since: Timestamp,
    ) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND opt_in_date >= $2 \
             AND status IN ('explicit', 'implicit')",
        )
        .bind(account.0)
        .bind(since.millis())
        .one(&self.pool)
        .await?;
        Ok(count)
    }
}
