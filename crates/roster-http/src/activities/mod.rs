//! Bulk Activities: the POST /activities/* operations that queue work for the engine, GET
//! /activities and /activities/{activity_id} that report it, and GET
//! /contact_exports/{file_export_id}, which streams an export file from the database chunk by
//! chunk. Each operation answers with the activity shape the V3 document gives it.

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
        .routes(routes!(handlers::list))
        .routes(routes!(handlers::get))
        .routes(routes!(handlers::json_import))
        .routes(routes!(handlers::file_import))
        .routes(routes!(handlers::export_contacts))
        .routes(routes!(handlers::download))
        .routes(routes!(handlers::contact_delete))
        .routes(routes!(handlers::add_list_memberships))
        .routes(routes!(handlers::remove_list_memberships))
        .routes(routes!(handlers::list_delete))
        .routes(routes!(handlers::taggings_add))
        .routes(routes!(handlers::taggings_remove))
        .routes(routes!(handlers::tags_delete))
        .routes(routes!(handlers::custom_fields_delete))
}
