//! The integration-test harness. Each test gets the real server on an ephemeral port, against a
//! fresh database of its engine, with an account, an app and a token ready; it talks HTTP to it.
//! Every response to a documented operation is checked against the official V3 document
//! (status declared, body valid against the closed schema) before the test sees it.
//!
//! Fresh databases are copies of a per-process template that is migrated and holds a signing
//! key already (RSA key generation is the slow part of a start-up).
//!
//! Mail: by default the server has no relay (mail stays in the outbox). Tests declared with
//! `on_both_engines_with_mail!` get a real SMTP server in-process (`smtp_sink`) as the relay;
//! they deliver with `Mailer::drain` rather than waiting for background workers.
//!
//! Real browser: `chromium` drives a headless Chromium through chromedriver for the checks
//! only a browser can make on the public pages (console errors, keyboard use, axe-core).

mod browser;
pub mod chromium;
pub mod clock;
mod database;
mod fixtures;
pub mod postgres_cluster;
pub mod serve;
pub mod smtp_sink;

use std::future::Future;
use std::sync::{Arc, OnceLock};

use futures::FutureExt;
use reqwest::Method;
use roster_domain::account::{ClientApp, NewAccount, User, OWNER_ROLE};
use roster_domain::{AccountId, EmailAddress, Role, Store, Timestamp, UserId};
use roster_http::oauth::keys::ServerSecret;
use roster_http::oauth::tokens::{Grant, DEFAULT_LIFETIME_SECONDS};
use roster_http::{AppState, OAuthSettings, ServerConfig};
use roster_mailer::{Mailer, MailerConfig, RelayUrl};
use roster_spec::SpecChecker;
use serde_json::Value;

pub use browser::{form_fields, Browser, Page};
pub use database::Engine;
pub use fixtures::{id, invalid, v3_error};
use smtp_sink::{SinkScript, SmtpSink};

/// The secret every test server uses (templates hold keys encrypted with it).
pub const TEST_SECRET: &str = "roster integration test secret";
/// Every scope a V3 token can carry.
pub const ALL_SCOPES: &str =
    "contact_data campaign_data account_read account_update offline_access";

pub fn test_secret() -> ServerSecret {
    ServerSecret::new(TEST_SECRET).expect("the test secret is long enough")
}

/// The password of every user the harness creates.
pub const TEST_PASSWORD: &str = "correct horse battery";

/// The configuration of a test server: rate limits off (tests send many requests a second),
/// devices may poll every second.
pub fn test_config() -> ServerConfig {
    ServerConfig {
        public_url: "http://roster.test".into(),
        body_limit: roster_http::DEFAULT_BODY_LIMIT,
        secret: test_secret(),
        oauth: OAuthSettings {
            device_poll_interval_seconds: 1,
            ..OAuthSettings::default()
        },
        rate_limit: None,
        import_max_contacts: roster_activities::import::DEFAULT_MAX_CONTACTS,
        bounces: roster_http::BounceSettings::default(),
        forward_limits: roster_domain::forward::ForwardLimits::default(),
    }
}

/// Runs `test` against a fresh server on `engine`, then drops its database, even when the test
/// panics. On a machine without PostgreSQL (and outside CI) the PostgreSQL half is skipped
/// with a message.
pub async fn run<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_inner(engine, |_| {}, false, test).await
}

/// As [`run`], against a database the caller provides and drops (it is migrated when the
/// server opens it): e.g. one on a private PostgreSQL cluster that the test stops and starts.
pub async fn run_at<F, Fut>(engine: Engine, url: &str, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut app = TestApp::start(engine, url, test_config(), None).await;
    let stopper = app.stopper();
    let result = std::panic::AssertUnwindSafe(test(app)).catch_unwind().await;
    stopper.stop().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// `run` with a changed configuration (rate limits on, shorter lifetimes, …).
pub async fn run_with<F, Fut>(engine: Engine, configure: impl FnOnce(&mut ServerConfig), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_inner(engine, configure, false, test).await
}

/// As [`run`], with an SMTP sink as the server's relay (`TestApp::sink`).
pub async fn run_with_mail<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_inner(engine, |_| {}, true, test).await
}

