//! `roster serve` as a separate process on a test's database: the `roster-under-test` binary
//! (`roster`'s own main), for tests that SIGKILL a server mid-work, where no shutdown path may
//! run. Tests pass the binary's path (`env!("CARGO_BIN_EXE_roster-under-test")`, which Cargo
//! gives integration tests only).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TEST_SECRET;

/// `roster` with the test's database and secret, and nothing else from the environment.
pub fn roster_command(binary: &str, database_url: &str) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ROSTER_DATABASE_URL", database_url)
        .env("ROSTER_SECRET_KEY", TEST_SECRET);
    command
}

/// A running `roster serve` child process.
pub struct ServeProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
}

impl ServeProcess {
    /// Starts `roster serve` on a free loopback port, with the test servers' public URL (so the
    /// harness's tokens are valid on it), rate limits off and `extra` arguments; returns once
    /// it answers /healthz.
    pub async fn start(binary: &str, database_url: &str, extra: &[&str]) -> ServeProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = roster_command(binary, database_url)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &crate::test_config().public_url])
            .args(["--rate-limit", "off"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster serve starts");
        let mut server = ServeProcess {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_ready().await;
        server
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}/healthz", self.base_url);
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's state") {
                panic!("roster serve exited with {status} before it answered");
            }
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "roster serve did not answer {url} within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown path runs, exactly like a crash.
    pub fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server is reaped");
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
