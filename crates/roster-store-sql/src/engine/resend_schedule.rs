//! Scheduling a campaign's resend to non-openers, which two transactions do: creating a resend
//! for a DONE primary, and starting the primary's send (`sends.rs`). The resend activity takes
//! the primary's content and recipients as they are then (the primary may have been edited
//! since the resend was created), keeps its own subject, and falls due `delay` after `sent_at`.

use roster_domain::{AccountId, CampaignActivityId, StoreResult, Timestamp};

use super::fetch::ExecuteWrite;
use crate::Db;

/// Moves the DRAFT resend of the campaign of `primary` (if any) to SCHEDULED.
pub(super) async fn schedule_resend(
    tx: &mut sqlx::Transaction<'static, Db>,
    account: AccountId,
    primary: CampaignActivityId,
    sent_at: Timestamp,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_campaign_activities SET (format_type, from_name, from_email, \
         reply_to_email, preheader, html_content, footer_address, document_properties, \
         contact_list_ids, segment_ids) = (SELECT p.format_type, p.from_name, p.from_email, \
         p.reply_to_email, p.preheader, p.html_content, p.footer_address, \
         p.document_properties, p.contact_list_ids, p.segment_ids \
         FROM email_campaign_activities p WHERE p.account_id = $1 AND p.id = $2), \
         status = 'SCHEDULED', status_before_schedule = 'DRAFT', \
         scheduled_at = $3 + (SELECT r.delay_minutes * 60000 FROM email_resends r \
         WHERE r.account_id = $1 AND r.primary_activity_id = $2), updated_at = $4 \
         WHERE account_id = $1 AND role = 'resend' AND status = 'DRAFT' AND id IN \
         (SELECT r.activity_id FROM email_resends r \
          WHERE r.account_id = $1 AND r.primary_activity_id = $2)",
    )
    .bind(account.0)
    .bind(primary.0)
    .bind(sent_at.millis())
    .bind(now.millis())
    .run(&mut **tx)
    .await
}