/// As [`run_with_mail`], with a changed configuration.
pub async fn run_with_mail_and<F, Fut>(
    engine: Engine,
    configure: impl FnOnce(&mut ServerConfig),
    test: F,
) where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_inner(engine, configure, true, test).await
}

async fn run_inner<F, Fut>(
    engine: Engine,
    configure: impl FnOnce(&mut ServerConfig),
    mail: bool,
    test: F,
) where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut config = test_config();
    configure(&mut config);
    let Some(database) = database::TestDatabase::create(engine).await else {
        return;
    };
    let url = database.url().to_string();
    let outcome = std::panic::AssertUnwindSafe(async {
        let sink = if mail {
            Some(SmtpSink::start(SinkScript::Accept).await)
        } else {
            None
        };
        let mut app = TestApp::start(engine, &url, config, sink).await;
        let stopper = app.stopper();
        let result = std::panic::AssertUnwindSafe(test(app)).catch_unwind().await;
        stopper.stop().await;
        result
    })
    .catch_unwind()
    .await;
    database.drop_now().await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(panic)) | Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Declares each listed `async fn(TestApp)` as two tests, `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $crate::on_both_engines_via!($crate::run, []; $($name),*);
    };
}

/// Declares each listed `async fn(TestApp)` as two tests run with a changed configuration:
/// `on_both_engines_with!(configure_fn; test_a, test_b)`.
#[macro_export]
macro_rules! on_both_engines_with {
    ($configure:ident; $($name:ident),* $(,)?) => {
        $crate::on_both_engines_via!($crate::run_with, [super::$configure]; $($name),*);
    };
}

/// As [`on_both_engines!`], each test's server relaying mail to an in-process SMTP sink.
#[macro_export]
macro_rules! on_both_engines_with_mail {
    ($($name:ident),* $(,)?) => {
        $crate::on_both_engines_via!($crate::run_with_mail, []; $($name),*);
    };
}

/// As [`on_both_engines_with!`], each test's server relaying mail to an in-process SMTP
/// sink: `on_both_engines_with_mail_and!(configure_fn; test_a, test_b)`.
#[macro_export]
macro_rules! on_both_engines_with_mail_and {
    ($configure:ident; $($name:ident),* $(,)?) => {
        $crate::on_both_engines_via!($crate::run_with_mail_and, [super::$configure]; $($name),*);
    };
}

/// What the `on_both_engines*!` declarations share: a module per test holding its two
/// engine tests, each calling `$runner(engine, $arguments..., test)` (`run`, `run_with`, …).
#[doc(hidden)]
#[macro_export]
macro_rules! on_both_engines_via {
    ($runner:path, $arguments:tt; $($name:ident),*) => {
        $($crate::on_both_engines_via!(@one $runner, $arguments, $name);)*
    };
    (@one $runner:path, [$($argument:expr),*], $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $runner($crate::Engine::Sqlite, $($argument,)* super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $runner($crate::Engine::Postgres, $($argument,)* super::$name).await
            }
        }
    };
}

/// The mail settings of a test server with a sink: no rate limit, immediate retries, short
/// timeouts, so a drain finishes quickly. Tests that need other values use `mailer_with`.
pub fn test_mail_config(relay: &str) -> MailerConfig {
    MailerConfig {
        relay: Some(RelayUrl::parse(relay).expect("a valid relay URL")),
        rate_per_second: 0.0,
        concurrency: 2,
        max_attempts: 3,
        retry_delay: std::time::Duration::ZERO,
        retry_max_delay: std::time::Duration::ZERO,
        lease: std::time::Duration::from_secs(30),
        timeout: std::time::Duration::from_secs(5),
        campaign_links: Some(roster_mailer::CampaignLinks {
            public_url: test_config().public_url,
            key: test_secret().recipient_key(),
        }),
        ..MailerConfig::default()
    }
}

/// Stops a test's server and waits for it to finish.
pub struct Stopper {
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    store: Arc<dyn Store>,
}

impl Stopper {
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.server.await;
        drop(self.store);
    }
}

/// One account of a test server, with a token carrying every scope.
#[derive(Clone)]
pub struct TestAccount {
    pub account: AccountId,
    pub encoded_id: String,
    pub user: UserId,
    pub email: String,
    pub client_id: String,
    pub token: String,
}

/// Another node serving the same database (multi-node behaviour); stop it before the test ends.
pub struct Peer {
    pub base_url: String,
    pub state: AppState,
    pub stopper: Stopper,
}

/// A running server and a client for it.
pub struct TestApp {
    pub engine: Engine,
    pub database_url: String,
    pub config: ServerConfig,
    pub base_url: String,
    pub http: reqwest::Client,
    pub state: AppState,
    /// The account the default token acts for.
    pub owner: TestAccount,
    /// The relay the server sends to, in tests declared `on_both_engines_with_mail!`.
    pub sink: Option<SmtpSink>,
    stopper: Option<Stopper>,
}

/// The argon2 hash of TEST_PASSWORD, computed once per process (hashing is slow).
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| roster::commands::hash_password(TEST_PASSWORD).expect("argon2 hashes"))
}

/// Starts a server on port 0 against `url`.
async fn start_node(
    url: &str,
    config: ServerConfig,
    mail: Option<MailerConfig>,
) -> (String, AppState, Stopper) {
    let store = roster::open_store(url)
        .await
        .expect("the test database opens");
    let mut state = AppState::new(store.clone(), config)
        .await
        .expect("the server state builds");
    if let Some(mail) = mail {
        let mailer = Mailer::new(store.clone(), mail).expect("the test mail settings are valid");
        state = state.with_mailer(mailer);
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(roster_http::serve(state.clone(), listener, None, async {
        let _ = stop.await;
    }));
    (
        format!("http://{address}"),
        state,
        Stopper {
            shutdown,
            server,
            store,
        },
    )
}

impl TestApp {
    async fn start(
        engine: Engine,
        url: &str,
        config: ServerConfig,
        sink: Option<SmtpSink>,
    ) -> TestApp {
        let mailer = sink.as_ref().map(|sink| test_mail_config(&sink.url()));
        let (base_url, state, stopper) = start_node(url, config.clone(), mailer).await;
        let mut app = TestApp {
            engine,
            database_url: url.to_string(),
            config,
            base_url,
            http: reqwest::Client::new(),
            state,
            owner: TestAccount {
                account: AccountId::generate(),
                encoded_id: String::new(),
                user: UserId::generate(),
                email: String::new(),
                client_id: String::new(),
                token: String::new(),
            },
            sink,
            stopper: Some(stopper),
        };
        app.owner = app.create_account("owner@example.com").await;
        app
    }

    fn stopper(&mut self) -> Stopper {
        self.stopper.take().expect("the stopper is taken once")
    }

    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }

    /// A second node on the same database, configured like this one.
    pub async fn start_peer(&self) -> Peer {
        let (base_url, state, stopper) =
            start_node(&self.database_url, self.config.clone(), None).await;
        Peer {
            base_url,
            state,
            stopper,
        }
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Registers an app; returns its id and, for a confidential client, its secret.
    pub async fn create_app(&self, public: bool, redirect_uri: &str) -> (String, Option<String>) {
        let client_id = uuid::Uuid::new_v4().to_string();
        let secret = (!public).then(|| uuid::Uuid::new_v4().simple().to_string());
        self.store()
            .create_client(&ClientApp {
                client_id: client_id.clone(),
                secret_sha256: secret.as_deref().map(roster_http::oauth::sha256_hex),
                name: "Test integration".into(),
                redirect_uris: vec![redirect_uri.to_string()],
                created_at: Timestamp::now(),
            })
            .await
            .expect("the app is created");
        (client_id, secret)
    }

    /// Adds a user with `role` (password TEST_PASSWORD) to an account.
    pub async fn create_user(&self, account: &TestAccount, email: &str, role: Role) -> UserId {
        let user = User {
            id: UserId::generate(),
            account_id: account.account,
            email: EmailAddress::parse(email).expect("a valid test email"),
            password_hash: password_hash().to_string(),
            first_name: None,
            last_name: None,
            role: role.name().to_string(),
            created_at: Timestamp::now(),
        };
        self.store()
            .create_user(&user)
            .await
            .expect("the user is created");
        user.id
    }

    /// A token for any user of an account, with `role` and `scopes` (space-separated).
    pub fn token_as(
        &self,
        account: &TestAccount,
        user: UserId,
        role: Role,
        scopes: &str,
    ) -> String {
        self.state
            .tokens
            .mint(Grant {
                user,
                account: account.account,
                client_id: account.client_id.clone(),
                scopes: scopes.split_whitespace().map(String::from).collect(),
                lifetime_seconds: DEFAULT_LIFETIME_SECONDS,
                role: role.name().to_string(),
                grant: None,
            })
            .expect("the token is signed")
            .access_token
    }

    /// The server's mailer (relaying to the sink in mail tests, outbox-only otherwise).
    pub fn mailer(&self) -> &Mailer {
        &self.state.mailer
    }

    /// The sink of a mail test.
    pub fn sink(&self) -> &SmtpSink {
        self.sink
            .as_ref()
            .expect("declare the test with on_both_engines_with_mail!")
    }

    /// Another mailer on the same database and sink, with the test settings changed by `tune`.
    pub fn mailer_with(&self, tune: impl FnOnce(&mut MailerConfig)) -> Mailer {
        let mut config = test_mail_config(&self.sink().url());
        tune(&mut config);
        Mailer::new(self.state.store.clone(), config).expect("valid mail settings")
    }

    /// Runs every queued bulk activity to completion (the server runs no background workers
    /// in tests, so activities advance only here).
    pub async fn drain_activities(&self) {
        self.state
            .activities
            .drain()
            .await
            .expect("the activity queue drains");
    }

    /// A new account with its owner, an app and a token carrying every scope.
    pub async fn create_account(&self, email: &str) -> TestAccount {
        let (account, user) = self
            .store()
            .create_account(NewAccount {
                owner_email: EmailAddress::parse(email).expect("a valid test email"),
                owner_password_hash: password_hash().to_string(),
                first_name: Some("Test".into()),
                last_name: Some("Owner".into()),
                organization_name: Some("Test Org".into()),
                physical_address: None,
            })
            .await
            .expect("the account is created");
        let client_id = uuid::Uuid::new_v4().to_string();
        self.store()
            .create_client(&ClientApp {
                client_id: client_id.clone(),
                secret_sha256: None,
                name: "test app".into(),
                redirect_uris: vec!["http://localhost/callback".into()],
                created_at: Timestamp::now(),
            })
            .await
            .expect("the app is created");
        let mut test_account = TestAccount {
            account: account.id,
            encoded_id: account.encoded_id,
            user: user.id,
            email: user.email.to_string(),
            client_id,
            token: String::new(),
        };
        test_account.token = self.token_for(&test_account, ALL_SCOPES);
        test_account
    }

    /// A token for an account's owner with exactly `scopes` (space-separated).
    pub fn token_for(&self, account: &TestAccount, scopes: &str) -> String {
        self.state
            .tokens
            .mint(Grant {
                user: account.user,
                account: account.account,
                client_id: account.client_id.clone(),
                scopes: scopes.split_whitespace().map(String::from).collect(),
                lifetime_seconds: DEFAULT_LIFETIME_SECONDS,
                role: OWNER_ROLE.to_string(),
                grant: None,
            })
            .expect("the token is signed")
            .access_token
    }

    /// A request to `path` (which starts with `/`), authenticated as the owner by default.
    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest {
            app: self,
            method: method.clone(),
            path: path.to_string(),
            builder: self
                .http
                .request(method, format!("{}{path}", self.base_url))
                .bearer_auth(&self.owner.token),
        }
    }

    pub fn get(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str, body: Value) -> TestRequest<'_> {
        self.request(Method::POST, path).json(body)
    }

    pub fn put(&self, path: &str, body: Value) -> TestRequest<'_> {
        self.request(Method::PUT, path).json(body)
    }

    pub fn delete(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::DELETE, path)
    }
}

pub struct TestRequest<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    builder: reqwest::RequestBuilder,
}

impl TestRequest<'_> {
    pub fn json(mut self, body: Value) -> Self {
        self.builder = self.builder.json(&body);
        self
    }

    /// A raw body with an explicit content type (or none when `content_type` is empty).
    pub fn raw_body(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        if !content_type.is_empty() {
            self.builder = self
                .builder
                .header(reqwest::header::CONTENT_TYPE, content_type);
        }
        self.builder = self.builder.body(body);
        self
    }

    /// A multipart/form-data body (the content type with its boundary is set by the client).
    pub fn multipart(mut self, form: reqwest::multipart::Form) -> Self {
        self.builder = self.builder.multipart(form);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// Replaces the owner's token.
    pub fn token(self, token: &str) -> Self {
        let mut request = self.builder.build().expect("a valid request");
        let value = format!("Bearer {token}").parse().expect("a valid header");
        request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, value);
        Self {
            builder: reqwest::RequestBuilder::from_parts(self.app.http.clone(), request),
            ..self
        }
    }

    /// Sends without any Authorization header.
    pub fn anonymous(self) -> Self {
        let mut request = self.builder.build().expect("a valid request");
        request.headers_mut().remove(reqwest::header::AUTHORIZATION);
        Self {
            builder: reqwest::RequestBuilder::from_parts(self.app.http.clone(), request),
            ..self
        }
    }

    /// Sends and checks the response against the official document.
    pub async fn send(self) -> TestResponse {
        let (method, path) = (self.method.clone(), self.path.clone());
        let response = self.send_unchecked().await;
        let content_type = response.header("content-type");
        if let Err(problems) = SpecChecker::global().check(
            method.as_str(),
            &path,
            response.status,
            content_type.as_deref(),
            &response.body,
        ) {
            panic!(
                "{method} {path} answered {} with a response the V3 document does not \
                 allow:\n- {}\nbody: {}",
                response.status,
                problems.join("\n- "),
                String::from_utf8_lossy(&response.body)
            );
        }
        response
    }

    /// Sends without the document check: for the cross-cutting conventions (406, 413, 415 on
    /// operations whose document entry does not list them) and for undocumented paths.
    pub async fn send_unchecked(self) -> TestResponse {
        let response = self.builder.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("the body arrives").to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

pub struct TestResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "the body is not JSON: {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }

    /// Asserts the status, showing the body when it differs.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    /// The `error_message`s of a V3 error array.
    pub fn error_messages(&self) -> Vec<String> {
        self.error_strings("error_message")
    }

    /// The `error_key`s of a V3 error array.
    pub fn error_keys(&self) -> Vec<String> {
        self.error_strings("error_key")
    }

    /// The string `property` of each entry of a V3 error array, in order.
    fn error_strings(&self, property: &str) -> Vec<String> {
        let body = self.json();
        let entries = body
            .as_array()
            .unwrap_or_else(|| panic!("not an error array: {body}"));
        entries
            .iter()
            .map(|e| {
                e[property]
                    .as_str()
                    .unwrap_or_else(|| panic!("an {property} in {e}"))
                    .to_string()
            })
            .collect()
    }
}
