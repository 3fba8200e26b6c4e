//! The real-browser harness: Debian's Chromium, headless, driven through chromedriver with
//! fantoccini (WebDriver). Distinct from the HTTP [`crate::Browser`], which reads pages as text:
//! this one loads them as a person's browser does, so a test can check what only a browser
//! shows. The public pages' checks are the helpers here:
//!
//! - [`Chromium::open`]: load a page and assert the browser logged no error (the browser log
//!   collects console errors, uncaught exceptions, resources that failed to load and Content
//!   Security Policy refusals, which a JavaScript hook installed after the load would miss);
//! - [`Chromium::submit_with_keyboard`]: fill and submit a form with the keyboard alone (Tab
//!   to each field, type, Tab to the submit button, Enter), so a form that cannot be reached or
//!   sent without a mouse fails the test;
//! - [`Chromium::assert_accessible`]: inject axe-core and fail on any violation of impact
//!   serious or critical;
//! - [`Chromium::screenshot`]: a PNG under `target/browser-screenshots/`.
//!
//! Each test starts its own chromedriver on a free port and its own Chromium with a fresh
//! profile (`--user-data-dir`), both ended when the harness is dropped. Browser tests run on
//! SQLite only (what depends on the engine is tested over HTTP on both). Where Chromium,
//! chromedriver or axe-core is missing, [`Chromium::start`] skips the test with a message, as
//! the PostgreSQL half is skipped; with `CI=true` it fails instead (.ci/run installs them).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use crate::database::in_ci;

/// The flags Chromium runs with: headless, no sandbox (CI containers run as root), no GPU, and
/// nothing that reaches the network on its own (updates, sync, safe-browsing lists).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// Where axe-core's browser bundle is read from, when set; otherwise
/// `target/ci-node/node_modules/axe-core/axe.min.js`, where .ci/run installs it with npm.
pub const AXE_ENV: &str = "ROSTER_AXE_CORE";
/// chromedriver and Chromium, when not the `chromedriver` and `chromium` on the PATH.
pub const CHROMEDRIVER_ENV: &str = "ROSTER_CHROMEDRIVER";
pub const CHROMIUM_ENV: &str = "ROSTER_CHROMIUM";

/// How long a page may take to load or a form to answer.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);
/// Tab presses tried before a field counts as unreachable by keyboard.
const MAX_TABS: usize = 40;

/// The workspace's `target` folder (or `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// axe-core's bundle: `ROSTER_AXE_CORE`, else where .ci/run installs it.
pub fn axe_path() -> PathBuf {
    std::env::var_os(AXE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("ci-node/node_modules/axe-core/axe.min.js"))
}

/// The first of `names` found on the PATH, or the file the environment variable names.
fn program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// What the harness needs, found; or why a browser test cannot run here.
struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
    axe: PathBuf,
}

fn tools() -> Result<Tools, String> {
    let chromedriver = program(CHROMEDRIVER_ENV, &["chromedriver"])
        .ok_or("chromedriver is not installed (Debian: apt-get install chromium-driver)")?;
    let chromium = program(CHROMIUM_ENV, &["chromium", "chromium-browser"])
        .ok_or("Chromium is not installed (Debian: apt-get install chromium)")?;
    let axe = axe_path();
    if !axe.is_file() {
        return Err(format!(
            "axe-core is not at {} (npm install --prefix target/ci-node axe-core@4.14, or set \
             {AXE_ENV})",
            axe.display()
        ));
    }
    Ok(Tools {
        chromedriver,
        chromium,
        axe,
    })
}

/// A free local port: bound, then released for chromedriver to take.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free local port")
}

/// ChromeDriver's log endpoint (`POST /session/{id}/se/log`), which fantoccini does not wrap:
/// the entries the browser logged since the last call (reading empties the buffer).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// One entry of the browser log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// A headless Chromium for one test, and the chromedriver that drives it.
pub struct Chromium {
    client: Option<Client>,
    driver: tokio::process::Child,
    profile: PathBuf,
    axe: PathBuf,
    /// Screenshots are named after the test: `target/browser-screenshots/{test}-{name}.png`.
    test: String,
}

