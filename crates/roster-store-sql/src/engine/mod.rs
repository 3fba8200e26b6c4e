//! The storage contract on one engine: every query of every aggregate, written once.
//!
//! This folder is not a module of roster-store-sql. Each engine crate declares its sqlx
//! database as `type Db` at its root and includes the folder with
//! `#[path = "../../roster-store-sql/src/engine/mod.rs"] mod engine;`, so the same files are
//! compiled once for SQLite and once for PostgreSQL, with concrete sqlx types and no generic
//! executor bounds; rustfmt, rust-analyzer and the compiler's errors see them as the ordinary
//! files they are (docs/ARCHITECTURE.md, "How one query text serves both engines"). Where the
//! engines need different SQL, the query asks the store's `Dialect`.
//!
//! One file per aggregate implements that aggregate's trait; the helpers that several share
//! (contact writes and reads, the activity's progress, the outbox row, tracking events' writes,
//! binding a built query,
//! the account's quotas, named records, and `fetch`, how every query runs and its result
//! becomes the domain's) are modules of their own, so no two files here import each other.

mod ab_sends;
mod account_services;
mod accounts;
mod activities;
mod activity_progress;
mod binds;
mod bounces;
mod campaigns;
mod consent;
mod contact_reads;
mod contact_reports;
mod contact_writes;
mod contacts;
mod custom_fields;
mod event_writes;
mod events;
mod fetch;
mod follow_ups;
mod lists;
mod named;
mod oauth;
mod outbox;
mod outbox_writes;
mod physical_address;
mod quota;
mod rate_limits;
mod reports;
mod resend_schedule;
mod resubscriptions;
mod segments;
mod sends;
mod signing_keys;
mod tags;

use roster_store_sql::dialect::Dialect;

use crate::Db;

/// Roster's storage on one engine: a connection pool and the engine's dialect.
#[derive(Clone)]
pub struct SqlStore {
    pool: sqlx::Pool<Db>,
    dialect: Dialect,
}

impl SqlStore {
    /// A store on an open, migrated pool.
    pub(crate) fn new(pool: sqlx::Pool<Db>, dialect: Dialect) -> Self {
        Self { pool, dialect }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
