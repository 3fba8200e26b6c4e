//! `roster-bench soak` (issue 9): mixed reads and writes at high concurrency for minutes against
//! the release `roster serve` (rate limits off) on a fresh, seeded database. Passes with zero
//! non-2xx answers and zero socket errors, and resident memory flat from the first sample
//! under load to the end.
//!
//! The mix (one wrk Lua script, counted per request): 40% GET /contacts?limit=50, 20% GET
//! /contacts/{id}, 20% POST /contacts (an email unique to the run, thread and request, so no
//! duplicate can answer 409), 10% PUT /contacts/{id} (a seeded contact, its own email kept),
//! 10% list writes: POST /contact_lists while the account is well under its 1,000-list cap,
//! then PUT renames of the seeded lists.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::dataset::{self, Loaded};
use crate::server::{self, Engine, FreshDatabase, Server};
use crate::wrk::{self, Load};

/// Resident memory may grow this much from the reference sample to the last one. The
/// reference is the first sample a fifth of the way into the load: until then the pools and
/// SQLite's page caches fill (a 300 s run on SQLite went 19 → 37 → 42 MB over its first
/// 60 s, then stayed within 43–47 MB); a leak keeps growing with the requests.
const FLAT_GROWTH: f64 = 0.20;
/// Seeded contacts whose ids and emails the script reads and updates.
const SCRIPT_CONTACTS: usize = 200;
/// Lists the script may create: the account's cap, less the seeded ones and a margin.
const LIST_CREATES: u32 = roster_domain::contact_list::MAX_LISTS_PER_ACCOUNT - 100;

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 300)]
    pub duration: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    pub connections: u32,
    /// Contacts seeded before the load.
    #[arg(long, default_value_t = 10_000)]
    pub contacts: usize,
    /// Seconds between two memory samples.
    #[arg(long, default_value_t = 30)]
    pub sample_every: u64,
    #[arg(long, value_enum, default_value = "sqlite")]
    pub engine: Engine,
    /// Where the PostgreSQL run creates its database `roster_bench_<pid>` (dropped after).
    #[arg(
        long,
        env = "ROSTER_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub postgres_url: String,
}

/// What one soak run measured.
#[derive(Debug, Clone)]
pub struct SoakReport {
    pub engine: Engine,
    pub connections: u32,
    pub duration: Duration,
    pub requests: u64,
    /// Answers outside 200–299.
    pub non_2xx: u64,
    /// wrk's connect, read, write and timeout errors.
    pub socket_errors: u64,
    /// The first error answer, for the report.
    pub first_error: Option<String>,
    /// `VmRSS` of `roster serve`: (seconds into the load, bytes); the first before any load.
    pub rss: Vec<(u64, u64)>,
}

impl SoakReport {
    /// The reference sample (the first one a fifth of the way into the load) and the last.
    fn loaded_rss(&self) -> Option<(u64, u64)> {
        let warmed_up = (self.duration.as_secs() / 5).max(1);
        let reference = self.rss.iter().skip(1).find(|(at, _)| *at >= warmed_up)?.1;
        let end = self.rss.last()?.1;
        Some((reference, end))
    }

    pub fn rss_is_flat(&self) -> bool {
        self.loaded_rss()
            .is_some_and(|(first, end)| end as f64 <= first as f64 * (1.0 + FLAT_GROWTH))
    }

    pub fn passed(&self) -> bool {
        self.requests > 0 && self.non_2xx == 0 && self.socket_errors == 0 && self.rss_is_flat()
    }

