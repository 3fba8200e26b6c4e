//! Tracking events: batches recorded in one transaction each (`event_writes`), the counters
//! read back and recounted from the rows, and the activities' tracked links.

use std::collections::BTreeMap;

use async_trait::async_trait;
use roster_domain::tracking::{BounceCode, Device, EventKind, TrackingCounts, TrackingEvent};
use roster_domain::{
    AccountId, CampaignActivityId, EventStore, StoreError, StoreResult, Timestamp,
};
use roster_store_sql::rows::{corrupt_error, TrackingCountsRow, TrackingEventRow};
use roster_store_sql::tracking::COUNTER_COLUMNS;
use roster_store_sql::unavailable;

use super::event_writes::write_events;
use super::fetch::{account_write, ExecuteWrite, FetchDomain};
use super::SqlStore;

fn corrupt(what: &str) -> StoreError {
    StoreError::unavailable(corrupt_error(what))
}

fn count(value: i64) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| corrupt("tracking event count"))
}

#[async_trait]
impl EventStore for SqlStore {
    async fn record_events(&self, events: &[TrackingEvent]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        write_events(&mut tx, events).await?;
        tx.commit().await.map_err(unavailable)
    }

    async fn tracking_counts(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<TrackingCounts> {
        let columns = COUNTER_COLUMNS[..COUNTER_COLUMNS.len() - 1].join(", ");
        let sql = format!(
            "SELECT {columns} FROM activity_tracking_counts \
             WHERE account_id = $1 AND activity_id = $2"
        );
        let counts: Option<TrackingCounts> = sqlx::query_as::<_, TrackingCountsRow>(&sql)
            .bind(account.0)
            .bind(activity.0)
            .optional(&self.pool)
            .await?;
        Ok(counts.unwrap_or_default())
    }

    async fn recount_tracking(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<TrackingCounts> {
        let mut counts = TrackingCounts::default();
        let by_device: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT kind, device, COUNT(*) FROM tracking_events \
             WHERE account_id = $1 AND activity_id = $2 GROUP BY kind, device",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        for (kind, device, n) in by_device {
            let kind = EventKind::parse(&kind).ok_or_else(|| corrupt("event kind"))?;
            let device = Device::parse(&device).ok_or_else(|| corrupt("event device"))?;
            match kind {
                EventKind::Open => counts.opens.add(device, count(n)?),
                EventKind::Click => counts.clicks.add(device, count(n)?),
                EventKind::Forward => counts.forwards += count(n)?,
                EventKind::OptOut | EventKind::Bounce | EventKind::Abuse => {}
            }
        }
        let contacts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT kind, COUNT(DISTINCT contact_id) FROM tracking_events \
             WHERE account_id = $1 AND activity_id = $2 AND machine = $3 GROUP BY kind",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(false)
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        for (kind, n) in contacts {
            let n = count(n)?;
            match EventKind::parse(&kind).ok_or_else(|| corrupt("event kind"))? {
                EventKind::Open => counts.unique_opens = n,
                EventKind::Click => counts.unique_clicks = n,
                EventKind::Forward => counts.unique_forwards = n,
                EventKind::OptOut => counts.optouts = n,
                EventKind::Bounce => counts.bounces = n,
                EventKind::Abuse => counts.abuse = n,
            }
        }
        // Each bounced contact under the code of its first bounce (the lowest id).
        let codes: Vec<(Option<String>, i64)> = sqlx::query_as(
            "SELECT e.bounce_code, COUNT(*) FROM tracking_events e \
             WHERE e.account_id = $1 AND e.activity_id = $2 AND e.kind = 'bounce' \
             AND e.machine = $3 AND e.id = (SELECT MIN(f.id) FROM tracking_events f \
                 WHERE f.account_id = e.account_id AND f.activity_id = e.activity_id \
                 AND f.kind = 'bounce' AND f.machine = $3 AND f.contact_id = e.contact_id) \
             GROUP BY e.bounce_code",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(false)
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        for (code, n) in codes {
            let code = match code {
                None => BounceCode::Other,
                Some(code) => BounceCode::parse(&code).ok_or_else(|| corrupt("bounce code"))?,
            };
            counts.bounces_by_code.add(code, count(n)?);
        }
        Ok(counts)
    }

    async fn recent_events(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        limit: u32,
    ) -> StoreResult<Vec<TrackingEvent>> {
        sqlx::query_as::<_, TrackingEventRow>(
            "SELECT account_id, activity_id, contact_id, send_number, kind, url_id, device, \
             machine, bounce_code, occurred_at FROM tracking_events \
             WHERE account_id = $1 AND activity_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(i64::from(limit))
        .all(&self.pool)
        .await
    }

    async fn activity_link_ids(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        urls: &[String],
    ) -> StoreResult<Vec<u32>> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Locks the activity (and takes SQLite's write lock before the read), so two nodes
        // composing the same send at once number its links once.
        let found = account_write(
            "UPDATE email_campaign_activities SET updated_at = updated_at \
             WHERE account_id = $1 AND id = $2",
            account,
            activity.0,
        )
        .affected(&mut *tx)
        .await?;
        if found == 0 {
            return Err(StoreError::Conflict(
                "the campaign activity does not exist".into(),
            ));
        }
        let known: Vec<(i64, String)> = sqlx::query_as(
            "SELECT url_id, url FROM activity_links WHERE account_id = $1 AND activity_id = $2",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(unavailable)?;
        let mut ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut next: u32 = 1;
        for (id, url) in known {
            let id = u32::try_from(id).map_err(|_| corrupt("link url_id"))?;
            next = next.max(id.saturating_add(1));
            ids.insert(url, id);
        }
        let now = Timestamp::now();
        let mut answer = Vec::with_capacity(urls.len());
        for url in urls {
            if let Some(id) = ids.get(url) {
                answer.push(*id);
                continue;
            }
            account_write(
                "INSERT INTO activity_links (account_id, activity_id, url_id, url, clicks, \
                 unique_clicks, created_at) VALUES ($1, $2, $3, $4, 0, 0, $5)",
                account,
                activity.0,
            )
            .bind(i64::from(next))
            .bind(url.as_str())
            .bind(now.millis())
            .run(&mut *tx)
            .await?;
            ids.insert(url.clone(), next);
            answer.push(next);
            next = next.saturating_add(1);
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(answer)
    }

    async fn activity_link(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        url_id: u32,
    ) -> StoreResult<Option<String>> {
        let url: Option<(String,)> = sqlx::query_as(
            "SELECT url FROM activity_links \
             WHERE account_id = $1 AND activity_id = $2 AND url_id = $3",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(i64::from(url_id))
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(url.map(|(url,)| url))
    }
}