impl Chromium {
    /// Starts chromedriver and a Chromium session for the test named `test`; None (with a
    /// message) when the tools are missing outside CI. With `CI=true` a missing tool fails.
    pub async fn start(test: &str) -> Option<Chromium> {
        let tools = match tools() {
            Ok(tools) => tools,
            Err(reason) if !in_ci() => {
                // Written to the stream itself: the harness hides a passing test's output.
                let notice = format!("\nSKIPPED: the browser checks of {test}: {reason}.\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
                return None;
            }
            Err(reason) => panic!("CI=true and the browser checks cannot run: {reason}"),
        };
        let port = free_port();
        let driver = tokio::process::Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
        let profile = std::env::temp_dir().join(format!(
            "roster-chromium-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&profile).expect("a fresh Chromium profile folder");
        let mut arguments: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        arguments.push(format!("--user-data-dir={}", profile.display()));
        arguments.push("--window-size=1024,768".into());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": tools.chromium, "args": arguments}),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let webdriver = format!("http://127.0.0.1:{port}");
        let client = connect(&webdriver, capabilities).await;
        Some(Chromium {
            client: Some(client),
            driver,
            profile,
            axe: tools.axe,
            test: test.to_string(),
        })
    }

    /// The WebDriver session, for what the helpers do not cover.
    pub fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the session is open until close")
    }

    /// Loads `url`, then asserts the browser logged no error while doing so.
    pub async fn open(&self, url: &str) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
        self.assert_no_console_errors().await;
    }

    /// Loads `url`, which answers the error `status` (a 404 page), and asserts the browser
    /// logged no error but the one Chromium logs for that status.
    pub async fn open_answered(&self, url: &str, status: u16) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot load {url}: {e}"));
        self.assert_only_status_logged(status).await;
    }

