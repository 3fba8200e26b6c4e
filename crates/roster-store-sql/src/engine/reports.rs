//! The email reports (docs/REPORTS.md): the texts of `roster_store_sql::reports`, bound and
//! run. Each reads by index: the activities by primary key, their counters row and their
//! sends' unique index, the tracking pages by the (partial) indexes of 0013 and 0016.

use async_trait::async_trait;
use roster_domain::email_report::{
    ActivityStats, LinkClicks, ReportActivity, SummaryKey, TrackingFilter, TrackingKey,
    TrackingReport, TrackingRow,
};
use roster_domain::{
    AccountId, CampaignActivityId, CampaignId, Page, PageRequest, ReportStore, StoreResult,
    Timestamp,
};
use roster_store_sql::reports::{
    activity_stats_sql, link_clicks_sql, sent_campaigns_sql, tracking_page_sql,
};
use roster_store_sql::rows::{
    ActivityStatsRow, LinkClicksRow, ReportActivityRow, SentCampaignRow, TrackingRowSql,
};
use roster_store_sql::unavailable;
use uuid::Uuid;

use super::fetch::{account_row, FetchDomain};
use super::SqlStore;

impl SqlStore {
    async fn stats_of(
        &self,
        account: AccountId,
        by_campaign: bool,
        ids: &[Uuid],
        now: Timestamp,
    ) -> StoreResult<Vec<ActivityStats>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = activity_stats_sql(by_campaign, ids.len());
        let mut query = sqlx::query_as::<_, ActivityStatsRow>(&sql).bind(account.0);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(unavailable)?;
        rows.into_iter().map(|row| row.into_stats(now)).collect()
    }
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn report_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<ReportActivity>> {
        account_row::<ReportActivityRow, _>(
            &self.pool,
            "SELECT id, campaign_id, role, status FROM email_campaign_activities \
             WHERE account_id = $1 AND id = $2",
            account,
            activity.0,
        )
        .await
    }

    async fn activity_stats(
        &self,
        account: AccountId,
        activities: &[CampaignActivityId],
        now: Timestamp,
    ) -> StoreResult<Vec<ActivityStats>> {
        let ids: Vec<Uuid> = activities.iter().map(|a| a.0).collect();
        self.stats_of(account, false, &ids, now).await
    }

    async fn campaign_activity_stats(
        &self,
        account: AccountId,
        campaigns: &[CampaignId],
        now: Timestamp,
    ) -> StoreResult<Vec<ActivityStats>> {
        let ids: Vec<Uuid> = campaigns.iter().map(|c| c.0).collect();
        self.stats_of(account, true, &ids, now).await
    }

    async fn sent_campaigns(
        &self,
        account: AccountId,
        page: PageRequest<SummaryKey>,
    ) -> StoreResult<Page<SummaryKey, SummaryKey>> {
        let sql = sent_campaigns_sql(page.after.is_some());
        let fetch = i64::from(page.limit) + 1;
        let mut query = sqlx::query_as::<_, SentCampaignRow>(&sql)
            .bind(account.0)
            .bind(fetch);
        if let Some(after) = page.after {
            query = query.bind(after.last_sent.millis()).bind(after.campaign.0);
        }
        let rows: Vec<SummaryKey> = query.all(&self.pool).await?;
        Ok(Page::from_overfetch(rows, page.limit, |key| *key))
    }

    async fn tracking_page(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        report: TrackingReport,
        filter: &TrackingFilter,
        page: PageRequest<TrackingKey>,
    ) -> StoreResult<Page<TrackingRow, TrackingKey>> {
        let sql = tracking_page_sql(report, filter, page.after.is_some());
        let by_contact = report.keyed_by_contact();
        let mut query = sqlx::query_as::<_, TrackingRowSql>(&sql)
            .bind(account.0)
            .bind(activity.0)
            .bind(i64::from(page.limit) + 1);
        if let Some(after) = page.after {
            query = query.bind(after.position);
            if by_contact {
                query = query.bind(after.contact.map(|c| c.0).unwrap_or(Uuid::max()));
            }
        }
        if report == TrackingReport::Clicks {
            if let Some(url_id) = filter.url_id {
                query = query.bind(url_id);
            }
        }
        if report == TrackingReport::Bounces {
            for code in &filter.bounce_codes {
                query = query.bind(code.as_str());
            }
        }
        let rows = query.fetch_all(&self.pool).await.map_err(unavailable)?;
        let rows = rows
            .into_iter()
            .map(|row| row.into_row(by_contact))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_overfetch(rows, page.limit, |row| row.key))
    }

    async fn link_clicks(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        with_unclicked: bool,
    ) -> StoreResult<Vec<LinkClicks>> {
        sqlx::query_as::<_, LinkClicksRow>(&link_clicks_sql(with_unclicked))
            .bind(account.0)
            .bind(activity.0)
            .all(&self.pool)
            .await
    }
}
