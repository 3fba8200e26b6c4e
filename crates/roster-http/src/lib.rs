//! Roster's HTTP API. `AppState` holds what handlers share (the store behind the storage
//! contract, the token service, the cursor codec, the rate limiter, the mailer, the
//! configuration); `serve` is the one start path that `roster serve` and the integration tests
//! both use, and it runs the background tasks (revocation refresh, rate-limit counter flushes)
//! while it serves.

pub mod account;
pub mod activities;
pub mod auth;
pub mod bounces;
pub mod contact_lists;
pub mod contact_reports;
pub mod contact_tags;
pub mod contacts;
pub mod custom_fields;
pub mod email_reports;
pub mod emails;
pub mod error;
pub mod health;
pub mod oauth;
pub mod openapi;
pub mod ratelimit;
pub mod redact;
pub mod router;
pub mod segments;
pub mod tls;
pub mod tracking;
pub mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::http::{HeaderName, Request, Response};
use axum::response::IntoResponse;
use roster_activities::start::{StartError, StartRequest};
use roster_activities::{ActivityEngine, EngineConfig};
use roster_domain::activity::Activity;
use roster_domain::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::ApiError;
use crate::oauth::keys::{ensure_signing_key, ServerSecret};
use crate::oauth::tokens::TokenService;
use crate::ratelimit::RateLimiter;
use crate::wire::CursorCodec;

/// The default request body limit: 4 MB, Constant Contact's own import limit.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What the HTTP layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The externally visible base URL, e.g. `https://roster.example.com`.
    pub public_url: String,
    pub body_limit: usize,
    pub secret: ServerSecret,
    pub oauth: OAuthSettings,
    /// None: no rate limits (`--rate-limit off`).
    pub rate_limit: Option<RateLimitSettings>,
    /// Most contacts one import may carry (Constant Contact's 40,000 by default).
    pub import_max_contacts: usize,
    /// Addresses forwarded to a friend per day, per recipient and per account.
    pub forward_limits: roster_domain::forward::ForwardLimits,
    /// The bounce endpoint and intake (docs/TRACKING.md, "Bounces").
    pub bounces: BounceSettings,
}

/// How bounces and complaints are taken in.
#[derive(Debug, Clone, Default)]
pub struct BounceSettings {
    /// `--bounce-webhook-secret`: the key of the bounce endpoint's signatures. Without it the
    /// endpoint answers 404.
    pub webhook_secret: Option<bounces::WebhookSecret>,
    /// The bounce address (whose VERP tokens name contacts) and the suspension policy.
    pub intake: roster_bounces::IntakeSettings,
}

/// The authorization server's tunables.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// How often every node re-reads the revocations (a revoked token stops working on every
    /// node within this interval plus one database read).
    pub revocation_refresh: Duration,
    /// The sign-in session cookie's lifetime.
    pub session_lifetime_seconds: i64,
    /// RFC 8628 polling interval handed to devices.
    pub device_poll_interval_seconds: i64,
    pub device_code_lifetime_seconds: i64,
    /// Failed sign-ins allowed per account, and per client address, within the window.
    pub signin_failures_per_account: i64,
    pub signin_failures_per_address: i64,
    pub signin_window_seconds: i64,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            revocation_refresh: Duration::from_secs(2),
            session_lifetime_seconds: 8 * 3600,
            device_poll_interval_seconds: 5,
            device_code_lifetime_seconds: 600,
            signin_failures_per_account: 5,
            signin_failures_per_address: 20,
            signin_window_seconds: 900,
        }
    }
}

/// Constant Contact's limits per client id.
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    pub per_second: u32,
    pub per_day: u64,
    /// How often each node adds its counts to the shared daily totals.
    pub flush_interval: Duration,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_second: 4,
            per_day: 10_000,
            flush_interval: Duration::from_secs(5),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: Arc<TokenService>,
    pub cursors: CursorCodec,
    pub config: Arc<ServerConfig>,
    /// None when rate limits are off.
    pub rate_limits: Option<Arc<RateLimiter>>,
    /// Signs sign-in session cookies.
    pub session_key: [u8; 32],
    /// Signs and checks the recipient tokens of campaign links (unsubscribe).
    pub recipient_key: roster_domain::recipient_token::RecipientKey,
    /// Where handlers enqueue mail (confirmations, test sends); delivery is the mailer's job.
    pub mailer: roster_mailer::Mailer,
    /// The bulk-activity engine: handlers queue work with it; `roster serve` runs its workers.
    pub activities: ActivityEngine,
    /// Where handlers record tracking events (opens, clicks, forwards, bounces): queued and
    /// committed in batches by the commit loop `serve` runs (docs/TRACKING.md); `flush` drains.
    pub events: roster_events::EventWriter,
    /// The device class and machine flag of each User-Agent the tracking endpoints see.
    pub user_agents: Arc<roster_events::UserAgentCache>,
    /// The URLs of tracked links, for the click redirect.
    pub links: Arc<tracking::LinkCache>,
    /// Where bounces and complaints are taken in: the bounce endpoint, and the inbound SMTP
    /// listener that `roster serve` runs with `--bounce-smtp-bind`.
    pub bounce_intake: Arc<roster_bounces::Intake>,
}

impl AppState {
    /// Prepares the shared state; creates the first signing key on a new database.
    pub async fn new(store: Arc<dyn Store>, config: ServerConfig) -> anyhow::Result<Self> {
        Self::with_engine_config(store, config, EngineConfig::default()).await
    }

