//! Fresh databases for tests. Each engine has one template per test process, migrated and
//! holding a signing key; each test copies it (a file copy on SQLite, `CREATE DATABASE …
//! TEMPLATE` on PostgreSQL) and drops its copy afterwards.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use tokio::sync::{Mutex, OnceCell};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Where the test PostgreSQL server is (a maintenance database on it).
fn postgres_admin_url() -> String {
    std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(admin_url: &str, database: &str) -> String {
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("the PostgreSQL URL names a database");
    format!("{base}/{database}")
}

pub(crate) fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

async fn build_template(url: &str) {
    let store = roster::open_store(url)
        .await
        .expect("the template database opens");
    roster_http::oauth::keys::ensure_signing_key(store.as_ref(), &crate::test_secret())
        .await
        .expect("the template gets a signing key");
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static POSTGRES_TEMPLATE: OnceCell<Option<String>> = OnceCell::const_new();
/// CREATE DATABASE … TEMPLATE fails while another copy of the same template is being made.
static POSTGRES_CLONING: Mutex<()> = Mutex::const_new(());
static SKIP_REPORTED: AtomicBool = AtomicBool::new(false);

async fn sqlite_template() -> PathBuf {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let path = scratch_dir().join("template.db");
            let _ = std::fs::remove_file(&path);
            build_template(&format!("sqlite://{}", path.display())).await;
            // The template's pool is closed by now; folding the WAL in makes it one file.
            let mut connection =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("the template reopens");
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut connection)
                .await
                .expect("checkpoint");
            connection.close().await.expect("the template closes");
            path
        })
        .await
        .clone()
}

/// The template database's name, or None when PostgreSQL is out of reach (outside CI).
async fn postgres_template() -> Option<String> {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            let admin_url = postgres_admin_url();
            let mut admin = match PgConnection::connect(&admin_url).await {
                Ok(connection) => connection,
                Err(error) if !in_ci() => {
                    if !SKIP_REPORTED.swap(true, Ordering::Relaxed) {
                        // Written to the stream itself: the test harness hides eprintln! output
                        // of passing tests, and this must be seen.
                        let notice = format!(
                            "\nSKIPPED: the PostgreSQL half of the suite ({admin_url} is \
                             unreachable: {error}).\n\
                             Set ROSTER_TEST_POSTGRES_URL or start PostgreSQL to run it.\n"
                        );
                        let _ =
                            std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
                    }
                    return None;
                }
                Err(error) => {
                    panic!("CI=true and PostgreSQL at {admin_url} is unreachable: {error}")
                }
            };
            drop_stale_databases(&mut admin).await;
            let name = format!("roster_tpl_{}", std::process::id());
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create template");
            build_template(&with_database(&admin_url, &name)).await;
            Some(name)
        })
        .await
        .clone()
}

/// Drops the databases that earlier test processes (now gone) left behind.
async fn drop_stale_databases(admin: &mut PgConnection) {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT datname FROM pg_database \
         WHERE datname LIKE 'roster\\_tpl\\_%' OR datname LIKE 'roster\\_test\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for (name,) in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// One test's database.
pub struct TestDatabase {
    engine: Engine,
    url: String,
    name: String,
}

impl TestDatabase {
    /// None when the engine is not available here (PostgreSQL outside CI).
    pub async fn create(engine: Engine) -> Option<TestDatabase> {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match engine {
            Engine::Sqlite => {
                let template = sqlite_template().await;
                let path = scratch_dir().join(format!("{unique}.db"));
                std::fs::copy(&template, &path).expect("the template copies");
                Some(TestDatabase {
                    engine,
                    url: format!("sqlite://{}", path.display()),
                    name: path.display().to_string(),
                })
            }
            Engine::Postgres => {
                let template = postgres_template().await?;
                let name = format!("roster_test_{}_{unique}", std::process::id());
                let admin_url = postgres_admin_url();
                {
                    let _one_at_a_time = POSTGRES_CLONING.lock().await;
                    let pool = PgPoolOptions::new()
                        .max_connections(1)
                        .connect(&admin_url)
                        .await
                        .expect("admin");
                    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                        .execute(&pool)
                        .await
                        .expect("the template copies");
                    pool.close().await;
                }
                Some(TestDatabase {
                    engine,
                    url: with_database(&admin_url, &name),
                    name,
                })
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn drop_now(self) {
        match self.engine {
            Engine::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
            Engine::Postgres => {
                if let Ok(mut admin) = PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ))
                    .execute(&mut admin)
                    .await;
                }
            }
        }
    }
}
