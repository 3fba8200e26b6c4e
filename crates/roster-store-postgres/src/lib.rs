//! The scale-out engine: several stateless `roster serve` nodes share one PostgreSQL database.
//! Migrations take PostgreSQL's advisory lock, so nodes starting together apply them once.

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

/// Roster's storage on PostgreSQL.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    const DIALECT: roster_store_sql::dialect::Dialect =
        roster_store_sql::dialect::Dialect::Postgres;

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
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

roster_store_sql::impl_store!(PostgresStore, sqlx::Postgres);
