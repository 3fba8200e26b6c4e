//! The benchmark harness (issue 8). One run creates a fresh database, loads the data set
//! in-process through the storage contract's bulk insert (also the baseline of the import
//! scenario, which loads the same rows through `contacts_json_import`), starts the release
//! `roster serve` on it, drives HTTP load with `wrk`, and reports every figure beside its
//! baseline from the same run, with the ratio and the target.

mod bulk;
mod campaigns;
pub mod dataset;
mod latency;
pub mod quiet;
pub mod report;
mod reports;
mod send;
pub mod server;
mod smtp_sink;
pub mod soak;
mod tracking;
pub mod wrk;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::bail;
use roster_http::oauth::keys::ServerSecret;
use roster_http::oauth::tokens::Grant;
use roster_http::{AppState, ServerConfig};
use serde_json::Value;

use crate::bulk::ImportTarget;
use crate::dataset::Loaded;
use crate::report::{Outcome, Row, Target};
pub use crate::server::Engine;
use crate::server::{FreshDatabase, Server};

/// Every scenario of the table, in the table's order.
pub const SCENARIOS: [&str; 12] = [
    "http",
    "memory",
    "import",
    "paginate",
    "filter",
    "counts",
    "export",
    "segment",
    "campaigns",
    "send",
    "tracking",
    "reports",
];
/// The order they run in: memory reads the peak of start-up and the http scenario; import
/// last, because it doubles the contacts table, which the read scenarios must not see;
/// tracking after the read scenarios, because its one-click unsubscribes change contacts.
const RUN_ORDER: [&str; 12] = [
    "http",
    "memory",
    "paginate",
    "filter",
    "counts",
    "export",
    "segment",
    "campaigns",
    "reports",
    "send",
    "tracking",
    "import",
];
/// Scenarios that run once whatever `--repeat` says: memory reads peaks measured during other
/// scenarios, and a second import of the same rows would update the contacts the first one
/// created instead of creating them.
const RUN_ONCE: [&str; 2] = ["memory", "import"];
/// The full data set and the `--quick` one (same proportions).
pub const FULL_CONTACTS: usize = 1_000_000;
pub const QUICK_CONTACTS: usize = 50_000;
/// Sends of the reports scenario's 20 campaigns, full and `--quick`.
pub use crate::reports::{FULL_SENDS, QUICK_SENDS};
/// Recipients of the send scenario's campaign, full and `--quick`.
pub use crate::send::{FULL_RECIPIENTS, QUICK_RECIPIENTS};
/// Connections for throughput (the figure) and for latency percentiles (few enough
/// that the server, not the queue in front of it, sets the p99).
pub const THROUGHPUT_CONNECTIONS: u32 = 32;
pub const LATENCY_CONNECTIONS: u32 = 4;
const MEMORY_TARGET_MB: f64 = 300.0;
/// Warm requests of the first and of the last page whose fastest are compared.
const PAGE_SAMPLES: usize = 11;
const LISTMONK_IMPORT_RATE: &str = "listmonk publishes ~10,000/s";
#[derive(Debug, Clone)]
pub struct Options {
    pub engine: Engine,
    pub contacts: usize,
    /// Empty: all of them.
    pub scenarios: Vec<String>,
    pub throughput_time: Duration,
    pub latency_time: Duration,
    /// Where a PostgreSQL run creates (and later drops) its database.
    pub postgres_url: String,
    pub roster_binary: PathBuf,
    /// BENCHMARKS.md to update; None prints only.
    pub output: Option<PathBuf>,
    /// How the run was started, for the report.
    pub command: String,
    /// Leave the database behind (and say where) to inspect query plans after the run.
    pub keep_database: bool,
    /// Start each scenario without waiting for a quiet machine (`--noisy`: CI, the smoke
    /// test); the load is still recorded and a loaded scenario still marks the table noisy.
    pub noisy: bool,
    /// Runs of each scenario but memory and import; the table shows their medians.
    pub repeat: usize,
    /// Recipients of the send scenario's campaign (on a database of its own).
    pub send_recipients: usize,
    /// Sends of the reports scenario (its 20 campaigns'; opens and clicks are 30% of them).
    pub report_sends: usize,
}

