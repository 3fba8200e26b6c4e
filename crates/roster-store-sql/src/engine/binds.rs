//! Running the queries built at run time (`contact_sql::Sql`): their values bound in order.

use roster_domain::{AccountId, StoreResult};
use roster_store_sql::contact_sql::{Bind, Sql};
use sqlx::query::QueryAs;
use sqlx::Database;
use uuid::Uuid;

use super::fetch::FetchDomain;
use crate::Db;

/// A built query, its values bound to `$1…` in order (texts by reference, not copied).
pub(super) fn bound<'q, O>(sql: &'q Sql) -> QueryAs<'q, Db, O, <Db as Database>::Arguments<'q>>
where
    O: for<'r> sqlx::FromRow<'r, <Db as Database>::Row>,
{
    let mut query = sqlx::query_as(&sql.text);
    for value in &sql.binds {
        query = match value {
            Bind::Uuid(id) => query.bind(*id),
            Bind::I64(n) => query.bind(*n),
            Bind::F64(n) => query.bind(*n),
            Bind::Text(text) => query.bind(text.as_str()),
        };
    }
    query
}

/// A built statement that returns no rows, its values bound to `$1…` in order.
pub(super) fn bound_write(
    sql: &Sql,
) -> sqlx::query::Query<'_, Db, <Db as Database>::Arguments<'_>> {
    let mut query = sqlx::query(&sql.text);
    for value in &sql.binds {
        query = match value {
            Bind::Uuid(id) => query.bind(*id),
            Bind::I64(n) => query.bind(*n),
            Bind::F64(n) => query.bind(*n),
            Bind::Text(text) => query.bind(text.as_str()),
        };
    }
    query
}

/// Which of `ids` exist in the account's rows of `table_where` (a table name followed by
/// `WHERE` and any further conditions ending in `AND`).
pub(super) async fn existing_ids<I>(
    pool: &sqlx::Pool<Db>,
    table_where: &str,
    account: AccountId,
    ids: &[I],
) -> StoreResult<Vec<I>>
where
    I: Copy + Into<Uuid> + From<Uuid>,
{
    let mut sql = Sql::default();
    let account_bind = sql.bind(Bind::Uuid(account.0));
    let placeholders: Vec<String> = ids
        .iter()
        .map(|id| sql.bind(Bind::Uuid((*id).into())))
        .collect();
    if placeholders.is_empty() {
        return Ok(Vec::new());
    }
    sql.text = format!(
        "SELECT id FROM {table_where} account_id = {account_bind} AND id IN ({})",
        placeholders.join(", ")
    );
    let rows: Vec<(Uuid,)> = bound::<(Uuid,)>(&sql).all(pool).await?;
    Ok(rows.into_iter().map(|(id,)| I::from(id)).collect())
}
