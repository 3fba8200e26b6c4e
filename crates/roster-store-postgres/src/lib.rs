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
    const ENGINE: &'static str = "postgres";
    const DIALECT: roster_store_sql::contact_sql::Dialect =
        roster_store_sql::contact_sql::Dialect::Postgres;

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

    /// The outbox claim. `FOR UPDATE SKIP LOCKED` lets several workers on several nodes claim
    /// at once: each takes rows no other claim holds, without waiting for the others.
    async fn claim_outbox_batch(
        &self,
        now: i64,
        lease: uuid::Uuid,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<roster_store_sql::rows::OutboxRow>, sqlx::Error> {
        sqlx::query_as(concat!(
            "UPDATE outbox SET state = 'sending', lease_token = $2, due_at = $3, \
             attempts = attempts + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox WHERE ",
            roster_store_sql::outbox_claimable!(),
            " ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING ",
            roster_store_sql::outbox_columns!()
        ))
        .bind(now)
        .bind(lease)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}

impl PostgresStore {
    /// The claim: `FOR UPDATE SKIP LOCKED`, so nodes sharing the database never wait for or
    /// take each other's activity. `$1` node, `$2` now, `$3` lease end.
    fn claim_activity_sql() -> &'static str {
        "UPDATE activities SET state = 'processing', lease_owner = $1, lease_until = $3, \
         started_at = COALESCE(started_at, $2), updated_at = $2 \
         WHERE id = (SELECT id FROM activities \
         WHERE state = 'initialized' OR (state = 'processing' AND (lease_until IS NULL OR lease_until < $2)) \
         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    }
}

roster_store_sql::impl_store!(PostgresStore, sqlx::Postgres);
