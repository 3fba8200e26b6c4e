//! Segments: GET/POST /segments, GET/PUT/DELETE /segments/{segment_id} and
//! PATCH /segments/{segment_id}/name. Criteria are parsed and checked by the domain
//! (roster_domain::segment) and compiled to SQL by the stores; GET /contacts?segment_id= uses
//! the same evaluation.

pub mod bodies;
pub mod criteria;
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
        .routes(routes!(handlers::rename))
}