impl Options {
    fn wants(&self, scenario: &str) -> bool {
        self.scenarios.is_empty() || self.scenarios.iter().any(|s| s == scenario)
    }
}

pub struct RunReport {
    pub rows: Vec<Row>,
    /// Some scenario started at a load average of `quiet::QUIET_LOAD` or more.
    pub noisy: bool,
    /// The Markdown section written to BENCHMARKS.md.
    pub section: String,
    pub elapsed: Duration,
}

fn say(message: impl AsRef<str>) {
    eprintln!("[roster-bench] {}", message.as_ref());
}

/// One complete run on one engine.
pub async fn run(options: &Options) -> anyhow::Result<RunReport> {
    for scenario in &options.scenarios {
        if !SCENARIOS.contains(&scenario.as_str()) {
            bail!(
                "unknown scenario {scenario}; known: {}",
                SCENARIOS.join(", ")
            );
        }
    }
    if !wrk::available() {
        bail!(
            "wrk is not on PATH; install it with `{}`",
            wrk::INSTALL_HINT
        );
    }
    let started = Instant::now();
    let database = FreshDatabase::create(options.engine, &options.postgres_url).await?;
    let outcome = run_on(options, &database.url).await;
    if options.keep_database {
        say(format!("kept the database: {}", database.keep()));
    } else if let Err(error) = database.drop_now().await {
        say(format!("could not drop the benchmark database: {error:#}"));
    }
    let rows = outcome?;
    let elapsed = started.elapsed();
    let section = section(options, &rows, elapsed);
    if let Some(path) = &options.output {
        report::write_section(path, options.engine.name(), &section)?;
        say(format!(
            "wrote the {} section of {}",
            options.engine.title(),
            path.display()
        ));
    }
    Ok(RunReport {
        noisy: rows.iter().any(Row::noisy),
        rows,
        section,
        elapsed,
    })
}

