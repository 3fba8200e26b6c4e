//! The token bucket that holds a send rate: `rate` tokens a second, at most 0.2 s of them
//! saved up (a burst of `max(1, 0.2 × rate)` messages after a pause), and empty at the start,
//! so a node that has just started, or a bucket that was just made, never sends a burst.
//! One bucket is shared by all of a node's workers; campaign mail takes from a second one as
//! well (`--campaign-rate`), so a campaign never uses more than its share of the node's rate.
//!
//! The bucket is kept as one instant (the generic cell rate algorithm): `paid_until`, the
//! moment by which every token handed out so far has been earned. The tokens saved at `now`
//! are `(now − paid_until) × rate`, capped at the burst. Taking one moves `paid_until` on by
//! `1 / rate`; when that lands in the future the caller sleeps until exactly then. So waiters
//! are served in the order they asked, each wakes once at its own instant (no polling, no
//! sleep per token), and in any window of length T at most `burst + T × rate` tokens are
//! handed out.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// How much sending a full bucket allows at once, in seconds of the rate.
const BURST_SECONDS: f64 = 0.2;

/// A token bucket; `acquire` waits for a token. Share it behind an `Arc`.
#[derive(Debug)]
pub struct TokenBucket {
    /// None: no limit (rate 0).
    limit: Option<Limit>,
}

#[derive(Debug)]
struct Limit {
    /// The time one token takes to earn, rounded up so the bucket never runs fast.
    per_token: Duration,
    /// How far behind `now` `paid_until` may fall: the burst's worth of time.
    capacity: Duration,
    paid_until: Mutex<Instant>,
}

impl TokenBucket {
    /// A bucket of `rate_per_second` tokens a second (0, negative or not finite: unlimited),
    /// empty now.
    pub fn new(rate_per_second: f64) -> Self {
        let limit = (rate_per_second.is_finite() && rate_per_second > 0.0).then(|| {
            let per_token = Duration::from_nanos((1e9 / rate_per_second).ceil() as u64).max(
                // A rate beyond a token a nanosecond is no limit a clock can keep anyway.
                Duration::from_nanos(1),
            );
            let burst = (BURST_SECONDS * rate_per_second).max(1.0);
            Limit {
                per_token,
                capacity: per_token.mul_f64(burst),
                paid_until: Mutex::new(Instant::now()),
            }
        });
        Self { limit }
    }

    /// Whether this bucket limits anything (its rate is not 0).
    pub fn is_limited(&self) -> bool {
        self.limit.is_some()
    }

    /// The most tokens the bucket saves up: `max(1, 0.2 × rate)`; None when unlimited.
    pub fn burst(&self) -> Option<f64> {
        self.limit
            .as_ref()
            .map(|limit| limit.capacity.as_secs_f64() / limit.per_token.as_secs_f64())
    }

    /// Takes one token, waiting until exactly the instant it is earned. A call dropped while
    /// it waits still spends its token: the bucket then runs slow, never fast.
    pub async fn acquire(&self) {
        let Some(limit) = &self.limit else {
            return;
        };
        let ready_at = {
            let now = Instant::now();
            // A poisoned lock only means another task panicked between two lines that cannot
            // panic; the instant it guards is still whole.
            let mut paid_until = limit
                .paid_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // Tokens saved beyond the burst are lost, as if the bucket overflowed.
            let oldest = now.checked_sub(limit.capacity).unwrap_or(now);
            *paid_until = (*paid_until).max(oldest) + limit.per_token;
            *paid_until
        };
        if ready_at > Instant::now() {
            tokio::time::sleep_until(ready_at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The instants, relative to `start`, at which `count` acquisitions by `tasks` concurrent
    /// tasks complete, sorted.
    async fn grant_times(
        bucket: Arc<TokenBucket>,
        start: Instant,
        tasks: usize,
        count: usize,
    ) -> Vec<Duration> {
        let per_task = count / tasks;
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let bucket = bucket.clone();
                tokio::spawn(async move {
                    let mut times = Vec::new();
                    for _ in 0..per_task {
                        bucket.acquire().await;
                        times.push(Instant::now() - start);
                    }
                    times
                })
            })
            .collect();
        let mut times = Vec::new();
        for handle in handles {
            times.extend(handle.await.unwrap());
        }
        times.sort();
        times
    }

    /// The most grants inside any window of `width` (closed at both ends).
    fn busiest_window(times: &[Duration], width: Duration) -> usize {
        let mut most = 0;
        let mut first = 0;
        for (last, time) in times.iter().enumerate() {
            while *time - times[first] > width {
                first += 1;
            }
            most = most.max(last - first + 1);
        }
        most
    }

    #[tokio::test(start_paused = true)]
    async fn starts_empty_so_the_first_token_takes_one_interval() {
        let bucket = TokenBucket::new(50.0);
        let start = Instant::now();
        bucket.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(20));
    }

