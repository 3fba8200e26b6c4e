//! A quiet machine for every scenario. On a shared machine other processes' time slices land
//! in the figures, the tail latencies most, so each scenario reads the 1-minute load average
//! before it starts, first waiting (up to `QUIET_WAIT`) for it to fall below `QUIET_LOAD`; a
//! scenario that starts at a higher load marks its table noisy. `--noisy` (CI, the smoke test)
//! skips the wait but still records the load and marks the table.

use std::time::{Duration, Instant};

use crate::say;

/// Below this 1-minute load average the machine counts as quiet.
pub const QUIET_LOAD: f64 = 1.0;
/// How long a scenario waits for a quiet machine before it runs anyway, marked noisy.
pub const QUIET_WAIT: Duration = Duration::from_secs(5 * 60);
/// How often the load average is read while waiting (the kernel updates it every 5 s).
const POLL: Duration = Duration::from_secs(5);
/// How often the wait says that it is still waiting.
const REPORT_EVERY: Duration = Duration::from_secs(30);

/// The 1-minute load average; None where /proc/loadavg cannot be read.
pub fn load_average() -> Option<f64> {
    parse_load_average(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_load_average(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

/// A scenario started at this load is not comparable with one run on a quiet machine (an
/// unknown load is not called noisy: there is nothing to compare).
pub fn is_noisy(load: Option<f64>) -> bool {
    load.is_some_and(|load| load >= QUIET_LOAD)
}

/// Waits until the load average falls below `QUIET_LOAD`, at most `limit` (a zero limit does
/// not wait), and returns the load the scenario starts at.
pub async fn wait_for_quiet(scenario: &str, limit: Duration) -> Option<f64> {
    let started = Instant::now();
    let mut reported: Option<Instant> = None;
    loop {
        let load = load_average()?;
        let waited = started.elapsed();
        if load < QUIET_LOAD {
            return Some(load);
        }
        if waited >= limit {
            if !limit.is_zero() {
                say(format!(
                    "{scenario}: the load average is still {load:.2} after {} s; running \
                     anyway, marked noisy",
                    waited.as_secs()
                ));
            }
            return Some(load);
        }
        if reported.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
            say(format!(
                "{scenario}: waiting for the load average ({load:.2}) to fall below \
                 {QUIET_LOAD:.1} ({} s of {} s waited)",
                waited.as_secs(),
                limit.as_secs()
            ));
            reported = Some(Instant::now());
        }
        tokio::time::sleep(POLL.min(limit - waited)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_figure_of_proc_loadavg_is_the_one_minute_load() {
        assert_eq!(
            parse_load_average("0.93 1.50 0.86 2/411 12345\n"),
            Some(0.93)
        );
        assert_eq!(parse_load_average(""), None);
    }

    #[test]
    fn a_load_of_one_or_more_is_noisy() {
        assert!(is_noisy(Some(1.0)));
        assert!(!is_noisy(Some(0.99)));
        assert!(!is_noisy(None));
    }

    #[tokio::test]
    async fn a_zero_limit_does_not_wait() {
        let started = Instant::now();
        let load = wait_for_quiet("test", Duration::ZERO).await;
        assert!(started.elapsed() < POLL);
        assert_eq!(load.is_some(), load_average().is_some());
    }
}
