//! Scheduling and sending campaign activities: the schedule's guarded transitions, starting a
//! due send with its recipients fixed in the same transaction, the recipients claimed under
//! leases as the outbox's messages are, and finishing or stopping a send. Every transition is
//! one guarded `UPDATE … WHERE status = …` first in its transaction, so of several nodes only
//! one makes it, and the campaign's status follows its primary activity's in the same
//! transaction.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use roster_domain::campaign::{ActivityRole, CampaignStatus, Recipients};
use roster_domain::contact::ContactFilter;
use roster_domain::outbox::Lease;
use roster_domain::send::{
    reason, ClaimedRecipient, EarlyOutcomes, EmailSend, RecipientEntry, RecordedDeliveries,
    SendDelivery, SendState, StartedSend,
};
use roster_domain::store::{ScheduleChange, SendStore};
use roster_domain::{AccountId, CampaignActivityId, ContactId, SendId, StoreResult, Timestamp};
use roster_store_sql::contact_sql::{recipients_insert, SendTarget};
use roster_store_sql::dialect::Dialect;
use roster_store_sql::rows::{
    delivery_columns, recipients, recipients_json, ClaimedRecipientRow, EmailSendRow,
    RecipientEntryRow, CLAIMED_RECIPIENT_COLUMNS, EMAIL_SEND_COLUMNS, RECIPIENT_ENTRY_COLUMNS,
};
use roster_store_sql::unavailable;
use uuid::Uuid;

use super::ab_sends::{apply_subjects, arms_finished, decide_winner};
use super::binds::bound_write;
use super::fetch::{ExecuteWrite, FetchDomain};
use super::resend_schedule::schedule_resend;
use super::SqlStore;
use crate::Db;

type Transaction = sqlx::Transaction<'static, Db>;

/// Sets the activity's campaign to the activity's status when it is the primary (the campaign
/// mirrors its primary activity; a resend's status is its own).
async fn mirror_campaign_status(
    tx: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_campaigns SET updated_at = $3, status = \
         (SELECT a.status FROM email_campaign_activities a \
          WHERE a.account_id = $1 AND a.id = $2) \
         WHERE account_id = $1 AND id = \
         (SELECT a.campaign_id FROM email_campaign_activities a \
          WHERE a.account_id = $1 AND a.id = $2 AND a.role = 'primary_email')",
    )
    .bind(account.0)
    .bind(activity.0)
    .bind(now.millis())
    .run(&mut **tx)
    .await
}

/// Moves the activity from `from` to `to` (clearing its schedule), guarded by its status.
async fn move_activity(
    tx: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
    from: CampaignStatus,
    to: CampaignStatus,
    now: Timestamp,
) -> StoreResult<bool> {
    let moved = sqlx::query(
        "UPDATE email_campaign_activities SET status = $4, scheduled_at = NULL, \
         status_before_schedule = NULL, updated_at = $5 \
         WHERE account_id = $1 AND id = $2 AND status = $3",
    )
    .bind(account.0)
    .bind(activity.0)
    .bind(from.activity_name())
    .bind(to.activity_name())
    .bind(now.millis())
    .affected(&mut **tx)
    .await?;
    if moved > 0 {
        mirror_campaign_status(tx, account, activity, now).await?;
    }
    Ok(moved > 0)
}

/// Why a guarded transition did not happen: the activity's status, or none.
async fn refusal(
    tx: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
) -> StoreResult<ScheduleChange> {
    let status: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM email_campaign_activities WHERE account_id = $1 AND id = $2",
    )
    .bind(account.0)
    .bind(activity.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(
        match status.and_then(|(text,)| CampaignStatus::parse_stored(&text)) {
            None | Some(CampaignStatus::Removed) => ScheduleChange::NotFound,
            Some(status) => ScheduleChange::Refused(status),
        },
    )
}

/// Ends an executing send with its state and reason, and its activity with `activity_status`.
async fn end_send(
    tx: &mut Transaction,
    account: AccountId,
    send: SendId,
    state: SendState,
    reason_code: i64,
    activity_status: CampaignStatus,
    now: Timestamp,
) -> StoreResult<bool> {
    let ended: Option<(Uuid,)> = sqlx::query_as(
        "UPDATE email_sends SET state = $3, reason_code = $4, finished_at = $5 \
         WHERE account_id = $1 AND id = $2 AND state = 'executing' \
         RETURNING campaign_activity_id",
    )
    .bind(account.0)
    .bind(send.0)
    .bind(state.as_str())
    .bind(reason_code)
    .bind(now.millis())
    .fetch_optional(&mut **tx)
    .await
    .map_err(unavailable)?;
    let Some((activity,)) = ended else {
        return Ok(false);
    };
    let activity = CampaignActivityId(activity);
    move_activity(
        tx,
        account,
        activity,
        CampaignStatus::Executing,
        activity_status,
        now,
    )
    .await?;
    Ok(true)
}