    pub fn plain(&self) -> String {
        let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
        let mut text = format!(
            "soak on {}: {} connections for {} s\n  requests: {} ({:.0}/s)\n  \
             non-2xx answers: {}\n  socket errors: {}\n",
            self.engine.title(),
            self.connections,
            self.duration.as_secs(),
            self.requests,
            self.requests as f64 / self.duration.as_secs_f64().max(1.0),
            self.non_2xx,
            self.socket_errors,
        );
        if let Some(error) = &self.first_error {
            text.push_str(&format!("  first error answer: {error}\n"));
        }
        let samples: Vec<String> = self
            .rss
            .iter()
            .map(|(at, bytes)| format!("{at} s: {:.1}", mb(*bytes)))
            .collect();
        text.push_str(&format!("  RSS (MB): {}\n", samples.join(", ")));
        if let (Some((_, start)), Some((first, end))) = (self.rss.first(), self.loaded_rss()) {
            text.push_str(&format!(
                "  RSS start {:.1} MB, after warm-up (a fifth of the run) {:.1} MB, \
                 end {:.1} MB: {}\n",
                mb(*start),
                mb(first),
                mb(end),
                if self.rss_is_flat() {
                    format!("flat (within {:.0}%)", FLAT_GROWTH * 100.0)
                } else {
                    format!("GROWING (more than {:.0}%)", FLAT_GROWTH * 100.0)
                }
            ));
        }
        text.push_str(if self.passed() {
            "  result: PASS\n"
        } else {
            "  result: FAIL\n"
        });
        text
    }
}

fn say(message: impl AsRef<str>) {
    eprintln!("[roster-bench soak] {}", message.as_ref());
}