    /// The browser log since the last read.
    pub async fn log(&self) -> Vec<LogEntry> {
        let entries = self
            .client()
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("cannot read the browser log: {e}"));
        entries
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| LogEntry {
                        level: entry["level"].as_str().unwrap_or_default().to_string(),
                        message: entry["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails when the browser logged an error (level SEVERE) since the last read.
    pub async fn assert_no_console_errors(&self) {
        self.assert_errors_only(|_| false).await;
    }

    /// As [`Self::assert_no_console_errors`], but for the one entry Chromium logs when a page
    /// answers an error status ("Failed to load resource: the server responded with a status
    /// of 400"), which a page answered 400, 404 or 429 on purpose always has: it must be there.
    pub async fn assert_only_status_logged(&self, status: u16) {
        let expected = format!("the server responded with a status of {status}");
        let mut seen = false;
        self.assert_errors_only(|message| {
            let is_status = message.contains(&expected);
            seen |= is_status;
            is_status
        })
        .await;
        assert!(seen, "the page did not answer {status}");
    }

    /// Fails when the browser logged an error that `allowed` does not accept.
    async fn assert_errors_only(&self, mut allowed: impl FnMut(&str) -> bool) {
        let errors: Vec<String> = self
            .log()
            .await
            .into_iter()
            .filter(|entry| entry.level == "SEVERE" && !allowed(&entry.message))
            .map(|entry| entry.message)
            .collect();
        let url = self.current_url().await;
        assert!(
            errors.is_empty(),
            "the browser logged errors on {url}:\n- {}",
            errors.join("\n- ")
        );
    }

    pub async fn current_url(&self) -> String {
        self.client()
            .current_url()
            .await
            .map(|url| url.to_string())
            .unwrap_or_default()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        let body = self
            .client()
            .find(fantoccini::Locator::Css("body"))
            .await
            .expect("the page has a body");
        body.text().await.expect("the body's text")
    }

    /// The `id` of the element that has the keyboard focus ("" for none).
    async fn focused(&self) -> (String, String) {
        let answer = self
            .client()
            .execute(
                "const e = document.activeElement; \
                 return e ? [e.id || '', (e.tagName + ':' + (e.type || '')).toLowerCase()] \
                 : ['', ''];",
                vec![],
            )
            .await
            .expect("the focused element");
        (
            answer[0].as_str().unwrap_or_default().to_string(),
            answer[1].as_str().unwrap_or_default().to_string(),
        )
    }

    /// Presses and releases `key`, as a keyboard would, wherever the focus is.
    pub async fn press(&self, key: Key) {
        let key = char::from(key);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client()
            .perform_actions(actions)
            .await
            .expect("the key is pressed");
    }

    /// Presses Tab until `reached` holds for the focused element (its id, its `tag:type`).
    async fn tab_to(&self, what: &str, reached: impl Fn(&str, &str) -> bool) {
        for _ in 0..MAX_TABS {
            let (id, kind) = self.focused().await;
            if reached(&id, &kind) {
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!(
            "{what} cannot be reached with the Tab key on {}",
            self.current_url().await
        );
    }

    /// Fills the form with the keyboard alone and submits it: for each `(id, text)`, Tab until
    /// the field with that id has the focus and type the text; then Tab to the submit button
    /// and press Enter. Returns once the answer has loaded (and asserts it logged no error).
    pub async fn submit_with_keyboard(&self, fields: &[(&str, &str)]) {
        self.fill_and_submit(fields).await;
        self.assert_no_console_errors().await;
    }

    /// As [`Self::submit_with_keyboard`], for a form answered with the error `status` on
    /// purpose (a 400 page naming the problems, a 429 page).
    pub async fn submit_with_keyboard_answered(&self, fields: &[(&str, &str)], status: u16) {
        self.fill_and_submit(fields).await;
        self.assert_only_status_logged(status).await;
    }

    async fn fill_and_submit(&self, fields: &[(&str, &str)]) {
        for (id, text) in fields {
            self.tab_to(&format!("the field #{id}"), |focused, _| focused == *id)
                .await;
            let field = self
                .client()
                .active_element()
                .await
                .expect("the focused field");
            field.send_keys(text).await.expect("the text is typed");
        }
        self.tab_to("a submit button", |_, kind| {
            kind == "button:submit" || kind == "input:submit"
        })
        .await;
        // A marker on the current document: gone once the answer's document has loaded.
        self.client()
            .execute("window.rosterBeforeSubmit = true;", vec![])
            .await
            .expect("the page takes a marker");
        self.press(Key::Enter).await;
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let loaded = self
                .client()
                .execute(
                    "return window.rosterBeforeSubmit === undefined \
                     && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .ok()
                .and_then(|answer| answer.as_bool())
                .unwrap_or(false);
            if loaded {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the form was not submitted by the keyboard"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs axe-core on the page and fails on any violation of impact serious or critical,
    /// naming each rule, its help text and the elements it found.
    pub async fn assert_accessible(&self) {
        let source = std::fs::read_to_string(&self.axe)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", self.axe.display()));
        self.client()
            .execute(&format!("{source}\n;return true;"), vec![])
            .await
            .expect("axe-core is injected");
        let answer = self
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']})\
                   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, \
                     help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))\
                   .catch(e => done({error: String(e)}));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        if let Some(error) = answer.get("error") {
            panic!("axe-core failed: {error}");
        }
        let serious: Vec<&Value> = answer
            .as_array()
            .expect("a list of violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        let url = self.current_url().await;
        assert!(
            serious.is_empty(),
            "axe-core found serious or critical violations on {url}:\n{}",
            serious
                .iter()
                .map(|v| format!(
                    "- {} ({}): {} at {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Saves a screenshot as `target/browser-screenshots/{test}-{name}.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client().screenshot().await.expect("a screenshot");
        let folder = target_dir().join("browser-screenshots");
        std::fs::create_dir_all(&folder).expect("the screenshot folder");
        let path = folder.join(format!("{}-{name}.png", self.test));
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }

    /// Ends the session (Chromium exits) and chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
        let _ = self.driver.kill().await;
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // chromedriver is killed with its handle; its Chromium exits when its driver goes.
        let _ = self.driver.start_kill();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A session on the chromedriver at `webdriver`, once it listens (it takes a moment to start).
async fn connect(webdriver: &str, capabilities: serde_json::Map<String, Value>) -> Client {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    loop {
        // chromedriver is on this machine: plain HTTP, no TLS connector (nor root certificates).
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(webdriver)
            .await
        {
            Ok(client) => return client,
            // Refused while chromedriver starts: try again until the deadline.
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("cannot start a Chromium session at {webdriver}: {error}"),
        }
    }
}