    #[tokio::test(start_paused = true)]
    async fn five_hundred_tokens_at_fifty_a_second_take_ten_seconds_across_workers() {
        let bucket = Arc::new(TokenBucket::new(50.0));
        let times = grant_times(bucket, Instant::now(), 4, 500).await;
        assert_eq!(times.len(), 500);
        assert_eq!(times[0], Duration::from_millis(20));
        assert_eq!(times[499], Duration::from_secs(10));
        // Evenly spaced: the k-th token is earned at k / rate, whichever worker takes it.
        for (k, time) in times.iter().enumerate() {
            assert_eq!(*time, Duration::from_millis(20) * (k as u32 + 1));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn saves_at_most_a_fifth_of_a_second_of_tokens() {
        let bucket = TokenBucket::new(50.0);
        assert_eq!(bucket.burst(), Some(10.0));
        tokio::time::advance(Duration::from_secs(5)).await;
        let start = Instant::now();
        for _ in 0..10 {
            bucket.acquire().await;
        }
        assert_eq!(Instant::now(), start, "ten saved tokens are taken at once");
        bucket.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(20));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_rate_still_saves_one_token() {
        let bucket = TokenBucket::new(2.0);
        assert_eq!(bucket.burst(), Some(1.0));
        tokio::time::advance(Duration::from_secs(60)).await;
        let start = Instant::now();
        bucket.acquire().await;
        assert_eq!(Instant::now(), start);
        bucket.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn no_two_second_window_holds_more_than_the_rate_and_one_burst() {
        // Bursts after pauses of different lengths: the windows that straddle a pause and the
        // catch-up after it are the ones that could exceed 2 s × 50 + 10.
        let bucket = Arc::new(TokenBucket::new(50.0));
        let start = Instant::now();
        let mut times = Vec::new();
        for pause_ms in [0, 150, 300, 1000, 50, 2500, 199, 201] {
            tokio::time::advance(Duration::from_millis(pause_ms)).await;
            times.extend(grant_times(bucket.clone(), start, 3, 90).await);
        }
        times.sort();
        let most = busiest_window(&times, Duration::from_secs(2));
        assert!(most <= 110, "{most} tokens in one 2 s window");
        assert!(
            most >= 95,
            "the bucket ran slow: {most} in the busiest window"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_of_zero_never_waits() {
        let bucket = TokenBucket::new(0.0);
        assert!(!bucket.is_limited());
        let start = Instant::now();
        for _ in 0..10_000 {
            bucket.acquire().await;
        }
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn an_odd_rate_never_runs_fast() {
        // 1e9 / 3 is not a whole number of nanoseconds: the interval is rounded up.
        let bucket = TokenBucket::new(3.0);
        let start = Instant::now();
        for _ in 0..30 {
            bucket.acquire().await;
        }
        let elapsed = Instant::now() - start;
        assert!(elapsed >= Duration::from_secs(10), "{elapsed:?}");
        // Tokio's timer wakes on whole milliseconds, rounding up; the rounding is not carried
        // from one token to the next (each wait aims at its own exact instant).
        assert!(elapsed <= Duration::from_millis(10_001), "{elapsed:?}");
    }
}
