//! The sends of an A/B-tested activity (docs/CAMPAIGNS.md, "A/B tests"), inside the send
//! transactions of `sends.rs`: drawing the two arms of a new send's recipients, keeping the
//! activity EXECUTING while the winner wait runs, deciding the winner, and giving a later send
//! the winning subject. The arms are stored per recipient (`subject_arm`), so the mailer
//! renders each message's subject from its row and a restart redraws nothing.

use roster_domain::ab_test::{arm_size, draw_arms, winner, AbTestState, Arm};
use roster_domain::{AccountId, CampaignActivityId, SendId, StoreResult, Timestamp};
use roster_store_sql::unavailable;
use uuid::Uuid;

use super::fetch::ExecuteWrite;
use crate::Db;

type Transaction = sqlx::Transaction<'static, Db>;

/// Contacts per `IN (…)` list when arms are written.
const IDS_PER_STATEMENT: usize = 500;

async fn set_arm(tx: &mut Transaction, send: SendId, ids: &[Uuid], arm: Arm) -> StoreResult<()> {
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let text = format!(
            "UPDATE email_send_recipients SET subject_arm = $2 \
             WHERE send_id = $1 AND contact_id IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query(&text).bind(send.0).bind(arm.as_str());
        for id in chunk {
            query = query.bind(*id);
        }
        query.run(&mut **tx).await?;
    }
    Ok(())
}

/// Gives the `count` recipients just fixed for `send` of `activity` their subjects, and
/// returns how many stay in the send. Without an A/B test, nothing changes. A test not sent
/// yet draws its two arms (the others are dropped from this send: the winner send mails them)
/// or, with fewer than 2 recipients, is decided for A at once; a decided test gives everyone
/// its winner.
pub(super) async fn apply_subjects(
    tx: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
    send: SendId,
    count: u64,
) -> StoreResult<u64> {
    let test: Option<(String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT state, test_size, seed, winner FROM email_ab_tests \
         WHERE account_id = $1 AND activity_id = $2",
    )
    .bind(account.0)
    .bind(activity.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(unavailable)?;
    let Some((state, test_size, seed, decided)) = test else {
        return Ok(count);
    };
    if AbTestState::parse_stored(&state) != Some(AbTestState::Draft) {
        let arm = decided
            .as_deref()
            .and_then(Arm::parse_stored)
            .unwrap_or(Arm::A);
        sqlx::query("UPDATE email_send_recipients SET subject_arm = $2 WHERE send_id = $1")
            .bind(send.0)
            .bind(arm.as_str())
            .run(&mut **tx)
            .await?;
        return Ok(count);
    }
    let Some(size) = arm_size(count, test_size) else {
        sqlx::query(
            "UPDATE email_ab_tests SET state = 'decided', winner = 'A', test_send_id = $3 \
             WHERE account_id = $1 AND activity_id = $2",
        )
        .bind(account.0)
        .bind(activity.0)
        .bind(send.0)
        .run(&mut **tx)
        .await?;
        return Ok(count);
    };
    // A fixed order (the contact ids), so the seed alone decides the draw.
    let ids: Vec<(Uuid,)> = sqlx::query_as(
        "SELECT contact_id FROM email_send_recipients WHERE send_id = $1 ORDER BY contact_id",
    )
    .bind(send.0)
    .fetch_all(&mut **tx)
    .await
    .map_err(unavailable)?;
    let ids: Vec<Uuid> = ids.into_iter().map(|(id,)| id).collect();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let (a, b) = draw_arms(ids.len(), size, seed);
    let pick = |positions: &[usize]| positions.iter().map(|p| ids[*p]).collect::<Vec<_>>();
    set_arm(tx, send, &pick(&a), Arm::A).await?;
    set_arm(tx, send, &pick(&b), Arm::B).await?;
    sqlx::query("DELETE FROM email_send_recipients WHERE send_id = $1 AND subject_arm IS NULL")
        .bind(send.0)
        .run(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE email_ab_tests SET state = 'testing', test_send_id = $3 \
         WHERE account_id = $1 AND activity_id = $2",
    )
    .bind(account.0)
    .bind(activity.0)
    .bind(send.0)
    .run(&mut **tx)
    .await?;
    Ok(u64::try_from(a.len() + b.len()).unwrap_or(u64::MAX))
}

/// When `send`, finishing, mailed an A/B test's arms: true if it mailed any, and the test then
/// waits for its winner (`winner_wait_duration` hours from now); with none mailed the test
/// goes back to DRAFT, so the next schedule tests again.
pub(super) async fn arms_finished(
    tx: &mut Transaction,
    send: SendId,
    mailed_any: bool,
    now: Timestamp,
) -> StoreResult<bool> {
    let changed = if mailed_any {
        sqlx::query(
            "UPDATE email_ab_tests SET state = 'waiting', \
             winner_due_at = $2 + winner_wait_hours * 3600000 \
             WHERE test_send_id = $1 AND state = 'testing'",
        )
        .bind(send.0)
        .bind(now.millis())
        .affected(&mut **tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE email_ab_tests SET state = 'draft', test_send_id = NULL \
             WHERE test_send_id = $1 AND state = 'testing'",
        )
        .bind(send.0)
        .affected(&mut **tx)
        .await?
    };
    Ok(mailed_any && changed > 0)
}

/// Takes the test of `activity` from waiting to decided (guarded: of several nodes, one does
/// it) and records the arm with more contacts who opened or clicked (their own opens only;
/// ties to A). None when it was not waiting or not yet due.
pub(super) async fn decide_winner(
    tx: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
    now: Timestamp,
) -> StoreResult<Option<Arm>> {
    let taken = sqlx::query(
        "UPDATE email_ab_tests SET state = 'decided' WHERE account_id = $1 \
         AND activity_id = $2 AND state = 'waiting' AND winner_due_at <= $3",
    )
    .bind(account.0)
    .bind(activity.0)
    .bind(now.millis())
    .affected(&mut **tx)
    .await?;
    if taken == 0 {
        return Ok(None);
    }
    let opens = arm_opens(tx, account, activity).await?;
    let arm = winner(opens.0, opens.1);
    sqlx::query("UPDATE email_ab_tests SET winner = $3 WHERE account_id = $1 AND activity_id = $2")
        .bind(account.0)
        .bind(activity.0)
        .bind(arm.as_str())
        .run(&mut **tx)
        .await?;
    Ok(Some(arm))
}

/// The unique opens of arm A and arm B: the contacts of each who opened (or clicked, which
/// implies an open) the activity.
pub(super) async fn arm_opens(
    executor: &mut Transaction,
    account: AccountId,
    activity: CampaignActivityId,
) -> StoreResult<(u64, u64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT r.subject_arm, COUNT(*) FROM email_ab_tests x \
         JOIN email_send_recipients r ON r.send_id = x.test_send_id \
         JOIN activity_contact_tracking t ON t.account_id = r.account_id \
         AND t.activity_id = r.campaign_activity_id AND t.contact_id = r.contact_id \
         WHERE x.account_id = $1 AND x.activity_id = $2 AND r.subject_arm IS NOT NULL \
         AND t.opens > 0 GROUP BY r.subject_arm",
    )
    .bind(account.0)
    .bind(activity.0)
    .fetch_all(&mut **executor)
    .await
    .map_err(unavailable)?;
    let count = |arm: Arm| {
        rows.iter()
            .find(|(name, _)| name == arm.as_str())
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };
    Ok((count(Arm::A), count(Arm::B)))
}
