//! Contact reports: one contact's sends and own events (docs/REPORTS.md, "Contact reports"),
//! the SQL built by `roster_store_sql::contact_reports`.

use async_trait::async_trait;
use roster_domain::contact_report::{
    ContactActivity, ContactActivityKey, ContactActivitySummary, ContactActivityType,
    ContactEngagement, ReportRange,
};
use roster_domain::{AccountId, ContactId, ContactReportStore, Page, PageRequest, StoreResult};
use roster_store_sql::contact_reports;
use roster_store_sql::rows::{ContactActivityRow, ContactActivitySummaryRow, ContactEngagementRow};

use super::binds::bound;
use super::fetch::FetchDomain;
use super::SqlStore;

#[async_trait]
impl ContactReportStore for SqlStore {
    async fn contact_activities(
        &self,
        account: AccountId,
        contact: ContactId,
        types: &[ContactActivityType],
        with_names: bool,
        page: PageRequest<ContactActivityKey>,
    ) -> StoreResult<Page<ContactActivity, ContactActivityKey>> {
        let Some(sql) = contact_reports::activities_page(
            account, contact, types, with_names, page.after, page.limit,
        ) else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let rows: Vec<ContactActivity> = bound::<ContactActivityRow>(&sql).all(&self.pool).await?;
        Ok(Page::from_overfetch(rows, page.limit, |row| row.key))
    }

    async fn contact_engagement(
        &self,
        account: AccountId,
        contact: ContactId,
        range: ReportRange,
    ) -> StoreResult<ContactEngagement> {
        let sql = contact_reports::engagement(account, contact, range);
        bound::<ContactEngagementRow>(&sql).one(&self.pool).await
    }

    async fn contact_activity_summaries(
        &self,
        account: AccountId,
        contact: ContactId,
        range: ReportRange,
        limit: u32,
    ) -> StoreResult<Vec<ContactActivitySummary>> {
        let sql = contact_reports::summaries(account, contact, range, limit);
        bound::<ContactActivitySummaryRow>(&sql)
            .all(&self.pool)
            .await
    }
}
