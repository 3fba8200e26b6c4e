//! The `roster` binary as a newcomer uses it (README): create an account, an app and a token,
//! serve, call the API with the token, stop with SIGTERM. Also TLS and the commands' errors.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roster");

struct Workspace {
    dir: PathBuf,
    database_url: String,
    secret: Option<&'static str>,
}

impl Workspace {
    fn sqlite() -> Self {
        let dir =
            std::env::temp_dir().join(format!("roster-cli-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let database_url = format!("sqlite://{}/data/roster.db", dir.display());
        Self {
            dir,
            database_url,
            secret: None,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .current_dir(&self.dir)
            .env("ROSTER_DATABASE_URL", &self.database_url)
            .env_remove("ROSTER_SECRET_KEY");
        if let Some(secret) = self.secret {
            command.env("ROSTER_SECRET_KEY", secret);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("roster runs")
    }

    fn run_json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "roster {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the command prints JSON")
    }
}

/// The arguments of `roster accounts create` for `email` and `password`, then `extra`.
fn account_args<'a>(email: &'a str, password: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "accounts",
        "create",
        "--email",
        email,
        "--password",
        password,
    ];
    args.extend_from_slice(extra);
    args
}

/// The arguments of `roster tokens issue` for a user, an app and scopes, then `extra`.
fn token_args<'a>(
    email: &'a str,
    client_id: &'a str,
    scope: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "tokens",
        "issue",
        "--email",
        email,
        "--client-id",
        client_id,
    ];
    args.extend_from_slice(&["--scope", scope]);
    args.extend_from_slice(extra);
    args
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(workspace: &Workspace, extra: &[&str], scheme: &str) -> Server {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--bind", &bind];
        args.extend_from_slice(extra);
        let child = workspace
            .command()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("{scheme}://{bind}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&bind).is_err() {
            assert!(
                Instant::now() < deadline,
                "roster serve did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn send_sigterm(&self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
    }

    fn terminate(self) -> (std::process::ExitStatus, String) {
        self.send_sigterm();
        self.wait_for_exit()
    }

    fn wait_for_exit(mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut log = String::new();
                std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut log)
                    .unwrap();
                return (status, log);
            }
            assert!(
                Instant::now() < deadline,
                "roster serve did not stop after SIGTERM"
            );
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

/// The README's walk-through, on the embedded default layout.
#[tokio::test]
async fn account_app_token_then_call_the_api() {
    let workspace = Workspace::sqlite();
    let account = workspace.run_json(&account_args(
        "Owner@Example.com",
        "s3cret-pass",
        &["--organization", "Acme"],
    ));
    assert_eq!(account["email"], "owner@example.com");
    assert!(account["encoded_account_id"].as_str().unwrap().len() >= 8);
    assert!(account["user_id"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());

    let app = workspace.run_json(&[
        "apps",
        "create",
        "--name",
        "My app",
        "--redirect-uri",
        "http://localhost:5000/cb",
    ]);
    let client_id = app["client_id"].as_str().unwrap().to_string();
    assert_eq!(app["client_secret"].as_str().unwrap().len(), 64);
    let public = workspace.run_json(&[
        "apps",
        "create",
        "--name",
        "SPA",
        "--redirect-uri",
        "http://localhost/cb",
        "--public",
    ]);
    assert!(public.get("client_secret").is_none());

    let server = Server::start(&workspace, &[], "http");
    let token = workspace.run_json(&token_args(
        "owner@example.com",
        &client_id,
        "contact_data",
        &["--public-url", &server.base],
    ));
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 86400);
    assert_eq!(token["scope"], "contact_data");
    let access_token = token["access_token"].as_str().unwrap();

    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/v3/contact_custom_fields", server.base))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        serde_json::json!({"custom_fields": []})
    );

    // The secret was generated beside the database, readable by its owner only.
    let secret = workspace.dir.join("data/roster-secret.key");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&secret).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    // A request in flight when SIGTERM arrives is still answered.
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let body = br#"{"label": "Arrived late", "type": "string"}"#;
    let head = format!(
        "POST /v3/contact_custom_fields HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {access_token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    use std::io::{Read, Write};
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.send_sigterm();
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let (status, log) = server.wait_for_exit();
    assert!(status.success(), "serve exited with {status}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(!log.contains(access_token), "the log shows a token");
}

#[test]
fn commands_refuse_bad_input_with_a_message() {
    let workspace = Workspace::sqlite();
    let bad_email = workspace.run(&account_args("nope", "long enough", &[]));
    assert!(!bad_email.status.success());
    assert!(String::from_utf8_lossy(&bad_email.stderr).contains("--email"));

    // DKIM takes its three settings together; serve names the missing ones and stops.
    let half_dkim = workspace.run(&["serve", "--dkim-domain", "acme.example"]);
    assert!(!half_dkim.status.success());
    assert!(
        String::from_utf8_lossy(&half_dkim.stderr).contains("missing: --dkim-selector, --dkim-key"),
        "{}",
        String::from_utf8_lossy(&half_dkim.stderr)
    );

    workspace.run_json(&account_args("a@example.com", "long enough", &[]));
    let duplicate = workspace.run(&account_args("A@example.com", "long enough", &[]));
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));

    let app = workspace.run_json(&[
        "apps",
        "create",
        "--name",
        "x",
        "--redirect-uri",
        "http://localhost/cb",
    ]);
    let client_id = app["client_id"].as_str().unwrap();
    let unknown_scope = workspace.run(&token_args("a@example.com", client_id, "everything", &[]));
    assert!(String::from_utf8_lossy(&unknown_scope.stderr).contains("unknown scope everything"));

    assert!(workspace
        .run(&["apps", "delete", client_id])
        .status
        .success());
    let deleted = workspace.run(&token_args("a@example.com", client_id, "contact_data", &[]));
    assert!(!deleted.status.success());
    assert!(String::from_utf8_lossy(&deleted.stderr).contains("no app has the client id"));
    assert!(!workspace
        .run(&["apps", "delete", client_id])
        .status
        .success());

    let migrate = workspace.run(&["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
}

#[test]
fn postgres_requires_a_shared_secret() {
    let mut workspace = Workspace::sqlite();
    workspace.database_url = "postgres://postgres@127.0.0.1:5432/postgres".into();
    let output = workspace.run(&token_args("a@example.com", "x", "contact_data", &[]));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ROSTER_SECRET_KEY"));
}

fn write_certificate(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert, key, certified.cert.der().to_vec())
}