impl SqlStore {
    /// Opens the next send of an EXECUTING `activity` within `tx`: its history row, its
    /// recipients fixed (those `filter` selects that no send of the activity mailed; for a
    /// resend, only the primary's non-openers), their subjects if the activity is A/B-tested;
    /// finished at once when there is nobody to mail (COMPLETED, reason 12, the activity DONE)
    /// or no filter (ERRORED, reason 1, the activity in ERROR).
    async fn open_send(
        &self,
        tx: &mut Transaction,
        account: AccountId,
        activity: CampaignActivityId,
        filter: Option<&ContactFilter>,
        resend_of: Option<Uuid>,
        now: Timestamp,
    ) -> StoreResult<StartedSend> {
        let (lists, segments, number): (String, String, i64) = sqlx::query_as(
            "SELECT a.contact_list_ids, a.segment_ids, \
             (SELECT COALESCE(MAX(s.send_number), 0) + 1 FROM email_sends s \
              WHERE s.account_id = a.account_id AND s.campaign_activity_id = a.id) \
             FROM email_campaign_activities a WHERE a.account_id = $1 AND a.id = $2",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_one(&mut **tx)
        .await
        .map_err(unavailable)?;
        // Stored as the activity had them, so the history shows what this send used.
        let (lists, segments) = recipients_json(&recipients(&lists, &segments)?);
        let send = SendId::generate();
        sqlx::query(
            "INSERT INTO email_sends (account_id, id, campaign_activity_id, send_number, \
             contact_list_ids, segment_ids, state, reason_code, recipient_count, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'executing', 0, 0, $7)",
        )
        .bind(account.0)
        .bind(send.0)
        .bind(activity.0)
        .bind(number)
        .bind(lists)
        .bind(segments)
        .bind(now.millis())
        .run(&mut **tx)
        .await?;
        let mut recipient_count = match filter {
            Some(filter) => {
                let target = SendTarget {
                    send: send.0,
                    send_number: number,
                    activity: activity.0,
                    now: now.millis(),
                    non_openers_of: resend_of,
                };
                let insert = recipients_insert(self.dialect, account, filter, &target);
                bound_write(&insert).affected(&mut **tx).await?
            }
            None => 0,
        };
        recipient_count = apply_subjects(tx, account, activity, send, recipient_count).await?;
        sqlx::query(
            "UPDATE email_sends SET recipient_count = $3 WHERE account_id = $1 AND id = $2",
        )
        .bind(account.0)
        .bind(send.0)
        .bind(i64::try_from(recipient_count).unwrap_or(i64::MAX))
        .run(&mut **tx)
        .await?;
        let ending = if filter.is_none() {
            Some((
                SendState::Errored,
                reason::SEND_ERROR,
                CampaignStatus::Error,
            ))
        } else if recipient_count == 0 {
            let code = reason::NO_ELIGIBLE_CONTACTS;
            Some((SendState::Completed, code, CampaignStatus::Done))
        } else {
            None
        };
        if let Some((state, code, status)) = ending {
            end_send(tx, account, send, state, code, status, now).await?;
        }
        Ok(StartedSend {
            account,
            activity,
            send,
            recipient_count,
        })
    }
}

#[async_trait]
impl SendStore for SqlStore {
    async fn schedule_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        due_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<ScheduleChange> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let scheduled = sqlx::query(
            "UPDATE email_campaign_activities SET status_before_schedule = status, \
             status = 'SCHEDULED', scheduled_at = $3, updated_at = $4 \
             WHERE account_id = $1 AND id = $2 AND role = 'primary_email' \
             AND status IN ('DRAFT', 'DONE', 'ERROR')",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(due_at.millis())
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if scheduled == 0 {
            return refusal(&mut tx, account, activity).await;
        }
        mirror_campaign_status(&mut tx, account, activity, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(ScheduleChange::Done)
    }

    async fn unschedule_activity(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        now: Timestamp,
    ) -> StoreResult<ScheduleChange> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let unscheduled = sqlx::query(
            "UPDATE email_campaign_activities SET status = status_before_schedule, \
             status_before_schedule = NULL, scheduled_at = NULL, updated_at = $3 \
             WHERE account_id = $1 AND id = $2 AND status = 'SCHEDULED'",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if unscheduled == 0 {
            return refusal(&mut tx, account, activity).await;
        }
        mirror_campaign_status(&mut tx, account, activity, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(ScheduleChange::Done)
    }

    async fn activity_schedule(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<Timestamp>> {
        let due: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT scheduled_at FROM email_campaign_activities \
             WHERE account_id = $1 AND id = $2 AND status = 'SCHEDULED'",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(due.and_then(|(at,)| at).map(Timestamp::from_millis))
    }

    async fn due_activities(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(AccountId, CampaignActivityId, Recipients)>> {
        due_with_recipients(
            &self.pool,
            "SELECT account_id, id, contact_list_ids, segment_ids \
             FROM email_campaign_activities \
             WHERE status = 'SCHEDULED' AND scheduled_at <= $1 \
             ORDER BY scheduled_at LIMIT $2",
            now,
            limit,
        )
        .await
    }

    async fn start_send(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        filter: Option<&ContactFilter>,
        now: Timestamp,
    ) -> StoreResult<Option<StartedSend>> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // First, the guarded write: of several nodes starting the same activity, one moves it.
        let started = sqlx::query(
            "UPDATE email_campaign_activities SET status = 'EXECUTING', scheduled_at = NULL, \
             status_before_schedule = NULL, updated_at = $3 \
             WHERE account_id = $1 AND id = $2 AND status = 'SCHEDULED' AND scheduled_at <= $3",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if started == 0 {
            return Ok(None);
        }
        mirror_campaign_status(&mut tx, account, activity, now).await?;
        let (role, resend_of): (String, Option<Uuid>) = sqlx::query_as(
            "SELECT a.role, (SELECT r.primary_activity_id FROM email_resends r \
             WHERE r.account_id = a.account_id AND r.activity_id = a.id) \
             FROM email_campaign_activities a WHERE a.account_id = $1 AND a.id = $2",
        )
        .bind(account.0)
        .bind(activity.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        if role == ActivityRole::PrimaryEmail.as_str() {
            // The campaign's resend to non-openers, if it has one, falls due its delay after
            // this send starts (a re-send of a DONE primary finds it sent already).
            schedule_resend(&mut tx, account, activity, now, now).await?;
        }
        let started = self
            .open_send(&mut tx, account, activity, filter, resend_of, now)
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(Some(started))
    }

    async fn due_winner_sends(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(AccountId, CampaignActivityId, Recipients)>> {
        due_with_recipients(
            &self.pool,
            "SELECT a.account_id, a.id, a.contact_list_ids, a.segment_ids \
             FROM email_ab_tests t JOIN email_campaign_activities a \
             ON a.account_id = t.account_id AND a.id = t.activity_id \
             WHERE t.state = 'waiting' AND t.winner_due_at <= $1 \
             ORDER BY t.winner_due_at LIMIT $2",
            now,
            limit,
        )
        .await
    }

    async fn start_winner_send(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        filter: Option<&ContactFilter>,
        now: Timestamp,
    ) -> StoreResult<Option<StartedSend>> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if decide_winner(&mut tx, account, activity, now)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let started = self
            .open_send(&mut tx, account, activity, filter, None, now)
            .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(Some(started))
    }

    async fn claim_send_recipients(
        &self,
        now: Timestamp,
        lease: Lease,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedRecipient>> {
        // As the outbox's claim: queued and due, or sending with an expired lease.
        let text = format!(
            "UPDATE email_send_recipients SET state = 'sending', lease_token = $2, due_at = $3, \
             attempts = attempts + 1, updated_at = $1 \
             WHERE (send_id, contact_id) IN (SELECT send_id, contact_id \
             FROM email_send_recipients WHERE state IN ('queued', 'sending') AND due_at <= $1 \
             ORDER BY due_at LIMIT $4{}) RETURNING {CLAIMED_RECIPIENT_COLUMNS}",
            self.dialect.claim_lock(),
        );
        sqlx::query_as::<_, ClaimedRecipientRow>(&text)
            .bind(now.millis())
            .bind(lease.0)
            .bind(lease_until.millis())
            .bind(i64::from(limit))
            .all(&self.pool)
            .await
    }

    async fn record_send_deliveries(
        &self,
        deliveries: &[SendDelivery],
        now: Timestamp,
    ) -> StoreResult<RecordedDeliveries> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // The recipients whose lease held, with the state each is in now.
        let mut updated: HashMap<(Uuid, Uuid), String> = HashMap::with_capacity(deliveries.len());
        for chunk in deliveries.chunks(DELIVERIES_PER_STATEMENT) {
            for row in record_deliveries_chunk(&mut tx, self.dialect, chunk, now).await? {
                updated.insert((row.0, row.1), row.2);
            }
        }
        let recorded: Vec<bool> = deliveries
            .iter()
            .map(|d| updated.contains_key(&(d.send.0, d.contact.0)))
            .collect();
        // em_sends (docs/REPORTS.md): one counter update per send and commit, not per row; a
        // recipient finished (sent, or failed for good) counts, a retry does not. The same
        // statement says whether the send still executes.
        let mut mailed: BTreeMap<Uuid, i64> = deliveries.iter().map(|d| (d.send.0, 0)).collect();
        let finished = updated
            .into_iter()
            .filter(|(_, state)| state == "sent" || state == "failed");
        for ((send, _), _) in finished {
            *mailed.entry(send).or_insert(0) += 1;
        }
        let mut stopped = Vec::new();
        for (send, count) in mailed {
            let state: Option<(String,)> = sqlx::query_as(
                "UPDATE email_sends SET mailed_count = mailed_count + $2 WHERE id = $1 \
                 RETURNING state",
            )
            .bind(send)
            .bind(count)
            .fetch_optional(&mut *tx)
            .await
            .map_err(unavailable)?;
            if state.is_none_or(|(state,)| state != "executing") {
                stopped.push(SendId(send));
            }
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(RecordedDeliveries { recorded, stopped })
    }

    async fn early_outcomes(&self, send: SendId, window: u64) -> StoreResult<EarlyOutcomes> {
        let (total, finished, refused): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT recipient_count FROM email_sends WHERE id = $1), COUNT(*), \
             COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) \
             FROM (SELECT state FROM email_send_recipients \
             WHERE send_id = $1 AND state IN ('sent', 'failed') \
             ORDER BY finished_at LIMIT $2) early",
        )
        .bind(send.0)
        .bind(i64::try_from(window).unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(EarlyOutcomes {
            recipient_count: u64::try_from(total).unwrap_or(0),
            finished: u64::try_from(finished).unwrap_or(0),
            refused: u64::try_from(refused).unwrap_or(0),
        })
    }

    async fn stop_send(
        &self,
        account: AccountId,
        send: SendId,
        reason_code: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let (state, status) = (SendState::Errored, CampaignStatus::Error);
        if !end_send(&mut tx, account, send, state, reason_code, status, now).await? {
            return Ok(false);
        }
        // Those in flight finish; the rest are never mailed by this send (a later schedule
        // mails them, as it mails everyone not yet mailed).
        // Claimed ones too, keeping their lease: what their workers record still lands.
        sqlx::query(
            "UPDATE email_send_recipients SET state = 'skipped', updated_at = $2 \
             WHERE send_id = $1 AND state IN ('queued', 'sending')",
        )
        .bind(send.0)
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn finish_sends(&self, now: Timestamp) -> StoreResult<u64> {
        let finished: Vec<(Uuid, Uuid, i64)> = sqlx::query_as(
            "SELECT s.account_id, s.id, \
             (SELECT COUNT(*) FROM email_send_recipients r \
              WHERE r.send_id = s.id AND r.state = 'sent') \
             FROM email_sends s WHERE s.state = 'executing' \
             AND NOT EXISTS (SELECT 1 FROM email_send_recipients r \
             WHERE r.send_id = s.id AND r.state IN ('queued', 'sending'))",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        let mut count = 0;
        for (account, send, sent) in finished {
            let mut tx = self.pool.begin().await.map_err(unavailable)?;
            let (state, code, status) = if sent > 0 {
                (SendState::Completed, reason::SENT, CampaignStatus::Done)
            } else {
                (
                    SendState::Errored,
                    reason::SEND_ERROR,
                    CampaignStatus::Error,
                )
            };
            let (account, send) = (AccountId(account), SendId(send));
            // The arms of an A/B test: the activity stays EXECUTING until its winner is sent.
            let status = if arms_finished(&mut tx, send, sent > 0, now).await? {
                CampaignStatus::Executing
            } else {
                status
            };
            if end_send(&mut tx, account, send, state, code, status, now).await? {
                count += 1;
            }
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(count)
    }

    async fn sends(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Vec<EmailSend>> {
        let text = format!(
            "SELECT {EMAIL_SEND_COLUMNS} FROM email_sends s \
             WHERE s.account_id = $1 AND s.campaign_activity_id = $2 ORDER BY s.send_number"
        );
        sqlx::query_as::<_, EmailSendRow>(&text)
            .bind(account.0)
            .bind(activity.0)
            .all(&self.pool)
            .await
    }

    async fn recipient_entries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<RecipientEntry>> {
        let text = format!(
            "SELECT {RECIPIENT_ENTRY_COLUMNS} FROM email_send_recipients \
             WHERE ($1 IS NULL OR state = $1) ORDER BY updated_at DESC LIMIT $2"
        );
        sqlx::query_as::<_, RecipientEntryRow>(&text)
            .bind(state)
            .bind(i64::from(limit))
            .all(&self.pool)
            .await
    }

    async fn recipient_entry(
        &self,
        send: SendId,
        contact: ContactId,
    ) -> StoreResult<Option<RecipientEntry>> {
        let text = format!(
            "SELECT {RECIPIENT_ENTRY_COLUMNS} FROM email_send_recipients \
             WHERE send_id = $1 AND contact_id = $2"
        );
        sqlx::query_as::<_, RecipientEntryRow>(&text)
            .bind(send.0)
            .bind(contact.0)
            .optional(&self.pool)
            .await
    }
}

/// Rows per statement of [`record_deliveries_chunk`]: seven values a row, well within both
/// engines' limits on bound values.
const DELIVERIES_PER_STATEMENT: usize = 500;

/// Records the outcomes of `chunk` in one statement: each recipient still under the lease it
/// was claimed with gets its new state. Answers (send, contact, state now) of each one updated;
/// a recipient missing from the answer had lost its lease.
/// Activities due by `now`, at most `limit`, each with its recipients: `sql` selects their
/// account, id, list ids and segment ids, with `$1` the time and `$2` the limit.
async fn due_with_recipients(
    pool: &sqlx::Pool<Db>,
    sql: &'static str,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<(AccountId, CampaignActivityId, Recipients)>> {
    let rows: Vec<(Uuid, Uuid, String, String)> = sqlx::query_as(sql)
        .bind(now.millis())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
    rows.into_iter()
        .map(|(account, id, lists, segments)| {
            Ok((
                AccountId(account),
                CampaignActivityId(id),
                recipients(&lists, &segments)?,
            ))
        })
        .collect()
}

async fn record_deliveries_chunk(
    tx: &mut Transaction,
    dialect: Dialect,
    chunk: &[SendDelivery],
    now: Timestamp,
) -> StoreResult<Vec<(Uuid, Uuid, String)>> {
    const WIDTH: usize = 7;
    // A recipient skipped by a stop after its claim was mailed all the same: its outcome
    // counts. A retry of one stays skipped: the stopped send mails no more.
    let text = format!(
        "WITH outcome (o_send, o_contact, o_lease, o_state, o_reply, o_due, o_finished) AS \
         (VALUES {rows}) \
         UPDATE email_send_recipients SET \
         state = CASE WHEN state = 'skipped' AND o_state = 'queued' THEN 'skipped' \
         ELSE o_state END, \
         last_reply = o_reply, due_at = o_due, finished_at = o_finished, lease_token = NULL, \
         updated_at = {now} \
         FROM outcome \
         WHERE send_id = o_send AND contact_id = o_contact AND lease_token = o_lease \
         AND state IN ('sending', 'skipped') \
         RETURNING send_id, contact_id, state",
        rows = dialect.value_rows(1, chunk.len(), WIDTH),
        now = dialect.placeholder(chunk.len() * WIDTH + 1),
    );
    let mut query = sqlx::query_as::<_, (Uuid, Uuid, String)>(&text);
    for delivery in chunk {
        let (state, reply, due_at, finished_at) = delivery_columns(&delivery.outcome, now);
        query = query
            .bind(delivery.send.0)
            .bind(delivery.contact.0)
            .bind(delivery.lease.0)
            .bind(state)
            .bind(reply.to_string())
            .bind(due_at)
            .bind(finished_at);
    }
    query
        .bind(now.millis())
        .fetch_all(&mut **tx)
        .await
        .map_err(unavailable)
}
