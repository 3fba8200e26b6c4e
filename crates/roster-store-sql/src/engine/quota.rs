//! The per-account quotas kept as counters on the account's row (custom fields, lists):
//! claimed in the transaction that creates a record, given back in the one that deletes it.

use roster_domain::{AccountId, StoreError, StoreResult};

use super::fetch::ExecuteWrite;
use crate::Db;

/// Claims one unit of a quota with `claim` (`$1` the account, `$2` the maximum), an update
/// that moves the counter only while it is under the maximum. It comes first in `tx`: a write
/// as the first statement keeps SQLite from upgrading a read lock, and the guard makes the
/// quota hold under concurrency. `what` names the records counted, for the refusal.
pub(super) async fn claim_quota(
    tx: &mut sqlx::Transaction<'_, Db>,
    claim: &str,
    account: AccountId,
    max_per_account: u32,
    what: &str,
) -> StoreResult<()> {
    let claimed = sqlx::query(claim)
        .bind(account.0)
        .bind(i64::from(max_per_account))
        .affected(&mut **tx)
        .await?;
    if claimed == 0 {
        return Err(StoreError::LimitReached(format!(
            "the account already has the maximum of {max_per_account} {what}"
        )));
    }
    Ok(())
}

/// Gives back one unit of a quota with `release` (`$1` the account), in the transaction that
/// deletes the record.
pub(super) async fn release_quota(
    tx: &mut sqlx::Transaction<'_, Db>,
    release: &str,
    account: AccountId,
) -> StoreResult<()> {
    sqlx::query(release).bind(account.0).run(&mut **tx).await
}