    /// As `new`, with the activity engine's lease, polling and queue settings.
    pub async fn with_engine_config(
        store: Arc<dyn Store>,
        config: ServerConfig,
        engine: EngineConfig,
    ) -> anyhow::Result<Self> {
        ensure_signing_key(store.as_ref(), &config.secret).await?;
        let tokens =
            TokenService::load(store.clone(), config.secret.clone(), &config.public_url).await?;
        let rate_limits = config
            .rate_limit
            .clone()
            .map(|settings| Arc::new(RateLimiter::new(settings, store.clone())));
        Ok(Self {
            mailer: roster_mailer::Mailer::outbox_only(store.clone())?,
            cursors: CursorCodec::new(config.secret.derive("pagination-cursor")),
            session_key: config.secret.derive("signin-session"),
            recipient_key: config.secret.recipient_key(),
            activities: ActivityEngine::new(store.clone(), engine),
            events: roster_events::EventWriter::new(store.clone()),
            user_agents: Arc::default(),
            links: Arc::default(),
            bounce_intake: Arc::new(roster_bounces::Intake::new(
                store.clone(),
                config.bounces.intake.clone(),
            )),
            store,
            tokens: Arc::new(tokens),
            config: Arc::new(config),
            rate_limits,
        })
    }

    /// Starts a bulk activity: what the request names is checked against the account, the
    /// activity is queued (`roster_activities::start`).
    pub async fn start_activity(
        &self,
        account: roster_domain::AccountId,
        request: StartRequest,
    ) -> Result<Activity, StartError> {
        roster_activities::start::start(self.store.as_ref(), &self.activities, account, request)
            .await
    }

    /// Replaces the default mailer (which has no relay and only fills the outbox).
    pub fn with_mailer(mut self, mailer: roster_mailer::Mailer) -> Self {
        self.mailer = mailer;
        self
    }

    /// Starts the background tasks a serving node runs; they stop when the handles drop.
    fn spawn_background(&self) -> BackgroundTasks {
        let mut handles = Vec::new();
        let tokens = self.tokens.clone();
        let store = self.store.clone();
        let every = self.config.oauth.revocation_refresh;
        handles.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last_prune = std::time::Instant::now();
            loop {
                ticker.tick().await;
                if let Err(error) = tokens.refresh_revocations().await {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "cannot refresh the revocations"
                    );
                }
                if last_prune.elapsed() > Duration::from_secs(600) {
                    last_prune = std::time::Instant::now();
                    if let Err(error) = store.prune_oauth(roster_domain::Timestamp::now()).await {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "cannot prune expired OAuth rows"
                        );
                    }
                }
            }
        }));
        if let Some(limiter) = self.rate_limits.clone() {
            handles.push(tokio::spawn(async move {
                let mut ticker = tokio::time::interval(limiter.flush_interval());
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticker.tick().await;
                    limiter.flush().await;
                }
            }));
        }
        BackgroundTasks(handles)
    }
}

/// Aborts its tasks when dropped.
struct BackgroundTasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for BackgroundTasks {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router with the cross-cutting layers.
pub fn app(state: AppState) -> axum::Router {
    with_layers(router::build(state))
}

/// Request ids, tracing and panic recovery around any router.
pub fn with_layers(router: axum::Router) -> axum::Router {
    router
        .layer(CatchPanicLayer::custom(
            |panic: Box<dyn std::any::Any + Send>| {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown panic");
                ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
            },
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        request_id,
                        method = %request.method(),
                        path = %redact::path_and_query(request.uri()),
                    )
                })
                .on_request(())
                .on_response(|response: &Response<_>, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = response.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "answered"
                    );
                }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_unusable_request_id))
}

/// The longest request id a caller may choose (a UUID has 36 characters; trace ids of other
/// systems are longer, none this long).
const MAX_REQUEST_ID_LEN: usize = 128;

/// A caller's request id is echoed on the response and written into every log line of its
/// request, so one that is too long or not printable ASCII is dropped here, before the id is
/// set, and the request gets a generated one instead.
async fn drop_unusable_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let usable = |value: &axum::http::HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID_LEN
            && bytes.iter().all(|b| b.is_ascii_graphic())
    };
    if request
        .headers()
        .get_all(&REQUEST_ID)
        .iter()
        .any(|v| !usable(v))
    {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    state: AppState,
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    listener
        .set_nonblocking(true)
        .context("cannot configure the listener")?;
    segments::criteria::log_legacy_tracking_segments(state.store.as_ref()).await;
    let background = state.spawn_background();
    let events = state.events.start();
    let limiter = state.rate_limits.clone();
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = match tls {
        None => {
            let listener =
                tokio::net::TcpListener::from_std(listener).context("cannot use the listener")?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .context("the server failed")
        }
        Some(config) => {
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            axum_server::from_tcp_rustls(
                listener,
                axum_server::tls_rustls::RustlsConfig::from_config(config),
            )
            .handle(handle)
            .serve(app)
            .await
            .context("the server failed")
        }
    };
    drop(background);
    // The events answered for but not yet committed are committed before the node stops.
    if let Err(error) = events.stop().await {
        tracing::error!(
            error = format!("{error:#}"),
            "cannot record the last tracking events"
        );
    }
    // The counts admitted since the last flush still belong in the shared totals.
    if let Some(limiter) = limiter {
        limiter.flush().await;
    }
    served
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_the_error_array() {
        let router = axum::Router::new().route(
            "/boom",
            get(|| async {
                if true {
                    panic!("boom");
                }
                "unreachable"
            }),
        );
        let response = super::with_layers(router)
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key("x-request-id"));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!([{"error_key": "server.error", "error_message": "There was a problem \
                with our internal service."}])
        );
    }
}
