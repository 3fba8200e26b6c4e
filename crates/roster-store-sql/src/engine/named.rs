//! The records an account names (contact lists, tags, segments): a name is unique within the
//! account regardless of letter case, which each table enforces on a `name_key` column (the
//! name in lowercase).

use roster_domain::AccountId;
use sqlx::query::Query;
use sqlx::Database;

use super::fetch::account_write;
use crate::Db;

/// A statement writing a named record: `$1` the account, `$2` the record's id, `$3` its name
/// and `$4` the name's key; the caller binds the record's other columns after them.
pub(super) fn named_write<'q>(
    sql: &'q str,
    account: AccountId,
    id: impl sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'q,
    name: &'q str,
) -> Query<'q, Db, <Db as Database>::Arguments<'q>> {
    account_write(sql, account, id)
        .bind(name)
        .bind(name.to_lowercase())
}

/// The conflict a write is refused with when another `kind` of the account has the name.
pub(super) fn name_taken(kind: &str, name: &str) -> String {
    format!("a {kind} named \"{name}\" already exists")
}
