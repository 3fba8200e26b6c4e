//! Roster's HTTP API. `AppState` holds what handlers share (the store behind the storage
//! contract, the token service, the cursor codec, the configuration); `serve` is the one start
//! path that `roster serve` and the integration tests both use.

pub mod activities;
pub mod auth;
pub mod contact_lists;
pub mod contact_tags;
pub mod contacts;
pub mod custom_fields;
pub mod error;
pub mod health;
pub mod oauth;
pub mod redact;
pub mod router;
pub mod tls;
pub mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::http::{HeaderName, Request, Response};
use axum::response::IntoResponse;
use roster_activities::{ActivityEngine, EngineConfig};
use roster_domain::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::ApiError;
use crate::oauth::keys::{ensure_signing_key, ServerSecret};
use crate::oauth::tokens::TokenService;
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
    /// Most contacts one import may carry (Constant Contact's 40,000 by default).
    pub import_max_contacts: usize,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: Arc<TokenService>,
    pub cursors: CursorCodec,
    pub config: Arc<ServerConfig>,
    /// The bulk-activity engine: handlers queue work with it; `roster serve` runs its workers.
    pub activities: ActivityEngine,
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
        Ok(Self {
            cursors: CursorCodec::new(config.secret.derive("pagination-cursor")),
            activities: ActivityEngine::new(store.clone(), engine),
            store,
            tokens: Arc::new(tokens),
            config: Arc::new(config),
        })
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
    let app = app(state);
    match tls {
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
            .serve(app.into_make_service())
            .await
            .context("the server failed")
        }
    }
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
            serde_json::json!([{"error_key": "server.error", "error_message": "There was a problem with our internal service."}])
        );
    }
}
