//! An activity's progress inside a batch's transaction: holding the activity for the batch
//! under its lease, and its stored errors.

use roster_domain::activity::{Activity, MAX_STORED_ERRORS};
use roster_domain::{ActivityId, StoreError, Timestamp};
use roster_store_sql::rows::ActivityRow;
use roster_store_sql::unavailable;

use crate::Db;

/// Takes the activity's row for this batch: a write first (it locks the row, and SQLite's
/// database), and only while `node` holds it and its progress is still `done`. False
/// when another node took it over (its lease expired) or it was already advanced.
pub(super) async fn hold_activity(
    tx: &mut sqlx::Transaction<'_, Db>,
    activity: ActivityId,
    node: &str,
    done: i64,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<bool, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE activities SET updated_at = $3, lease_until = $4 \
         WHERE id = $1 AND lease_owner = $2 AND items_completed = $5 \
         AND state = 'processing'",
    )
    .bind(activity.0)
    .bind(node)
    .bind(now.millis())
    .bind(lease_until.millis())
    .bind(done)
    .execute(&mut **tx)
    .await?;
    Ok(held.rows_affected() == 1)
}

/// Appends errors (the first `MAX_STORED_ERRORS` are kept) and counts them all.
pub(super) async fn append_activity_errors(
    tx: &mut sqlx::Transaction<'_, Db>,
    activity: ActivityId,
    errors: &[String],
) -> Result<(), sqlx::Error> {
    if errors.is_empty() {
        return Ok(());
    }
    let (count,): (i64,) = sqlx::query_as("SELECT error_count FROM activities WHERE id = $1")
        .bind(activity.0)
        .fetch_one(&mut **tx)
        .await?;
    let room = (MAX_STORED_ERRORS - count).max(0) as usize;
    for (offset, message) in errors.iter().take(room).enumerate() {
        sqlx::query("INSERT INTO activity_errors (activity_id, seq, message) VALUES ($1, $2, $3)")
            .bind(activity.0)
            .bind(count + offset as i64)
            .bind(message)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE activities SET error_count = error_count + $2 WHERE id = $1")
        .bind(activity.0)
        .bind(errors.len() as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An activity with its stored errors.
pub(super) async fn activity_with_errors(
    pool: &sqlx::Pool<Db>,
    row: ActivityRow,
) -> Result<Activity, StoreError> {
    let mut activity = row.into_domain()?;
    if activity.error_count > 0 {
        let errors: Vec<(String,)> = sqlx::query_as(
            "SELECT message FROM activity_errors WHERE activity_id = $1 ORDER BY seq",
        )
        .bind(activity.id.0)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
        activity.errors = errors.into_iter().map(|(m,)| m).collect();
    }
    Ok(activity)
}
