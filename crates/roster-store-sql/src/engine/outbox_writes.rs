//! Writing an outbox row, shared by the outbox and by the writes that queue a message in
//! their own transaction (sender-address confirmations).

use std::sync::LazyLock;

use roster_domain::outbox::OutboxEntry;
use roster_store_sql::columns::OUTBOX_COLUMNS;
use roster_store_sql::rows::OutboxRow;

use crate::Db;

/// Writes one outbox row on `conn` (a pooled connection or a transaction).
pub(super) async fn write_outbox_entry(
    conn: &mut <Db as sqlx::Database>::Connection,
    entry: &OutboxEntry,
) -> Result<(), sqlx::Error> {
    static INSERT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        )
    });
    let row = OutboxRow::from_domain(entry);
    sqlx::query(&INSERT)
        .bind(row.id)
        .bind(row.account_id)
        .bind(&row.kind)
        .bind(&row.message_id)
        .bind(&row.from_mailbox)
        .bind(&row.reply_to)
        .bind(&row.recipients)
        .bind(&row.subject)
        .bind(&row.headers)
        .bind(&row.text_body)
        .bind(&row.html_body)
        .bind(&row.state)
        .bind(row.attempts)
        .bind(&row.last_reply)
        .bind(row.due_at)
        .bind(row.lease_token)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.finished_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
