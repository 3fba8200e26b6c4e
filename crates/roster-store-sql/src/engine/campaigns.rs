//! Email campaigns and their activities: the live-campaign quota claimed with the insert, pages
//! by id (creation order) with the `updated_at` filters, and the removal that remembers each
//! row's status so that a restore can put it back.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::campaign::{ActivityReference, CampaignActivity, CampaignStatus, EmailCampaign};
use roster_domain::store::{CampaignRemoval, CampaignStore};
use roster_domain::{
    AccountId, CampaignActivityId, CampaignId, Page, PageRequest, StoreResult, Timestamp,
};
use roster_store_sql::contact_sql::{Bind, Sql};
use roster_store_sql::rows::{
    ActivityDocuments, ActivityReferenceRow, CampaignActivityRow, CampaignRow,
    CAMPAIGN_ACTIVITY_COLUMNS,
};
use roster_store_sql::unavailable;

use super::binds::bound;
use super::fetch::{ExecuteWrite, FetchDomain};
use super::quota::claim_quota;
use super::SqlStore;
use crate::Db;

const CAMPAIGN_COLUMNS: &str =
    "id, name, status, status_before_removal, created_at, updated_at, type_code";

/// The campaign's activities, `primary_email` first.
async fn activity_references(
    executor: impl sqlx::Executor<'_, Database = Db>,
    account: AccountId,
    campaign: CampaignId,
) -> StoreResult<Vec<ActivityReference>> {
    sqlx::query_as::<_, ActivityReferenceRow>(
        "SELECT id, role FROM email_campaign_activities \
         WHERE account_id = $1 AND campaign_id = $2 \
         ORDER BY CASE role WHEN 'primary_email' THEN 0 WHEN 'permalink' THEN 1 ELSE 2 END, id",
    )
    .bind(account.0)
    .bind(campaign.0)
    .all(executor)
    .await
}

