//! Bounces and complaints coming back: the recipient a report names (by its Message-ID, the
//! send and the contact, or by its VERP token, the contact alone); recording a bounce or a
//! complaint as a tracking event in one transaction with what it causes (the address
//! suspended, the contact unsubscribed); and the messages kept because they could not be
//! processed.

use async_trait::async_trait;
use roster_domain::bounce::{BounceTarget, RecordedBounce, SuspensionPolicy, UnprocessedMessage};
use roster_domain::contact::Contact;
use roster_domain::store::RECENT_SENDS_MATCHED;
use roster_domain::tracking::{BounceCode, EventKind, TrackingEvent};
use roster_domain::{
    BounceStore, ContactId, InboundMessageId, SendId, StoreError, StoreResult, Timestamp,
};
use roster_store_sql::{rows, unavailable};

use super::contact_writes::{lock_contact, write_locked_contact};
use super::event_writes::write_events;
use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use super::SqlStore;
use crate::Db;

type Tx<'t> = sqlx::Transaction<'t, Db>;

const TARGET_COLUMNS: &str = "r.account_id, r.campaign_activity_id, r.contact_id, \
    r.send_number, r.email";

const UNPROCESSED_COLUMNS: &str =
    "id, received_at, channel, client, envelope_from, envelope_to, reason, raw";

/// Whether the target's contact is there and not deleted, and its activity there and not
/// Removed (after `lock_contact`, within its transaction).
async fn target_is_live(tx: &mut Tx<'_>, target: &BounceTarget) -> StoreResult<bool> {
    let contact: Option<(Option<i64>,)> = account_row::<(Option<i64>,), _>(
        &mut **tx,
        "SELECT deleted_at FROM contacts WHERE account_id = $1 AND id = $2",
        target.account,
        target.contact.0,
    )
    .await?;
    if !matches!(contact, Some((None,))) {
        return Ok(false);
    }
    let activity: Option<(String,)> = account_row::<(String,), _>(
        &mut **tx,
        "SELECT status FROM email_campaign_activities WHERE account_id = $1 AND id = $2",
        target.account,
        target.activity.0,
    )
    .await?;
    Ok(activity.is_some_and(|(status,)| status != "REMOVED"))
}

/// The activities other than `target`'s from which the contact bounced as non-existent
/// (their first bounce B, or S).
async fn earlier_nonexistent_bounces(tx: &mut Tx<'_>, target: &BounceTarget) -> StoreResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM activity_contact_tracking \
         WHERE account_id = $1 AND contact_id = $2 AND activity_id <> $3 \
         AND first_bounce_code IN ('B', 'S')",
    )
    .bind(target.account.0)
    .bind(target.contact.0)
    .bind(target.activity.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(count)
}

fn event_of(target: &BounceTarget, kind: EventKind, at: Timestamp) -> TrackingEvent {
    TrackingEvent::new(
        target.account,
        target.activity,
        target.contact,
        target.send_number,
        kind,
        at,
    )
}

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

    async fn record_bounce(
        &self,
        target: &BounceTarget,
        code: BounceCode,
        policy: SuspensionPolicy,
        at: Timestamp,
    ) -> StoreResult<Option<RecordedBounce>> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The contact's row first (a write, so SQLite holds its write lock): two bounces of
        // one contact, on any node, count each other.
        if !lock_contact(&mut tx, target.account, target.contact, None).await?
            || !target_is_live(&mut tx, target).await?
        {
            return Ok(None);
        }
        let threshold = i64::from(policy.after_nonexistent_bounces.max(1));
        let code = if code == BounceCode::NonExistent
            && earlier_nonexistent_bounces(&mut tx, target).await? + 1 >= threshold
        {
            BounceCode::Suspended
        } else {
            code
        };
        let event = event_of(target, EventKind::Bounce, at).with_bounce(code);
        write_events(&mut tx, self.dialect, &[event]).await?;
        let suspended = code == BounceCode::Suspended;
        if suspended {
            account_write(
                "UPDATE contacts SET email_suspended_at = $3 \
                 WHERE account_id = $1 AND id = $2 AND email_suspended_at IS NULL",
                target.account,
                target.contact.0,
            )
            .bind(at.millis())
            .run(&mut *tx)
            .await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(Some(RecordedBounce { code, suspended }))
    }

    async fn record_complaint(
        &self,
        target: &BounceTarget,
        unsubscribed: Option<&Contact>,
        read_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if !lock_contact(&mut tx, target.account, target.contact, Some(read_at)).await? {
            return Err(StoreError::Conflict(
                "the contact changed while its complaint was being recorded".into(),
            ));
        }
        if !target_is_live(&mut tx, target).await? {
            return Ok(false);
        }
        write_events(
            &mut tx,
            self.dialect,
            &[event_of(target, EventKind::Abuse, at)],
        )
        .await?;
        if let Some(contact) = unsubscribed {
            write_locked_contact(&mut tx, target.account, contact).await?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
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
