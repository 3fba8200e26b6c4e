//! Contact Lists: GET/POST /contact_lists, GET/PUT/DELETE /contact_lists/{list_id} and
//! GET /contact_lists/list_id_xrefs. DELETE starts a bulk activity and answers 202 with it.

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
        .routes(routes!(handlers::xrefs))
        .routes(routes!(handlers::get, handlers::replace, handlers::delete))
}
