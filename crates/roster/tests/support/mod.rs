//! The operator's side of the `roster` binary, run as a person would: a workspace (a fresh
//! database on SQLite or PostgreSQL), commands run in it, and `roster serve` on a free port
//! with its log in a file.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_roster");

/// The engines a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct Workspace {
    pub dir: PathBuf,
    pub database_url: String,
    pub secret: Option<&'static str>,
    /// The PostgreSQL database to drop at the end, and the admin URL to drop it with.
    postgres: Option<(String, String)>,
}

impl Workspace {
    fn directory() -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("roster-ops-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub fn sqlite() -> Self {
        let dir = Self::directory();
        let database_url = format!("sqlite://{}/data/roster.db", dir.display());
        Self {
            dir,
            database_url,
            secret: None,
            postgres: None,
        }
    }

    /// A fresh PostgreSQL database, or None (with a notice) when PostgreSQL is out of reach
    /// outside CI; in CI an unreachable PostgreSQL fails the test.
    pub fn postgres() -> Option<Self> {
        let admin_url = std::env::var("ROSTER_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("roster_ops_{}", uuid::Uuid::new_v4().simple());
        let created = admin(&admin_url, &format!("CREATE DATABASE {name}"));
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        match created {
            Ok(()) => {}
            Err(error) if !in_ci => {
                eprintln!("\nSKIPPED: the PostgreSQL half ({admin_url}: {error}).\n");
                return None;
            }
            Err(error) => panic!("CI=true and PostgreSQL is unreachable: {error}"),
        }
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        Some(Self {
            dir: Self::directory(),
            database_url: format!("{base}/{name}"),
            secret: Some("the shared secret of the operator tests"),
            postgres: Some((admin_url, name)),
        })
    }

    /// The workspaces of every engine that answers (SQLite always).
    pub fn each_engine() -> Vec<(Engine, Self)> {
        let mut all = vec![(Engine::Sqlite, Self::sqlite())];
        if let Some(postgres) = Self::postgres() {
            all.push((Engine::Postgres, postgres));
        }
        all
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .current_dir(&self.dir)
            .env("ROSTER_DATABASE_URL", &self.database_url)
            .env_remove("ROSTER_SECRET_KEY")
            .env_remove("ROSTER_PUBLIC_URL")
            .env_remove("ROSTER_ACCOUNT_PASSWORD")
            .env_remove("ROSTER_USER_PASSWORD")
            .env("ROSTER_LOG", "warn")
            .stdin(Stdio::null());
        if let Some(secret) = self.secret {
            command.env("ROSTER_SECRET_KEY", secret);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("roster runs")
    }

    /// Runs a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "roster {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must succeed and print one JSON value.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("roster {args:?}: {e}: {out}"))
    }

    /// Runs a command that must succeed and print one JSON object a line.
    pub fn json_lines(&self, args: &[&str]) -> Vec<Value> {
        self.ok(args)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Runs a command that must fail; its standard error.
    pub fn refused(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !output.status.success(),
            "roster {args:?} succeeded: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        stderr
    }

    /// An account whose owner signs in as `email`; its JSON.
    pub fn account(&self, email: &str) -> Value {
        self.json(&[
            "accounts",
            "create",
            "--email",
            email,
            "--password",
            "a long password",
        ])
    }

    /// A confidential app; its client id.
    pub fn app(&self, name: &str) -> String {
        let app = self.json(&[
            "apps",
            "create",
            "--name",
            name,
            "--redirect-uri",
            "http://localhost:5000/callback",
        ]);
        app["client_id"].as_str().unwrap().to_string()
    }

    /// A token for `email` and `client_id` with `scope`, then `extra` flags.
    pub fn token(&self, email: &str, client_id: &str, scope: &str, extra: &[&str]) -> String {
        let mut args = vec![
            "tokens",
            "issue",
            "--email",
            email,
            "--client-id",
            client_id,
            "--scope",
            scope,
        ];
        args.extend_from_slice(extra);
        self.json(&args)["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = &self.postgres {
            let _ = admin(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Runs `f` to completion on the tests' runtime (the tests are synchronous, as a shell is).
/// One runtime for the whole process: a store's pool opened in one call is used in the next.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    });
    RUNTIME.block_on(f)
}

/// One statement on PostgreSQL's admin database.
fn admin(admin_url: &str, statement: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    block_on(async {
        let mut connection = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(statement).execute(&mut connection).await?;
        Ok(())
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `roster serve` on a free port, its log (stderr) in a file of the workspace.
pub struct Server {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Serves with `extra` flags and the `ROSTER_LOG` filter `log_filter`.
    pub fn start(workspace: &Workspace, extra: &[&str], log_filter: &str) -> Server {
        let bind = format!("127.0.0.1:{}", free_port());
        let log = workspace
            .dir
            .join(format!("serve-{}.log", uuid::Uuid::new_v4().simple()));
        let mut args = vec!["serve", "--bind", &bind, "--rate-limit", "off"];
        args.extend_from_slice(extra);
        let child = workspace
            .command()
            .args(&args)
            .env("ROSTER_LOG", log_filter)
            .env("ROSTER_REVOCATION_REFRESH_SECS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            base: format!("http://{bind}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&bind).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("roster serve exited with {status}: {}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "roster serve did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the server (SIGTERM) and waits for it.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "roster serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET `url` with a bearer token: the status.
pub fn get_status(url: &str, token: &str) -> u16 {
    block_on(async {
        reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}
