//! The `roster` binary's library half: configuration (flags and environment, one struct) and the
//! commands. Tests use the same functions to open stores and start servers.

pub mod bounces;
pub mod campaigns;
pub mod cli;
pub mod commands;
pub mod settings;

use std::sync::Arc;

use roster_domain::Store;
use roster_store_postgres::PostgresStore;
use roster_store_sqlite::SqliteStore;

/// The engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("the database URL must start with sqlite:// or postgres://")
        }
    }
}

/// Opens the store the URL names and applies its migrations.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match Engine::of_url(url)? {
        Engine::Sqlite => Arc::new(SqliteStore::connect(url).await?),
        Engine::Postgres => Arc::new(PostgresStore::connect(url).await?),
    })
}
