//! The `roster` binary's library half: configuration (flags and environment, one struct) and the
//! commands. Tests use the same functions to open stores and start servers.

pub mod bounces;
pub mod campaigns;
pub mod cli;
pub mod commands;
pub mod lists;
pub mod password;
pub mod settings;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use anyhow::Context;
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

/// Prints one JSON value on a line of standard output (what every command prints).
pub fn print_json(value: serde_json::Value) {
    println!("{value}");
}

/// The account a user signs in to.
pub async fn account_of(
    store: &dyn roster_domain::Store,
    email: &str,
) -> anyhow::Result<roster_domain::AccountId> {
    let email = roster_domain::EmailAddress::parse(email)
        .map_err(|e| anyhow::anyhow!("--account-email {e}"))?;
    let user = store
        .user_by_email(&email)
        .await?
        .with_context(|| format!("no user signs in as {email}"))?;
    Ok(user.account_id)
}
