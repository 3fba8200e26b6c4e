//! The embedded engine. A database file (created on first use) in WAL mode, so readers never
//! wait for the writer and the CLI can work while `roster serve` runs on the same file.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use roster_store_sql::dialect::Dialect;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The sqlx database the shared queries of `engine` are compiled for.
type Db = sqlx::Sqlite;

// Every query of the storage contract, one text shared with the PostgreSQL engine: the folder
// is included here with `Db` set to this engine's database (see its mod.rs).
#[path = "../../roster-store-sql/src/engine/mod.rs"]
mod engine;

/// Roster's storage on SQLite.
pub use engine::SqlStore as SqliteStore;

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://relative.db` or
    /// `sqlite:///absolute/path.db` URL and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("{url} is not a SQLite database URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: every commit syncs the WAL before the API answers, so a write answered 2xx
            // survives a power loss or kernel crash too, as on PostgreSQL; NORMAL would only
            // survive a process crash. The cost, measured, is in docs/ARCHITECTURE.md.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options
            .get_filename()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("cannot create the database directory {}", parent.display())
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // sqlx pings a pooled connection before lending it by default: for a file opened
            // in this process that checks nothing, and it is one more hand-off to the
            // connection's thread and back per statement (the benchmark's profile of GET
            // /contacts/{id}: most of the server's CPU went to such thread switches).
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the SQLite database {url}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("cannot apply the SQLite migrations")?;
        Ok(Self::new(pool, Dialect::Sqlite))
    }

    /// The file behind this store.
    pub fn database_path(url: &str) -> anyhow::Result<std::path::PathBuf> {
        let options = SqliteConnectOptions::from_str(url)?;
        Ok(Path::new(options.get_filename()).to_path_buf())
    }
}
