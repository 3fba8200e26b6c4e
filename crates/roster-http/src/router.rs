//! Every route Roster serves, in one place. The `/v3` operations are each section's `routes()`
//! (one `routes!` line per path, read from the handlers' `#[utoipa::path]` attributes), so the
//! router and the OpenAPI document's paths are one list. Operations of the official document
//! that no feature implements yet are not routed: they answer 404 like any unknown path.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{any, get, post};
use axum::{middleware, Router};
use utoipa::openapi::path::PathItem;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::{
    account, activities, bounces, contact_lists, contact_reports, contact_tags, contacts,
    custom_fields, email_reports, emails, health, oauth, openapi, ratelimit, segments, tracking,
    wire, AppState,
};

/// Where the V3 operations are served; the document's paths are relative to it (its server).
pub const V3_PREFIX: &str = "/v3";

/// Every V3 operation: the router (paths relative to [`V3_PREFIX`]) and the OpenAPI document
/// with each operation's path, both from the same `routes!` lines.
pub fn v3() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::shell())
        .merge(activities::routes())
        .merge(custom_fields::routes())
        .merge(contacts::routes())
        .merge(contact_lists::routes())
        .merge(contact_tags::routes())
        .merge(segments::routes())
        .merge(account::routes())
        .merge(emails::routes())
        .merge(email_reports::routes())
        .merge(contact_reports::routes())
}

/// The OpenAPI document Roster serves.
pub fn document() -> OpenApi {
    v3_parts().1
}

/// The V3 router and its finished OpenAPI document.
fn v3_parts() -> (Router<AppState>, OpenApi) {
    let (operations, mut document) = v3().split_for_parts();
    openapi::omit_absent(&mut document);
    (operations, document)
}

/// Every routed V3 operation as (method, full path under `/v3`), read from the document that
/// `v3()` builds along with the router: the list tests and tools use instead of keeping their
/// own.
pub fn v3_operations() -> Vec<(Method, String)> {
    let document = document();
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in methods(item) {
            if operation.is_some() {
                operations.push((method, format!("{V3_PREFIX}{path}")));
            }
        }
    }
    operations
}

fn methods(item: &PathItem) -> [(Method, Option<&utoipa::openapi::path::Operation>); 8] {
    [
        (Method::GET, item.get.as_ref()),
        (Method::PUT, item.put.as_ref()),
        (Method::POST, item.post.as_ref()),
        (Method::DELETE, item.delete.as_ref()),
        (Method::OPTIONS, item.options.as_ref()),
        (Method::HEAD, item.head.as_ref()),
        (Method::PATCH, item.patch.as_ref()),
        (Method::TRACE, item.trace.as_ref()),
    ]
}

/// Browsers ask every site for `/favicon.ico`; Roster has none. An empty success keeps that
/// request from showing as a failed load in the console of every public page (the permalink,
/// forward and unsubscribe pages), and lets browsers cache the answer for a day.
async fn no_favicon() -> impl axum::response::IntoResponse {
    (
        axum::http::StatusCode::NO_CONTENT,
        [(axum::http::header::CACHE_CONTROL, "public, max-age=86400")],
    )
}

pub fn build(state: AppState) -> Router {
    let (operations, document) = v3_parts();
    // The layers wrap the nested routes from outside, so they see the full path (`/v3/...`).
    let v3 = Router::new()
        .nest(V3_PREFIX, operations)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit_by_client,
        ))
        .layer(middleware::from_fn(wire::accept::require_json_accept));

    let open = Router::new()
        .route("/healthz", get(health::alive))
        .route("/favicon.ico", get(no_favicon))
        .route(
            account::confirm::CONFIRM_PATH,
            get(account::confirm::confirm_page).post(account::confirm::confirm),
        )
        .route("/readyz", get(health::ready))
        .route("/oauth2/default/v1/keys", get(oauth::jwks))
        .route(
            contacts::resubscribe::CONFIRM_PATH,
            get(contacts::resubscribe::confirm_page).post(contacts::resubscribe::confirm),
        )
        .route(
            contacts::opt_in::CONFIRM_PATH,
            get(contacts::opt_in::confirm_page).post(contacts::opt_in::confirm),
        )
        .route(&tracking::open_route(), get(tracking::open_pixel))
        .route(&tracking::click_route(), get(tracking::click))
        .route(
            emails::unsubscribe::ROUTE,
            get(emails::unsubscribe::unsubscribe_page).post(emails::unsubscribe::unsubscribe),
        )
        // A whole returned message may come; 1 MB at most (docs/TRACKING.md, "Bounces").
        .route(
            bounces::ROUTE,
            post(bounces::inbound).layer(DefaultBodyLimit::max(roster_bounces::MAX_MESSAGE_BYTES)),
        )
        .route(
            emails::permalink::ROUTE,
            get(emails::permalink::permalink_page),
        )
        .route(
            emails::forward::ROUTE,
            get(emails::forward::forward_page).post(emails::forward::forward),
        )
        // Anything else under the public pages' prefixes is their own 404 page (a browser
        // follows these links), not the API's error array.
        .route("/permalink", any(emails::permalink::not_found))
        .route("/permalink/{id}/{*rest}", any(emails::permalink::not_found))
        .route("/forward", any(emails::forward::unknown_link))
        .route(
            "/forward/{token}/{*rest}",
            any(emails::forward::unknown_link),
        )
        .route(
            "/oauth2/default/v1/authorize",
            get(oauth::authorize::authorize_page).post(oauth::authorize::decide),
        )
        .route("/oauth2/default/v1/signin", post(oauth::signin::sign_in))
        .route("/oauth2/default/v1/token", post(oauth::token::token))
        .route(
            "/oauth2/default/v1/device/authorize",
            post(oauth::device::start),
        )
        .route(
            "/oauth2/default/v1/device",
            get(oauth::device::verification_page).post(oauth::device::decide),
        )
        .route("/oauth2/default/v1/revoke", post(oauth::revoke::revoke))
        .route(
            "/oauth2/default/v1/introspect",
            post(oauth::revoke::introspect),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata::metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/oauth2/default",
            get(oauth::metadata::metadata),
        )
        .route(
            "/oauth2/default/.well-known/oauth-authorization-server",
            get(oauth::metadata::metadata),
        );

    v3.merge(open)
        .merge(openapi::routes(&document))
        .fallback(|| async { ApiError::NotFound("The requested resource was not found.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
