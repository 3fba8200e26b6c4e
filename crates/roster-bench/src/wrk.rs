//! Load through `wrk` (Debian's package): it runs a fixed number of connections for a fixed
//! time and prints requests per second and, with `--latency`, the latency percentiles, which
//! this module parses.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

pub const INSTALL_HINT: &str = "apt-get install -y wrk";

/// Whether `wrk` is on PATH.
pub fn available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("wrk") || out.status.success())
        .unwrap_or(false)
}

/// One wrk run.
pub struct Load<'a> {
    pub url: &'a str,
    pub token: Option<&'a str>,
    pub connections: u32,
    pub duration: Duration,
    /// A Lua script (for example one that spreads requests over many ids).
    pub script: Option<&'a Path>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
}

/// wrk's threads for a load: one per core of the usual two, never more than the connections.
pub fn threads(load: &Load<'_>) -> u32 {
    load.connections.clamp(1, 2)
}

/// The wrk command line for a load (its report goes to stdout).
pub fn command(load: &Load<'_>) -> Command {
    let threads = threads(load);
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{threads}"))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.duration.as_secs().max(1)))
        .arg("--timeout")
        .arg("10s")
        .arg("--latency");
    if let Some(token) = load.token {
        command
            .arg("-H")
            .arg(format!("Authorization: Bearer {token}"));
    }
    command.arg("-H").arg("Accept: application/json");
    if let Some(script) = load.script {
        command.arg("-s").arg(script);
    }
    command.arg(load.url);
    command
}

pub fn run(load: &Load<'_>) -> anyhow::Result<Outcome> {
    let output = command(load)
        .output()
        .with_context(|| format!("cannot run wrk (install it: {INSTALL_HINT})"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed on {}: {}{}",
            load.url,
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&text).with_context(|| format!("unexpected wrk output for {}:\n{text}", load.url))
}

/// Reads wrk's report; answering anything but 2xx/3xx, or a socket error, fails the run.
pub fn parse(text: &str) -> anyhow::Result<Outcome> {
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut requests = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            rps = Some(rest.trim().parse::<f64>()?);
        } else if let Some(rest) = line.strip_prefix("50%") {
            p50 = Some(millis(rest.trim())?);
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99 = Some(millis(rest.trim())?);
        } else if line.starts_with("Non-2xx or 3xx responses:") {
            bail!("the server answered errors: {line}");
        } else if line.starts_with("Socket errors:") {
            bail!("wrk saw socket errors: {line}");
        } else if let Some((count, _)) = line.split_once(" requests in ") {
            requests = Some(count.trim().parse::<u64>()?);
        }
    }
    match (rps, p50, p99, requests) {
        (Some(requests_per_second), Some(p50_ms), Some(p99_ms), Some(requests)) if requests > 0 => {
            Ok(Outcome {
                requests_per_second,
                p50_ms,
                p99_ms,
                requests,
            })
        }
        _ => bail!("no requests/sec, percentiles or request count"),
    }
}

/// wrk prints durations as `635.00us`, `2.10ms`, `1.02s` or `1.50m`.
fn millis(text: &str) -> anyhow::Result<f64> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .context("a duration has a unit")?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        "h" => number * 3_600_000.0,
        other => bail!("unknown unit {other}"),
    })
}

/// A Lua script that sends GET `prefix + id + suffix` for the ids in turn, each wrk thread
/// starting at another offset.
pub fn rotating_script(prefix: &str, ids: &[String], suffix: &str) -> String {
    let mut script = String::from("local ids = {\n");
    for id in ids {
        script.push_str(&format!("  \"{id}\",\n"));
    }
    // `setup` runs once per thread in the main state; `offset` arrives as a thread global.
    script.push_str(&format!(
        "}}\nlocal threads = 0\n\
         function setup(thread)\n  threads = threads + 1\n  thread:set(\"offset\", \
         threads * 7919)\nend\n\
         local next_id = 0\n\
         function init(args)\n  next_id = (offset or 0) % #ids\nend\n\
         function request()\n  \
           next_id = next_id % #ids + 1\n  \
           return wrk.format(\"GET\", \"{prefix}\" .. ids[next_id] .. \"{suffix}\")\n\
         end\n"
    ));
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:3000/healthz
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   835.50us    1.02ms  30.12ms   93.21%
    Req/Sec    20.45k     2.01k   25.11k    70.00%
  Latency Distribution
     50%  635.00us
     75%    0.92ms
     90%    1.45ms
     99%    5.20ms
  406864 requests in 10.00s, 62.08MB read
Requests/sec:  40673.57
Transfer/sec:      6.21MB
";

    #[test]
    fn reads_throughput_and_percentiles() {
        let outcome = parse(REPORT).unwrap();
        assert_eq!(outcome.requests, 406_864);
        assert!((outcome.requests_per_second - 40_673.57).abs() < 1e-6);
        assert!((outcome.p50_ms - 0.635).abs() < 1e-9);
        assert!((outcome.p99_ms - 5.2).abs() < 1e-9);
    }

    #[test]
    fn error_answers_fail_the_run() {
        let report = REPORT.replace(
            "Requests/sec",
            "  Non-2xx or 3xx responses: 12\nRequests/sec",
        );
        assert!(parse(&report).is_err());
    }

    #[test]
    fn units_convert_to_milliseconds() {
        assert_eq!(millis("1.50s").unwrap(), 1500.0);
        assert_eq!(millis("250.00us").unwrap(), 0.25);
        assert!(millis("3.00xs").is_err());
    }
}
