//! The system under test: a fresh database (a SQLite file in a temporary directory, or a
//! PostgreSQL database created for the run and dropped after it) and the release `roster serve`
//! on it, as a child process on a free loopback port.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use sqlx::Connection;

/// The server secret of every run: the harness mints its token with it in-process.
pub const SECRET: &str = "roster benchmark secret, not for production";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// A database that exists for one run.
pub struct FreshDatabase {
    pub url: String,
    /// Keeps the SQLite directory until the run ends.
    _directory: Option<tempfile::TempDir>,
    /// PostgreSQL: the maintenance URL and the database to drop.
    postgres: Option<(String, String)>,
}

impl FreshDatabase {
    pub async fn create(engine: Engine, postgres_url: &str) -> anyhow::Result<Self> {
        Self::create_named(engine, postgres_url, "").await
    }

    /// `create`, the PostgreSQL database's name ending in `suffix`, for a second database
    /// beside the run's (the send scenario's).
    pub async fn create_named(
        engine: Engine,
        postgres_url: &str,
        suffix: &str,
    ) -> anyhow::Result<Self> {
        match engine {
            Engine::Sqlite => {
                let directory = tempfile::Builder::new().prefix("roster-bench-").tempdir()?;
                let url = format!("sqlite://{}", directory.path().join("bench.db").display());
                Ok(Self {
                    url,
                    _directory: Some(directory),
                    postgres: None,
                })
            }
            Engine::Postgres => {
                let name = format!("roster_bench_{}{suffix}", std::process::id());
                let mut admin = sqlx::PgConnection::connect(postgres_url)
                    .await
                    .with_context(|| format!("cannot connect to PostgreSQL at {postgres_url}"))?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                Ok(Self {
                    url: database_url(postgres_url, &name)?,
                    _directory: None,
                    postgres: Some((postgres_url.to_string(), name)),
                })
            }
        }
    }

    /// Leaves the database in place; returns its URL.
    pub fn keep(mut self) -> String {
        if let Some(directory) = self._directory.take() {
            let _ = directory.keep();
        }
        self.url.clone()
    }

    /// Drops a PostgreSQL database; a SQLite directory goes when `self` is dropped.
    pub async fn drop_now(self) -> anyhow::Result<()> {
        if let Some((admin_url, name)) = &self.postgres {
            let mut admin = sqlx::PgConnection::connect(admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
        }
        Ok(())
    }
}

/// `postgres://user@host:port/any` with its database replaced by `name`.
fn database_url(base: &str, name: &str) -> anyhow::Result<String> {
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (base, None),
    };
    let authority_start = without_query
        .find("://")
        .context("a PostgreSQL URL has a scheme")?
        + 3;
    let path_start = without_query[authority_start..]
        .find('/')
        .map(|at| authority_start + at)
        .unwrap_or(without_query.len());
    let mut url = format!("{}/{name}", &without_query[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// The `roster` binary built beside the running executable (`target/release/roster` when the
/// harness runs through `cargo run --release`).
pub fn roster_binary_beside(executable: &Path) -> anyhow::Result<PathBuf> {
    let directory = executable
        .parent()
        .context("the executable has a directory")?;
    for candidate in [directory.join("roster"), directory.join("../roster")] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "no roster binary beside {}: build it first with `cargo build --release -p roster` \
         (or run the harness with `cargo run --release -p roster-bench -- all`, after that build)",
        executable.display()
    )
}

/// A free loopback port (released just before the server binds it).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A running `roster serve`.
pub struct Server {
    child: Child,
    pub base_url: String,
    pub log: PathBuf,
}

impl Server {
    pub async fn start(
        binary: &Path,
        database_url: &str,
        port: u16,
        log: PathBuf,
    ) -> anyhow::Result<Self> {
        Self::start_with(binary, database_url, port, log, &[]).await
    }

    /// `start`, with more arguments for `roster serve` (the send scenario's relay and DKIM).
    pub async fn start_with(
        binary: &Path,
        database_url: &str,
        port: u16,
        log: PathBuf,
        extra_args: &[String],
    ) -> anyhow::Result<Self> {
        let base_url = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--public-url")
            .arg(&base_url);
        // Rate limiting, where the server has it, would measure the limiter instead.
        if supports_flag(binary, "--rate-limit") {
            command.arg("--rate-limit").arg("off");
        }
        command.args(extra_args);
        let log_file = std::fs::File::create(&log)?;
        let child = command
            .env("ROSTER_DATABASE_URL", database_url)
            .env("ROSTER_SECRET_KEY", SECRET)
            // One log line per request would measure the log sink; warnings still show.
            .env("ROSTER_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = Server {
            child,
            base_url,
            log,
        };
        server.wait_until_ready().await?;
        Ok(server)
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}/healthz", self.base_url);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "roster serve exited with {status}:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("roster serve did not answer {url} within 60 s")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> anyhow::Result<u64> {
        peak_rss_of(self.pid())
    }

    /// SIGTERM, then wait (SIGKILL after 30 s).
    pub fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn supports_flag(binary: &Path, flag: &str) -> bool {
    Command::new(binary)
        .args(["serve", "--help"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains(flag))
        .unwrap_or(false)
}

/// `VmHWM` of /proc/PID/status (the peak since the process started), in bytes.
pub fn peak_rss_of(pid: u32) -> anyhow::Result<u64> {
    memory_of(pid, "VmHWM")
}

/// `VmRSS` (resident memory now) of /proc/PID/status, in bytes.
pub fn rss_of(pid: u32) -> anyhow::Result<u64> {
    memory_of(pid, "VmRSS")
}

/// A `kB` line of /proc/PID/status, in bytes.
fn memory_of(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    let prefix = format!("{field}:");
    let line = status
        .lines()
        .find(|l| l.starts_with(&prefix))
        .with_context(|| format!("no {field} line"))?;
    let kib: u64 = line
        .trim_start_matches(&prefix)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib * 1024)
}

/// Samples a process's resident memory (`VmRSS`) every 100 ms on a thread of its own, for
/// the peak during one phase of a run (`VmHWM` holds the peak since the process started).
pub struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            while !stopped.load(Ordering::Relaxed) {
                peak = peak.max(rss_of(pid).unwrap_or(0));
                std::thread::sleep(Duration::from_millis(100));
            }
            peak.max(rss_of(pid).unwrap_or(0))
        });
        Self { stop, thread }
    }

    /// The peak sampled, in bytes.
    pub fn finish(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_path() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "b").unwrap(),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgres://u@h?sslmode=disable", "b").unwrap(),
            "postgres://u@h/b?sslmode=disable"
        );
    }

    #[test]
    fn reads_this_process_peak_memory() {
        assert!(peak_rss_of(std::process::id()).unwrap() > 0);
        let now = rss_of(std::process::id()).unwrap();
        assert!(now > 0 && now <= peak_rss_of(std::process::id()).unwrap());
    }

    #[test]
    fn samples_this_process_memory() {
        let sampler = RssSampler::start(std::process::id());
        // black_box: an optimised build would not allocate a buffer nobody reads.
        let held = std::hint::black_box(vec![1u8; 8 << 20]);
        std::thread::sleep(Duration::from_millis(300));
        let peak = sampler.finish();
        std::hint::black_box(&held);
        assert!(
            peak >= held.len() as u64,
            "sampled {peak} bytes while holding 8 MiB"
        );
    }
}
