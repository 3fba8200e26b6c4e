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
    let account = workspace.run_json(&[
        "accounts",
        "create",
        "--email",
        "Owner@Example.com",
        "--password",
        "s3cret-pass",
        "--organization",
        "Acme",
    ]);
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
    let token = workspace.run_json(&[
        "tokens",
        "issue",
        "--email",
        "owner@example.com",
        "--client-id",
        &client_id,
        "--scope",
        "contact_data",
        "--public-url",
        &server.base,
    ]);
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
    let bad_email = workspace.run(&[
        "accounts",
        "create",
        "--email",
        "nope",
        "--password",
        "long enough",
    ]);
    assert!(!bad_email.status.success());
    assert!(String::from_utf8_lossy(&bad_email.stderr).contains("--email"));

    workspace.run_json(&[
        "accounts",
        "create",
        "--email",
        "a@example.com",
        "--password",
        "long enough",
    ]);
    let duplicate = workspace.run(&[
        "accounts",
        "create",
        "--email",
        "A@example.com",
        "--password",
        "long enough",
    ]);
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
    let unknown_scope = workspace.run(&[
        "tokens",
        "issue",
        "--email",
        "a@example.com",
        "--client-id",
        client_id,
        "--scope",
        "everything",
    ]);
    assert!(String::from_utf8_lossy(&unknown_scope.stderr).contains("unknown scope everything"));

    assert!(workspace
        .run(&["apps", "delete", client_id])
        .status
        .success());
    let deleted = workspace.run(&[
        "tokens",
        "issue",
        "--email",
        "a@example.com",
        "--client-id",
        client_id,
        "--scope",
        "contact_data",
    ]);
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
    let output = workspace.run(&[
        "tokens",
        "issue",
        "--email",
        "a@example.com",
        "--client-id",
        "x",
        "--scope",
        "contact_data",
    ]);
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

/// `accounts create` takes the organization's physical address, checked like
/// POST /account/summary/physical_address.
#[test]
fn accounts_create_takes_an_optional_physical_address() {
    let workspace = Workspace::sqlite();
    let account = workspace.run_json(&[
        "accounts",
        "create",
        "--email",
        "addr@example.com",
        "--password",
        "long enough",
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
    ]);
    assert_eq!(account["physical_address"]["state_code"], "MA");
    assert_eq!(account["physical_address"]["country_code"], "US");
    assert_eq!(account["physical_address"]["city"], "Boston");

    let without = workspace.run_json(&[
        "accounts",
        "create",
        "--email",
        "plain@example.com",
        "--password",
        "long enough",
    ]);
    assert!(without.get("physical_address").is_none());

    let incomplete = workspace.run(&[
        "accounts",
        "create",
        "--email",
        "bad@example.com",
        "--password",
        "long enough",
        "--city",
        "Boston",
        "--country-code",
        "US",
    ]);
    assert!(!incomplete.status.success());
    let message = String::from_utf8_lossy(&incomplete.stderr);
    for flag in ["--address-line1", "--state-code", "--postal-code"] {
        assert!(message.contains(flag), "{flag} not named: {message}");
    }
}
