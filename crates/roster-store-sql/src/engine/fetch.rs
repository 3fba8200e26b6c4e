//! How a store method ends, written once: run its query on a pool, a connection or a
//! transaction, report a database failure as `Unavailable`, and turn each row into its domain
//! type (a row that does not convert is an outage, `rows`). Each method then says only its SQL
//! and its binds; the statement is the same one round trip it would be by hand.

use roster_domain::{AccountId, Page, PageRequest, StoreError, StoreResult};
use roster_store_sql::{conflict_on_unique, unavailable};
use sqlx::query::{Query, QueryAs};
use sqlx::{Database, Executor, FromRow};

use uuid::Uuid;

use crate::Db;

/// The arguments a query carries on this engine.
type Args<'q> = <Db as Database>::Arguments<'q>;

/// Reading rows of type `R` and converting them into the domain's `T` (`TryFrom`, or `From`,
/// whose `Infallible` error never happens).
pub(super) trait FetchDomain<R> {
    /// The row the query finds, if any.
    async fn optional<'c, E, T>(self, executor: E) -> StoreResult<Option<T>>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>;

    /// Exactly one row (an aggregate, or a write's `RETURNING`).
    async fn one<'c, E, T>(self, executor: E) -> StoreResult<T>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>;

    /// Every row, in the order read.
    async fn all<'c, E, T>(self, executor: E) -> StoreResult<Vec<T>>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>;
}

impl<'q, R> FetchDomain<R> for QueryAs<'q, Db, R, Args<'q>>
where
    R: for<'r> FromRow<'r, <Db as Database>::Row> + Send + Unpin,
{
    async fn optional<'c, E, T>(self, executor: E) -> StoreResult<Option<T>>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>,
    {
        let row = self.fetch_optional(executor).await.map_err(unavailable)?;
        Ok(row.map(R::try_into).transpose()?)
    }

    async fn one<'c, E, T>(self, executor: E) -> StoreResult<T>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>,
    {
        let row = self.fetch_one(executor).await.map_err(unavailable)?;
        Ok(row.try_into()?)
    }

    async fn all<'c, E, T>(self, executor: E) -> StoreResult<Vec<T>>
    where
        E: Executor<'c, Database = Db>,
        R: TryInto<T>,
        StoreError: From<R::Error>,
    {
        let rows = self.fetch_all(executor).await.map_err(unavailable)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(row.try_into()?);
        }
        Ok(items)
    }
}

/// Running a statement that returns no rows.
pub(super) trait ExecuteWrite {
    /// Runs it; how many rows it changed does not matter.
    async fn run<'c, E>(self, executor: E) -> StoreResult<()>
    where
        E: Executor<'c, Database = Db>;

    /// Runs it, where a unique-constraint violation is the caller's conflict, `what`.
    async fn run_unless_conflict<'c, E>(self, executor: E, what: &str) -> StoreResult<()>
    where
        E: Executor<'c, Database = Db>;

    /// How many rows the statement changed.
    async fn affected<'c, E>(self, executor: E) -> StoreResult<u64>
    where
        E: Executor<'c, Database = Db>;

    /// The same, where a unique-constraint violation is the caller's conflict, `what`.
    async fn affected_unless_conflict<'c, E>(self, executor: E, what: &str) -> StoreResult<u64>
    where
        E: Executor<'c, Database = Db>;
}

impl<'q> ExecuteWrite for Query<'q, Db, Args<'q>> {
    async fn run<'c, E>(self, executor: E) -> StoreResult<()>
    where
        E: Executor<'c, Database = Db>,
    {
        self.affected(executor).await.map(drop)
    }

    async fn run_unless_conflict<'c, E>(self, executor: E, what: &str) -> StoreResult<()>
    where
        E: Executor<'c, Database = Db>,
    {
        self.affected_unless_conflict(executor, what)
            .await
            .map(drop)
    }

    async fn affected<'c, E>(self, executor: E) -> StoreResult<u64>
    where
        E: Executor<'c, Database = Db>,
    {
        let done = self.execute(executor).await.map_err(unavailable)?;
        Ok(done.rows_affected())
    }

    async fn affected_unless_conflict<'c, E>(self, executor: E, what: &str) -> StoreResult<u64>
    where
        E: Executor<'c, Database = Db>,
    {
        let done = self
            .execute(executor)
            .await
            .map_err(|e| conflict_on_unique(e, what))?;
        Ok(done.rows_affected())
    }
}

/// The texts of an account's rows in id order: `first` reads from the start (`$1` the account,
/// `$2` how many), `next` after a key (`$1` the account, `$2` the key, `$3` how many). Two
/// texts rather than one with `$2 IS NULL OR id > $2`, so each plans as a plain range scan.
pub(super) struct IdPages<'s> {
    pub(super) first: &'s str,
    pub(super) next: &'s str,
}

impl IdPages<'_> {
    /// One page of rows `R` read as `T`, keyed by `key`; one row more than the page is read to
    /// know whether another follows.
    pub(super) async fn page<R, T, K>(
        &self,
        pool: &sqlx::Pool<Db>,
        account: AccountId,
        page: PageRequest<K>,
        uuid: impl Fn(K) -> Uuid,
        key: impl Fn(&T) -> K,
    ) -> StoreResult<Page<T, K>>
    where
        R: for<'r> FromRow<'r, <Db as Database>::Row> + Send + Unpin + TryInto<T>,
        StoreError: From<R::Error>,
    {
        let fetch = i64::from(page.limit) + 1;
        let items = match page.after {
            None => {
                sqlx::query_as::<_, R>(self.first)
                    .bind(account.0)
                    .bind(fetch)
                    .all(pool)
                    .await?
            }
            Some(after) => {
                sqlx::query_as::<_, R>(self.next)
                    .bind(account.0)
                    .bind(uuid(after))
                    .bind(fetch)
                    .all(pool)
                    .await?
            }
        };
        Ok(Page::from_overfetch(items, page.limit, key))
    }
}

/// One of the account's records, read by `select` (`$1` the account, `$2` the record's id):
/// the shape of every read that names a record by its id within the caller's account.
pub(super) async fn account_row<'c, R, T>(
    executor: impl Executor<'c, Database = Db>,
    select: &str,
    account: AccountId,
    id: impl for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send,
) -> StoreResult<Option<T>>
where
    R: for<'r> FromRow<'r, <Db as Database>::Row> + Send + Unpin + TryInto<T>,
    StoreError: From<R::Error>,
{
    sqlx::query_as::<_, R>(select)
        .bind(account.0)
        .bind(id)
        .optional(executor)
        .await
}

/// A statement about one of the account's records (`$1` the account, `$2` the id of the
/// record, or of the contact, list or tag it concerns): the write counterpart of
/// `account_row`. The caller binds any further values after them.
pub(super) fn account_write<'q>(
    sql: &'q str,
    account: AccountId,
    id: impl sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'q,
) -> Query<'q, Db, Args<'q>> {
    sqlx::query(sql).bind(account.0).bind(id)
}