async fn handshake(
    port: u16,
    certificate_der: &[u8],
    version: &'static rustls::SupportedProtocolVersion,
) -> (String, String) {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(
            certificate_der.to_vec(),
        ))
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut tls = connector
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .expect("the TLS handshake succeeds");
    let (_, session) = tls.get_ref();
    let negotiated = (
        format!("{:?}", session.protocol_version().unwrap()),
        format!("{:?}", session.negotiated_cipher_suite().unwrap().suite()),
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    negotiated
}

#[tokio::test]
async fn serves_tls_1_2_and_1_3_with_aead_suites() {
    let workspace = Workspace::sqlite();
    let (cert, key, der) = write_certificate(&workspace.dir);
    let server = Server::start(
        &workspace,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        "https",
    );
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let (protocol, suite) = handshake(port, &der, version).await;
        assert!(
            protocol.contains("TLSv1_2") || protocol.contains("TLSv1_3"),
            "{protocol}"
        );
        assert!(
            suite.contains("GCM") || suite.contains("CHACHA20_POLY1305"),
            "not an AEAD suite: {suite}"
        );
    }
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
}

/// A server whose log goes to a file (a long test would fill a pipe nobody reads).
fn spawn_logged(workspace: &Workspace, extra: &[&str], log: &str) -> (Child, String) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    // The test polls faster than Constant Contact's 4 requests a second.
    let mut args = vec!["serve", "--bind", &bind, "--rate-limit", "off"];
    args.extend_from_slice(extra);
    let log = std::fs::File::create(workspace.dir.join(log)).unwrap();
    let child = workspace
        .command()
        .args(&args)
        .env("ROSTER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&bind).is_err() {
        assert!(Instant::now() < deadline, "roster serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, format!("http://{bind}"))
}

/// An account with an app and a token carrying `contact_data`, through the CLI.
fn account_with_token(workspace: &Workspace, public_url: &str) -> String {
    workspace.run_json(&account_args("owner@example.com", "s3cret-pass", &[]));
    let app = workspace.run_json(&[
        "apps",
        "create",
        "--name",
        "Importer",
        "--redirect-uri",
        "http://localhost/cb",
    ]);
    let token = workspace.run_json(&token_args(
        "owner@example.com",
        app["client_id"].as_str().unwrap(),
        "contact_data",
        &["--public-url", public_url],
    ));
    token["access_token"].as_str().unwrap().to_string()
}

/// kill -9 of `roster serve` in the middle of an import, on SQLite.
#[tokio::test]
async fn an_import_survives_sigkill_and_resumes_without_duplicates() {
    crash_and_resume(Workspace::sqlite()).await;
}

/// The same on PostgreSQL (the claim there is `FOR UPDATE SKIP LOCKED`). Skipped with a notice
/// when PostgreSQL is out of reach outside CI.
#[tokio::test]
async fn an_import_survives_sigkill_and_resumes_without_duplicates_on_postgres() {
    use sqlx::Connection;
    let admin_url = std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(connection) => connection,
        Err(error) if !in_ci => {
            let notice = format!("\nSKIPPED: the PostgreSQL crash test ({admin_url}: {error}).\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
            return;
        }
        Err(error) => panic!("CI=true and PostgreSQL is unreachable: {error}"),
    };
    let name = format!("roster_crash_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut workspace = Workspace::sqlite();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    workspace.database_url = format!("{base}/{name}");
    workspace.secret = Some("a shared secret for the crash test");
    crash_and_resume(workspace).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// GETs `url` with `token`: the JSON body, whatever the status (the assertions on it follow).
async fn get_json(client: &reqwest::Client, token: &str, url: String) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// kill -9 of `roster serve` in the middle of an import: after a restart the activity resumes
/// from its last committed batch (once the dead node's lease expires) and completes with every
/// contact exactly once.
async fn crash_and_resume(workspace: Workspace) {
    const CONTACTS: usize = 20_000;
    // Both servers share one public URL, so the token stays valid across the restart.
    let settings = [
        "--activity-lease-seconds",
        "2",
        "--public-url",
        "http://roster.test",
    ];
    let (mut first, base) = spawn_logged(&workspace, &settings, "first.log");
    let token = account_with_token(&workspace, "http://roster.test");
    let client = reqwest::Client::new();
    let list: Value = client
        .post(format!("{base}/v3/contact_lists"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Everyone"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list_id = list["list_id"].as_str().unwrap().to_string();
    let rows: Vec<Value> = (0..CONTACTS)
        .map(|i| serde_json::json!({"email": format!("person{i}@example.com"), "first_name": format!("P{i}")}))
        .collect();
    let response = client
        .post(format!("{base}/v3/activities/contacts_json_import"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"import_data": rows, "list_ids": [list_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let activity: Value = response.json().await.unwrap();
    let id = activity["activity_id"].as_str().unwrap().to_string();
    let status = |base: String| {
        let client = client.clone();
        let token = token.clone();
        let id = id.clone();
        async move {
            let response = client
                .get(format!("{base}/v3/activities/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    // Wait until some batches are committed, then kill -9.
    let deadline = Instant::now() + Duration::from_secs(120);
    let killed_at = loop {
        let now = status(base.clone()).await;
        let done = now["status"]["items_completed_count"].as_i64().unwrap();
        assert_ne!(
            now["state"], "completed",
            "the import finished before the kill"
        );
        if done > 0 {
            let killed = Command::new("kill")
                .args(["-KILL", &first.id().to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
            first.wait().unwrap();
            break done;
        }
        assert!(Instant::now() < deadline, "the import never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!((killed_at as usize) < CONTACTS);

    let (mut second, base) = spawn_logged(&workspace, &settings, "second.log");
    let deadline = Instant::now() + Duration::from_secs(300);
    let finished = loop {
        let now = status(base.clone()).await;
        if now["state"] == "completed" {
            break now;
        }
        assert_ne!(now["state"], "failed", "{now}");
        assert!(
            Instant::now() < deadline,
            "the import did not resume: {now}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(finished["status"]["person_count"], CONTACTS as i64);
    assert_eq!(finished["status"]["error_count"], 0);
    let read = |path: String| get_json(&client, &token, format!("{base}{path}"));
    let contacts = read("/v3/contacts?limit=1&include_count=true".into()).await;
    assert_eq!(contacts["contacts_count"], CONTACTS as i64);
    let list = read(format!(
        "/v3/contact_lists/{list_id}?include_membership_count=all"
    ))
    .await;
    assert_eq!(list["membership_count"], CONTACTS as i64);
    let one = read("/v3/contacts?email=person12345@example.com&status=all".into()).await;
    assert_eq!(one["contacts"].as_array().unwrap().len(), 1);
    let _ = second.kill();
    let _ = second.wait();
}

/// `roster import contacts` and `roster export contacts` run through the same engine.
#[test]
fn import_then_export_contacts_from_the_command_line() {
    let workspace = Workspace::sqlite();
    workspace.run_json(&account_args("owner@example.com", "s3cret-pass", &[]));
    let file = workspace.dir.join("people.csv");
    std::fs::write(
        &file,
        "email,first_name,last_name\nann@example.com,Ann,Lee\nbob@example.com,Bob\nnot-an-email,X,Y\n",
    )
    .unwrap();
    let output = workspace.run(&[
        "import",
        "contacts",
        file.to_str().unwrap(),
        "--account-email",
        "owner@example.com",
    ]);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("1 created, 0 updated, 2 rejected"), "{log}");
    let output = workspace.run(&[
        "export",
        "contacts",
        "--account-email",
        "owner@example.com",
        "--fields",
        "email,first_name",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "email,first_name\nann@example.com,Ann\n"
    );
    let missing = workspace.run(&[
        "import",
        "contacts",
        "/nonexistent.csv",
        "--account-email",
        "owner@example.com",
    ]);
    assert!(!missing.status.success());
}

/// `accounts create` takes the organization's physical address, checked like
/// POST /account/summary/physical_address.
#[test]
fn accounts_create_takes_an_optional_physical_address() {
    let workspace = Workspace::sqlite();
    let account = workspace.run_json(&account_args(
        "addr@example.com",
        "long enough",
        &[
            "--address-line1",
            "123 Maple Street",
            "--city",
            "Boston",
            "--state-code",
            "ma",
            "--postal-code",
            "02451",
            "--country-code",
            "us",
        ],
    ));
    assert_eq!(account["physical_address"]["state_code"], "MA");
    assert_eq!(account["physical_address"]["country_code"], "US");
    assert_eq!(account["physical_address"]["city"], "Boston");

    let without = workspace.run_json(&account_args("plain@example.com", "long enough", &[]));
    assert!(without.get("physical_address").is_none());

    let incomplete = workspace.run(&account_args(
        "bad@example.com",
        "long enough",
        &["--city", "Boston", "--country-code", "US"],
    ));
    assert!(!incomplete.status.success());
    let message = String::from_utf8_lossy(&incomplete.stderr);
    for flag in ["--address-line1", "--state-code", "--postal-code"] {
        assert!(message.contains(flag), "{flag} not named: {message}");
    }
}

/// `accounts set --confirmed-opt-in on|off` turns the account's Confirmed Opt-In on and off and
/// prints the settings; without the flag it only prints them; a bad value or an unknown user
/// fails with a message.
#[test]
fn accounts_set_turns_confirmed_opt_in_on_and_off() {
    let workspace = Workspace::sqlite();
    workspace.run_json(&account_args("coi@example.com", "long enough", &[]));
    let set = |value: &str| {
        workspace.run_json(&[
            "accounts",
            "set",
            "--account-email",
            "coi@example.com",
            "--confirmed-opt-in",
            value,
        ])
    };
    assert_eq!(set("on")["confirmed_opt_in"], true);
    let shown = workspace.run_json(&["accounts", "set", "--account-email", "coi@example.com"]);
    assert_eq!(shown["confirmed_opt_in"], true);
    assert!(shown["encoded_account_id"].is_string(), "{shown}");
    assert_eq!(set("off")["confirmed_opt_in"], false);

    let bad = workspace.run(&[
        "accounts",
        "set",
        "--account-email",
        "coi@example.com",
        "--confirmed-opt-in",
        "maybe",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected on or off"));
    let unknown = workspace.run(&[
        "accounts",
        "set",
        "--account-email",
        "nobody@example.com",
        "--confirmed-opt-in",
        "on",
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user signs in as"));
}

/// One SMTP dialogue over blocking TCP: each command's reply, after the greeting.
fn smtp_dialogue(address: &str, commands: &[&str]) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    let stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut reply = || {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            text.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return text;
            }
        }
    };
    assert!(reply().starts_with("220"));
    commands
        .iter()
        .map(|command| {
            writer.write_all(command.as_bytes()).unwrap();
            reply()
        })
        .collect()
}

/// `roster serve --bounce-smtp-bind` runs the inbound SMTP listener beside the API, and the
/// bounce endpoint with `--bounce-webhook-secret`; what neither can use is kept, and
/// `roster bounces list|show` reads it.
#[tokio::test]
async fn serve_takes_bounces_by_smtp_and_http_and_keeps_what_it_cannot_use() {
    let workspace = Workspace::sqlite();
    let smtp = format!("127.0.0.1:{}", free_port());
    let refused = workspace.run(&["serve", "--bounce-smtp-bind", &smtp]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs --bounce-address"));

    let secret = "the bounce webhook secret of this test";
    let server = Server::start(
        &workspace,
        &[
            "--bounce-address",
            "bounces@bounce.example.com",
            "--bounce-smtp-bind",
            &smtp,
            "--bounce-webhook-secret",
            secret,
        ],
        "http",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&smtp).is_err() {
        assert!(
            Instant::now() < deadline,
            "the bounce listener did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let replies = smtp_dialogue(
        &smtp,
        &[
            "EHLO relay.example.com\r\n",
            "MAIL FROM:<>\r\n",
            "RCPT TO:<victim@example.org>\r\n",
            "RCPT TO:<postmaster@bounce.example.com>\r\n",
            "DATA\r\n",
            "Subject: hello\r\n\r\nNot a report.\r\n.\r\n",
            "QUIT\r\n",
        ],
    );
    assert!(replies[2].starts_with("550 5.7.1"), "{replies:?}");
    assert!(replies[5].starts_with("250"), "{replies:?}");

    let body = b"neither a DSN nor a feedback report".to_vec();
    let signature = roster_http::bounces::WebhookSecret::new(secret)
        .unwrap()
        .sign(&body);
    let answer = reqwest::Client::new()
        .post(format!("{}/bounces/inbound", server.base))
        .header("Content-Type", "message/rfc822")
        .header("X-Roster-Signature", signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    let (status, _) = server.terminate();
    assert!(status.success());

    let listed = workspace.run(&["bounces", "list"]);
    assert!(listed.status.success());
    let kept: Vec<Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(
        (&kept[0]["channel"], &kept[1]["channel"]),
        (&"http".into(), &"smtp".into())
    );
    assert_eq!(
        kept[1]["envelope_to"],
        serde_json::json!(["postmaster@bounce.example.com"])
    );
    let id = kept[0]["id"].as_str().unwrap();
    let raw = workspace.run(&["bounces", "show", id, "--raw"]);
    assert_eq!(raw.stdout, body);
    let shown = workspace.run_json(&["bounces", "show", kept[1]["id"].as_str().unwrap()]);
    assert!(shown["message"].as_str().unwrap().contains("Not a report."));
    assert!(!workspace
        .run(&["bounces", "show", "nonsense"])
        .status
        .success());
}
