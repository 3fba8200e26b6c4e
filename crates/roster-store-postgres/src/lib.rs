//! The scale-out engine: several stateless `roster serve` nodes share one PostgreSQL database.
//! Migrations take PostgreSQL's advisory lock, so nodes starting together apply them once.

use anyhow::Context;
use roster_store_sql::dialect::Dialect;
use sqlx::postgres::PgPoolOptions;

/// The sqlx database the shared queries of `engine` are compiled for.
type Db = sqlx::Postgres;

// Every query of the storage contract, one text shared with the SQLite engine: the folder
// is included here with `Db` set to this engine's database (see its mod.rs).
#[path = "../../roster-store-sql/src/engine/mod.rs"]
mod engine;

/// Roster's storage on PostgreSQL.
pub use engine::SqlStore as PostgresStore;

impl PostgresStore {
    /// Connects to a `postgres://` URL and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // sqlx pings a pooled connection before lending it by default: a round trip to the
            // server per statement's acquire, doubling the round trips of a one-statement read
            // (GET /contacts/{id}). A connection that died (the server restarted) fails the
            // statement that next uses it, which answers 503 as any outage does, and the
            // pool discards it.
            .test_before_acquire(false)
            .connect(url)
            .await
            .context("cannot connect to PostgreSQL")?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("cannot apply the PostgreSQL migrations")?;
        Ok(Self::new(pool, Dialect::Postgres))
    }
}
