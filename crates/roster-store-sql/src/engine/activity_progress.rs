//! An activity's progress inside a batch's transaction: holding the activity for the batch
//! under its lease, and its stored errors.

use roster_domain::activity::{Activity, MAX_STORED_ERRORS};
use roster_domain::{ActivityId, StoreError, StoreResult, Timestamp};
use roster_store_sql::unavailable;

use super::fetch::{ExecuteWrite, FetchDomain};
use crate::Db;

/// Begins a batch's transaction and takes the activity's row for it: a write first (it locks
/// the row, and SQLite's database), and only while `node` holds it and its progress is still
/// `done`. A conflict when another node took it over (its lease expired) or it was already
/// advanced: the batch must not be written.
pub(super) async fn begin_batch(
    pool: &sqlx::Pool<Db>,
    activity: ActivityId,
    node: &str,
    done: i64,
    now: Timestamp,
    lease_until: Timestamp,
) -> StoreResult<sqlx::Transaction<'static, Db>> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
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
    .affected(&mut *tx)
    .await?;
    if held != 1 {
        return Err(held_elsewhere());
    }
    Ok(tx)
}

/// What a node that no longer holds an activity is told when it writes to it.
pub(super) fn held_elsewhere() -> StoreError {
    StoreError::Conflict("the activity is held by another node".into())
}

/// Appends errors (the first `MAX_STORED_ERRORS` are kept) and counts them all.
pub(super) async fn append_activity_errors(
    tx: &mut sqlx::Transaction<'_, Db>,
    activity: ActivityId,
    errors: &[String],
) -> StoreResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let (count,): (i64,) =
        sqlx::query_as::<_, (i64,)>("SELECT error_count FROM activities WHERE id = $1")
            .bind(activity.0)
            .one(&mut **tx)
            .await?;
    let room = (MAX_STORED_ERRORS - count).max(0) as usize;
    for (offset, message) in errors.iter().take(room).enumerate() {
        sqlx::query("INSERT INTO activity_errors (activity_id, seq, message) VALUES ($1, $2, $3)")
            .bind(activity.0)
            .bind(count + offset as i64)
            .bind(message)
            .run(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE activities SET error_count = error_count + $2 WHERE id = $1")
        .bind(activity.0)
        .bind(errors.len() as i64)
        .run(&mut **tx)
        .await
}

/// An activity with its stored errors.
pub(super) async fn with_errors(
    pool: &sqlx::Pool<Db>,
    mut activity: Activity,
) -> StoreResult<Activity> {
    if activity.error_count > 0 {
        let errors: Vec<(String,)> = sqlx::query_as::<_, (String,)>(
            "SELECT message FROM activity_errors WHERE activity_id = $1 ORDER BY seq",
        )
        .bind(activity.id.0)
        .all(pool)
        .await?;
        activity.errors = errors.into_iter().map(|(m,)| m).collect();
    }
    Ok(activity)
}
