//! Contacts Custom Fields: GET/POST /contact_custom_fields and GET/PUT/DELETE
//! /contact_custom_fields/{custom_field_id}. The request types convert into the domain's
//! drafts here; the domain owns the rules, the store the quota and uniqueness.

pub mod bodies;
pub mod handlers;
pub mod query;
pub mod resources;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::get, handlers::replace, handlers::delete))
}