/// The `soak` subcommand.
pub async fn main(args: SoakArgs) -> std::process::ExitCode {
    let outcome = async {
        let executable = std::env::current_exe()?;
        let binary = server::roster_binary_beside(&executable)?;
        run(&args, &binary).await
    }
    .await;
    match outcome {
        Ok(report) => {
            println!("{}", report.plain());
            if report.passed() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// One soak run on a fresh database, dropped afterwards.
pub async fn run(args: &SoakArgs, roster_binary: &Path) -> anyhow::Result<SoakReport> {
    if !wrk::available() {
        bail!(
            "wrk is not on PATH; install it with `{}`",
            wrk::INSTALL_HINT
        );
    }
    let database = FreshDatabase::create(args.engine, &args.postgres_url).await?;
    let outcome = run_on(args, roster_binary, &database.url).await;
    if let Err(error) = database.drop_now().await {
        say(format!("could not drop the soak database: {error:#}"));
    }
    outcome
}

async fn run_on(
    args: &SoakArgs,
    roster_binary: &Path,
    database_url: &str,
) -> anyhow::Result<SoakReport> {
    let store = roster::open_store(database_url).await?;
    say(format!(
        "seeding {} contacts into {}",
        args.contacts,
        args.engine.title()
    ));
    let loaded = dataset::load(store.as_ref(), args.contacts, |_| {}).await?;
    let port = server::free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let token = crate::mint_token(
        store,
        &base_url,
        (loaded.user, loaded.account, &loaded.client_id),
    )
    .await?;

    let scratch = tempfile::Builder::new()
        .prefix("roster-bench-soak-")
        .tempdir()?;
    let server = Server::start(
        roster_binary,
        database_url,
        port,
        scratch.path().join("serve.log"),
    )
    .await?;
    say(format!("roster serve (pid {}) at {base_url}", server.pid()));

    let contacts = script_contacts(&base_url, &token, &loaded).await?;
    let load = Load {
        url: &base_url,
        token: Some(&token),
        connections: args.connections,
        duration: Duration::from_secs(args.duration),
        script: None,
    };
    let run_tag = uuid::Uuid::new_v4().simple().to_string();
    let lists = [loaded.l1.to_string(), loaded.l2.to_string()];
    let script = script(
        &contacts,
        &lists,
        &run_tag[..12],
        LIST_CREATES / wrk::threads(&load),
    );
    let script_path = scratch.path().join("soak.lua");
    std::fs::write(&script_path, script)?;
    let load = Load {
        script: Some(&script_path),
        ..load
    };

    let pid = server.pid();
    let mut rss = vec![(0, server::rss_of(pid)?)];
    say(format!(
        "{} connections for {} s; RSS sampled every {} s",
        args.connections, args.duration, args.sample_every
    ));
    let mut wrk = wrk::command(&load)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run wrk")?;
    let started = Instant::now();
    let every = Duration::from_secs(args.sample_every.max(1));
    let mut next_sample = started + every;
    while wrk.try_wait()?.is_none() {
        if Instant::now() >= next_sample {
            let sample = (started.elapsed().as_secs(), server::rss_of(pid)?);
            say(format!(
                "  {} s: RSS {:.1} MB",
                sample.0,
                sample.1 as f64 / 1e6
            ));
            rss.push(sample);
            next_sample += every;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    rss.push((started.elapsed().as_secs(), server::rss_of(pid)?));
    let output = wrk.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let counts = parse_result(&text).with_context(|| format!("unexpected wrk output:\n{text}"))?;
    server.stop()?;
    Ok(SoakReport {
        engine: args.engine,
        connections: args.connections,
        duration: Duration::from_secs(args.duration),
        requests: counts.requests,
        non_2xx: counts.non_2xx,
        socket_errors: counts.socket_errors,
        first_error: counts.first_error,
        rss,
    })
}

/// (id, email) of seeded contacts, read over HTTP: the PUTs keep each contact's own address.
async fn script_contacts(
    base_url: &str,
    token: &str,
    loaded: &Loaded,
) -> anyhow::Result<Vec<(String, String)>> {
    let http = reqwest::Client::new();
    let mut contacts = Vec::new();
    for id in loaded.sample_ids.iter().take(SCRIPT_CONTACTS) {
        let response = http
            .get(format!("{base_url}/v3/contacts/{id}"))
            .bearer_auth(token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("GET /v3/contacts/{id} answered {}", response.status());
        }
        let body: Value = response.json().await?;
        let email = body["email_address"]["address"]
            .as_str()
            .context("a contact has an email address")?;
        contacts.push((id.to_string(), email.to_string()));
    }
    if contacts.is_empty() {
        bail!("no seeded contacts to update");
    }
    Ok(contacts)
}

/// The wrk Lua script of the mix. Every wrk thread runs its own copy (`number` tells them
/// apart); `response` counts non-2xx answers, which `done` sums over the threads and prints
/// on one `soak-result` line with wrk's socket errors.
fn script(
    contacts: &[(String, String)],
    lists: &[String; 2],
    run_tag: &str,
    list_creates_per_thread: u32,
) -> String {
    let mut text = String::from("-- Generated by roster-bench soak.\nlocal contacts = {\n");
    for (id, email) in contacts {
        text.push_str(&format!("  {{\"{id}\", \"{email}\"}},\n"));
    }
    text.push_str(&format!(
        "}}\nlocal lists = {{\"{}\", \"{}\"}}\nlocal run = \"{run_tag}\"\n\
         local list_creates = {list_creates_per_thread}\n",
        lists[0], lists[1]
    ));
    text.push_str(
        r#"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

-- Thread globals, read by done() through thread:get.
bad = 0
first_bad = ""
local n = 0
local created_lists = 0

function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

local function contact(k)
  return contacts[(k * 7 + number * 13) % #contacts + 1]
end

function request()
  n = n + 1
  local slot = n % 10
  if slot < 4 then
    return wrk.format("GET", "/v3/contacts?limit=50")
  elseif slot < 6 then
    return wrk.format("GET", "/v3/contacts/" .. contact(n)[1])
  elseif slot < 8 then
    local body = string.format(
      '{"email_address":{"address":"soak-%s-%d-%d@soak.example",' ..
      '"permission_to_send":"implicit"},' ..
      '"first_name":"Soak","last_name":"Writer %d","create_source":"Account",' ..
      '"list_memberships":["%s"]}',
      run, number, n, n, lists[n % 2 + 1])
    return wrk.format("POST", "/v3/contacts", nil, body)
  elseif slot < 9 then
    local c = contact(n)
    local body = string.format(
      '{"email_address":{"address":"%s"},"first_name":"Soak %d","job_title":"Updated",' ..
      '"update_source":"Account"}',
      c[2], n)
    return wrk.format("PUT", "/v3/contacts/" .. c[1], nil, body)
  elseif created_lists < list_creates then
    created_lists = created_lists + 1
    local body = string.format('{"name":"soak %s %d %d","favorite":false}', run, number, n)
    return wrk.format("POST", "/v3/contact_lists", nil, body)
  else
    local body = string.format('{"name":"soak %s %d %d renamed"}', run, number, n)
    return wrk.format("PUT", "/v3/contact_lists/" .. lists[number % 2 + 1], nil, body)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  local sample = ""
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    if sample == "" then
      sample = thread:get("first_bad")
    end
  end
  local e = summary.errors
  io.write(string.format("soak-result requests=%d non2xx=%d socket=%d\n",
    summary.requests, total_bad, e.connect + e.read + e.write + e.timeout))
  if sample ~= "" then
    io.write("soak-first-error " .. sample .. "\n")
  end
end
"#,
    );
    text
}

#[derive(Debug, PartialEq)]
struct Counts {
    requests: u64,
    non_2xx: u64,
    socket_errors: u64,
    first_error: Option<String>,
}

/// Reads the script's `soak-result` and `soak-first-error` lines.
fn parse_result(text: &str) -> anyhow::Result<Counts> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("soak-result "))
        .context("no soak-result line")?;
    let value = |name: &str| -> anyhow::Result<u64> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .with_context(|| format!("no {name}"))?
            .parse()
            .with_context(|| format!("{name} is not a count"))
    };
    Ok(Counts {
        requests: value("requests")?,
        non_2xx: value("non2xx")?,
        socket_errors: value("socket")?,
        first_error: text
            .lines()
            .find_map(|l| l.trim().strip_prefix("soak-first-error "))
            .map(String::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counts_and_the_first_error() {
        let text = "Running 5s test @ http://127.0.0.1:1\n  42 requests in 5.00s\n\
                    soak-result requests=42 non2xx=2 socket=1\n\
                    soak-first-error 409 [{\"error_key\":\"conflict\"}]\n";
        assert_eq!(
            parse_result(text).unwrap(),
            Counts {
                requests: 42,
                non_2xx: 2,
                socket_errors: 1,
                first_error: Some("409 [{\"error_key\":\"conflict\"}]".into()),
            }
        );
        assert!(parse_result("no result").is_err());
    }

    fn report(non_2xx: u64, rss: Vec<(u64, u64)>) -> SoakReport {
        SoakReport {
            engine: Engine::Sqlite,
            connections: 64,
            duration: Duration::from_secs(300),
            requests: 1000,
            non_2xx,
            socket_errors: 0,
            first_error: None,
            rss,
        }
    }

    #[test]
    fn passes_only_without_errors_and_with_flat_memory() {
        // Still warming up at 30 s of 300: the reference is the 60 s sample.
        let flat = vec![(0, 2_000), (30, 4_000), (60, 6_000), (300, 6_500)];
        assert!(report(0, flat.clone()).passed());
        assert!(!report(1, flat).passed());
        let growing = vec![(0, 2_000), (60, 6_000), (300, 9_000)];
        assert!(!report(0, growing).passed());
        assert!(
            !report(0, vec![(0, 20_000_000)]).passed(),
            "no sample under load"
        );
    }

    #[test]
    fn the_script_names_every_contact_and_list() {
        let script = script(
            &[("id-1".into(), "a@example.com".into())],
            &["l1".into(), "l2".into()],
            "tag",
            450,
        );
        assert!(script.contains("{\"id-1\", \"a@example.com\"}"));
        assert!(script.contains("local lists = {\"l1\", \"l2\"}"));
        assert!(script.contains("local list_creates = 450"));
    }
}
