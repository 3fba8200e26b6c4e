//! The queued work: bulk activities (an activity's row, and a claimed one's with its job) and
//! the outbox (a message and its delivery state, its mailboxes stored as JSON text).

use roster_domain::outbox::{
    DeliveryOutcome, Lease, Mailbox, OutboxEntry, OutboxMessage, OutboxState,
};
use roster_domain::{AccountId, ContactId, OutboxId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::{corrupt, from_json, parse_email, to_json};

/// The columns of `activities` that `ActivityRow` reads (`columns::ACTIVITY_COLUMNS`).
#[derive(sqlx::FromRow)]
pub struct ActivityRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: String,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub items_total: i64,
    pub items_completed: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub error_count: i64,
    pub cannot_add_to_list_count: i64,
    pub list_count: i64,
    pub source_file_name: Option<String>,
    pub cursor: Option<Uuid>,
}

impl TryFrom<ActivityRow> for roster_domain::activity::Activity {
    type Error = StoreError;
    fn try_from(row: ActivityRow) -> Result<Self, StoreError> {
        use roster_domain::activity::{Activity, ActivityKind, ActivityState};
        Ok(Activity {
            id: roster_domain::ActivityId(row.id),
            account: AccountId(row.account_id),
            kind: ActivityKind::parse(&row.kind).ok_or_else(|| corrupt("activity kind"))?,
            state: ActivityState::parse(&row.state).ok_or_else(|| corrupt("activity state"))?,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            started_at: row.started_at.map(Timestamp::from_millis),
            completed_at: row.completed_at.map(Timestamp::from_millis),
            items_total: row.items_total,
            items_completed: row.items_completed,
            created_count: row.created_count,
            updated_count: row.updated_count,
            error_count: row.error_count,
            cannot_add_to_list_count: row.cannot_add_to_list_count,
            list_count: row.list_count,
            source_file_name: row.source_file_name,
            cursor: row.cursor.map(ContactId),
            errors: Vec::new(),
        })
    }
}

/// A claimed activity's row and its job text.
#[derive(sqlx::FromRow)]
pub struct ClaimedRow {
    #[sqlx(flatten)]
    pub activity: ActivityRow,
    pub job: String,
}

impl TryFrom<ClaimedRow> for roster_domain::activity::ClaimedActivity {
    type Error = StoreError;
    fn try_from(row: ClaimedRow) -> Result<Self, StoreError> {
        Ok(roster_domain::activity::ClaimedActivity {
            activity: row.activity.try_into()?,
            job: from_json(&row.job, "activity job")?,
        })
    }
}

/// A mailbox as the outbox stores it (JSON text).
#[derive(serde::Serialize, serde::Deserialize)]
struct MailboxJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    email: String,
}

fn mailbox_json(mailbox: &Mailbox) -> MailboxJson {
    MailboxJson {
        name: mailbox.name.clone(),
        email: mailbox.email.as_str().to_string(),
    }
}

fn mailbox_from_json(json: MailboxJson) -> Result<Mailbox, StoreError> {
    let email = parse_email(&json.email, "outbox address")?;
    Mailbox::new(json.name.as_deref(), email).map_err(|_| corrupt("outbox display name"))
}

#[derive(sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub kind: String,
    pub message_id: String,
    pub from_mailbox: String,
    pub reply_to: Option<String>,
    pub recipients: String,
    pub subject: String,
    pub headers: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub last_reply: Option<String>,
    pub due_at: i64,
    pub lease_token: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

impl OutboxRow {
    pub fn from_domain(entry: &OutboxEntry) -> Self {
        let message = &entry.message;
        OutboxRow {
            id: entry.id.0,
            account_id: message.account().map(|a| a.0),
            kind: message.kind().to_string(),
            message_id: entry.message_id.clone(),
            from_mailbox: to_json(&mailbox_json(message.from())),
            reply_to: message.reply_to().map(|m| to_json(&mailbox_json(m))),
            recipients: to_json(&message.to().iter().map(mailbox_json).collect::<Vec<_>>()),
            subject: message.subject().to_string(),
            headers: to_json(message.headers()),
            text_body: message.text().to_string(),
            html_body: message.html().map(String::from),
            state: entry.state.as_str().to_string(),
            attempts: i64::from(entry.attempts),
            last_reply: entry.last_reply.clone(),
            due_at: entry.due_at.millis(),
            lease_token: entry.lease.map(|l| l.0),
            created_at: entry.created_at.millis(),
            updated_at: entry.updated_at.millis(),
            finished_at: entry.finished_at.map(Timestamp::millis),
        }
    }
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;
    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        let parse_mailbox = |text: &str| {
            from_json::<MailboxJson>(text, "outbox mailbox").and_then(mailbox_from_json)
        };
        let recipients = from_json::<Vec<MailboxJson>>(&row.recipients, "outbox recipient list")?
            .into_iter()
            .map(mailbox_from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let headers: Vec<(String, String)> = from_json(&row.headers, "outbox header list")?;
        let mut message = OutboxMessage::new(
            &row.kind,
            parse_mailbox(&row.from_mailbox)?,
            recipients,
            &row.subject,
            &row.text_body,
        )
        .map_err(|_| corrupt("outbox message"))?;
        for (name, value) in &headers {
            message = message
                .with_header(name, value)
                .map_err(|_| corrupt("outbox header"))?;
        }
        if let Some(reply_to) = &row.reply_to {
            message = message.with_reply_to(parse_mailbox(reply_to)?);
        }
        if let Some(html) = &row.html_body {
            message = message.with_html(html);
        }
        if let Some(account) = row.account_id {
            message = message.for_account(AccountId(account));
        }
        Ok(OutboxEntry {
            id: OutboxId(row.id),
            message_id: row.message_id,
            message,
            state: OutboxState::parse(&row.state).ok_or_else(|| corrupt("outbox state"))?,
            attempts: u32::try_from(row.attempts).map_err(|_| corrupt("outbox attempt count"))?,
            last_reply: row.last_reply,
            due_at: Timestamp::from_millis(row.due_at),
            lease: row.lease_token.map(Lease),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            finished_at: row.finished_at.map(Timestamp::from_millis),
        })
    }
}

/// The columns a delivery outcome sets: (state, last reply, due_at, finished_at).
pub fn delivery_columns(
    outcome: &DeliveryOutcome,
    now: Timestamp,
) -> (&'static str, &str, i64, Option<i64>) {
    match outcome {
        DeliveryOutcome::Sent { reply } => ("sent", reply, now.millis(), Some(now.millis())),
        DeliveryOutcome::Retry { reply, at } => ("queued", reply, at.millis(), None),
        DeliveryOutcome::Failed { reply } => ("failed", reply, now.millis(), Some(now.millis())),
    }
}
