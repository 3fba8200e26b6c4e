//! A private PostgreSQL cluster, for the tests that stop the database itself mid-stream: the
//! shared server on 127.0.0.1:5432 must never be stopped (other tests run against it at the
//! same time). `initdb` into a temporary directory, then `pg_ctl` on a free loopback port with
//! its socket in that directory. initdb refuses to run as root, so under root every command
//! runs as the `postgres` OS user, which owns the directory.
//!
//! Where no PostgreSQL server binaries are installed the tests that need one are skipped with
//! a notice, except under CI=true, where that is a failure (the harness's convention).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running private cluster; stopped (immediately) and deleted when dropped.
pub struct PostgresCluster {
    bin: PathBuf,
    directory: PathBuf,
    port: u16,
    /// The OS user that runs the server (`postgres` when the tests run as root).
    run_as: Option<&'static str>,
}

/// The newest `/usr/lib/postgresql/<version>/bin` with an initdb, or `ROSTER_TEST_PG_BIN`.
fn server_binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ROSTER_TEST_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PostgresCluster {
    /// Creates and starts a cluster. None, with a notice, where PostgreSQL's server binaries
    /// are missing and CI is not set; any other failure panics.
    pub fn start() -> Option<PostgresCluster> {
        let Some(bin) = server_binaries() else {
            assert!(
                !crate::database::in_ci(),
                "CI=true and no PostgreSQL server binaries (initdb) under /usr/lib/postgresql"
            );
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"\nSKIPPED: no private PostgreSQL cluster (initdb not found under \
                  /usr/lib/postgresql; set ROSTER_TEST_PG_BIN).\n",
            );
            return None;
        };
        let directory = std::env::temp_dir().join(format!(
            "roster-pg-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&directory).expect("a directory for the cluster");
        let run_as = running_as_root().then_some("postgres");
        if let Some(user) = run_as {
            let status = Command::new("chown")
                .args([&format!("{user}:{user}"), &directory.display().to_string()])
                .status()
                .expect("chown runs");
            assert!(status.success(), "cannot give {directory:?} to {user}");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let cluster = PostgresCluster {
            bin,
            directory,
            port,
            run_as,
        };
        let data = cluster.data().display().to_string();
        // --no-sync only skips flushing initdb's own files: the server below runs with fsync on.
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> PathBuf {
        self.directory.join("data")
    }

    /// One of the server's programs, run as the cluster's user.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        command.current_dir(&self.directory);
        command
    }

    /// Runs one of the server's programs; panics with its output and the log on failure.
    fn run(&self, program: &str, args: &[&str]) {
        let output = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.log()).unwrap_or_default()
        );
    }

    fn log(&self) -> PathBuf {
        self.directory.join("server.log")
    }

    /// The maintenance database of the cluster (the tests use it as their database).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// `pg_ctl start`, waiting until it accepts connections (crash recovery included).
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on",
            self.port,
            self.directory.display()
        );
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                &self.data().display().to_string(),
                "-l",
                &self.log().display().to_string(),
                "-o",
                &options,
            ],
        );
    }

    /// `pg_ctl stop -m immediate`: every server process quits at once, without a checkpoint,
    /// as in a power cut of the database alone; the next start runs crash recovery from WAL.
    pub fn stop_immediately(&self) {
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-m",
                "immediate",
                "-w",
                "-D",
                &self.data().display().to_string(),
            ],
        );
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D", &data])
            .output();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
