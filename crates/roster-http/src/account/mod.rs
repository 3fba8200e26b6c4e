//! Account Services: GET/PUT /account/summary, GET/POST/PUT /account/summary/physical_address,
//! GET/POST /account/emails, GET /account/user/privileges, and the public page that confirms a
//! sender address (GET/POST /account/emails/confirm, the link the confirmation mail carries).

pub mod bodies;
pub mod confirm;
pub mod handlers;
pub mod query;
pub mod resources;
pub mod user_privileges;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(user_privileges::list))
        .routes(routes!(handlers::summary, handlers::update_summary))
        .routes(routes!(
            handlers::physical_address,
            handlers::add_physical_address,
            handlers::replace_physical_address
        ))
        .routes(routes!(handlers::emails, handlers::add_email))
}
