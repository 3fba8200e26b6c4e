//! Every route Roster serves, in one place. Operations of the official document that no
//! feature implements yet are not routed: they answer 404 like any unknown path.

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Router};

use crate::error::ApiError;
use crate::{custom_fields, health, oauth, wire, AppState};

pub fn build(state: AppState) -> Router {
    let v3 = Router::new()
        .route(
            "/v3/contact_custom_fields",
            get(custom_fields::list).post(custom_fields::create),
        )
        .route(
            "/v3/contact_custom_fields/{custom_field_id}",
            get(custom_fields::get)
                .put(custom_fields::replace)
                .delete(custom_fields::delete),
        )
        .layer(middleware::from_fn(wire::accept::require_json_accept));

    let open = Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/oauth2/default/v1/keys", get(oauth::jwks));

    v3.merge(open)
        .fallback(|| async { ApiError::NotFound("The requested resource was not found.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
