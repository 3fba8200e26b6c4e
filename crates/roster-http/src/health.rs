//! Liveness and readiness, without authentication, for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::AppState;

/// GET /healthz: the process answers.
pub async fn alive() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// GET /readyz: the database answers too.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "database": state.store.engine()})),
        ),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": state.store.engine()})),
            )
        }
    }
}