async fn run_on(options: &Options, database_url: &str) -> anyhow::Result<Vec<Row>> {
    let store = roster::open_store(database_url).await?;
    say(format!(
        "loading {} contacts into {} through insert_contacts_bulk",
        options.contacts,
        options.engine.title()
    ));
    let step = (options.contacts / 10).max(dataset::BATCH);
    let loaded = dataset::load(store.as_ref(), options.contacts, |done| {
        if done % step < dataset::BATCH || done == options.contacts {
            say(format!("  {done} contacts loaded"));
        }
    })
    .await?;
    say(format!("loaded in {:.1} s", loaded.load_time.as_secs_f64()));
    if options.wants("campaigns") {
        let started = std::time::Instant::now();
        campaigns::seed(options.engine, database_url, loaded.account).await?;
        say(format!(
            "{} live and {} Removed campaigns inserted in {:.1} s",
            campaigns::LIVE_CAMPAIGNS,
            campaigns::REMOVED_CAMPAIGNS,
            started.elapsed().as_secs_f64()
        ));
    }
    let reports = if options.wants("reports") {
        let started = std::time::Instant::now();
        say(format!(
            "reports: {} sends and {} opens and clicks in {} campaigns through the store",
            options.report_sends,
            reports::events_for(options.report_sends),
            reports::CAMPAIGNS
        ));
        let seeded = reports::seed(store.as_ref(), options.report_sends).await?;
        say(format!(
            "  loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        Some(seeded)
    } else {
        None
    };
    if options.engine == Engine::Postgres {
        // A million rows arrive faster than autovacuum's next look; a live database would have
        // its planner statistics by the time anyone reads it, so the run measures with them.
        let mut connection =
            <sqlx::PgConnection as sqlx::Connection>::connect(database_url).await?;
        sqlx::query("ANALYZE").execute(&mut connection).await?;
    }
    // The import scenario loads the same rows into a second account of this database: an
    // import cannot set the creation and update dates or the tags the read scenarios need.
    let import_setup = dataset::setup_account(store.as_ref(), "import@example.com").await?;
    let unlisted =
        dataset::create_list(store.as_ref(), import_setup.account, "Imported, no list").await?;

    let port = server::free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let token = mint_token(
        store.clone(),
        &base_url,
        (loaded.user, loaded.account, &loaded.client_id),
    )
    .await?;
    let import_target = ImportTarget {
        token: mint_token(
            store.clone(),
            &base_url,
            (
                import_setup.user,
                import_setup.account,
                &import_setup.client_id,
            ),
        )
        .await?,
        setup: import_setup,
        unlisted,
    };
    let reports = match reports {
        Some(seeded) => {
            let who = (seeded.user, seeded.account, seeded.client_id.as_str());
            let token = mint_token(store.clone(), &base_url, who).await?;
            Some((seeded, token))
        }
        None => None,
    };
    drop(store);

    let scratch = tempfile::Builder::new()
        .prefix("roster-bench-run-")
        .tempdir()?;
    let server = Server::start(
        &options.roster_binary,
        database_url,
        port,
        scratch.path().join("serve.log"),
    )
    .await?;
    say(format!(
        "roster serve (pid {}) at {}",
        server.pid(),
        server.base_url
    ));
    let bench = Bench {
        options,
        loaded: &loaded,
        base_url: &server.base_url,
        token: &token,
        scratch: scratch.path(),
        http: reqwest::Client::new(),
        database_url,
        import_target: &import_target,
        segment_page: tokio::sync::OnceCell::new(),
        reports: reports
            .as_ref()
            .map(|(seeded, token)| (seeded, token.as_str())),
    };
    let rows = bench.scenarios(&server).await;
    server.stop()?;
    rows
}

/// A day-long `contact_data` token for the loaded account's owner, signed in-process with the
/// server's secret and public URL `base_url`, so its key, issuer and audience match the
/// `roster serve` that `Server::start` runs on the same database.
pub async fn mint_token(
    store: std::sync::Arc<dyn roster_domain::Store>,
    base_url: &str,
    (user, account, client_id): (roster_domain::UserId, roster_domain::AccountId, &str),
) -> anyhow::Result<String> {
    let state = AppState::new(
        store,
        ServerConfig {
            public_url: base_url.to_string(),
            body_limit: roster_http::DEFAULT_BODY_LIMIT,
            secret: ServerSecret::new(server::SECRET)?,
            oauth: Default::default(),
            rate_limit: None,
            import_max_contacts: roster_activities::import::DEFAULT_MAX_CONTACTS,
            bounces: roster_http::BounceSettings::default(),
            forward_limits: Default::default(),
        },
    )
    .await?;
    let token = state
        .tokens
        .mint(Grant {
            user,
            account,
            client_id: client_id.to_string(),
            scopes: vec!["contact_data".into(), "campaign_data".into()],
            lifetime_seconds: 24 * 3600,
            role: roster_domain::account::OWNER_ROLE.to_string(),
            grant: None,
        })?
        .access_token;
    Ok(token)
}

struct Bench<'a> {
    options: &'a Options,
    loaded: &'a Loaded,
    base_url: &'a str,
    token: &'a str,
    scratch: &'a Path,
    http: reqwest::Client,
    /// The database under test, for the in-process baselines.
    database_url: &'a str,
    import_target: &'a ImportTarget,
    /// The first page of the segment scenario's segment, created by its first run: a second
    /// POST of the same name would answer 409.
    segment_page: tokio::sync::OnceCell<String>,
    /// The reports scenario's data set, loaded before the server started, and a token for its
    /// account.
    reports: Option<(&'a reports::Seeded, &'a str)>,
}

fn failed(
    scenario: &'static str,
    figure: &str,
    unit: &'static str,
    target: Target,
    error: anyhow::Error,
) -> Row {
    say(format!("{scenario} failed: {error:#}"));
    Row {
        scenario,
        figure: figure.into(),
        unit,
        outcome: Outcome::Failed(
            format!("{error:#}")
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        target,
        load: None,
    }
}

fn memory_row(figure: String, bytes: u64) -> Row {
    Row {
        scenario: "memory",
        figure,
        unit: "MB",
        outcome: Outcome::Measured {
            value: bytes as f64 / 1_000_000.0,
            baseline: None,
        },
        target: Target::ValueAtMost(MEMORY_TARGET_MB),
        load: None,
    }
}

impl Bench<'_> {
    /// Every wanted scenario in `RUN_ORDER`, each after a wait for a quiet machine (unless
    /// `--noisy`) and `--repeat` times unless it runs once; its rows carry the load it started
    /// at. The table comes back in the order.
    async fn scenarios(&self, server: &Server) -> anyhow::Result<Vec<Row>> {
        let mut rows = Vec::new();
        let mut http_load = None;
        for scenario in RUN_ORDER {
            if !self.options.wants(scenario) {
                continue;
            }
            if scenario == "memory" {
                // A peak measured during start-up and the http scenario: nothing to wait for,
                // and the load that counts is the one the http scenario started at.
                let load = if self.options.wants("http") {
                    http_load
                } else {
                    quiet::load_average()
                };
                rows.extend(
                    self.memory(server)
                        .into_iter()
                        .map(|row| Row { load, ..row }),
                );
                continue;
            }
            let runs = if RUN_ONCE.contains(&scenario) {
                1
            } else {
                self.options.repeat.max(1)
            };
            let mut samples = Vec::new();
            let mut loads = Vec::new();
            for run in 1..=runs {
                let wait = if self.options.noisy {
                    Duration::ZERO
                } else {
                    quiet::QUIET_WAIT
                };
                let load = quiet::wait_for_quiet(scenario, wait).await;
                if runs > 1 {
                    say(format!("{scenario}: run {run} of {runs}"));
                }
                if let Some(load) = load {
                    say(format!("{scenario}: load average {load:.2} at the start"));
                }
                loads.push(load);
                samples.push(self.scenario(scenario, server).await);
            }
            let load = loads.into_iter().flatten().reduce(f64::max);
            if scenario == "http" {
                http_load = load;
            }
            rows.extend(
                report::medians(samples)
                    .into_iter()
                    .map(|row| Row { load, ..row }),
            );
        }
        // The table in the order, whatever order the scenarios ran in.
        rows.sort_by_key(|row| SCENARIOS.iter().position(|s| *s == row.scenario));
        Ok(rows)
    }

    /// One run of one scenario (not memory): its rows, a failure as a failed row.
    async fn scenario(&self, scenario: &'static str, server: &Server) -> Vec<Row> {
        match scenario {
            "http" => {
                say("http: GET /v3/contacts/{id} vs GET /healthz");
                let figure = format!(
                    "authenticated GET /v3/contacts/{{id}} at {THROUGHPUT_CONNECTIONS} connections"
                );
                vec![self.http_scenario(&figure).await.unwrap_or_else(|e| {
                    failed("http", &figure, "req/s", Target::RatioAtLeast(0.5), e)
                })]
            }
            "paginate" => {
                say("paginate: walking every contact at limit=500");
                let figure = "time of the last page walking all contacts at limit=500";
                vec![self.paginate(figure).await.unwrap_or_else(|e| {
                    failed("paginate", figure, "ms", Target::RatioAtMost(1.2), e)
                })]
            }
            "filter" => vec![self.filter().await],
            "counts" => self.counts().await,
            "export" => {
                say("export: every contact to CSV");
                let figure = "rows/s exporting all contacts to CSV until downloaded";
                vec![self.export(figure).await.unwrap_or_else(|e| {
                    failed("export", figure, "rows/s", Target::RatioAtLeast(0.5), e)
                })]
            }
            "segment" => vec![self.segment().await],
            "campaigns" => {
                say("campaigns: walking 100,000 campaigns (90% Removed) at limit=500");
                let figure = "time of the last page walking all campaigns at limit=500";
                vec![self.campaigns(figure).await.unwrap_or_else(|e| {
                    failed("campaigns", figure, "ms", Target::RatioAtMost(1.2), e)
                })]
            }
            "send" => self.send_scenario().await,
            "tracking" => self.tracking_scenario().await,
            "reports" => self.reports_scenario().await,
            "import" => self.import_scenario(server).await,
            other => vec![failed(
                other,
                other,
                "",
                Target::Info,
                anyhow::anyhow!("no scenario is called {other}"),
            )],
        }
    }

    fn memory(&self, server: &Server) -> Vec<Row> {
        let during = if self.options.wants("http") {
            "during start-up and the http scenario (VmHWM after it)"
        } else {
            "after start-up (VmHWM; the http scenario did not run)"
        };
        let figure = format!("peak RSS of roster serve {during}");
        vec![match server.peak_rss() {
            Ok(bytes) => memory_row(figure, bytes),
            Err(e) => failed(
                "memory",
                &figure,
                "MB",
                Target::ValueAtMost(MEMORY_TARGET_MB),
                e,
            ),
        }]
    }

    /// The import, and with the memory scenario the peak RSS while it ran.
    async fn import_scenario(&self, server: &Server) -> Vec<Row> {
        say(format!(
            "import: {} contacts through contacts_json_import into a second account",
            self.options.contacts
        ));
        let figure = format!(
            "contacts/s through contacts_json_import until the last activity completes \
             ({LISTMONK_IMPORT_RATE})"
        );
        let target = Target::RatioAtLeast(0.5);
        let raw = self.loaded.contacts as f64 / self.loaded.load_time.as_secs_f64();
        let imported = match self.import(self.import_target, server.pid()).await {
            Ok(imported) => imported,
            Err(e) => return vec![failed("import", &figure, "contacts/s", target, e)],
        };
        say(format!(
            "  import: {:.0} contacts/s ({} requests in {:.1} s); raw bulk insert {raw:.0} \
             contacts/s",
            imported.contacts_per_second,
            imported.requests,
            imported.elapsed.as_secs_f64()
        ));
        let mut rows = vec![Row {
            scenario: "import",
            figure: format!(
                "{figure}; {} requests of up to {:.1} MB in {:.1} s",
                imported.requests,
                imported.largest_request as f64 / 1_000_000.0,
                imported.elapsed.as_secs_f64()
            ),
            unit: "contacts/s",
            outcome: Outcome::Measured {
                value: imported.contacts_per_second,
                baseline: Some((
                    raw,
                    format!(
                        "raw bulk insert of the same rows into the fresh database, \
                         insert_contacts_bulk in batches of {}",
                        dataset::BATCH
                    ),
                )),
            },
            target,
            load: None,
        }];
        if self.options.wants("memory") {
            rows.push(memory_row(
                "peak RSS of roster serve during the import (VmRSS sampled every 100 ms)".into(),
                imported.peak_rss,
            ));
        }
        rows
    }

    /// GET with the token; the body as JSON when the answer is 200.
    async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        self.get_json_as(path, self.token).await
    }

    /// GET with `token`; the body as JSON when the answer is 200.
    async fn get_json_as(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if status != reqwest::StatusCode::OK {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(serde_json::from_slice(&body)?)
    }

    fn ids_script(&self) -> anyhow::Result<PathBuf> {
        let path = self.scratch.join("contact-ids.lua");
        if !path.exists() {
            let ids: Vec<String> = self
                .loaded
                .sample_ids
                .iter()
                .map(|id| id.to_string())
                .collect();
            std::fs::write(&path, wrk::rotating_script("/v3/contacts/", &ids, ""))?;
        }
        Ok(path)
    }

    fn one_id_path(&self) -> String {
        format!("/v3/contacts/{}", self.loaded.sample_ids[0])
    }

    async fn http_scenario(&self, figure: &str) -> anyhow::Result<Row> {
        self.get_json(&self.one_id_path()).await?;
        let healthz = wrk::run(&wrk::Load {
            url: &format!("{}/healthz", self.base_url),
            token: None,
            connections: THROUGHPUT_CONNECTIONS,
            duration: self.options.throughput_time,
            script: None,
        })?;
        let script = self.ids_script()?;
        let contacts = wrk::run(&wrk::Load {
            url: &format!("{}{}", self.base_url, self.one_id_path()),
            token: Some(self.token),
            connections: THROUGHPUT_CONNECTIONS,
            duration: self.options.throughput_time,
            script: Some(&script),
        })?;
        Ok(Row {
            scenario: "http",
            figure: format!("{figure} (over {} ids)", self.loaded.sample_ids.len()),
            unit: "req/s",
            outcome: Outcome::Measured {
                value: contacts.requests_per_second,
                baseline: Some((healthz.requests_per_second, "GET /healthz".into())),
            },
            target: Target::RatioAtLeast(0.5),
            load: None,
        })
    }

    /// Times one GET (the body read in full), in milliseconds.
    async fn timed_get(&self, path: &str) -> anyhow::Result<(f64, Value)> {
        self.timed_get_as(path, self.token).await
    }

    /// `timed_get` with `token`.
    async fn timed_get_as(&self, path: &str, token: &str) -> anyhow::Result<(f64, Value)> {
        let started = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        if status != reqwest::StatusCode::OK {
            bail!("GET {path} answered {status}");
        }
        Ok((millis, serde_json::from_slice(&body)?))
    }

    async fn paginate(&self, figure: &str) -> anyhow::Result<Row> {
        self.walk_pages(
            "paginate",
            figure,
            "/v3/contacts?limit=500",
            "contacts",
            self.loaded.contacts,
        )
        .await
    }

    /// Walks a collection from `first_path` through every `_links.next.href` with `token`,
    /// and checks that the pages held `expected` items of `array`.
    async fn walk(
        &self,
        first_path: &str,
        token: &str,
        array: &str,
        expected: usize,
    ) -> anyhow::Result<Walk> {
        let started = Instant::now();
        let mut path = first_path.to_string();
        let mut last_path;
        let (mut pages, mut seen) = (0usize, 0usize);
        loop {
            let (_, body) = self.timed_get_as(&path, token).await?;
            pages += 1;
            seen += body[array].as_array().map_or(0, Vec::len);
            last_path = path.clone();
            match body["_links"]["next"]["href"].as_str() {
                Some(next) => path = next.to_string(),
                None => break,
            }
        }
        if seen != expected {
            bail!("the walk saw {seen} {array}, not {expected}");
        }
        Ok(Walk {
            pages,
            last_path,
            time: started.elapsed(),
        })
    }

    /// Walks a collection from `first_path` through every `_links.next.href`, checks that the
    /// pages held `expected` items of `array`, and answers the last page's time against the
    /// first's (target: at most 1.2 times).
    async fn walk_pages(
        &self,
        scenario: &'static str,
        figure: &str,
        first_path: &str,
        array: &str,
        expected: usize,
    ) -> anyhow::Result<Row> {
        let Walk {
            pages,
            last_path,
            time: walk,
        } = self.walk(first_path, self.token, array, expected).await?;
        // Each end is timed again, warm, alternating first and last, and the fastest of each
        // kept: the question is whether the last page costs more than the first, and on a
        // shared 2-core machine the other samples add other processes' time slices (medians
        // of the same requests swung from 1.25 to 1.47 between runs; the minima agree).
        let (mut first, mut last) = (f64::MAX, f64::MAX);
        for _ in 0..PAGE_SAMPLES {
            first = first.min(self.timed_get(first_path).await?.0);
            last = last.min(self.timed_get(&last_path).await?.0);
        }
        say(format!(
            "  {pages} pages in {:.1} s; first page {first:.1} ms, last page {last:.1} ms \
             (fastest of {PAGE_SAMPLES})",
            walk.as_secs_f64()
        ));
        Ok(Row {
            scenario,
            figure: format!(
                "{figure} ({pages} pages in {:.1} s; fastest of {PAGE_SAMPLES} warm requests each)",
                walk.as_secs_f64()
            ),
            unit: "ms",
            outcome: Outcome::Measured {
                value: last,
                baseline: Some((first, "the first page".into())),
            },
            target: Target::RatioAtMost(1.2),
            load: None,
        })
    }
}

/// A walk through every page of a collection.
struct Walk {
    pages: usize,
    /// The path of the last page (its cursor included).
    last_path: String,
    time: Duration,
}

fn git_revision() -> String {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let revision = run(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = run(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    if dirty {
        format!("{revision} (with uncommitted changes)")
    } else {
        revision
    }
}

fn duration_text(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    format!("{}m {:02}s", seconds / 60, seconds % 60)
}

/// The section's line on the machine's load: quiet, or the scenarios that make it noisy.
pub fn load_note(options: &Options, rows: &[Row]) -> String {
    let mut noisy: Vec<&str> = rows
        .iter()
        .filter(|r| r.noisy())
        .map(|r| r.scenario)
        .collect();
    noisy.dedup();
    let how = if options.noisy {
        "`--noisy`: no scenario waited for a quiet machine".to_string()
    } else {
        format!(
            "each scenario waited up to {} min for it",
            quiet::QUIET_WAIT.as_secs() / 60
        )
    };
    if noisy.is_empty() {
        format!(
            "quiet: every scenario started at a 1-minute load average below {:.1} (column \
             \"load at start\"; {how})",
            quiet::QUIET_LOAD
        )
    } else {
        format!(
            "**NOISY**: {} started at a 1-minute load average of {:.1} or more ({how}); \
             compare these figures with no baseline taken under another load",
            noisy.join(", "),
            quiet::QUIET_LOAD
        )
    }
}

fn section(options: &Options, rows: &[Row], elapsed: Duration) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let missed = rows.iter().filter(|r| r.met() == Some(false)).count();
    let repeat = if options.repeat > 1 {
        format!(
            "; every scenario but memory and import ran {} times, the table shows medians",
            options.repeat
        )
    } else {
        String::new()
    };
    format!(
        "## {title}\n\n\
         - date: {date}; engine: {title}; cores: {cores}; git revision: {revision}\n\
         - command: `{command}`\n\
         - data set: {contacts} contacts (L1 {l1}, L2 {l2} members, 10 tags, 3 custom fields); \
           load {throughput:.0} s of wrk at {THROUGHPUT_CONNECTIONS} connections for throughput, \
           {latency:.0} s at {LATENCY_CONNECTIONS} connections for percentiles\n\
         - whole run (load included): {duration}{repeat}; \
           rows that missed their target: {missed}\n\
         - machine load: {load_note}\n\n\
         {table}",
        title = options.engine.title(),
        revision = git_revision(),
        command = options.command,
        contacts = options.contacts,
        l1 = options.contacts / 10,
        l2 = options.contacts / 2,
        throughput = options.throughput_time.as_secs_f64(),
        latency = options.latency_time.as_secs_f64(),
        duration = duration_text(elapsed),
        load_note = load_note(options, rows),
        table = report::markdown(rows),
    )
}
