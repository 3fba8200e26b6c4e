//! The follow-ups of a primary activity: creating, listing and deleting its campaign's resend
//! to non-openers and its A/B test. Their sends are started and run by `sends.rs`.

use async_trait::async_trait;
use roster_domain::ab_test::{AbTest, AbTestChange, Arm, ArmFigures, NewAbTest, AB_TEST_TYPE_CODE};
use roster_domain::campaign::NEWSLETTER_TYPE_CODE;
use roster_domain::campaign::{ActivityRole, CampaignStatus, CUSTOM_CODE_FORMAT};
use roster_domain::resend::{NewResend, ResendCreation, ResendRemoval, ResendRequest};
use roster_domain::store::FollowUpStore;
use roster_domain::{AccountId, CampaignActivityId, StoreResult, Timestamp};
use roster_store_sql::rows::{AbTestRow, ResendRow, AB_TEST_COLUMNS, RESEND_COLUMNS};
use roster_store_sql::unavailable;
use uuid::Uuid;

use super::fetch::{ExecuteWrite, FetchDomain};
use super::resend_schedule::schedule_resend;
use super::SqlStore;

#[async_trait]
impl FollowUpStore for SqlStore {
    async fn create_resend(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
        resend: &NewResend,
        now: Timestamp,
    ) -> StoreResult<ResendCreation> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let found: Option<(Uuid, String, String, i64)> = sqlx::query_as(
            "SELECT campaign_id, role, status, format_type FROM email_campaign_activities \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(primary.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let Some((campaign, role, status, format)) = found else {
            return Ok(ResendCreation::NotFound);
        };
        let status = match CampaignStatus::parse_stored(&status) {
            None | Some(CampaignStatus::Removed) => return Ok(ResendCreation::NotFound),
            Some(status) => status,
        };
        let allowed = matches!(
            status,
            CampaignStatus::Draft | CampaignStatus::Scheduled | CampaignStatus::Done
        );
        if ActivityRole::parse_stored(&role) != Some(ActivityRole::PrimaryEmail)
            || format != CUSTOM_CODE_FORMAT
            || !allowed
        {
            return Ok(ResendCreation::Refused(status));
        }
        let existing: Option<(i64,)> = sqlx::query_as(
            "SELECT request_number FROM email_resends WHERE account_id = $1 AND campaign_id = $2",
        )
        .bind(account.0)
        .bind(campaign)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        if existing.is_some() {
            return Ok(ResendCreation::Exists);
        }
        let activity = CampaignActivityId::generate();
        sqlx::query(
            "INSERT INTO email_campaign_activities (account_id, id, campaign_id, role, status, \
             status_before_removal, format_type, from_name, from_email, reply_to_email, \
             subject, preheader, html_content, footer_address, document_properties, \
             contact_list_ids, segment_ids, permalink_url, created_at, updated_at) \
             SELECT account_id, $3, campaign_id, 'resend', 'DRAFT', NULL, format_type, \
             from_name, from_email, reply_to_email, $4, preheader, html_content, \
             footer_address, document_properties, contact_list_ids, segment_ids, NULL, $5, $5 \
             FROM email_campaign_activities WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(primary.0)
        .bind(activity.0)
        .bind(&resend.subject)
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        // Numbered after the account's last; two creates racing for one number (or one
        // campaign) collide on the keys, and the loser is told so.
        sqlx::query(
            "INSERT INTO email_resends (account_id, campaign_id, primary_activity_id, \
             activity_id, request_number, subject, delay_minutes, created_at) \
             SELECT $1, $2, $3, $4, COALESCE(MAX(request_number), 0) + 1, $5, $6, $7 \
             FROM email_resends WHERE account_id = $1",
        )
        .bind(account.0)
        .bind(campaign)
        .bind(primary.0)
        .bind(activity.0)
        .bind(&resend.subject)
        .bind(resend.delay.minutes())
        .bind(now.millis())
        .affected_unless_conflict(&mut *tx, "the campaign has a resend to non-openers")
        .await?;
        if status == CampaignStatus::Done {
            let (sent_at,): (Option<i64>,) = sqlx::query_as(
                "SELECT MAX(started_at) FROM email_sends \
                 WHERE account_id = $1 AND campaign_activity_id = $2",
            )
            .bind(account.0)
            .bind(primary.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(unavailable)?;
            let sent_at = sent_at.map_or(now, Timestamp::from_millis);
            schedule_resend(&mut tx, account, primary, sent_at, now).await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(self
            .resends(account, primary)
            .await?
            .into_iter()
            .next()
            .map_or(ResendCreation::NotFound, ResendCreation::Created))
    }

    async fn resends(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
    ) -> StoreResult<Vec<ResendRequest>> {
        let text = format!(
            "SELECT {RESEND_COLUMNS} FROM email_resends r \
             JOIN email_campaign_activities p \
             ON p.account_id = r.account_id AND p.id = r.primary_activity_id \
             JOIN email_campaign_activities a \
             ON a.account_id = r.account_id AND a.id = r.activity_id \
             WHERE r.account_id = $1 AND r.primary_activity_id = $2"
        );
        sqlx::query_as::<_, ResendRow>(&text)
            .bind(account.0)
            .bind(primary.0)
            .all(&self.pool)
            .await
    }

    async fn delete_resend(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
        number: i64,
        now: Timestamp,
    ) -> StoreResult<ResendRemoval> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let found: Option<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT activity_id, campaign_id FROM email_resends \
             WHERE account_id = $1 AND primary_activity_id = $2 AND request_number = $3",
        )
        .bind(account.0)
        .bind(primary.0)
        .bind(number)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let Some((activity, campaign)) = found else {
            return Ok(ResendRemoval::NotFound);
        };
        // Guarded by the status: a send that started meanwhile keeps its activity. The
        // request goes with the activity (its foreign key cascades).
        let deleted = sqlx::query(
            "DELETE FROM email_campaign_activities WHERE account_id = $1 AND id = $2 \
             AND status IN ('DRAFT', 'SCHEDULED')",
        )
        .bind(account.0)
        .bind(activity)
        .affected(&mut *tx)
        .await?;
        if deleted == 0 {
            return Ok(ResendRemoval::Sent);
        }
        sqlx::query("UPDATE email_campaigns SET updated_at = $3 WHERE account_id = $1 AND id = $2")
            .bind(account.0)
            .bind(campaign)
            .bind(now.millis())
            .run(&mut *tx)
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(ResendRemoval::Removed)
    }

