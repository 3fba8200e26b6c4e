//! Bounces and complaints coming back: the recipient a report names (by its Message-ID, the
//! send and the contact, or by its VERP token, the contact alone), and the messages kept
//! because they could not be processed.

use async_trait::async_trait;
use roster_domain::bounce::{BounceTarget, UnprocessedMessage};
use roster_domain::store::RECENT_SENDS_MATCHED;
use roster_domain::{BounceStore, ContactId, InboundMessageId, SendId, StoreResult};
use roster_store_sql::rows;

use super::fetch::{ExecuteWrite, FetchDomain};
use super::SqlStore;

const TARGET_COLUMNS: &str = "r.account_id, r.campaign_activity_id, r.contact_id, \
    r.send_number, r.email";

const UNPROCESSED_COLUMNS: &str =
    "id, received_at, channel, client, envelope_from, envelope_to, reason, raw";

#[async_trait]
impl BounceStore for SqlStore {
    async fn bounce_target_of_message(
        &self,
        send: SendId,
        contact: ContactId,
    ) -> StoreResult<Option<BounceTarget>> {
        sqlx::query_as::<_, rows::BounceTargetRow>(&format!(
            "SELECT {TARGET_COLUMNS} FROM email_send_recipients r \
             WHERE r.send_id = $1 AND r.contact_id = $2 AND r.state = 'sent'"
        ))
        .bind(send.0)
        .bind(contact.0)
        .optional(&self.pool)
        .await
    }

    async fn bounce_target_of_contact(
        &self,
        contact: ContactId,
    ) -> StoreResult<Option<BounceTarget>> {
        // One primary-key probe (send, contact) per recent send: bounded, whatever the
        // number of recipients.
        sqlx::query_as::<_, rows::BounceTargetRow>(&format!(
            "SELECT {TARGET_COLUMNS} FROM email_send_recipients r \
             WHERE r.contact_id = $1 AND r.state = 'sent' AND r.send_id IN \
             (SELECT id FROM email_sends ORDER BY started_at DESC LIMIT $2) \
             ORDER BY r.finished_at DESC, r.send_number DESC LIMIT 1"
        ))
        .bind(contact.0)
        .bind(i64::from(RECENT_SENDS_MATCHED))
        .optional(&self.pool)
        .await
    }

    async fn keep_unprocessed(&self, message: &UnprocessedMessage) -> StoreResult<()> {
        let row = rows::UnprocessedMessageRow::from_domain(message);
        sqlx::query(&format!(
            "INSERT INTO unprocessed_inbound_messages ({UNPROCESSED_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(row.id)
        .bind(row.received_at)
        .bind(row.channel)
        .bind(row.client)
        .bind(row.envelope_from)
        .bind(row.envelope_to)
        .bind(row.reason)
        .bind(row.raw)
        .run(&self.pool)
        .await
    }

    async fn unprocessed_messages(&self, limit: u32) -> StoreResult<Vec<UnprocessedMessage>> {
        sqlx::query_as::<_, rows::UnprocessedMessageRow>(&format!(
            "SELECT {UNPROCESSED_COLUMNS} FROM unprocessed_inbound_messages \
             ORDER BY id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .all(&self.pool)
        .await
    }

    async fn unprocessed_message(
        &self,
        id: InboundMessageId,
    ) -> StoreResult<Option<UnprocessedMessage>> {
        sqlx::query_as::<_, rows::UnprocessedMessageRow>(&format!(
            "SELECT {UNPROCESSED_COLUMNS} FROM unprocessed_inbound_messages WHERE id = $1"
        ))
        .bind(id.0)
        .optional(&self.pool)
        .await
    }
}
