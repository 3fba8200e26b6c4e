//! README's "First call, step by step" runs as written (issue 25, item 2): its shell lines,
//! top to bottom, in a fresh directory with `roster serve` running on the embedded default.
//! Three substitutions only: the built binary for `cargo run --release --` (CI builds nothing
//! twice), a free port for 8080, and each placeholder (`CLIENT_ID`, `ACCESS_TOKEN`, `LIST_ID`,
//! `MESSAGE_ID`) filled from what an earlier line printed. Passwords come from the environment
//! variables the README names (the prompt is tested in operator.rs, through a terminal).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{free_port, BIN};

const README: &str = include_str!("../../../README.md");

/// Placeholders, and the JSON property of a command's output that fills each.
const PLACEHOLDERS: [(&str, &str); 4] = [
    ("CLIENT_ID", "client_id"),
    ("ACCESS_TOKEN", "access_token"),
    ("LIST_ID", "list_id"),
    ("MESSAGE_ID", "id"),
];

/// The commands of a section's `sh` blocks: comments dropped, `\` continuations joined.
fn commands_of(section: &str) -> Vec<String> {
    let start = README
        .find(section)
        .unwrap_or_else(|| panic!("README has no {section:?}"));
    let rest = &README[start + section.len()..];
    let text = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        let line = line.trim();
        if !in_block || line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => pending.push_str(head),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

#[test]
fn the_first_call_section_runs_top_to_bottom() {
    let commands = commands_of("## First call, step by step");
    assert!(
        commands.len() >= 15,
        "only {} commands found",
        commands.len()
    );
    let dir = std::env::temp_dir().join(format!("roster-readme-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port().to_string();
    let clean = |command: &mut Command| {
        for variable in [
            "ROSTER_DATABASE_URL",
            "ROSTER_SECRET_KEY",
            "ROSTER_PUBLIC_URL",
        ] {
            command.env_remove(variable);
        }
        command.current_dir(&dir).env("ROSTER_LOG", "warn");
    };
    // The set-up section's server, on the embedded default, as the README advises for local
    // development (--rate-limit off).
    let mut serve = Command::new(BIN);
    serve.args([
        "serve",
        "--rate-limit",
        "off",
        "--bind",
        &format!("127.0.0.1:{port}"),
    ]);
    clean(&mut serve);
    let log = std::fs::File::create(dir.join("serve.log")).unwrap();
    let mut server = serve.stdout(Stdio::null()).stderr(log).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).is_err() {
        assert!(Instant::now() < deadline, "roster serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut filled: Vec<(&str, String)> = Vec::new();
    for original in &commands {
        let mut line = original
            .replace("cargo run --release --", BIN)
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
        // Fail on an HTTP error, still printing the V3 error body.
        if let Some(rest) = line.strip_prefix("curl ") {
            line = format!("curl -sS --fail-with-body {rest}");
        }
        for (placeholder, value) in &filled {
            line = line.replace(placeholder, value);
        }
        for (placeholder, _) in PLACEHOLDERS {
            assert!(
                !line.contains(placeholder),
                "{placeholder} is used before a line prints it: {original}"
            );
        }
        let mut shell = Command::new("bash");
        shell
            .args(["-euo", "pipefail", "-c", &line])
            .env("ROSTER_ACCOUNT_PASSWORD", "a long password")
            .env("ROSTER_USER_PASSWORD", "another long one")
            .stdin(Stdio::null());
        clean(&mut shell);
        let output = shell.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "README line failed: {original}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        for printed in stdout.lines() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(printed) else {
                continue;
            };
            for (placeholder, property) in PLACEHOLDERS {
                let known = filled.iter().any(|(p, _)| *p == placeholder);
                if let (false, Some(text)) = (known, value[property].as_str()) {
                    filled.push((placeholder, text.to_string()));
                }
            }
        }
    }
    // The last steps did what they say: the import reached the list, the export wrote it.
    let export = std::fs::read_to_string(dir.join("export.csv")).unwrap();
    assert!(
        export.contains("ann@example.org") && export.contains("bob@example.org"),
        "{export}"
    );
    assert_eq!(filled.len(), PLACEHOLDERS.len(), "{filled:?}");
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