    async fn create_ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        test: &NewAbTest,
        now: Timestamp,
    ) -> StoreResult<AbTestChange> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let Some((campaign, role, status)) = primary_in(&mut tx, account, activity).await? else {
            return Ok(AbTestChange::NotFound);
        };
        if role != Some(ActivityRole::PrimaryEmail) || status != CampaignStatus::Draft {
            return Ok(AbTestChange::Refused(status));
        }
        // The seed is drawn here and kept, so the arms the send draws can be drawn again.
        let seed = i64::from_ne_bytes(Uuid::new_v4().as_u64_pair().0.to_ne_bytes());
        let inserted = sqlx::query(
            "INSERT INTO email_ab_tests (account_id, activity_id, alternative_subject, \
             test_size, winner_wait_hours, state, seed, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) \
             ON CONFLICT (account_id, activity_id) DO NOTHING",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(&test.alternative_subject)
        .bind(test.test_size)
        .bind(test.winner_wait_hours)
        .bind(seed)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if inserted == 0 {
            return Ok(AbTestChange::Exists);
        }
        set_type(&mut tx, account, campaign, AB_TEST_TYPE_CODE, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(AbTestChange::Done)
    }

    async fn ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<AbTest>> {
        let text = format!(
            "SELECT {AB_TEST_COLUMNS} FROM email_ab_tests \
             WHERE account_id = $1 AND activity_id = $2"
        );
        sqlx::query_as::<_, AbTestRow>(&text)
            .bind(account.0)
            .bind(activity.0)
            .optional(&self.pool)
            .await
    }

    async fn ab_test_arms(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Vec<ArmFigures>> {
        // A contact counts as an open as the winner's choice counts it (`ab_sends::arm_opens`).
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT r.subject_arm, \
             SUM(CASE WHEN r.state = 'sent' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN t.opens > 0 THEN 1 ELSE 0 END) \
             FROM email_ab_tests x \
             JOIN email_send_recipients r ON r.send_id = x.test_send_id \
             LEFT JOIN activity_contact_tracking t ON t.account_id = r.account_id \
             AND t.activity_id = r.campaign_activity_id AND t.contact_id = r.contact_id \
             WHERE x.account_id = $1 AND x.activity_id = $2 AND r.subject_arm IS NOT NULL \
             GROUP BY r.subject_arm ORDER BY r.subject_arm",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .filter_map(|(arm, sends, opens)| {
                Some(ArmFigures {
                    arm: Arm::parse_stored(&arm)?,
                    sends: u64::try_from(sends).unwrap_or(0),
                    unique_opens: u64::try_from(opens).unwrap_or(0),
                })
            })
            .collect())
    }

    async fn delete_ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        now: Timestamp,
    ) -> StoreResult<AbTestChange> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let Some((campaign, _, status)) = primary_in(&mut tx, account, activity).await? else {
            return Ok(AbTestChange::NotFound);
        };
        let deleted =
            sqlx::query("DELETE FROM email_ab_tests WHERE account_id = $1 AND activity_id = $2")
                .bind(account.0)
                .bind(activity.0)
                .affected(&mut *tx)
                .await?;
        if deleted == 0 {
            return Ok(AbTestChange::Missing);
        }
        if status != CampaignStatus::Draft {
            // Rolled back with the transaction: the test stays.
            return Ok(AbTestChange::Refused(status));
        }
        set_type(&mut tx, account, campaign, NEWSLETTER_TYPE_CODE, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(AbTestChange::Done)
    }
}

/// The campaign, role and status of `activity`, read in `tx` with a lock where the engine
/// takes one; None when it is missing or Removed.
async fn primary_in(
    tx: &mut sqlx::Transaction<'static, crate::Db>,
    account: AccountId,
    activity: CampaignActivityId,
) -> StoreResult<Option<(Uuid, Option<ActivityRole>, CampaignStatus)>> {
    let found: Option<(Uuid, String, String)> = sqlx::query_as(
        "SELECT campaign_id, role, status FROM email_campaign_activities \
         WHERE account_id = $1 AND id = $2",
    )
    .bind(account.0)
    .bind(activity.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(found.and_then(
        |(campaign, role, status)| match CampaignStatus::parse_stored(&status) {
            None | Some(CampaignStatus::Removed) => None,
            Some(status) => Some((campaign, ActivityRole::parse_stored(&role), status)),
        },
    ))
}

/// Sets the campaign's `type_code` (57 while it is A/B-tested, 10 otherwise).
async fn set_type(
    tx: &mut sqlx::Transaction<'static, crate::Db>,
    account: AccountId,
    campaign: Uuid,
    type_code: i64,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_campaigns SET type_code = $3, updated_at = $4 \
         WHERE account_id = $1 AND id = $2",
    )
    .bind(account.0)
    .bind(campaign)
    .bind(type_code)
    .bind(now.millis())
    .run(&mut **tx)
    .await
}
