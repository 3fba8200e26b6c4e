//! Segments: named criteria, paged by edit date or by name with a keyset on either.

use async_trait::async_trait;
use roster_domain::segment::{Segment, SegmentKey, SegmentSort};
use roster_domain::{AccountId, Page, SegmentId, SegmentStore, StoreResult, Timestamp};
use roster_store_sql::contact_sql::{Bind, Sql};
use roster_store_sql::{conflict_on_unique, rows};

use super::binds::bound;
use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use super::named::{name_taken, named_write};
use super::SqlStore;

#[async_trait]
impl SegmentStore for SqlStore {
    async fn create_segment(
        &self,
        account: AccountId,
        name: &str,
        criteria: &str,
        now: Timestamp,
    ) -> StoreResult<Segment> {
        let (id,): (i64,) = sqlx::query_as(
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
        .map_err(|e| conflict_on_unique(e, &name_taken("segment", name)))?;
        Ok(Segment {
            id: SegmentId(id),
            name: name.to_string(),
            criteria: criteria.to_string(),
            created_at: now,
            edited_at: now,
        })
    }

    async fn segment(&self, account: AccountId, id: SegmentId) -> StoreResult<Option<Segment>> {
        let select = "SELECT id, name, criteria, created_at, edited_at FROM segments \
                      WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL";
        account_row::<rows::SegmentRow, _>(&self.pool, select, account, id.0).await
    }

    async fn segment_with_deleted(
        &self,
        account: AccountId,
        id: SegmentId,
    ) -> StoreResult<Option<Segment>> {
        let select = "SELECT id, name, criteria, created_at, edited_at FROM segments \
                      WHERE account_id = $1 AND id = $2";
        account_row::<rows::SegmentRow, _>(&self.pool, select, account, id.0).await
    }

    async fn segments(
        &self,
        account: AccountId,
        sort: SegmentSort,
        after: Option<SegmentKey>,
        limit: u32,
    ) -> StoreResult<Page<Segment, SegmentKey>> {
        let mut sql = Sql::default();
        let account_bind = sql.bind(Bind::Uuid(account.0));
        sql.text = format!(
            "SELECT id, name, criteria, created_at, edited_at FROM segments \
             WHERE account_id = {account_bind} AND deleted_at IS NULL"
        );
        match &after {
            Some(SegmentKey::Date { edited_at, id }) => {
                let at = sql.bind(Bind::I64(*edited_at));
                let at_again = sql.bind(Bind::I64(*edited_at));
                let id = sql.bind(Bind::I64(id.0));
                sql.text.push_str(&format!(
                    " AND (edited_at < {at} OR (edited_at = {at_again} AND id < {id}))"
                ));
            }
            Some(SegmentKey::Name { name_key, id }) => {
                let key = sql.bind(Bind::Text(name_key.clone()));
                let key_again = sql.bind(Bind::Text(name_key.clone()));
                let id = sql.bind(Bind::I64(id.0));
                sql.text.push_str(&format!(
                    " AND (name_key > {key} OR (name_key = {key_again} AND id > {id}))"
                ));
            }
            None => {}
        }
        let order = match sort {
            SegmentSort::Date => "edited_at DESC, id DESC",
            SegmentSort::Name => "name_key, id",
        };
        let fetch = sql.bind(Bind::I64(i64::from(limit) + 1));
        sql.text
            .push_str(&format!(" ORDER BY {order} LIMIT {fetch}"));
        let segments = bound::<rows::SegmentRow>(&sql).all(&self.pool).await?;
        Ok(Page::from_overfetch(segments, limit, |s| {
            SegmentKey::of(s, sort)
        }))
    }

    async fn update_segment(&self, account: AccountId, segment: &Segment) -> StoreResult<bool> {
        let update = "UPDATE segments SET name = $3, name_key = $4, criteria = $5, edited_at = $6 \
                      WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL";
        let done = named_write(update, account, segment.id.0, &segment.name)
            .bind(&segment.criteria)
            .bind(segment.edited_at.millis())
            .affected_unless_conflict(&self.pool, &name_taken("segment", &segment.name))
            .await?;
        Ok(done > 0)
    }

    async fn delete_segment(
        &self,
        account: AccountId,
        id: SegmentId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = account_write(
            "UPDATE segments SET deleted_at = $3 \
             WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL",
            account,
            id.0,
        )
        .bind(now.millis())
        .affected(&self.pool)
        .await?;
        Ok(done > 0)
    }

    async fn segments_with_tracking(&self) -> StoreResult<Vec<(AccountId, Segment)>> {
        let rows: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
            "SELECT account_id, id FROM segments \
             WHERE deleted_at IS NULL AND criteria LIKE '%tracking%' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(roster_store_sql::unavailable)?;
        let mut found = Vec::with_capacity(rows.len());
        for (account, id) in rows {
            let account = AccountId(account);
            if let Some(segment) = self.segment(account, SegmentId(id)).await? {
                found.push((account, segment));
            }
        }
        Ok(found)
    }
}