#[async_trait]
impl CampaignStore for SqlStore {
    async fn create_campaign(
        &self,
        account: AccountId,
        campaign: &EmailCampaign,
        activities: &[CampaignActivity],
        max_live: u32,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let claim = "UPDATE accounts SET live_campaign_count = live_campaign_count + 1 \
                     WHERE id = $1 AND live_campaign_count < $2";
        let what = "email campaigns that are not removed";
        claim_quota(&mut tx, claim, account, max_live, what).await?;
        sqlx::query(
            "INSERT INTO email_campaigns (account_id, id, name, name_key, status, \
             status_before_removal, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
        )
        .bind(account.0)
        .bind(campaign.id.0)
        .bind(&campaign.name)
        .bind(campaign.name.to_lowercase())
        .bind(campaign.status.activity_name())
        .bind(campaign.created_at.millis())
        .bind(campaign.updated_at.millis())
        .affected_unless_conflict(
            &mut *tx,
            &format!(
                "an email campaign named \"{}\" already exists",
                campaign.name
            ),
        )
        .await?;
        for activity in activities {
            let documents = ActivityDocuments::of(activity);
            let content = &activity.content;
            sqlx::query(
                "INSERT INTO email_campaign_activities (account_id, id, campaign_id, role, \
                 status, status_before_removal, format_type, from_name, from_email, \
                 reply_to_email, subject, preheader, html_content, footer_address, \
                 document_properties, contact_list_ids, segment_ids, permalink_url, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                 $15, $16, $17, $18, $19)",
            )
            .bind(account.0)
            .bind(activity.id.0)
            .bind(activity.campaign_id.0)
            .bind(activity.role.as_str())
            .bind(activity.status.activity_name())
            .bind(activity.format_type)
            .bind(&content.from_name)
            .bind(&content.from_email)
            .bind(&content.reply_to_email)
            .bind(&content.subject)
            .bind(&content.preheader)
            .bind(&content.html_content)
            .bind(documents.footer_address)
            .bind(documents.document_properties)
            .bind(documents.contact_list_ids)
            .bind(documents.segment_ids)
            .bind(&activity.permalink_url)
            .bind(activity.created_at.millis())
            .bind(activity.updated_at.millis())
            .affected(&mut *tx)
            .await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn campaign(
        &self,
        account: AccountId,
        id: CampaignId,
    ) -> StoreResult<Option<EmailCampaign>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CAMPAIGN_COLUMNS} FROM email_campaigns \
                 WHERE account_id = $1 AND id = $2"
            )
        });
        let campaign: Option<EmailCampaign> = sqlx::query_as::<_, CampaignRow>(&SELECT)
            .bind(account.0)
            .bind(id.0)
            .optional(&self.pool)
            .await?;
        let Some(mut campaign) = campaign else {
            return Ok(None);
        };
        campaign.activities = activity_references(&self.pool, account, id).await?;
        Ok(Some(campaign))
    }

    async fn campaigns(
        &self,
        account: AccountId,
        updated_after: Option<Timestamp>,
        updated_before: Option<Timestamp>,
        page: PageRequest<CampaignId>,
    ) -> StoreResult<Page<EmailCampaign, CampaignId>> {
        let mut sql = Sql::default();
        let account_bind = sql.bind(Bind::Uuid(account.0));
        sql.text = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM email_campaigns WHERE account_id = {account_bind}"
        );
        if let Some(after) = updated_after {
            let at = sql.bind(Bind::I64(after.millis()));
            sql.text.push_str(&format!(" AND updated_at > {at}"));
        }
        if let Some(before) = updated_before {
            let at = sql.bind(Bind::I64(before.millis()));
            sql.text.push_str(&format!(" AND updated_at < {at}"));
        }
        if let Some(after) = page.after {
            let key = sql.bind(Bind::Uuid(after.0));
            sql.text.push_str(&format!(" AND id > {key}"));
        }
        let limit = sql.bind(Bind::I64(i64::from(page.limit) + 1));
        sql.text.push_str(&format!(" ORDER BY id LIMIT {limit}"));
        let campaigns: Vec<EmailCampaign> = bound::<CampaignRow>(&sql).all(&self.pool).await?;
        Ok(Page::from_overfetch(
            campaigns,
            page.limit,
            |c: &EmailCampaign| c.id,
        ))
    }

    async fn rename_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        name: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE email_campaigns SET name = $3, name_key = $4, updated_at = $5 \
             WHERE account_id = $1 AND id = $2 AND status <> 'REMOVED'",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(now.millis())
        .affected_unless_conflict(
            &self.pool,
            &format!("an email campaign named \"{name}\" already exists"),
        )
        .await?;
        Ok(changed > 0)
    }

    async fn remove_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        now: Timestamp,
    ) -> StoreResult<CampaignRemoval> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The guarded update comes first: a write as the first statement keeps SQLite from
        // upgrading a read lock, and the guard decides under concurrency. It is the one home of
        // the rule (docs/CAMPAIGNS.md, DELETE): Scheduled and Executing campaigns stay.
        let removed = sqlx::query(
            "UPDATE email_campaigns SET status_before_removal = status, status = 'REMOVED', \
             updated_at = $3 \
             WHERE account_id = $1 AND id = $2 \
             AND status NOT IN ('SCHEDULED', 'EXECUTING', 'REMOVED')",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if removed == 0 {
            let status: Option<(String,)> = sqlx::query_as(
                "SELECT status FROM email_campaigns WHERE account_id = $1 AND id = $2",
            )
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(unavailable)?;
            return Ok(
                match status.and_then(|(text,)| CampaignStatus::parse_stored(&text)) {
                    None | Some(CampaignStatus::Removed) => CampaignRemoval::NotFound,
                    Some(status) => CampaignRemoval::Refused(status),
                },
            );
        }
        sqlx::query(
            "UPDATE email_campaign_activities \
             SET status_before_removal = status, status = 'REMOVED', updated_at = $3 \
             WHERE account_id = $1 AND campaign_id = $2",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE accounts SET live_campaign_count = live_campaign_count - 1 WHERE id = $1",
        )
        .bind(account.0)
        .affected(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(CampaignRemoval::Removed)
    }

    async fn restore_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        max_live: u32,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let claim = "UPDATE accounts SET live_campaign_count = live_campaign_count + 1 \
                     WHERE id = $1 AND live_campaign_count < $2";
        let what = "email campaigns that are not removed";
        claim_quota(&mut tx, claim, account, max_live, what).await?;
        let restored = sqlx::query(
            "UPDATE email_campaigns \
             SET status = COALESCE(status_before_removal, 'DRAFT'), \
             status_before_removal = NULL, updated_at = $3 \
             WHERE account_id = $1 AND id = $2 AND status = 'REMOVED'",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(now.millis())
        .affected_unless_conflict(
            &mut *tx,
            "another email campaign that is not removed has its name",
        )
        .await?;
        if restored == 0 {
            // Dropping the transaction rolls the claimed unit back.
            return Ok(false);
        }
        sqlx::query(
            "UPDATE email_campaign_activities \
             SET status = COALESCE(status_before_removal, 'DRAFT'), \
             status_before_removal = NULL, updated_at = $3 \
             WHERE account_id = $1 AND campaign_id = $2 AND status = 'REMOVED'",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn campaign_activity(
        &self,
        account: AccountId,
        id: CampaignActivityId,
    ) -> StoreResult<Option<CampaignActivity>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {CAMPAIGN_ACTIVITY_COLUMNS} FROM email_campaign_activities \
                 WHERE account_id = $1 AND id = $2"
            )
        });
        sqlx::query_as::<_, CampaignActivityRow>(&SELECT)
            .bind(account.0)
            .bind(id.0)
            .optional(&self.pool)
            .await
    }

    async fn update_campaign_activity(
        &self,
        account: AccountId,
        activity: &CampaignActivity,
        expected: CampaignStatus,
    ) -> StoreResult<bool> {
        let documents = ActivityDocuments::of(activity);
        let content = &activity.content;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let changed = sqlx::query(
            "UPDATE email_campaign_activities SET from_name = $3, from_email = $4, \
             reply_to_email = $5, subject = $6, preheader = $7, html_content = $8, \
             footer_address = $9, document_properties = $10, contact_list_ids = $11, \
             segment_ids = $12, updated_at = $13 \
             WHERE account_id = $1 AND id = $2 AND status = $14",
        )
        .bind(account.0)
        .bind(activity.id.0)
        .bind(&content.from_name)
        .bind(&content.from_email)
        .bind(&content.reply_to_email)
        .bind(&content.subject)
        .bind(&content.preheader)
        .bind(&content.html_content)
        .bind(documents.footer_address)
        .bind(documents.document_properties)
        .bind(documents.contact_list_ids)
        .bind(documents.segment_ids)
        .bind(activity.updated_at.millis())
        .bind(expected.activity_name())
        .affected(&mut *tx)
        .await?;
        if changed == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE email_campaigns SET updated_at = $3 WHERE account_id = $1 AND id = $2")
            .bind(account.0)
            .bind(activity.campaign_id.0)
            .bind(activity.updated_at.millis())
            .affected(&mut *tx)
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }
}
