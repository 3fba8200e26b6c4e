//! Constant Contact's rate limits, per client id (the token's `cid`): a number of requests per
//! second (a token bucket of that size, per node) and a number per UTC day. The daily count is
//! shared through the database: each node counts locally and adds its counts to the shared
//! total in one batch per flush interval, reading the other nodes' counts back in the same
//! round trip, so no request writes to the database. docs/RATE_LIMITS.md gives the worst-case
//! overshoot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_domain::{Store, Timestamp};

use crate::auth::{bearer_token, VerifiedClaims};
use crate::{AppState, RateLimitSettings};

const DAY_MILLIS: i64 = 24 * 3600 * 1000;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// More than the per-second rate.
    Throttled,
    /// The day's quota is used up.
    QuotaExceeded { seconds_to_midnight: i64 },
}

impl IntoResponse for Limited {
    fn into_response(self) -> Response {
        let (body, retry_after) = match self {
            Self::Throttled => (
                serde_json::json!({"error_key": "throttled", "error_message": "Too Many Requests"}),
                1,
            ),
            Self::QuotaExceeded {
                seconds_to_midnight,
            } => (
                serde_json::json!({"error_key": "quota_exceeded", "error_message": "Limit \
                    Exceeded"}),
                seconds_to_midnight.max(1),
            ),
        };
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
            response.headers_mut().insert("retry-after", value);
        }
        response
    }
}

struct ClientUsage {
    tokens: f64,
    refilled_at: Instant,
    /// The shared total as of the last flush (every node's requests).
    shared: i64,
    /// Admitted here and being added to the shared total right now.
    in_flight: i64,
    /// Admitted here since the last flush began.
    unflushed: i64,
}

struct Counters {
    day: i64,
    clients: HashMap<String, ClientUsage>,
}

pub struct RateLimiter {
    settings: RateLimitSettings,
    store: Arc<dyn Store>,
    counters: Mutex<Counters>,
    /// One flush at a time.
    flushing: tokio::sync::Mutex<()>,
}

fn day_of(now: Timestamp) -> i64 {
    now.millis().div_euclid(DAY_MILLIS)
}

impl RateLimiter {
    pub fn new(settings: RateLimitSettings, store: Arc<dyn Store>) -> Self {
        Self {
            settings,
            store,
            counters: Mutex::new(Counters {
                day: day_of(Timestamp::now()),
                clients: HashMap::new(),
            }),
            flushing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn flush_interval(&self) -> Duration {
        self.settings.flush_interval
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits one request of `client_id`, or says why not.
    pub fn admit(&self, client_id: &str) -> Result<(), Limited> {
        let now = Timestamp::now();
        let day = day_of(now);
        let per_second = f64::from(self.settings.per_second);
        let mut counters = self.counters();
        if counters.day != day {
            counters.day = day;
            counters.clients.clear();
        }
        let usage = counters
            .clients
            .entry(client_id.to_string())
            .or_insert_with(|| ClientUsage {
                tokens: per_second,
                refilled_at: Instant::now(),
                shared: 0,
                in_flight: 0,
                unflushed: 0,
            });
        let used = usage.shared + usage.in_flight + usage.unflushed;
        if used >= i64::try_from(self.settings.per_day).unwrap_or(i64::MAX) {
            let seconds_to_midnight = ((day + 1) * DAY_MILLIS - now.millis()) / 1000;
            return Err(Limited::QuotaExceeded {
                seconds_to_midnight,
            });
        }
        let elapsed = usage.refilled_at.elapsed().as_secs_f64();
        usage.tokens = (usage.tokens + elapsed * per_second).min(per_second);
        usage.refilled_at = Instant::now();
        if usage.tokens < 1.0 {
            return Err(Limited::Throttled);
        }
        usage.tokens -= 1.0;
        usage.unflushed += 1;
        Ok(())
    }

    /// Adds this node's counts to the shared totals and reads every client's total back.
    /// Runs every flush interval, at shutdown, and from tests.
    pub async fn flush(&self) {
        let _one_at_a_time = self.flushing.lock().await;
        let (day, deltas) = {
            let mut counters = self.counters();
            let day = counters.day;
            let deltas: Vec<(String, i64)> = counters
                .clients
                .iter_mut()
                .map(|(client, usage)| {
                    usage.in_flight = usage.unflushed;
                    usage.unflushed = 0;
                    (client.clone(), usage.in_flight)
                })
                .collect();
            (day, deltas)
        };
        if deltas.is_empty() {
            return;
        }
        let result = self.store.add_api_usage(day, &deltas).await;
        let mut counters = self.counters();
        if counters.day != day {
            return;
        }
        match result {
            Ok(totals) => {
                for (client, total) in totals {
                    if let Some(usage) = counters.clients.get_mut(&client) {
                        usage.shared = total;
                        usage.in_flight = 0;
                    }
                }
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "cannot flush the daily request counts"
                );
                for usage in counters.clients.values_mut() {
                    usage.unflushed += usage.in_flight;
                    usage.in_flight = 0;
                }
            }
        }
    }
}

/// Middleware on /v3: verifies the bearer token once (the `Caller` extractor reuses the claims)
/// and applies the limits to its client id. Requests without a valid token pass unlimited to
/// the extractor, which answers 401.
pub async fn limit_by_client(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = state.rate_limits.clone() else {
        return next.run(request).await;
    };
    let claims = match bearer_token(request.headers()) {
        Some(token) => state.tokens.verify(token).await.ok(),
        None => None,
    };
    if let Some(claims) = claims {
        if let Err(limited) = limiter.admit(&claims.cid) {
            return limited.into_response();
        }
        request.extensions_mut().insert(VerifiedClaims(claims));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_midnight_utc() {
        assert_eq!(day_of(Timestamp::from_millis(DAY_MILLIS - 1)), 0);
        assert_eq!(day_of(Timestamp::from_millis(DAY_MILLIS)), 1);
    }
}
