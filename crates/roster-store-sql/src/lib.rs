//! The SQL both engines share, as an ordinary library: the row types and their conversions
//! (`rows`), the column lists they read (`columns`), the dynamic query builder for contact
//! filters and segments (`contact_sql`), and the few engine differences (`dialect`). Both
//! engines store ids as UUIDs (BLOB in SQLite, `uuid` in PostgreSQL), instants as BIGINT
//! milliseconds since the epoch, and JSON documents as text, so one query text serves both.
//!
//! The storage contract's queries are in `src/engine/`, which is not a module of this crate:
//! each engine crate declares `type Db` (its sqlx database) and includes that folder with
//! `#[path]`, so the one text is compiled once per engine with concrete sqlx types
//! (docs/ARCHITECTURE.md, "How one query text serves both engines").

pub mod columns;
pub mod contact_reports;
pub mod contact_sql;
pub mod dialect;
pub mod documents;
pub mod reports;
pub mod rows;
pub mod tracking;

use roster_domain::StoreError;

/// Maps a unique-constraint violation to `Conflict(what)`, and anything else to `Unavailable`.
pub fn conflict_on_unique(error: sqlx::Error, what: &str) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(what.to_string()),
        _ => StoreError::unavailable(error),
    }
}

/// Any database failure that is not the caller's fault.
pub fn unavailable(error: sqlx::Error) -> StoreError {
    StoreError::unavailable(error)
}

/// The WHERE conditions of a list collection query.
pub fn list_conditions(
    sql: &mut contact_sql::Sql,
    status: roster_domain::contact_list::ListStatusFilter,
    name: Option<&str>,
) {
    use roster_domain::contact_list::ListStatusFilter;
    match status {
        ListStatusFilter::Active => sql.text.push_str(" AND deleted_at IS NULL"),
        ListStatusFilter::Deleted => sql.text.push_str(" AND deleted_at IS NOT NULL"),
        ListStatusFilter::All => {}
    }
    if let Some(name) = name {
        let name = sql.bind(contact_sql::Bind::Text(name.to_lowercase()));
        sql.text.push_str(&format!(" AND name_key = {name}"));
    }
}
