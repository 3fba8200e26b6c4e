//! The contacts' own consent links: sign-up confirmations (requested with their mail in one
//! transaction, confirmed with the contact write they cause) and campaign opt-outs (recorded
//! with the contact write that unsubscribes). Contact writes are guarded by the contact's
//! `updated_at` as it was read, as resubscriptions' are.

use async_trait::async_trait;
use roster_domain::consent::{CampaignOptOut, OptInConfirmation};
use roster_domain::contact::Contact;
use roster_domain::outbox::OutboxEntry;
use roster_domain::tracking::{EventKind, TrackingEvent};
use roster_domain::{
    AccountId, CampaignActivityId, ConsentStore, StoreError, StoreResult, Timestamp,
};
use roster_store_sql::{rows, unavailable};
use uuid::Uuid;

use super::contact_writes::{lock_contact, write_locked_contact};
use super::event_writes::write_events;
use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use super::outbox_writes::write_outbox_entry;
use super::SqlStore;

fn changed_meanwhile() -> StoreError {
    StoreError::Conflict("the contact changed while its consent was being recorded".into())
}

#[async_trait]
impl ConsentStore for SqlStore {
    async fn request_opt_in(
        &self,
        request: &OptInConfirmation,
        mail: &OutboxEntry,
        resend_before: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The newest link replaces the contact's last one, unless that one is unconfirmed and
        // was mailed too recently to mail again.
        let written = account_write(
            "INSERT INTO opt_in_confirmations (account_id, contact_id, token_sha256, \
             requested_at, expires_at, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, NULL) \
             ON CONFLICT (account_id, contact_id) DO UPDATE SET \
             token_sha256 = excluded.token_sha256, requested_at = excluded.requested_at, \
             expires_at = excluded.expires_at, confirmed_at = NULL \
             WHERE opt_in_confirmations.confirmed_at IS NOT NULL \
             OR opt_in_confirmations.requested_at < $6",
            request.account,
            request.contact.0,
        )
        .bind(&request.token_sha256)
        .bind(request.requested_at.millis())
        .bind(request.expires_at.millis())
        .bind(resend_before.millis())
        .affected(&mut *tx)
        .await?;
        if written == 0 {
            return Ok(false);
        }
        write_outbox_entry(&mut tx, mail)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn opt_in_by_token(&self, token_sha256: &str) -> StoreResult<Option<OptInConfirmation>> {
        sqlx::query_as::<_, rows::OptInConfirmationRow>(
            "SELECT account_id, contact_id, token_sha256, requested_at, expires_at, confirmed_at \
             FROM opt_in_confirmations WHERE token_sha256 = $1",
        )
        .bind(token_sha256)
        .optional(&self.pool)
        .await
    }

    async fn confirm_opt_in(
        &self,
        token_sha256: &str,
        contact: &Contact,
        read_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Claiming the link first makes a concurrent second confirmation find nothing.
        let claimed: Option<(Uuid,)> = sqlx::query_as::<_, (Uuid,)>(
            "UPDATE opt_in_confirmations SET confirmed_at = $2 \
             WHERE token_sha256 = $1 AND contact_id = $3 AND confirmed_at IS NULL \
             AND expires_at > $2 \
             RETURNING account_id",
        )
        .bind(token_sha256)
        .bind(now.millis())
        .bind(contact.id.0)
        .optional(&mut *tx)
        .await?;
        let Some((account,)) = claimed else {
            return Ok(false);
        };
        let account = AccountId(account);
        if !lock_contact(&mut tx, account, contact.id, Some(read_at)).await? {
            return Err(changed_meanwhile());
        }
        write_locked_contact(&mut tx, account, contact).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn record_campaign_opt_out(
        &self,
        opt_out: &CampaignOptOut,
        contact: &Contact,
        read_at: Timestamp,
    ) -> StoreResult<bool> {
        let account = opt_out.account;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The lock is a write, so SQLite holds its write lock before anything is read.
        if !lock_contact(&mut tx, account, opt_out.contact, Some(read_at)).await? {
            return Err(changed_meanwhile());
        }
        let select = "SELECT id FROM email_campaign_activities WHERE account_id = $1 AND id = $2";
        let activity: Option<(Uuid,)> =
            account_row::<(Uuid,), _>(&mut *tx, select, account, opt_out.activity.0).await?;
        if activity.is_none() {
            return Ok(false);
        }
        write_locked_contact(&mut tx, account, contact).await?;
        let credited = account_write(
            "INSERT INTO campaign_opt_outs (account_id, activity_id, contact_id, send_id, \
             opted_out_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (account_id, activity_id, contact_id) DO NOTHING",
            account,
            opt_out.activity.0,
        )
        .bind(opt_out.contact.0)
        .bind(i64::from(opt_out.send))
        .bind(opt_out.at.millis())
        .bind(&opt_out.reason)
        .affected(&mut *tx)
        .await?;
        if credited == 1 {
            // The opt-out event and em_optouts commit with the unsubscribe, never buffered.
            let event = TrackingEvent::new(
                account,
                opt_out.activity,
                opt_out.contact,
                opt_out.send,
                EventKind::OptOut,
                opt_out.at,
            );
            write_events(&mut tx, &[event]).await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn campaign_opt_outs(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Vec<CampaignOptOut>> {
        sqlx::query_as::<_, rows::CampaignOptOutRow>(
            "SELECT account_id, activity_id, contact_id, send_id, opted_out_at, reason \
             FROM campaign_opt_outs WHERE account_id = $1 AND activity_id = $2 \
             ORDER BY opted_out_at, contact_id",
        )
        .bind(account.0)
        .bind(activity.0)
        .all(&self.pool)
        .await
    }
}
